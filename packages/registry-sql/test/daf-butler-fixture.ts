// The registries written by daf_butler w.2026.34 (test/fixtures/daf_butler, see its README):
// loading them into a SQLite file or a fresh PostgreSQL schema with the raw drivers, reading
// the table dumps daf_butler's rows are compared with, and snapshots of every table (to prove
// that nothing was written).
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tableSpec } from '@butler-ts/ddl';
import Sqlite from 'better-sqlite3';
import pg from 'pg';

/** The folder of the copied fixtures. */
export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'daf_butler');

/** A state of the fixture registry: datasets registered only, or stored by FileDatastore. */
export type FixtureState = 'before' | 'after';

/** One row of `file_datastore_records`, as daf_butler wrote it (without the dataset id). */
export interface ManifestRecord {
  readonly path: string;
  readonly formatter: string;
  readonly storage_class: string;
  readonly component: string;
  readonly checksum: string | null;
  readonly file_size: number;
}

/** One dataset of `manifest.json`. */
export interface ManifestDataset {
  readonly key: string;
  readonly id: string;
  readonly id_hex: string;
  readonly registered_in_before: boolean;
  readonly stored_in_after: boolean;
  readonly location_in_after: 'dataset_location' | 'dataset_location_trash' | null;
  readonly artifacts: readonly { readonly record: ManifestRecord }[];
}

/** What the tests use of `manifest.json`. */
export interface Manifest {
  readonly datastore_name: string;
  readonly null_component_sentinel: string;
  readonly datasets: readonly ManifestDataset[];
}

/** The fixture's manifest. */
export const manifest = JSON.parse(
  readFileSync(join(FIXTURE_DIR, 'manifest.json'), 'utf8'),
) as Manifest;

/** The record spec of daf_butler's FileDatastore (`file_datastore_records`). */
export const FILE_DATASTORE_RECORDS_SPEC = tableSpec({
  fields: [
    { name: 'dataset_id', dtype: 'uuid', primaryKey: true },
    { name: 'path', dtype: 'string', length: 256, nullable: false },
    { name: 'formatter', dtype: 'string', length: 128, nullable: false },
    { name: 'storage_class', dtype: 'string', length: 64, nullable: false },
    { name: 'component', dtype: 'string', length: 32, primaryKey: true },
    { name: 'checksum', dtype: 'string', length: 128, nullable: true },
    { name: 'file_size', dtype: 'bigint', nullable: true },
  ],
  indexes: [['path']],
} as const);

/** Writes the fixture's SQLite registry of `state` to `<dir>/gen3.sqlite3`; returns the file. */
export function writeSqliteRegistry(state: FixtureState, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'gen3.sqlite3');
  const db = new Sqlite(file);
  try {
    const sql = readFileSync(join(FIXTURE_DIR, 'sqlite', `${state}.sql`), 'utf8');
    db.exec(`BEGIN;\n${sql}\nCOMMIT;`);
  } finally {
    db.close();
  }
  return file;
}

/** Loads the fixture's PostgreSQL registry of `state` into the new schema `schema`. */
export async function loadPostgresRegistry(
  url: string,
  state: FixtureState,
  schema: string,
): Promise<void> {
  const dump = readFileSync(join(FIXTURE_DIR, 'postgresql', `${state}.inserts.sql`), 'utf8');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(dump.replaceAll(`interop_${state}`, schema));
  } finally {
    await client.end();
  }
}

/** The rows of a table dump (`dumps/<engine>/<state>/<table>.txt`); an empty field is null. */
export function readDump(
  engine: 'sqlite' | 'postgresql',
  state: FixtureState,
  table: string,
): Record<string, string | null>[] {
  const text = readFileSync(join(FIXTURE_DIR, 'dumps', engine, state, `${table}.txt`), 'utf8');
  const [header, ...lines] = text.split('\n').filter((line) => line.length > 0);
  const columns = header!.split('|');
  return lines.map((line) => {
    const values = line.split('|');
    const rest = values.slice(columns.length - 1).join('|');
    const all = [...values.slice(0, columns.length - 1), rest];
    return Object.fromEntries(columns.map((c, i) => [c, all[i] === '' ? null : all[i]!]));
  });
}

/** A UUID in canonical form (lowercase, hyphenated) from 32 hex digits or a UUID. */
export function canonicalUuid(value: string): string {
  const hex = value.replaceAll('-', '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Every table with its rows, each row as JSON text, sorted: equal snapshots, equal contents. */
export type Snapshot = Record<string, string[]>;

function jsonRow(row: Record<string, unknown>): string {
  return JSON.stringify(row, (_key, value: unknown) =>
    typeof value === 'bigint'
      ? `${value}n`
      : value instanceof Uint8Array
        ? Buffer.from(value).toString('hex')
        : value,
  );
}

/** Every table of a SQLite file, read with the raw driver (read-only). */
export function snapshotSqlite(file: string): Snapshot {
  const db = new Sqlite(file, { readonly: true });
  try {
    db.defaultSafeIntegers(true);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all() as string[];
    const snapshot: Snapshot = {};
    for (const table of tables) {
      const rows = db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[];
      snapshot[table] = rows.map(jsonRow).sort();
    }
    return snapshot;
  } finally {
    db.close();
  }
}

/** Every table of a PostgreSQL schema, read with the raw driver. */
export async function snapshotPostgres(url: string, schema: string): Promise<Snapshot> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ tablename: string }>(
      'SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = $1 ORDER BY tablename',
      [schema],
    );
    const snapshot: Snapshot = {};
    for (const { tablename } of tables.rows) {
      // Every value as text, so that no driver conversion hides a difference.
      const rows = await client.query({
        text: `SELECT * FROM "${schema}"."${tablename}"`,
        types: { getTypeParser: () => (value: string) => value },
      });
      snapshot[tablename] = rows.rows.map((r: Record<string, unknown>) => jsonRow(r)).sort();
    }
    return snapshot;
  } finally {
    await client.end();
  }
}
