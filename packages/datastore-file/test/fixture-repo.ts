// Builds the daf_butler interop repositories in a temporary folder: the SQLite ones from the
// fixture's schema and table dumps (the fixture ships no database files), the PostgreSQL ones
// from `*.inserts.sql` loaded into a fresh schema; plus the datastore files, the refs of the
// manifest's datasets, and the storage classes and dimension records daf_butler used.
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  Config,
  DataCoordinate,
  DatasetRef,
  DatasetType,
  DimensionUniverse,
  StorageClassFactory,
} from '@butler-ts/core';
import { MetricsRecord, makeTestTypeRegistry } from '@butler-ts/core/testing';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { DimensionRecordSource } from '../src/index.ts';
import { FIXTURE, manifest, pythonObject } from './manifest.ts';
import type { ManifestDataset } from './manifest.ts';

/** The dimensions the fixture uses, related as in daf_butler's universe version 8. */
export const fixtureUniverse = new DimensionUniverse({
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

/** butler.yaml of the fixture (its storage classes and datastore section). */
export const butlerYaml = Config.fromYaml(
  readFileSync(join(FIXTURE, 'sqlite', 'after', 'butler.yaml'), 'utf8'),
);

/** A storage class factory with the fixture's storage classes over the test types. */
export function fixtureFactory(): StorageClassFactory {
  const factory = new StorageClassFactory({ registry: makeTestTypeRegistry() });
  factory.addFromConfig(new Config({ storageClasses: butlerYaml.get('storageClasses') }));
  return factory;
}

/** The dimension records of the manifest, as daf_butler's expanded data IDs carried them. */
export const fixtureRecords: DimensionRecordSource = (element, ref) => {
  const rows = manifest.dimension_records[element] ?? [];
  const value = ref.dataId.get(element);
  const instrument = ref.dataId.get('instrument');
  return (
    rows.find(
      (row) =>
        (row['id'] ?? row['name']) === value &&
        (row['instrument'] === undefined || row['instrument'] === instrument),
    ) ?? null
  );
};

/** The ref of a manifest dataset (full data ID, daf_butler's id). */
export function fixtureRef(dataset: ManifestDataset, factory: StorageClassFactory): DatasetRef {
  const dimensions = fixtureUniverse.conform(dataset.dimensions);
  const datasetType = new DatasetType(
    dataset.dataset_type,
    dimensions,
    factory.getStorageClass(dataset.storage_class),
    { universe: fixtureUniverse, factory },
  );
  const dataId = DataCoordinate.standardize(dataset.data_id_full, {
    dimensions,
    universe: fixtureUniverse,
  });
  return new DatasetRef(datasetType, dataId, dataset.run, { id: dataset.id });
}

/**
 * The value daf_butler put for a dataset (the composite as a MetricsRecord), with Python's
 * floats marked (`pythonFloats`, default) or as plain numbers (what reading gives).
 */
export function fixtureValue(dataset: ManifestDataset, pythonFloats = true): unknown {
  const object = (pythonFloats ? pythonObject(dataset) : dataset.object) as Record<string, unknown>;
  if (dataset.storage_class === 'StructuredComposite') {
    return new MetricsRecord(
      object['summary'] as Record<string, unknown>,
      object['output'] as Record<string, unknown>,
      object['data'] as unknown[],
    );
  }
  return object;
}

/** The direct-ingest path prefix in the dumps, and what replaces it in the test copies. */
export const FIXTURE_ROOT_PREFIX = 'file:///FIXTURE_ROOT/';
export const fixtureRootUrl = pathToFileURL(FIXTURE).href;

function parseDump(text: string): { columns: string[]; rows: (string | null)[][] } {
  const lines = text.split('\n').filter((line) => line !== '');
  const columns = lines[0]!.split('|');
  const rows = lines.slice(1).map((line) => {
    const parts = line.split('|');
    // Only a last column may hold '|' (butler_attributes values): join the rest back.
    const fixed = [
      ...parts.slice(0, columns.length - 1),
      parts.slice(columns.length - 1).join('|'),
    ];
    return fixed.map((value) => (value === '' ? null : value));
  });
  return { columns, rows };
}

/** A temporary repository root. */
export function tempRoot(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `butler-fds-${prefix}-`));
}

/** Removes a temporary folder. */
export function removeRoot(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

/**
 * A SQLite repository in `root` as daf_butler left it in `state`: gen3.sqlite3 rebuilt from
 * the schema and table dumps, and for `after` the datastore files. The direct-ingest record
 * points into this package's copy of the fixture.
 */
export function sqliteRepo(state: 'before' | 'after', root: string): string {
  const dumps = join(FIXTURE, 'dumps', 'sqlite', state);
  const path = join(root, 'gen3.sqlite3');
  const db = new Database(path);
  try {
    db.exec(readFileSync(join(dumps, 'schema.sql'), 'utf8'));
    db.pragma('foreign_keys = OFF');
    const load = db.transaction(() => {
      for (const file of readdirSync(dumps)) {
        if (!file.endsWith('.txt')) continue;
        const { columns, rows } = parseDump(readFileSync(join(dumps, file), 'utf8'));
        const table = file.slice(0, -4);
        const insert = db.prepare(
          `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
        );
        for (const row of rows) insert.run(...row);
      }
      db.prepare(
        `UPDATE file_datastore_records SET path = ? || substr(path, ?) WHERE path LIKE 'file:///FIXTURE_ROOT/%'`,
      ).run(fixtureRootUrl, FIXTURE_ROOT_PREFIX.length + 1);
    });
    load();
  } finally {
    db.close();
  }
  if (state === 'after')
    cpSync(join(FIXTURE, 'sqlite', 'after', 'interop'), join(root, 'interop'), { recursive: true });
  return `sqlite:///${path}`;
}

/** The server of the PostgreSQL tests. */
export const pgUrl =
  process.env['BUTLER_TEST_PG_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** Whether PostgreSQL answers (a printed line when not; a failure with BUTLER_REQUIRE_PG=1). */
export async function pgAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    if (process.env['BUTLER_REQUIRE_PG'] === '1') {
      throw new Error(`BUTLER_REQUIRE_PG=1 but PostgreSQL at ${pgUrl} is unreachable`, {
        cause: error,
      });
    }
    console.log(`PostgreSQL tests skipped: no server at ${pgUrl} (${(error as Error).message})`);
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

let counter = 0;

/** A fresh schema name. */
export function freshSchema(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter++}`;
}

/** Runs SQL on the test server. */
export async function pgExec(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Rows of a query on the test server. */
export async function pgRows(
  sql: string,
  values: unknown[] = [],
): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

/**
 * A PostgreSQL repository in a fresh `schema` as daf_butler left it in `state`, loaded from
 * `postgresql/<state>.inserts.sql`; for `after`, the datastore files are copied to `root`.
 */
export async function postgresRepo(
  state: 'before' | 'after',
  schema: string,
  root: string,
): Promise<void> {
  const sql = readFileSync(join(FIXTURE, 'postgresql', `${state}.inserts.sql`), 'utf8')
    .replaceAll(`interop_${state}`, schema)
    .replaceAll(FIXTURE_ROOT_PREFIX, `${fixtureRootUrl}`);
  await pgExec(`${sql}\n;SELECT pg_catalog.set_config('search_path', 'public', false);`);
  if (state === 'after') {
    cpSync(join(FIXTURE, 'postgresql', 'after-files', 'interop'), join(root, 'interop'), {
      recursive: true,
    });
  }
}

/** The manifest's datasets. */
export const datasets = manifest.datasets;
