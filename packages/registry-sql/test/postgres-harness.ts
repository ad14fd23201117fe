// Harnesses that give the testkit suites fresh PostgreSQL schemas on a real server
// (BUTLER_TEST_PG_URL, default postgresql://postgres@127.0.0.1:5432/test).
import pg from 'pg';
import type { Database } from '@butler-ts/registry-interfaces';
import type { DatabaseHarness } from '@butler-ts/testkit';
import { PostgresDatabase } from '../src/postgres/index.ts';
import type { SqlExecutor } from '../src/sql-database.ts';

/** The server the PostgreSQL suites use. */
export const pgUrl =
  process.env['BUTLER_TEST_PG_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/test';

/**
 * Whether the server answers. Without it the suites skip with one printed line, unless
 * BUTLER_REQUIRE_PG=1 (CI), which makes a missing server a failure.
 */
export async function pgAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    if (process.env['BUTLER_REQUIRE_PG'] === '1') {
      throw new Error(
        `BUTLER_REQUIRE_PG=1 but PostgreSQL at ${pgUrl} is unreachable: ${String(error)}`,
        { cause: error },
      );
    }
    console.log(
      `PostgreSQL suites skipped: no server at ${pgUrl} (${(error as Error).message}); set BUTLER_TEST_PG_URL`,
    );
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Drops schemas a test made. */
export async function dropSchemas(names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    for (const name of names) await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  } finally {
    await client.end();
  }
}

let counter = 0;

/** A fresh schema name, unique to this process and test file. */
export function freshSchema(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter++}`;
}

/** A database whose first existence check of each table reports it absent (P-DB-08). */
class StalePostgresDatabase extends PostgresDatabase {
  readonly #fooled = new Set<string>();

  protected override inspectColumns(x: SqlExecutor, name: string): Promise<string[] | null> {
    if (!this.#fooled.has(name)) {
      this.#fooled.add(name);
      return Promise.resolve(null);
    }
    return super.inspectColumns(x, name);
  }
}

/** Each `make` gets its own schema (dropped at cleanup); other connections open new pools. */
export function postgresHarness(prefix = 'butler_test'): DatabaseHarness {
  const opened: Database[] = [];
  const schemas: string[] = [];
  const track = <T extends Database>(db: T): T => {
    opened.push(db);
    return db;
  };
  const nsOf = (db: Database) => (db as PostgresDatabase).namespace;
  return {
    make: async (options = {}) => {
      const namespace = freshSchema(prefix);
      schemas.push(namespace);
      return track(await PostgresDatabase.fromUri(pgUrl, { ...options, namespace }));
    },
    readOnly: async (db) =>
      track(await PostgresDatabase.fromUri(pgUrl, { namespace: nsOf(db), writeable: false })),
    connect: async (db) => track(await PostgresDatabase.fromUri(pgUrl, { namespace: nsOf(db) })),
    staleConnection: async (db) =>
      track(await StalePostgresDatabase.fromUri(pgUrl, { namespace: nsOf(db) })),
    cleanup: async () => {
      for (const db of opened.splice(0).reverse()) await db.close();
      await dropSchemas(schemas.splice(0));
    },
  };
}
