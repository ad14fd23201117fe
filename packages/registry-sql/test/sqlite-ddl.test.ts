import Driver from 'better-sqlite3';
import { tableSpec } from '@butler-ts/ddl';
import type { TableSpec } from '@butler-ts/ddl';
import { NotSupportedError } from '@butler-ts/registry-interfaces';
import { schemaS } from '@butler-ts/testkit';
import { generateSQLiteDrizzleJson, generateSQLiteMigration } from 'drizzle-kit/api';
import { describe, expect, it } from 'vitest';
import { sqliteCreateTable, toSqliteTable } from '../src/sqlite/index.ts';

const records = tableSpec({
  fields: [
    { name: 'dataset_id', dtype: 'uuid', primaryKey: true },
    { name: 'path', dtype: 'string', length: 256, nullable: false },
    { name: 'component', dtype: 'string', length: 32, primaryKey: true },
    { name: 'checksum', dtype: 'string', length: 128 },
    { name: 'file_size', dtype: 'bigint' },
    { name: 'flag', dtype: 'boolean', nullable: false, default: false },
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

// SQLite's type affinity (https://sqlite.org/datatype3.html §3.1): what a declared type means.
function affinity(type: string): string {
  const t = type.toUpperCase();
  if (t.includes('INT')) return 'INTEGER';
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return 'TEXT';
  if (t.includes('BLOB') || t === '') return 'BLOB';
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return 'REAL';
  return 'NUMERIC';
}

function introspect(statements: string[]) {
  const db = new Driver(':memory:');
  for (const statement of statements) db.exec(statement);
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(tables)) {
    const columns = (
      db.pragma(`table_info("${name}")`) as {
        name: string;
        type: string;
        notnull: number;
        pk: number;
      }[]
    ).map((c) => ({
      name: c.name,
      affinity: affinity(c.type),
      notnull: c.notnull === 1 || c.pk > 0,
      pk: c.pk,
    }));
    const foreignKeys = (
      db.pragma(`foreign_key_list("${name}")`) as {
        table: string;
        from: string;
        to: string;
        on_delete: string;
      }[]
    )
      .map((f) => `${f.from}->${f.table}.${f.to} ${f.on_delete}`)
      .sort();
    const indexes = (
      db.pragma(`index_list("${name}")`) as { name: string; unique: number; origin: string }[]
    )
      .filter((i) => i.origin !== 'pk')
      .map((i) => {
        const cols = (db.pragma(`index_info("${i.name}")`) as { name: string }[]).map(
          (c) => c.name,
        );
        return `${i.unique === 1 ? 'unique' : 'index'}(${cols.join(',')})`;
      })
      .sort();
    out[name] = { columns, foreignKeys, indexes };
  }
  db.close();
  return out;
}

describe('SQLite DDL emitter', () => {
  it('builds the same tables as drizzle-kit from the same specs', async () => {
    const drizzleTables: Record<string, ReturnType<typeof toSqliteTable>> = {};
    for (const [name, spec] of Object.entries(tables))
      drizzleTables[name] = toSqliteTable(name, spec, (t) => drizzleTables[t]);
    const kit = await generateSQLiteMigration(
      await generateSQLiteDrizzleJson({}),
      await generateSQLiteDrizzleJson(drizzleTables),
    );
    const ours = Object.entries(tables).flatMap(([name, spec]) => sqliteCreateTable(name, spec));
    const kitStatements = kit.flatMap((s) => s.split('--> statement-breakpoint'));
    expect(introspect(ours)).toEqual(introspect(kitStatements));
  });

  it('emits daf_butler-shaped SQL: length checks, named constraints, indexes', () => {
    expect(sqliteCreateTable('b', schemaS.b)).toEqual([
      [
        'CREATE TABLE "b" (',
        '  "id" INTEGER PRIMARY KEY,',
        '  "name" VARCHAR(16) NOT NULL,',
        '  "value" SMALLINT,',
        '  CONSTRAINT "b_len_name" CHECK (length("name") <= 16 AND length("name") >= 1),',
        '  CONSTRAINT "b_unq_name" UNIQUE ("name")',
        ')',
      ].join('\n'),
    ]);
    expect(sqliteCreateTable('d', schemaS.d)).toEqual([
      [
        'CREATE TABLE "d" (',
        '  "c_id" BIGINT NOT NULL,',
        '  "a_name" VARCHAR(16) NOT NULL,',
        '  CONSTRAINT "d_len_a_name" CHECK (length("a_name") <= 16 AND length("a_name") >= 1),',
        '  PRIMARY KEY ("c_id"),',
        '  CONSTRAINT "fkey_d_c_id_c_id" FOREIGN KEY ("c_id") REFERENCES "c" ("id") ON DELETE CASCADE,',
        '  CONSTRAINT "fkey_d_a_name_a_name" FOREIGN KEY ("a_name") REFERENCES "a" ("name") ON DELETE CASCADE',
        ')',
      ].join('\n'),
      'CREATE INDEX "d_fkidx_a_name" ON "d" ("a_name")',
    ]);
  });

  it('gives long strings TEXT, UUIDs CHAR(32), and keeps ids with recycleIds false', () => {
    const [create] = sqliteCreateTable('r', records);
    expect(create).toContain('"path" TEXT NOT NULL');
    expect(create).toContain('"dataset_id" CHAR(32) NOT NULL');
    expect(create).toContain('"flag" BOOLEAN NOT NULL DEFAULT (0)');
    const spec = tableSpec({
      fields: [{ name: 'id', dtype: 'bigint', primaryKey: true, autoincrement: true }],
      recycleIds: false,
    });
    expect(sqliteCreateTable('n', spec)[0]).toContain('"id" INTEGER PRIMARY KEY AUTOINCREMENT');
  });

  it('refuses what SQLite cannot do', () => {
    const compound = tableSpec({
      fields: [
        { name: 'id', dtype: 'bigint', primaryKey: true, autoincrement: true },
        { name: 'other', dtype: 'bigint', primaryKey: true },
      ],
    });
    expect(() => sqliteCreateTable('x', compound)).toThrow(NotSupportedError);
    const exclusion = tableSpec({ fields: [{ name: 'a', dtype: 'integer' }], exclusion: [['a']] });
    expect(() => sqliteCreateTable('x', exclusion)).toThrow(
      /exclusion constraints need PostgreSQL/,
    );
  });
});
