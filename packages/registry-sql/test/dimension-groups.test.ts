// Saved dimension groups (dimension_graph_key / dimension_graph_definition) on a SQLite file,
// SQLite memory and PostgreSQL, in new databases and in the registries daf_butler wrote.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DimensionUniverse } from '@butler-ts/core';
import {
  InvalidArgumentError,
  LookupError,
  ReadOnlyDatabaseError,
} from '@butler-ts/registry-interfaces';
import type { Database } from '@butler-ts/registry-interfaces';
import { rejection } from '@butler-ts/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { DIMENSION_GRAPH_DEFINITION_SPEC } from '../src/dimension-groups.ts';
import { StaticDimensionRecordStorageManager } from '../src/index.ts';
import { PostgresDatabase } from '../src/postgres/index.ts';
import { SqliteDatabase } from '../src/sqlite/index.ts';
import { loadPostgresRegistry, writeSqliteRegistry } from './daf-butler-fixture.ts';
import { dropSchemas, freshSchema, pgAvailable, pgUrl } from './postgres-harness.ts';

const pgUp = await pgAvailable();
const dir = mkdtempSync(join(tmpdir(), 'butler-dim-groups-'));
const schemas: string[] = [];
const opened: Database[] = [];
let n = 0;

afterAll(async () => {
  for (const db of opened.reverse()) await db.close();
  if (pgUp) await dropSchemas(schemas);
  rmSync(dir, { recursive: true, force: true });
});

// The dimensions of daf_butler's universe that the fixture's groups use.
const universe = new DimensionUniverse({
  namespace: 'daf_butler',
  version: 8,
  dimensions: {
    instrument: { keyType: 'string', governor: true },
    band: { keyType: 'string' },
    physical_filter: { keyType: 'string', requires: ['instrument'], implies: ['band'] },
    detector: { keyType: 'int', requires: ['instrument'] },
    day_obs: { keyType: 'int', requires: ['instrument'] },
    visit: { keyType: 'int', requires: ['instrument'], implies: ['physical_filter', 'day_obs'] },
  },
});

interface Engine {
  readonly name: string;
  readonly available: boolean;
  /** A new empty database. */
  fresh(): Promise<Database>;
  /** Another connection to the same storage. */
  connect(db: Database): Promise<Database>;
  /** A read-only connection to the same storage. */
  readOnly(db: Database): Promise<Database>;
  /** The daf_butler "after" registry. */
  fixture(): Promise<Database>;
}

const track = <T extends Database>(db: T): T => {
  opened.push(db);
  return db;
};

const engines: Engine[] = [
  {
    name: 'SQLite file',
    available: true,
    fresh: async () => track(await SqliteDatabase.fromFile(join(dir, `db${n++}.sqlite3`))),
    connect: async (db) => track(await SqliteDatabase.fromFile((db as SqliteDatabase).filename)),
    readOnly: async (db) =>
      track(await SqliteDatabase.fromFile((db as SqliteDatabase).filename, { writeable: false })),
    fixture: async () =>
      track(await SqliteDatabase.fromFile(writeSqliteRegistry('after', join(dir, `fx${n++}`)))),
  },
  {
    name: 'SQLite memory',
    available: true,
    fresh: async () => track(await SqliteDatabase.fromUri('sqlite://')),
    connect: (db) => Promise.resolve(track((db as SqliteDatabase).clone())),
    readOnly: (db) => Promise.resolve(track((db as SqliteDatabase).clone({ writeable: false }))),
    fixture: async () => {
      const file = writeSqliteRegistry('after', join(dir, `fx${n++}`));
      // Memory cannot load a file; the fixture part runs on the file copy.
      return track(await SqliteDatabase.fromFile(file));
    },
  },
  {
    name: 'PostgreSQL',
    available: pgUp,
    fresh: async () => {
      const namespace = freshSchema('butler_dim_groups');
      schemas.push(namespace);
      return track(await PostgresDatabase.fromUri(pgUrl, { namespace }));
    },
    connect: async (db) =>
      track(await PostgresDatabase.fromUri(pgUrl, { namespace: db.namespace })),
    readOnly: async (db) =>
      track(await PostgresDatabase.fromUri(pgUrl, { namespace: db.namespace, writeable: false })),
    fixture: async () => {
      const namespace = freshSchema('butler_dim_groups_fx');
      schemas.push(namespace);
      await loadPostgresRegistry(pgUrl, 'after', namespace);
      return track(await PostgresDatabase.fromUri(pgUrl, { namespace }));
    },
  },
];

async function manager(
  db: Database,
  create: boolean,
): Promise<StaticDimensionRecordStorageManager> {
  let made!: StaticDimensionRecordStorageManager;
  await db.declareStaticTables({ create }, (context) => {
    made = StaticDimensionRecordStorageManager.initialize(db, context, { universe });
  });
  return made;
}

/** The rows of dimension_graph_definition as [key, name], sorted. */
async function definitions(db: Database): Promise<[number, string][]> {
  const table = await db.getExistingTable(
    'dimension_graph_definition',
    DIMENSION_GRAPH_DEFINITION_SPEC,
  );
  return sorted((await db.fetch(table!)).map((r) => [r.dimension_graph_id, r.dimension_name]));
}

function sorted(rows: [number, string][]): [number, string][] {
  return [...rows].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
}

describe.each(engines)('saved dimension groups on $name', { timeout: 60_000 }, (engine) => {
  describe.skipIf(!engine.available)('', () => {
    it('keys the empty group 0 without storing it', async () => {
      const db = await engine.fresh();
      const dims = await manager(db, true);
      expect(await dims.saveDimensionGroup(universe.empty)).toBe(0);
      expect((await dims.loadDimensionGroup(0)).isEmpty).toBe(true);
      expect(await definitions(db)).toEqual([]);
    });

    it('gives new groups keys 1, 2, … and stores their required dimensions in order', async () => {
      const db = await engine.fresh();
      const dims = await manager(db, true);
      const visit = universe.conform(['visit', 'detector']);
      expect(await dims.saveDimensionGroup(universe.conform(['detector']))).toBe(1);
      expect(await dims.saveDimensionGroup(visit)).toBe(2);
      expect(await dims.saveDimensionGroup(universe.conform(['detector']))).toBe(1);
      expect(await definitions(db)).toEqual(
        sorted([
          [1, 'instrument'],
          [1, 'detector'],
          [2, 'instrument'],
          [2, 'detector'],
          [2, 'visit'],
        ]),
      );
      expect((await dims.loadDimensionGroup(2)).equals(visit)).toBe(true);
    });

    it('finds groups another client saved, and reuses their keys', async () => {
      const db = await engine.fresh();
      const first = await manager(db, true);
      const key = await first.saveDimensionGroup(universe.conform(['physical_filter']));
      const other = await manager(await engine.connect(db), false);
      const group = await other.loadDimensionGroup(key);
      expect(group.required).toEqual(['instrument', 'physical_filter']);
      expect(group.implied).toEqual(['band']);
      expect(await other.saveDimensionGroup(universe.conform(['physical_filter']))).toBe(key);
      expect(await other.saveDimensionGroup(universe.conform(['day_obs']))).toBe(key + 1);
    });

    it('refuses an unknown key with a LookupError naming it', async () => {
      const db = await engine.fresh();
      const dims = await manager(db, true);
      const error = await rejection(dims.loadDimensionGroup(7));
      expect(LookupError.is(error)).toBe(true);
      expect((error as LookupError).key).toBe('7');
      expect((error as Error).message).toContain('7');
    });

    it('refuses a group of another universe before writing', async () => {
      const db = await engine.fresh();
      const dims = await manager(db, true);
      const other = new DimensionUniverse({ dimensions: { instrument: { keyType: 'string' } } });
      const error = await rejection(dims.saveDimensionGroup(other.conform(['instrument'])));
      expect(InvalidArgumentError.is(error)).toBe(true);
      expect(await definitions(db)).toEqual([]);
    });

    it('saves nothing on a read-only database', async () => {
      const db = await engine.fresh();
      await (await manager(db, true)).saveDimensionGroup(universe.conform(['detector']));
      const readOnly = await manager(await engine.readOnly(db), false);
      expect((await readOnly.loadDimensionGroup(1)).required).toEqual(['instrument', 'detector']);
      const error = await rejection(readOnly.saveDimensionGroup(universe.conform(['visit'])));
      expect(ReadOnlyDatabaseError.is(error)).toBe(true);
      expect(await definitions(db)).toHaveLength(2);
    });

    it("reads daf_butler's saved groups and continues its key sequence", async () => {
      const db = await engine.fixture();
      const dims = await manager(db, false);
      expect((await dims.loadDimensionGroup(1)).required).toEqual(['instrument', 'detector']);
      expect((await dims.loadDimensionGroup(2)).required).toEqual([
        'instrument',
        'physical_filter',
      ]);
      expect((await dims.loadDimensionGroup(3)).required).toEqual([
        'instrument',
        'detector',
        'visit',
      ]);
      expect(await dims.saveDimensionGroup(universe.conform(['visit', 'detector']))).toBe(3);
      expect(await dims.saveDimensionGroup(universe.conform(['day_obs']))).toBe(4);
      expect((await definitions(db)).filter(([key]) => key === 4)).toEqual(
        sorted([
          [4, 'instrument'],
          [4, 'day_obs'],
        ]),
      );
    });
  });
});
