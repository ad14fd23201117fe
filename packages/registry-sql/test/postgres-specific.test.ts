import { NameShrinker, tableSpec } from '@butler-ts/ddl';
import type { TableSpec } from '@butler-ts/ddl';
import { InvalidArgumentError } from '@butler-ts/registry-interfaces';
import { declareS, schemaS } from '@butler-ts/testkit';
import { generateDrizzleJson, generateMigration } from 'drizzle-kit/api';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  PostgresDatabase,
  pgCreateTables,
  toPgSequences,
  toPgTable,
} from '../src/postgres/index.ts';
import { dropSchemas, freshSchema, pgAvailable, pgUrl } from './postgres-harness.ts';

const available = await pgAvailable();
const schemas: string[] = [];
const opened: PostgresDatabase[] = [];

async function open(
  options: { namespace?: string; origin?: number; writeable?: boolean } = {},
): Promise<PostgresDatabase> {
  const namespace = options.namespace ?? freshSchema('butler_pg');
  if (!schemas.includes(namespace)) schemas.push(namespace);
  const db = await PostgresDatabase.fromUri(pgUrl, { ...options, namespace });
  opened.push(db);
  return db;
}

afterAll(async () => {
  for (const db of opened) await db.close();
  if (available) await dropSchemas(schemas);
});

// Columns, keys, foreign keys and indexes of a schema, as the server reports them.
async function introspect(schema: string) {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    const columns = await client.query(
      `SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, is_identity
       FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, column_name`,
      [schema],
    );
    const constraints = await client.query(
      `SELECT c.conrelid::regclass::text AS tbl, c.contype, pg_get_constraintdef(c.oid) AS def
       FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = $1 ORDER BY 1, 2, 3`,
      [schema],
    );
    const indexes = await client.query(
      `SELECT tablename, regexp_replace(indexdef, '^.* USING ', '') AS def FROM pg_indexes WHERE schemaname = $1 ORDER BY 1, 2`,
      [schema],
    );
    const strip = (text: string) =>
      text.replaceAll(`${schema}.`, '').replaceAll(`"${schema}".`, '');
    return {
      columns: columns.rows,
      constraints: constraints.rows.map(
        (r: { tbl: string; contype: string; def: string }) =>
          `${strip(r.tbl)} ${r.contype} ${strip(r.def)}`,
      ),
      indexes: indexes.rows.map(
        (r: { tablename: string; def: string }) => `${r.tablename} ${r.def}`,
      ),
    };
  } finally {
    await client.end();
  }
}

async function exec(schema: string, statements: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA "${schema}"`);
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

describe.skipIf(!available)('PostgresDatabase specifics', () => {
  it('builds the same tables as drizzle-kit from the same specs', async () => {
    const records = tableSpec({
      fields: [
        { name: 'dataset_id', dtype: 'uuid', primaryKey: true },
        { name: 'path', dtype: 'string', length: 256, nullable: false },
        { name: 'data', dtype: 'binary' },
        { name: 'ok', dtype: 'boolean' },
        { name: 'at', dtype: 'timestamp' },
        { name: 'ratio', dtype: 'float' },
      ],
      indexes: [['path']],
    });
    const tables: Record<string, TableSpec> = {
      a: schemaS.a,
      b: schemaS.b,
      c: schemaS.c,
      d: schemaS.d,
      records,
    };
    const ours = freshSchema('butler_ddl_ours');
    const kit = freshSchema('butler_ddl_kit');
    schemas.push(ours, kit);
    await exec(
      ours,
      pgCreateTables(
        ours,
        Object.entries(tables).map(([name, spec]) => ({ name, spec })),
        new NameShrinker(63),
      ),
    );
    const drizzleTables: Record<string, ReturnType<typeof toPgTable>> = {};
    const sequences: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(tables)) {
      Object.assign(sequences, toPgSequences(kit, name, spec, new NameShrinker(63)));
      drizzleTables[name] = toPgTable(
        kit,
        name,
        spec,
        new NameShrinker(63),
        (t) => drizzleTables[t] as never,
      );
    }
    const statements = await generateMigration(
      generateDrizzleJson({}),
      generateDrizzleJson({ ...drizzleTables, ...sequences }),
    );
    await exec(
      kit,
      statements.filter((s) => !s.startsWith('CREATE SCHEMA')),
    );
    const mine = await introspect(ours);
    expect(mine.columns.length).toBe(15);
    expect(mine.constraints.length).toBeGreaterThanOrEqual(9);
    expect(mine).toEqual(await introspect(kit));
  });

  it('shortens long generated names deterministically and keeps table and column names (P-PG-01)', async () => {
    const db = await open({ origin: 1 });
    const table = 'a_table_with_a_very_very_long_42_char_name';
    const key = 'a_column_with_a_very_very_long_43_char_name';
    const value = 'another_column_with_a_very_very_long_49_char_name';
    const first = tableSpec({
      fields: [
        { name: key, dtype: 'bigint', primaryKey: true, autoincrement: true },
        { name: value, dtype: 'string', length: 16, nullable: false },
      ],
      unique: [[value]],
    });
    await db.declareStaticTables({ create: true }, (context) => {
      context.addTable(table, first);
    });
    const second = tableSpec({
      fields: [
        { name: `${key}_b`, dtype: 'bigint', primaryKey: true, autoincrement: true },
        { name: `${value}_b`, dtype: 'string', length: 16, nullable: false },
      ],
      unique: [[`${value}_b`]],
      foreignKeys: [{ table, source: [`${value}_b`], target: [value] }],
    });
    const handle = await db.ensureTableExists(`${table}_b`, second);
    await db.insert(handle, [{ [`${value}_b`]: 'x' }] as never).catch(() => undefined);
    expect((await db.tableNames()).has(`${table}_b`)).toBe(true);
    const info = await introspect(db.namespace);
    for (const c of info.constraints) expect(c.split(' ')[0]!.length).toBeLessThanOrEqual(63);
    const shrunk = [...db.nameShrinker];
    expect(shrunk.length).toBeGreaterThan(0);
    for (const [original, short] of shrunk) {
      expect(short).toHaveLength(63);
      expect(new NameShrinker(63).shrink(original)).toBe(short);
      expect(db.nameShrinker.expand(short)).toBe(original);
    }
  });

  it('creates the namespace with the registry, invisible from another (P-PG-02)', async () => {
    const namespace = freshSchema('butler_ns');
    const db = await open({ namespace });
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    const before = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [namespace]);
    expect(before.rowCount).toBe(0);
    await declareS(db, true);
    const after = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [namespace]);
    await client.end();
    expect(after.rowCount).toBe(1);
    expect([...(await db.tableNames())].sort()).toEqual(['a', 'b', 'c']);
    const other = await open();
    expect((await other.tableNames()).size).toBe(0);
  });

  it('rejects a hostile namespace and a URL that is not PostgreSQL', async () => {
    await expect(
      PostgresDatabase.fromUri(pgUrl, { namespace: 'x"; DROP SCHEMA public; --' }),
    ).rejects.toThrow(/namespace/);
    await expect(PostgresDatabase.fromUri('sqlite:///x.db')).rejects.toThrow(InvalidArgumentError);
    await expect(PostgresDatabase.fromUri('not a url')).rejects.toThrow(InvalidArgumentError);
  });

  it('hides the password in its description', async () => {
    const db = await open();
    expect(db.describe()).toMatch(/^PostgresDatabase\("postgresql:\/\/[^"]*#butler_pg_/);
    expect(db.toString()).toBe(`PostgreSQL@${new URL(pgUrl).pathname.slice(1)}:${db.namespace}`);
  });

  it('locks tables for the length of a transaction', async () => {
    const db = await open();
    const s = await declareS(db, true);
    const other = await PostgresDatabase.fromUri(pgUrl, { namespace: db.namespace });
    opened.push(other);
    const t = await declareS(other, false);
    const order: string[] = [];
    let blocked: Promise<unknown> = Promise.resolve();
    await db.transaction(
      async () => {
        blocked = other.insert(t.a, [{ name: 'other' }]).then(() => order.push('other inserted'));
        await new Promise((r) => setTimeout(r, 200));
        order.push('lock holder done');
        await db.insert(s.a, [{ name: 'mine' }]);
      },
      { lock: [s.a] },
    );
    await blocked;
    expect(order).toEqual(['lock holder done', 'other inserted']);
    expect(await db.count(s.a)).toBe(2);
  });
});
