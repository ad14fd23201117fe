// Loads daf_butler's w.2026.34 registries (test/fixtures/daf_butler) into a SQLite file or a
// fresh PostgreSQL schema, and lays out repositories: butler.yaml, the registry, and (for
// "after") the datastore files, with the direct-ingest record pointing at a copy of its file.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pgUrl } from './helpers.ts';

/** The fixture folder. */
export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'daf_butler');

/** A registry state: datasets registered only ("before"), or stored too ("after"). */
export type State = 'before' | 'after';

// The cli package has no driver type packages: the little the tests use of the raw drivers.
interface SqliteModule {
  new (file: string): { exec(sql: string): void; close(): void };
}
interface PgModule {
  Client: new (config: { connectionString: string }) => {
    connect(): Promise<void>;
    query(text: string): Promise<unknown>;
    end(): Promise<void>;
  };
}
const require = createRequire(import.meta.url);
const Sqlite = require('better-sqlite3') as SqliteModule;
const pg = require('pg') as PgModule;

/** Where the direct-ingest record of "after" points, as daf_butler wrote it. */
const FIXTURE_ROOT = 'file:///FIXTURE_ROOT/';

/** Writes the SQLite registry of `state` to `file`; `rewrite` may change the SQL first. */
export function loadSqlite(state: State, file: string, rewrite = (sql: string) => sql): void {
  const db = new Sqlite(file);
  try {
    const sql = readFileSync(join(FIXTURES, 'sqlite', `${state}.sql`), 'utf8');
    db.exec(`BEGIN;\n${rewrite(sql)}\nCOMMIT;`);
  } finally {
    db.close();
  }
}

/** Loads the PostgreSQL registry of `state` into schema `namespace` (which must not exist). */
export async function loadPostgres(
  state: State,
  namespace: string,
  rewrite = (sql: string) => sql,
): Promise<void> {
  const dump = readFileSync(join(FIXTURES, 'postgresql', `${state}.inserts.sql`), 'utf8');
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(rewrite(dump.replaceAll(`interop_${state}`, namespace)));
  } finally {
    await client.end();
  }
}

/** A repository laid out in a folder. */
export interface FixtureRepo {
  /** The repository folder (holds butler.yaml; the datastore root). */
  readonly root: string;
  /** The copy of the direct-ingest file, outside the root. */
  readonly directFile: string;
}

/**
 * Lays out daf_butler's repository of `state` in `folder`/repo: butler.yaml (on PostgreSQL
 * naming the test server and `namespace`), the registry, and for "after" the files.
 */
export async function fixtureRepo(
  engine: 'sqlite' | 'postgresql',
  state: State,
  folder: string,
  namespace?: string,
): Promise<FixtureRepo> {
  const root = join(folder, 'repo');
  mkdirSync(join(folder, 'external'), { recursive: true });
  const directFile = join(folder, 'external', 'ingest_direct.yaml');
  cpSync(join(FIXTURES, 'external', 'ingest_direct.yaml'), directFile);
  const external = `${pathToFileURL(folder).href}/`;
  const rewrite = (sql: string) => sql.replaceAll(FIXTURE_ROOT, external);
  if (state === 'after') cpSync(join(FIXTURES, 'repo', 'sqlite'), root, { recursive: true });
  else mkdirSync(root, { recursive: true });
  if (engine === 'sqlite') {
    cpSync(join(FIXTURES, 'repo', 'sqlite', 'butler.yaml'), join(root, 'butler.yaml'));
    loadSqlite(state, join(root, 'gen3.sqlite3'), rewrite);
  } else {
    const yaml = readFileSync(join(FIXTURES, 'repo', 'postgresql', 'butler.yaml'), 'utf8')
      .replace('postgresql://postgres@127.0.0.1:5432/test', pgUrl)
      .replace('namespace: interop_after', `namespace: ${namespace!}`);
    writeFileSync(join(root, 'butler.yaml'), yaml);
    await loadPostgres(state, namespace!, rewrite);
  }
  return { root, directFile };
}
