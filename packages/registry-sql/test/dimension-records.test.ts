// The dimensions manager on registries written by daf_butler (w.2026.34) and on registries
// made by butler-ts: records read back equal to daf_butler's dumps, records written equal to
// daf_butler's rows, data IDs expanded, tables made with daf_butler's schema, on SQLite
// (file and memory) and PostgreSQL.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DimensionUniverse, LookupError as CoreLookupError } from '@butler-ts/core';
import type { DimensionRecordValues } from '@butler-ts/core';
import { ColumnValueError } from '@butler-ts/ddl';
import {
  DatabaseConflictError,
  IntegrityError,
  InvalidArgumentError,
  LookupError,
} from '@butler-ts/registry-interfaces';
import { rejection } from '@butler-ts/testkit';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { StaticDimensionRecordStorageManager, createRegistry, openRegistry } from '../src/index.ts';
import type { Registry } from '../src/index.ts';
import {
  FIXTURE_DIR,
  loadPostgresRegistry,
  readDump,
  snapshotPostgres,
  snapshotSqlite,
  writeSqliteRegistry,
} from './daf-butler-fixture.ts';
import type { FixtureState, Snapshot } from './daf-butler-fixture.ts';
import { dropSchemas, freshSchema, pgAvailable, pgUrl } from './postgres-harness.ts';

const pgUp = await pgAvailable();
const dir = mkdtempSync(join(tmpdir(), 'butler-dim-records-'));
const schemas: string[] = [];
const opened: Registry[] = [];
let n = 0;

afterAll(async () => {
  for (const registry of opened.reverse()) await registry.close();
  if (pgUp) await dropSchemas(schemas);
  rmSync(dir, { recursive: true, force: true });
});

const track = (registry: Registry): Registry => {
  opened.push(registry);
  return registry;
};

/** The dimension tables daf_butler's dumps hold records of, in insertion order. */
const RECORD_TABLES = ['instrument', 'physical_filter', 'detector', 'day_obs', 'visit'] as const;

const manifest = JSON.parse(readFileSync(join(FIXTURE_DIR, 'manifest.json'), 'utf8')) as {
  dimension_records: Record<string, Record<string, unknown>[]>;
};

/** The stored `config:dimensions.json` of the fixture, as daf_butler wrote it. */
const STORED_CONFIG = readDump('sqlite', 'after', 'butler_attributes').find(
  (row) => row['name'] === 'config:dimensions.json',
)!['value']!;

interface Place {
  readonly uri: string;
  readonly options: { readonly namespace?: string };
  snapshot(): Promise<Snapshot>;
  /** Column, key, foreign-key and index descriptions of a table, independent of names. */
  describe(table: string): Promise<string[]>;
}

function sqlitePlace(file: string, uri = `sqlite:///${file}`): Place {
  return {
    uri,
    options: {},
    snapshot: () => Promise.resolve(snapshotSqlite(file)),
    describe: (table) => {
      const db = new Sqlite(file, { readonly: true });
      try {
        const columns = db.prepare(`PRAGMA table_info("${table}")`).all() as Record<
          string,
          unknown
        >[];
        const fks = db.prepare(`PRAGMA foreign_key_list("${table}")`).all() as Record<
          string,
          unknown
        >[];
        const byId = new Map<unknown, string[]>();
        for (const fk of fks) {
          const list = byId.get(fk['id']) ?? [];
          list.push(
            `${String(fk['from'])}->${String(fk['table'])}.${String(fk['to'])}:${String(fk['on_delete'])}`,
          );
          byId.set(fk['id'], list);
        }
        const indexes = (
          db.prepare(`PRAGMA index_list("${table}")`).all() as Record<string, unknown>[]
        ).map((index) => {
          const cols = (
            db.prepare(`PRAGMA index_info("${String(index['name'])}")`).all() as Record<
              string,
              unknown
            >[]
          ).map((c) => String(c['name']));
          return `index ${String(index['unique'])} ${String(index['origin'])} ${cols.join(',')}`;
        });
        const checks =
          (
            db
              .prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?")
              .get(table) as {
              sql: string;
            }
          ).sql.match(/CHECK \(.*?\)(?=,|\n)/g) ?? [];
        return Promise.resolve([
          ...columns.map(
            (c) =>
              `column ${String(c['name'])} ${String(c['type'])} notnull=${String(c['notnull'])} pk=${String(c['pk'])}`,
          ),
          ...[...byId.values()].map((list) => `fk ${list.join(' ')}`).sort(),
          ...indexes.sort(),
          ...checks.map((c) => c.replaceAll(/\s+/g, '').replaceAll('"', '')).sort(),
        ]);
      } finally {
        db.close();
      }
    },
  };
}

function postgresPlace(namespace: string): Place {
  return {
    uri: pgUrl,
    options: { namespace },
    snapshot: () => snapshotPostgres(pgUrl, namespace),
    describe: async (table) => {
      const client = new pg.Client({ connectionString: pgUrl });
      await client.connect();
      try {
        const columns = await client.query<Record<string, unknown>>(
          `SELECT column_name, data_type, character_maximum_length, is_nullable
           FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2
           ORDER BY ordinal_position`,
          [namespace, table],
        );
        const constraints = await client.query<{ def: string }>(
          `SELECT c.contype::text || ' ' || pg_get_constraintdef(c.oid) AS def FROM pg_constraint c
           JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace s ON s.oid = t.relnamespace
           WHERE s.nspname = $1 AND t.relname = $2`,
          [namespace, table],
        );
        const indexes = await client.query<{ def: string }>(
          `SELECT regexp_replace(indexdef, '^.* USING ', '') AS def FROM pg_indexes
           WHERE schemaname = $1 AND tablename = $2`,
          [namespace, table],
        );
        return [
          ...columns.rows.map(
            (c) =>
              `column ${String(c['column_name'])} ${String(c['data_type'])}(${String(c['character_maximum_length'])}) nullable=${String(c['is_nullable'])}`,
          ),
          ...constraints.rows.map((r) => r.def.replaceAll(`${namespace}.`, '')).sort(),
          ...indexes.rows.map((r) => `index ${r.def}`).sort(),
        ];
      } finally {
        await client.end();
      }
    },
  };
}

interface Engine {
  readonly name: string;
  readonly available: boolean;
  fixture(state: FixtureState): Promise<Place>;
  fresh(): Promise<Place>;
}

const engines: Engine[] = [
  {
    name: 'SQLite',
    available: true,
    fixture: (state) =>
      Promise.resolve(sqlitePlace(writeSqliteRegistry(state, join(dir, `fx${n++}`)))),
    fresh: () => Promise.resolve(sqlitePlace(join(dir, `fresh${n++}.sqlite3`))),
  },
  {
    name: 'PostgreSQL',
    available: pgUp,
    fixture: async (state) => {
      const namespace = freshSchema('butler_dim_records_fx');
      schemas.push(namespace);
      await loadPostgresRegistry(pgUrl, state, namespace);
      return postgresPlace(namespace);
    },
    fresh: () => {
      const namespace = freshSchema('butler_dim_records');
      schemas.push(namespace);
      return Promise.resolve(postgresPlace(namespace));
    },
  },
];

/** A record as daf_butler's dump prints its fields (NULL as null, numbers in decimal). */
function asDumpText(record: DimensionRecordValues, columns: readonly string[]): (string | null)[] {
  return columns.map((column) => {
    const value = record[column];
    if (value === null || value === undefined) return null;
    return typeof value === 'number' || typeof value === 'string'
      ? String(value)
      : JSON.stringify(value);
  });
}

/** A dump row with numbers normalised (`30.0` on SQLite, `30` on PostgreSQL). */
function normalizedDump(rows: Record<string, string | null>[], columns: readonly string[]) {
  return rows.map((row) =>
    columns.map((c) => {
      const value = row[c] ?? null;
      return value !== null && /^-?\d+(\.\d+)?$/.test(value) ? String(Number(value)) : value;
    }),
  );
}

function sortRows<T>(rows: T[]): T[] {
  return [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

async function sqliteTables(place: Place): Promise<string[]> {
  const db = new Sqlite(place.uri.slice('sqlite:///'.length), { readonly: true });
  try {
    return Promise.resolve(
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[],
    );
  } finally {
    db.close();
  }
}

async function pgTables(place: Place): Promise<string[]> {
  return Object.keys(await place.snapshot());
}

describe.each(engines)('dimension records on $name', { timeout: 120_000 }, (engine) => {
  describe.skipIf(!engine.available)('', () => {
    const open = async (place: Place, writeable = true) =>
      track(await openRegistry(place.uri, { ...place.options, writeable }));
    const create = async (place: Place) => track(await createRegistry(place.uri, place.options));

    it.each(['before', 'after'] as const)(
      'reads every dimension record of daf_butler\'s "%s" registry equal to its dumps',
      async (state) => {
        const place = await engine.fixture(state);
        const registry = await open(place, false);
        expect(registry.dimensions.universe.toConfigJson()).toBe(STORED_CONFIG);
        const dumpEngine = engine.name === 'SQLite' ? 'sqlite' : 'postgresql';
        for (const table of RECORD_TABLES) {
          const dump = readDump(dumpEngine, state, table);
          const columns = Object.keys(dump[0]!).filter((c) => !c.startsWith('timespan'));
          const records = await registry.dimensions.fetchRecords(table);
          expect(sortRows(records.map((r) => asDumpText(r, columns))), table).toEqual(
            sortRows(normalizedDump(dump, columns)),
          );
          if (columns.length < Object.keys(dump[0]!).length) {
            // daf_butler stored no timespan: NULL (both columns on SQLite).
            for (const record of records) expect(record['timespan'], table).toBeNull();
          }
        }
      },
    );

    it('fetches records by their data ID, by dimension name or key field', async () => {
      const registry = await open(await engine.fixture('after'), false);
      const [detector] = await registry.dimensions.fetchRecords('detector', {
        instrument: 'DummyCam',
        detector: 2,
      });
      expect(detector?.['full_name']).toBe('det02');
      expect(
        (await registry.dimensions.fetchRecords('detector', { id: [1, 3] }))
          .map((r) => r['id'])
          .sort(),
      ).toEqual([1, 3]);
      expect(await registry.dimensions.fetchRecords('visit_detector_region')).toEqual([]);
    });

    it('expands a data ID with implied values and the records of every element', async () => {
      const registry = await open(await engine.fixture('after'), false);
      const dataId = await registry.dimensions.expandDataId({
        instrument: 'DummyCam',
        detector: 1,
        visit: 42,
      });
      expect(dataId.hasFull()).toBe(true);
      expect(dataId.toJSON()).toEqual({
        band: 'r',
        instrument: 'DummyCam',
        day_obs: 20250101,
        detector: 1,
        physical_filter: 'd-r',
        visit: 42,
      });
      expect(dataId.hasRecords()).toBe(true);
      expect(dataId.record('detector')?.['full_name']).toBe('det01');
      expect(dataId.record('visit')?.['name']).toBe('v42');
      expect(dataId.record('instrument')?.['class_name']).toBe('lsst.obs.dummy.DummyCam');
      expect(dataId.record('band')).toEqual({ name: 'r' });
      expect(dataId.record('visit_detector_region')).toBeNull();
      const filter = await registry.dimensions.expandDataId(
        { instrument: 'DummyCam', physical_filter: 'd-i' },
        { dimensions: ['physical_filter'] },
      );
      expect(filter.get('band')).toBe('i');
    });

    it('refuses to expand a data ID whose record does not exist, naming it', async () => {
      const registry = await open(await engine.fixture('after'), false);
      const error = await rejection(
        registry.dimensions.expandDataId({ instrument: 'DummyCam', detector: 9 }),
      );
      expect(LookupError.is(error)).toBe(true);
      expect((error as Error).message).toContain('detector');
      expect((error as Error).message).toContain('9');
      const unknown = await rejection(registry.dimensions.fetchRecords('no_such_element'));
      expect(CoreLookupError.is(unknown)).toBe(true);
    });

    it("creates a registry that stores daf_butler's universe byte for byte", async () => {
      const registry = await create(await engine.fresh());
      expect(await registry.attributes.get('config:dimensions.json')).toBe(STORED_CONFIG);
      expect(registry.dimensions.universe.equals(DimensionUniverse.default())).toBe(true);
    });

    it("creates the dimension tables with daf_butler's columns, types, keys and indexes", async () => {
      const fixture = await engine.fixture('before');
      const fresh = await engine.fresh();
      await create(fresh);
      const universe = DimensionUniverse.default();
      const dialect = engine.name === 'SQLite' ? 'sqlite' : 'postgresql';
      const tables = [
        ...StaticDimensionRecordStorageManager.tableSpecs(universe, dialect).keys(),
        'dimension_graph_key',
        'dimension_graph_definition',
      ];
      // Every table of the fixture that is not another manager's is one of ours.
      const others =
        /^(butler_attributes|opaque_meta|file_datastore_records|run|collection.*|dataset.*)$/;
      const listed =
        engine.name === 'SQLite' ? await sqliteTables(fixture) : await pgTables(fixture);
      expect(new Set(tables)).toEqual(new Set(listed.filter((t) => !others.test(t))));
      for (const table of tables) {
        const ours = await fresh.describe(table);
        const theirs = await fixture.describe(table);
        if (table === 'dimension_graph_key' && dialect === 'sqlite') {
          // Both are SQLite's INTEGER PRIMARY KEY (the rowid, never NULL); daf_butler also
          // writes NOT NULL.
          expect(ours, table).toEqual(['column id INTEGER notnull=0 pk=1']);
          expect(theirs, table).toEqual(['column id INTEGER notnull=1 pk=1']);
        } else {
          expect(ours, table).toEqual(theirs);
        }
      }
    });

    it("writes the fixture's records as daf_butler wrote them", async () => {
      const fixture = await engine.fixture('after');
      const fresh = await engine.fresh();
      const registry = await create(fresh);
      for (const table of RECORD_TABLES)
        await registry.dimensions.insertRecords(table, manifest.dimension_records[table]!);
      const ours = await fresh.snapshot();
      const theirs = await fixture.snapshot();
      for (const table of RECORD_TABLES) {
        expect(ours[table], table).toEqual(theirs[table]);
      }
    });

    it('refuses bad records with typed errors, writing nothing', async () => {
      const fresh = await engine.fresh();
      const registry = await create(fresh);
      const dims = registry.dimensions;
      await dims.insertRecords('instrument', [{ name: 'Cam', detector_max: 4 }]);
      const before = await fresh.snapshot();
      const duplicate = await rejection(
        dims.insertRecords('instrument', [{ name: 'Other' }, { name: 'Cam' }]),
      );
      expect(IntegrityError.is(duplicate)).toBe(true);
      const orphan = await rejection(
        dims.insertRecords('detector', [{ instrument: 'Nowhere', id: 1 }]),
      );
      expect(IntegrityError.is(orphan)).toBe(true);
      const unknown = await rejection(
        dims.insertRecords('detector', [{ instrument: 'Cam', id: 1, colour: 'red' }]),
      );
      expect(InvalidArgumentError.is(unknown)).toBe(true);
      expect((unknown as Error).message).toContain('colour');
      const missing = await rejection(dims.insertRecords('detector', [{ instrument: 'Cam' }]));
      expect(InvalidArgumentError.is(missing)).toBe(true);
      expect((missing as Error).message).toContain('id');
      const badType = await rejection(
        dims.insertRecords('detector', [{ instrument: 'Cam', id: 'one' }]),
      );
      expect(ColumnValueError.is(badType)).toBe(true);
      const tooLong = await rejection(
        dims.insertRecords('detector', [{ instrument: 'Cam', id: 2, full_name: 'x'.repeat(33) }]),
      );
      expect(ColumnValueError.is(tooLong)).toBe(true);
      expect(await fresh.snapshot()).toEqual(before);
    });

    it('syncs records: inserts, accepts equal ones, refuses or updates different ones', async () => {
      const fresh = await engine.fresh();
      const registry = await create(fresh);
      const dims = registry.dimensions;
      await dims.insertRecords('instrument', [{ name: 'Cam' }]);
      const record = { instrument: 'Cam', id: 1, full_name: 'd1', purpose: 'SCIENCE' };
      expect(await dims.syncRecord('detector', record)).toBe(true);
      expect(await dims.syncRecord('detector', record)).toBe(false);
      const conflict = await rejection(dims.syncRecord('detector', { ...record, purpose: 'WAVE' }));
      expect(DatabaseConflictError.is(conflict)).toBe(true);
      expect(
        await dims.syncRecord('detector', { ...record, purpose: 'WAVE' }, { update: true }),
      ).toEqual({ purpose: 'SCIENCE' });
      expect((await dims.fetchRecords('detector'))[0]?.['purpose']).toBe('WAVE');
      await dims.insertRecords('detector', [{ ...record, purpose: 'GUIDE' }], { replace: true });
      await dims.insertRecords('detector', [{ ...record, purpose: 'X' }], { skipExisting: true });
      expect((await dims.fetchRecords('detector'))[0]?.['purpose']).toBe('GUIDE');
    });

    it('reopens a created registry with its universe and records', async () => {
      const fresh = await engine.fresh();
      const created = await create(fresh);
      await created.dimensions.insertRecords('instrument', [{ name: 'Cam' }]);
      const key = await created.dimensions.saveDimensionGroup(
        created.dimensions.universe.conform(['visit', 'detector']),
      );
      const registry = await open(fresh);
      expect(registry.dimensions.universe.equals(DimensionUniverse.default())).toBe(true);
      expect((await registry.dimensions.loadDimensionGroup(key)).required).toEqual([
        'instrument',
        'detector',
        'visit',
      ]);
      expect(await registry.dimensions.fetchRecords('instrument')).toHaveLength(1);
    });
  });
});

describe('dimension records in memory', () => {
  it('creates, writes and expands in a SQLite memory registry', async () => {
    const registry = track(await createRegistry('sqlite://'));
    const dims = registry.dimensions;
    for (const table of RECORD_TABLES)
      await dims.insertRecords(table, manifest.dimension_records[table]!);
    const dataId = await dims.expandDataId({ instrument: 'DummyCam', detector: 3 });
    expect(dataId.record('detector')?.['full_name']).toBe('det03');
    expect(await dims.saveDimensionGroup(dataId.dimensions)).toBe(1);
  });
});
