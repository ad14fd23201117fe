// Database.inspectTable reads back what the DDL emitters wrote, on every engine.
import { tableSpec } from '@butler-ts/ddl';
import type { DatabaseHarness } from '@butler-ts/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { pgAvailable, postgresHarness } from './postgres-harness.ts';
import { sqliteFileHarness, sqliteMemoryHarness } from './sqlite-harness.ts';

const spec = tableSpec({
  fields: [
    { name: 'dataset_id', dtype: 'uuid', primaryKey: true },
    { name: 'component', dtype: 'string', length: 32, primaryKey: true },
    { name: 'path', dtype: 'string', length: 256, nullable: false },
    { name: 'size', dtype: 'bigint' },
    { name: 'count', dtype: 'smallint' },
    { name: 'n', dtype: 'integer' },
    { name: 'ratio', dtype: 'float' },
    { name: 'ok', dtype: 'boolean' },
    { name: 'blob', dtype: 'binary' },
    { name: 'at', dtype: 'timestamp' },
  ],
});

const harnesses: [string, () => DatabaseHarness][] = [
  ['SQLite file', sqliteFileHarness],
  ['SQLite memory', sqliteMemoryHarness],
];
if (await pgAvailable()) harnesses.push(['PostgreSQL', () => postgresHarness('butler_inspect')]);

describe.each(harnesses)('inspectTable on %s', (_name, makeHarness) => {
  let harness: DatabaseHarness;
  afterEach(async () => {
    await harness.cleanup();
  });

  it('describes columns, types, lengths, nullability and the primary key', async () => {
    harness = makeHarness();
    const db = await harness.make();
    await db.declareStaticTables({ create: true }, (context) => {
      context.addTable('records', spec);
    });
    const found = await db.inspectTable('records');
    expect(found?.fields.map((f) => [f.name, f.dtype, f.length, f.nullable, f.primaryKey])).toEqual(
      [
        ['dataset_id', 'uuid', null, false, true],
        ['component', 'string', 32, false, true],
        ['path', 'text', null, false, false],
        ['size', 'bigint', null, true, false],
        ['count', 'smallint', null, true, false],
        ['n', 'integer', null, true, false],
        ['ratio', 'float', null, true, false],
        ['ok', 'boolean', null, true, false],
        ['blob', 'binary', null, true, false],
        ['at', 'timestamp', null, true, false],
      ],
    );
    expect(await db.inspectTable('missing')).toBeNull();
    await expect(db.inspectTable('x"; DROP TABLE records; --')).rejects.toThrow(
      /Invalid table name/,
    );
  });
});
