// The dimensions, collections, datasets and bridge managers declared together on one
// database, as a registry declares them, for the datasets manager's tests: on a new SQLite
// file, SQLite memory, a new PostgreSQL schema, and the registries daf_butler wrote.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DimensionUniverse } from '@butler-ts/core';
import type { Database } from '@butler-ts/registry-interfaces';
import {
  ByDimensionsDatasetRecordStorageManagerUUID,
  ByNameOpaqueTableStorageManager,
  MonolithicDatastoreRegistryBridgeManager,
  StaticDimensionRecordStorageManager,
  SynthIntKeyCollectionManager,
  datasetTableForeignKeys,
} from '../src/index.ts';
import { PostgresDatabase } from '../src/postgres/index.ts';
import { SqliteDatabase } from '../src/sqlite/index.ts';
import type { FixtureState } from './daf-butler-fixture.ts';
import { loadPostgresRegistry, writeSqliteRegistry } from './daf-butler-fixture.ts';
import { dropSchemas, freshSchema, pgUrl } from './postgres-harness.ts';

/**
 * The dimensions of daf_butler's universe (version 8) that the fixture's dataset types use,
 * plus the second governor `skymap`.
 */
export const FIXTURE_UNIVERSE = new DimensionUniverse({
  namespace: 'daf_butler',
  version: 8,
  dimensions: {
    instrument: { keyType: 'string', governor: true },
    skymap: { keyType: 'string', governor: true },
    band: { keyType: 'string' },
    physical_filter: { keyType: 'string', requires: ['instrument'], implies: ['band'] },
    detector: { keyType: 'int', requires: ['instrument'] },
    day_obs: { keyType: 'int', requires: ['instrument'] },
    visit: { keyType: 'int', requires: ['instrument'], implies: ['physical_filter', 'day_obs'] },
  },
});

/** The managers of one database. */
export interface Managers {
  readonly db: Database;
  readonly dimensions: StaticDimensionRecordStorageManager;
  readonly collections: SynthIntKeyCollectionManager;
  readonly datasets: ByDimensionsDatasetRecordStorageManagerUUID;
  readonly bridges: MonolithicDatastoreRegistryBridgeManager;
}

/** Declares (creating them with `create`) the managers' tables on `db`. */
export async function declareManagers(db: Database, create: boolean): Promise<Managers> {
  const tables = create ? new Set<string>() : await db.tableNames();
  let made!: Managers;
  await db.declareStaticTables({ create }, (context) => {
    const dimensions = StaticDimensionRecordStorageManager.initialize(db, context, {
      universe: FIXTURE_UNIVERSE,
    });
    const collections = SynthIntKeyCollectionManager.initialize(db, context);
    const datasets = ByDimensionsDatasetRecordStorageManagerUUID.initialize(db, context, {
      collections,
      dimensions,
      hasDimensionTable: (name) => tables.has(name),
    });
    const opaque = ByNameOpaqueTableStorageManager.initialize(db, context);
    const bridges = MonolithicDatastoreRegistryBridgeManager.initialize(db, context, {
      opaque,
      datasets: datasetTableForeignKeys,
      universe: null,
    });
    made = { db, dimensions, collections, datasets, bridges };
  });
  return made;
}

/** Where the tests run: each place makes new databases and loads fixture registries. */
export interface Place {
  readonly name: 'SQLite file' | 'SQLite memory' | 'PostgreSQL';
  readonly available: boolean;
  /** New empty managers. */
  fresh(): Promise<Managers>;
  /** The managers of a copy of daf_butler's registry in `state` (on a file for SQLite memory). */
  fixture(state: FixtureState, writeable?: boolean): Promise<Managers>;
  /** Closes what was opened and removes what was made. */
  cleanup(): Promise<void>;
}

/** The three places; PostgreSQL is unavailable when `pgUp` is false. */
export function places(pgUp: boolean, prefix: string): Place[] {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const opened: Database[] = [];
  const schemas: string[] = [];
  let n = 0;
  const track = <T extends Database>(db: T): T => {
    opened.push(db);
    return db;
  };
  const close = async () => {
    for (const db of opened.splice(0).reverse()) await db.close();
  };
  const sqliteFixture = async (state: FixtureState, writeable = true) =>
    declareManagers(
      track(
        await SqliteDatabase.fromFile(writeSqliteRegistry(state, join(dir, `fx${n++}`)), {
          writeable,
        }),
      ),
      false,
    );
  return [
    {
      name: 'SQLite file',
      available: true,
      fresh: async () =>
        declareManagers(track(await SqliteDatabase.fromFile(join(dir, `db${n++}.sqlite3`))), true),
      fixture: sqliteFixture,
      cleanup: async () => {
        await close();
        rmSync(dir, { recursive: true, force: true });
      },
    },
    {
      name: 'SQLite memory',
      available: true,
      fresh: async () => declareManagers(track(await SqliteDatabase.fromUri('sqlite://')), true),
      fixture: sqliteFixture,
      cleanup: close,
    },
    {
      name: 'PostgreSQL',
      available: pgUp,
      fresh: async () => {
        const namespace = freshSchema(prefix.replaceAll('-', '_'));
        schemas.push(namespace);
        return declareManagers(track(await PostgresDatabase.fromUri(pgUrl, { namespace })), true);
      },
      fixture: async (state, writeable = true) => {
        const namespace = freshSchema(`${prefix.replaceAll('-', '_')}_fx`);
        schemas.push(namespace);
        await loadPostgresRegistry(pgUrl, state, namespace);
        return declareManagers(
          track(await PostgresDatabase.fromUri(pgUrl, { namespace, writeable })),
          false,
        );
      },
      cleanup: async () => {
        await close();
        await dropSchemas(schemas);
      },
    },
  ];
}
