// An autoincrement column in a compound primary key with `origin` ((id, origin), as daf_butler
// allows): PostgreSQL does it natively, SQLite through a helper table as daf_butler does. Both
// behave the same to a caller.
import { tableSpec } from '@butler-ts/ddl';
import { IntegrityError, NotSupportedError } from '@butler-ts/registry-interfaces';
import type { Database, Row, TableHandle } from '@butler-ts/registry-interfaces';
import type { DatabaseHarness } from '@butler-ts/testkit';
import { rejection } from '@butler-ts/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { sqliteCreateTable } from '../src/sqlite/sqlite-ddl.ts';
import { pgAvailable, postgresHarness } from './postgres-harness.ts';
import { sqliteFileHarness, sqliteMemoryHarness } from './sqlite-harness.ts';

const SPEC = tableSpec({
  fields: [
    { name: 'id', dtype: 'bigint', primaryKey: true, autoincrement: true },
    { name: 'origin', dtype: 'bigint', primaryKey: true },
    { name: 'name', dtype: 'string', length: 16 },
  ],
});

const pgUp = await pgAvailable();

const byKey = (rows: readonly Row[]) =>
  [...rows].sort((a, b) => Number(a.origin) - Number(b.origin) || Number(a.id) - Number(b.id));

describe.each([
  { name: 'SQLite file', harness: sqliteFileHarness, available: true },
  { name: 'SQLite memory', harness: sqliteMemoryHarness, available: true },
  { name: 'PostgreSQL', harness: () => postgresHarness('butler_autoinc'), available: pgUp },
])('(id autoincrement, origin) on $name', { timeout: 60_000 }, ({ harness, available }) => {
  let h: DatabaseHarness | undefined;
  afterEach(async () => {
    await h?.cleanup();
    h = undefined;
  });

  async function numbered(origin = 3): Promise<{ db: Database; table: TableHandle<typeof SPEC> }> {
    h = harness();
    const db = await h.make({ origin });
    let table!: TableHandle<typeof SPEC>;
    await db.declareStaticTables({ create: true }, (context) => {
      table = context.addTable('numbered', SPEC);
    });
    return { db, table };
  }

  it.skipIf(!available)(
    'generates distinct ids for rows of any origin and returns them',
    async () => {
      const { db, table } = await numbered();
      const ids = await db.insert(
        table,
        [
          { origin: 3, name: 'a' },
          { origin: 3, name: 'b' },
          { origin: 9, name: 'c' },
        ],
        { returnIds: true },
      );
      expect(new Set(ids).size).toBe(3);
      expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
      expect(byKey(await db.fetch(table))).toEqual(
        byKey([
          { id: ids[0], origin: 3, name: 'a' },
          { id: ids[1], origin: 3, name: 'b' },
          { id: ids[2], origin: 9, name: 'c' },
        ]),
      );
      // Without returnIds too.
      await db.insert(table, [{ origin: 3, name: 'd' }]);
      const rows = await db.fetch(table, { where: { name: 'd' } });
      expect(rows).toHaveLength(1);
      expect(ids).not.toContain(rows[0]!.id);
    },
  );

  it.skipIf(!available)(
    'keeps explicit ids, one id under two origins, and generates others',
    async () => {
      const { db, table } = await numbered();
      await db.insert(table, [
        { id: 100, origin: 3, name: 'mine' },
        { id: 100, origin: 7, name: 'theirs' },
      ]);
      const [generated] = await db.insert(table, [{ origin: 3, name: 'new' }], { returnIds: true });
      expect(generated).not.toBe(100);
      expect(byKey(await db.fetch(table))).toEqual(
        byKey([
          { id: 100, origin: 3, name: 'mine' },
          { id: 100, origin: 7, name: 'theirs' },
          { id: generated, origin: 3, name: 'new' },
        ]),
      );
      if (db.dialect === 'sqlite') {
        // The emulation never repeats an id given for this database's origin.
        expect(generated).toBe(101);
      }
    },
  );

  it.skipIf(!available)(
    'refuses a repeated (id, origin) with an IntegrityError, writing nothing',
    async () => {
      const { db, table } = await numbered();
      await db.insert(table, [{ id: 5, origin: 3, name: 'first' }]);
      const error = await rejection(
        db.insert(table, [
          { id: 6, origin: 3, name: 'fine' },
          { origin: 3, name: 'generated' },
          { id: 5, origin: 3, name: 'again' },
        ]),
      );
      expect(IntegrityError.is(error)).toBe(true);
      expect((error as IntegrityError).table).toBe('numbered');
      expect(await db.fetch(table)).toEqual([{ id: 5, origin: 3, name: 'first' }]);
    },
  );

  it.skipIf(!available)('ensures and replaces rows by (id, origin)', async () => {
    const { db, table } = await numbered();
    await db.insert(table, [{ id: 1, origin: 3, name: 'one' }]);
    expect(
      await db.ensure(table, [
        { id: 1, origin: 3, name: 'other' },
        { id: 1, origin: 4, name: 'four' },
      ]),
    ).toBe(1);
    await db.replace(table, [{ id: 1, origin: 3, name: 'uno' }]);
    expect(byKey(await db.fetch(table))).toEqual([
      { id: 1, origin: 3, name: 'uno' },
      { id: 1, origin: 4, name: 'four' },
    ]);
  });

  it.skipIf(!available)('generates ids in a temporary table, twice under one name', async () => {
    const { db } = await numbered();
    for (let round = 0; round < 2; round++) {
      const rows = await db.temporaryTable(
        SPEC,
        async (temp) => {
          const ids = await db.insert(
            temp,
            [
              { origin: 3, name: 'a' },
              { id: 50, origin: 3, name: 'b' },
              { origin: 3, name: 'c' },
            ],
            { returnIds: true },
          );
          expect(new Set(ids).size).toBe(3);
          return db.fetch(temp);
        },
        'numbered_temp',
      );
      expect(rows.map((r) => r.name).sort()).toEqual(['a', 'b', 'c']);
    }
  });

  it.skipIf(!available)('finds the table again from another connection', async () => {
    const { db, table } = await numbered();
    await db.insert(table, [{ id: 2, origin: 3, name: 'x' }]);
    const other = await h!.connect(db);
    let again!: TableHandle<typeof SPEC>;
    await other.declareStaticTables({ create: false }, (context) => {
      again = context.addTable('numbered', SPEC);
    });
    const [id] = await other.insert(again, [{ origin: 3, name: 'y' }], { returnIds: true });
    expect(id).not.toBe(2);
    expect(await other.count(again)).toBe(2);
  });
});

describe('SQLite DDL of (id autoincrement, origin)', () => {
  it('declares a plain INTEGER column in the compound key and the helper table', () => {
    expect(sqliteCreateTable('numbered', SPEC)).toEqual([
      [
        'CREATE TABLE "numbered" (',
        '  "id" INTEGER NOT NULL,',
        '  "origin" BIGINT NOT NULL,',
        '  "name" VARCHAR(16),',
        '  CONSTRAINT "numbered_len_name" CHECK (length("name") <= 16 AND length("name") >= 1),',
        '  PRIMARY KEY ("id", "origin")',
        ')',
      ].join('\n'),
      'CREATE TABLE "_autoinc_numbered" (\n  "id" INTEGER PRIMARY KEY\n)',
    ]);
  });

  it('refuses another key column than origin, naming the table', () => {
    const spec = tableSpec({
      fields: [
        { name: 'id', dtype: 'bigint', primaryKey: true, autoincrement: true },
        { name: 'other', dtype: 'bigint', primaryKey: true },
      ],
    });
    expect(() => sqliteCreateTable('x', spec)).toThrow(NotSupportedError);
    expect(() => sqliteCreateTable('x', spec)).toThrow(/Table x: .*"origin"/);
  });
});
