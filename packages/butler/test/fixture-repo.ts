// The daf_butler w.2026.34 interop repositories (test/fixtures/daf_butler-w.2026.34, copied
// from the shared fixture), rebuilt in a temporary folder as daf_butler left them: the SQLite
// registry from its SQL text, the PostgreSQL one from `pg_dump --inserts` loaded into a fresh
// schema, each with its `butler.yaml` and, for "after", the datastore files. Plus the
// manifest's datasets and values, and daf_butler's table dumps to compare rows with.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TypeRegistry } from '@butler-ts/core';
import { MetricsRecord, makeTestTypeRegistry } from '@butler-ts/core/testing';
import { pyFloat } from '@butler-ts/datastore-file';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { Butler } from '../src/index.ts';
import type { ButlerOptions } from '../src/index.ts';

/** The fixture folder. */
export const FIXTURE = join(import.meta.dirname, 'fixtures', 'daf_butler');

/** A state of the fixture: datasets registered only, or stored by daf_butler's FileDatastore. */
export type FixtureState = 'before' | 'after';

/** A registry engine. */
export type Engine = 'sqlite' | 'postgresql';

/** One dataset of `manifest.json` (what the tests use). */
export interface ManifestDataset {
  readonly key: string;
  readonly id: string;
  readonly run: string;
  readonly dataset_type: string;
  readonly storage_class: string;
  readonly data_id: Readonly<Record<string, string | number>>;
  readonly data_id_full: Readonly<Record<string, string | number>>;
  readonly how: string;
  readonly registered_in_before: boolean;
  readonly location_in_after: 'dataset_location' | 'dataset_location_trash' | null;
  readonly tagged_in?: readonly string[];
  readonly disassembled: boolean;
  readonly path: string | null;
  readonly artifacts: readonly {
    readonly component: string | null;
    readonly record: Readonly<Record<string, unknown>>;
    readonly file_in_fixture: string;
  }[];
  readonly object: unknown;
  readonly float_pointers: readonly string[];
}

/** What the tests use of the manifest. */
export interface Manifest {
  readonly datastore_name: string;
  readonly tagged: Readonly<Record<string, unknown>>;
  readonly chained: Readonly<Record<string, unknown>>;
  readonly datasets: readonly ManifestDataset[];
}

/** The manifest. */
export const manifest = JSON.parse(
  readFileSync(join(FIXTURE, 'manifest.json'), 'utf8'),
) as Manifest;

/** A type registry knowing the Python types of the fixture's storage classes. */
export function fixtureTypes(): TypeRegistry {
  return makeTestTypeRegistry();
}

function markFloats(value: unknown, pointer: string, pointers: ReadonlySet<string>): unknown {
  if (typeof value === 'number') return pointers.has(pointer) ? pyFloat(value) : value;
  if (Array.isArray(value)) return value.map((v, i) => markFloats(v, `${pointer}/${i}`, pointers));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, markFloats(v, `${pointer}/${k}`, pointers)]),
    );
  }
  return value;
}

/**
 * The value daf_butler stored (the composite as the MetricsRecord it reads back as); with
 * `pythonFloats`, Python's floats are marked with `pyFloat` so that they are written as
 * Python writes them (`1.0`), for puts; without, plain numbers, as reads give them.
 */
export function fixtureValue(dataset: ManifestDataset, pythonFloats = false): unknown {
  const object = (
    pythonFloats ? markFloats(dataset.object, '', new Set(dataset.float_pointers)) : dataset.object
  ) as Record<string, unknown>;
  if (dataset.storage_class === 'StructuredComposite') {
    return new MetricsRecord(
      object['summary'] as Record<string, unknown>,
      object['output'] as Record<string, unknown>,
      object['data'] as unknown[],
    );
  }
  return object;
}

const FIXTURE_ROOT_PREFIX = 'file:///FIXTURE_ROOT/';
const fixtureRootUrl = `${pathToFileURL(FIXTURE).href}/`;

/** A new temporary folder. */
export function tempRoot(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `butler-${prefix}-`));
}

/** Removes a temporary folder. */
export function removeRoot(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

function copyFiles(state: FixtureState, root: string): void {
  if (state === 'after')
    cpSync(join(FIXTURE, 'interop'), join(root, 'interop'), { recursive: true });
}

/**
 * A SQLite repository in `root` as daf_butler left it in `state`: `gen3.sqlite3`,
 * `butler.yaml` and (after) the files; the direct-ingest record points into the fixture.
 */
export function sqliteRepo(state: FixtureState, root: string): string {
  const sql = readFileSync(join(FIXTURE, 'registries', 'sqlite', `${state}.sql`), 'utf8');
  const db = new Sqlite(join(root, 'gen3.sqlite3'));
  try {
    db.exec(`BEGIN;\n${sql.replaceAll(FIXTURE_ROOT_PREFIX, fixtureRootUrl)}\nCOMMIT;`);
  } finally {
    db.close();
  }
  cpSync(join(FIXTURE, 'sqlite', 'butler.yaml'), join(root, 'butler.yaml'));
  copyFiles(state, root);
  return root;
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

/** Drops a schema of the test server. */
export async function dropSchema(schema: string): Promise<void> {
  await pgRows(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/**
 * A PostgreSQL repository as daf_butler left it in `state`: the registry in the new schema
 * `schema`, and in `root` a `butler.yaml` naming it (daf_butler's, with the test server and
 * schema) and (after) the files.
 */
export async function postgresRepo(
  state: FixtureState,
  schema: string,
  root: string,
): Promise<string> {
  const sql = readFileSync(
    join(FIXTURE, 'registries', 'postgresql', `${state}.inserts.sql`),
    'utf8',
  )
    .replaceAll(`interop_${state}`, schema)
    .replaceAll(FIXTURE_ROOT_PREFIX, fixtureRootUrl);
  await pgRows(`${sql}\n;SELECT pg_catalog.set_config('search_path', 'public', false);`);
  const yaml = readFileSync(join(FIXTURE, 'postgresql', 'butler.yaml'), 'utf8')
    .replace('postgresql://postgres@127.0.0.1:5432/test', pgUrl)
    .replace('namespace: interop_before', `namespace: ${schema}`);
  writeFileSync(join(root, 'butler.yaml'), yaml);
  copyFiles(state, root);
  return root;
}

/** The rows of daf_butler's dump of `table` in "after" (`|`-separated, empty is null). */
export function readDump(engine: Engine, table: string): Record<string, string | null>[] {
  const text = readFileSync(join(FIXTURE, 'dumps', engine, `${table}.txt`), 'utf8');
  const [header, ...lines] = text.split('\n').filter((line) => line.length > 0);
  const columns = header!.split('|');
  return lines.map((line) => {
    const values = line.split('|');
    return Object.fromEntries(columns.map((c, i) => [c, values[i] === '' ? null : values[i]!]));
  });
}

/** A UUID in canonical form from 32 hex digits or a UUID. */
export function canonicalUuid(value: string): string {
  const hex = value.replaceAll('-', '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A registry engine with the raw-driver helpers the tests use. */
export interface Harness {
  readonly engine: Engine;
  // Makes a repository in `root` (and a schema for PostgreSQL); returns its folder.
  make(state: FixtureState, root: string): Promise<string>;
  // Rows of a registry table, as `|`-joined strings of `columns` (UUIDs canonical), sorted.
  rows(root: string, table: string, columns: readonly string[]): Promise<string[]>;
  // Runs a statement on the registry with the raw driver.
  exec(root: string, sql: string): Promise<void>;
  cleanup(): Promise<void>;
}

const UUID_COLUMNS = new Set(['id', 'dataset_id']);

/** A row as `|`-joined text of `columns`, UUID columns canonical. */
export function rowText(row: Record<string, unknown>, columns: readonly string[]): string {
  return columns
    .map((c) => {
      const value = row[c];
      if (value === null || value === undefined) return '';
      const text =
        typeof value === 'string'
          ? value
          : typeof value === 'number' || typeof value === 'bigint'
            ? value.toString()
            : JSON.stringify(value);
      return UUID_COLUMNS.has(c) ? canonicalUuid(text) : text;
    })
    .join('|');
}

/** The SQLite harness. */
export function sqliteHarness(): Harness {
  return {
    engine: 'sqlite',
    make: (state, root) => Promise.resolve(sqliteRepo(state, root)),
    rows(root, table, columns) {
      const db = new Sqlite(join(root, 'gen3.sqlite3'), { readonly: true });
      try {
        const rows = db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[];
        return Promise.resolve(rows.map((r) => rowText(r, columns)).sort());
      } finally {
        db.close();
      }
    },
    exec(root, sql) {
      const db = new Sqlite(join(root, 'gen3.sqlite3'));
      try {
        db.pragma('foreign_keys = ON');
        db.exec(sql);
      } finally {
        db.close();
      }
      return Promise.resolve();
    },
    cleanup: () => Promise.resolve(),
  };
}

/** The PostgreSQL harness (a fresh schema per repository, dropped by `cleanup`). */
export function postgresHarness(): Harness {
  const schemas = new Map<string, string>();
  return {
    engine: 'postgresql',
    async make(state, root) {
      const schema = freshSchema(`butler_${state}`);
      schemas.set(root, schema);
      return postgresRepo(state, schema, root);
    },
    async rows(root, table, columns) {
      const rows = await pgRows(`SELECT * FROM "${schemas.get(root)!}"."${table}"`);
      return rows.map((r) => rowText(r, columns)).sort();
    },
    async exec(root, sql) {
      await pgRows(`SET search_path TO "${schemas.get(root)!}"; ${sql}`);
    },
    async cleanup() {
      for (const schema of schemas.values()) await dropSchema(schema);
      schemas.clear();
    },
  };
}

/** Repositories and Butlers of one test file, closed and removed by its hooks. */
export interface ButlerSession {
  /** A new repository as daf_butler left it in `state`; returns its folder. */
  repo(state: FixtureState): Promise<string>;
  /** A Butler on `location` (with the fixture's storage class types), closed by `closeAll`. */
  open(location: string, options?: ButlerOptions): Promise<Butler>;
  /** Closes the Butlers opened so far (run after each test). */
  closeAll(): Promise<void>;
  /** Removes the repositories and schemas made so far (run after all tests). */
  cleanup(): Promise<void>;
}

/** A {@link ButlerSession} on `harness`'s engine. */
export function butlerSession(harness: Harness): ButlerSession {
  const roots: string[] = [];
  const butlers: Butler[] = [];
  return {
    async repo(state) {
      const root = tempRoot(`${harness.engine}-${state}`);
      roots.push(root);
      return harness.make(state, root);
    },
    async open(location, options = {}) {
      const butler = await Butler.fromRepo(location, { typeRegistry: fixtureTypes(), ...options });
      butlers.push(butler);
      return butler;
    },
    async closeAll() {
      for (const butler of butlers.splice(0)) await butler.close();
    },
    async cleanup() {
      await harness.cleanup();
      for (const root of roots.splice(0)) removeRoot(root);
    },
  };
}
