// The Database conformance suite: every DB-* case of spec/conformance.md, on schema S (F5),
// for any implementation that provides a DatabaseHarness.
import {
  ColumnValueError,
  InvalidIdentifierError,
  SchemaValidationError,
  TaiTime,
  UnknownColumnError,
  tableSpec,
} from '@butler-ts/ddl';
import type { TableSpec } from '@butler-ts/ddl';
import {
  DatabaseConflictError,
  DatabaseLogicError,
  IntegrityError,
  ReadOnlyDatabaseError,
  SchemaAlreadyDefinedError,
  aggregate,
  cmp,
  col,
  constantRows,
  eq,
  inList,
  inSelect,
  literal,
  startsWith,
} from '@butler-ts/registry-interfaces';
import type { Database, Row, TableHandle } from '@butler-ts/registry-interfaces';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bulkWriteTests } from './bulk-write-suite.ts';

/** What the Database suite needs from an implementation. */
export interface DatabaseHarness {
  /** A fresh, empty, writeable database (its own file, memory or namespace). */
  make(options?: { origin?: number }): Promise<Database>;
  /** A read-only view of `db`'s storage (F5): `isWriteable()` is false. */
  readOnly(db: Database): Promise<Database>;
  /** A second writeable connection to `db`'s storage. */
  connect(db: Database): Promise<Database>;
  /** A connection to `db`'s storage whose first existence check of a table reports it absent (P-DB-08). */
  staleConnection(db: Database): Promise<Database>;
  /** Releases everything the harness made. */
  cleanup(): Promise<void>;
}

/** Schema S of spec/conformance.md F5. */
export const schemaS = {
  a: tableSpec({
    fields: [
      { name: 'name', dtype: 'string', length: 16, primaryKey: true },
      { name: 'payload', dtype: 'base64Bytes', nbytes: 128 },
    ],
  }),
  b: tableSpec({
    fields: [
      { name: 'id', dtype: 'bigint', primaryKey: true, autoincrement: true },
      { name: 'name', dtype: 'string', length: 16, nullable: false },
      { name: 'value', dtype: 'smallint' },
    ],
    unique: [['name']],
  }),
  c: tableSpec({
    fields: [
      { name: 'id', dtype: 'bigint', primaryKey: true, autoincrement: true },
      { name: 'b_id', dtype: 'bigint' },
    ],
    foreignKeys: [{ table: 'b', source: ['b_id'], target: ['id'], onDelete: 'SET NULL' }],
  }),
  d: tableSpec({
    fields: [
      { name: 'c_id', dtype: 'bigint', primaryKey: true },
      { name: 'a_name', dtype: 'string', length: 16, nullable: false },
    ],
    foreignKeys: [
      { table: 'c', source: ['c_id'], target: ['id'], onDelete: 'CASCADE' },
      { table: 'a', source: ['a_name'], target: ['name'], onDelete: 'CASCADE' },
    ],
  }),
  t: tableSpec({
    fields: [
      { name: 'a_name', dtype: 'string', length: 16, primaryKey: true },
      { name: 'b_id', dtype: 'bigint', primaryKey: true },
    ],
  }),
} as const;

type S = typeof schemaS;
type Tables = { a: TableHandle<S['a']>; b: TableHandle<S['b']>; c: TableHandle<S['c']> };

/** Declares a, b and c. */
export async function declareS(db: Database, create: boolean): Promise<Tables> {
  let tables!: Tables;
  await db.declareStaticTables({ create }, (context) => {
    tables = context.addTableTuple({ a: schemaS.a, b: schemaS.b, c: schemaS.c });
  });
  return tables;
}

const columnsOf = (spec: TableSpec) => spec.fields.map((f) => f.name).sort();
const bytes = (...values: number[]) => new Uint8Array(values);
const byName = (rows: Row[]) =>
  [...rows].sort((x, y) => String(x['name']).localeCompare(String(y['name'])));

/** Runs the Database suite against `makeHarness`. */
export function describeDatabase(name: string, makeHarness: () => DatabaseHarness): void {
  describe(`Database conformance: ${name}`, () => {
    let harness: DatabaseHarness;
    let db: Database;
    let s: Tables;

    beforeEach(async () => {
      harness = makeHarness();
      db = await harness.make();
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    it('declares the static tables with their columns (P-DB-01)', async () => {
      s = await declareS(db, true);
      expect(columnsOf(s.a.spec)).toEqual(['name', 'payload']);
      expect(columnsOf(s.b.spec)).toEqual(['id', 'name', 'value']);
      expect(columnsOf(s.c.spec)).toEqual(['b_id', 'id']);
      expect(
        [...(await db.tableNames())].filter((t) => ['a', 'b', 'c'].includes(t)).sort(),
      ).toEqual(['a', 'b', 'c']);
    });

    it('re-declares them from a read-only view (P-DB-02)', async () => {
      await declareS(db, true);
      const view = await harness.readOnly(db);
      const tables = await declareS(view, false);
      expect(columnsOf(tables.b.spec)).toEqual(['id', 'name', 'value']);
      expect(await view.count(tables.b)).toBe(0);
    });

    it('refuses to create the schema twice, and still sees it (P-DB-03)', async () => {
      await declareS(db, true);
      await expect(declareS(db, true)).rejects.toSatisfy((e: unknown) =>
        SchemaAlreadyDefinedError.is(e),
      );
      await declareS(db, false);
      const names = await db.tableNames();
      for (const t of ['a', 'b', 'c']) expect(names.has(t)).toBe(true);
    });

    it('refuses to create the schema on a read-only view', async () => {
      await declareS(db, true);
      const view = await harness.readOnly(db);
      await expect(declareS(view, true)).rejects.toSatisfy((e: unknown) =>
        ReadOnlyDatabaseError.is(e),
      );
    });

    it('describes itself with its URL and a short name (P-DB-04)', () => {
      const detail = db.describe();
      expect(detail).toContain('://');
      expect(detail).not.toBe(db.toString());
      expect(detail).not.toContain('[object');
      expect(db.toString()).toMatch(db.dialect === 'sqlite' ? /^SQLite3@/ : /^PostgreSQL@[^:]+:.+/);
    });

    it('creates a dynamic table once and returns the same handle (P-DB-05)', async () => {
      await declareS(db, true);
      expect(await db.getExistingTable('d', schemaS.d)).toBeNull();
      const first = await db.ensureTableExists('d', schemaS.d);
      expect(columnsOf(first.spec)).toEqual(['a_name', 'c_id']);
      expect(await db.ensureTableExists('d', schemaS.d)).toBe(first);
    });

    it('creates dynamic tables only when writeable (P-DB-06)', async () => {
      await declareS(db, true);
      const view = await harness.readOnly(db);
      await declareS(view, false);
      await expect(view.ensureTableExists('d', schemaS.d)).rejects.toSatisfy((e: unknown) =>
        ReadOnlyDatabaseError.is(e),
      );
      await db.ensureTableExists('d', schemaS.d);
      const later = await harness.readOnly(db);
      await declareS(later, false);
      expect(await later.getExistingTable('d', schemaS.d)).not.toBeNull();
      expect(columnsOf((await later.ensureTableExists('d', schemaS.d)).spec)).toEqual([
        'a_name',
        'c_id',
      ]);
    });

    it('rejects a dynamic table whose columns differ (P-DB-07)', async () => {
      await declareS(db, true);
      await db.ensureTableExists('d', schemaS.d);
      const other = tableSpec({
        fields: [{ name: 'name', dtype: 'string', length: 4, primaryKey: true }],
      });
      await expect(db.ensureTableExists('d', other)).rejects.toSatisfy((e: unknown) =>
        DatabaseConflictError.is(e),
      );
      const fresh = await harness.connect(db);
      await declareS(fresh, false);
      await expect(fresh.getExistingTable('d', other)).rejects.toSatisfy((e: unknown) =>
        DatabaseConflictError.is(e),
      );
    });

    it('refuses to create a dynamic table inside a transaction', async () => {
      await declareS(db, true);
      await expect(db.transaction(() => db.ensureTableExists('d', schemaS.d))).rejects.toSatisfy(
        (e: unknown) => DatabaseLogicError.is(e),
      );
    });

    it('tolerates another client creating the table first (P-DB-08)', async () => {
      await declareS(db, true);
      const stale = await harness.staleConnection(db);
      await declareS(stale, false);
      const other = await harness.connect(db);
      await declareS(other, false);
      await other.ensureTableExists('d', schemaS.d);
      const table = await stale.ensureTableExists('d', schemaS.d);
      expect(columnsOf(table.spec)).toEqual(['a_name', 'c_id']);
    });

    it('fills a temporary table from a select (P-DB-09)', async () => {
      s = await declareS(db, true);
      await db.insert(s.a, [{ name: 'a1' }, { name: 'a2' }]);
      const ids = await db.insert(
        s.b,
        [
          { name: 'b1', value: 11 },
          { name: 'b2', value: 12 },
          { name: 'b3', value: 13 },
        ],
        { returnIds: true },
      );
      const rows = await db.temporaryTable(
        schemaS.t,
        async (tmp) => {
          expect(columnsOf(tmp.spec)).toEqual(['a_name', 'b_id']);
          await db.insertSelect(tmp, {
            from: [{ source: s.a }, { source: s.b }],
            columns: { a_name: col('a', 'name'), b_id: col('b', 'id') },
            where: cmp(col('a', 'name'), '=', 'a1'),
          });
          await db.deleteWhere(tmp, cmp(col('b_id'), '=', ids[2]));
          return db.fetch(tmp, { orderBy: ['b_id'] });
        },
        'e1',
      );
      expect(rows).toEqual([
        { a_name: 'a1', b_id: ids[0] },
        { a_name: 'a1', b_id: ids[1] },
      ]);
    });

    it('lets a read-only view fill an anonymous temporary table', async () => {
      s = await declareS(db, true);
      await db.insert(s.a, [{ name: 'a1' }]);
      await db.insert(s.b, [{ name: 'b1', value: 1 }]);
      const view = await harness.readOnly(db);
      const tables = await declareS(view, false);
      const rows = await view.temporaryTable(schemaS.t, async (tmp) => {
        expect(tmp.name).not.toBe('e1');
        await view.insertSelect(
          tmp,
          {
            from: [{ source: tables.a }, { source: tables.b }],
            columns: { x: col('a', 'name'), y: col('b', 'id') },
          },
          ['a_name', 'b_id'],
        );
        return view.fetch(tmp);
      });
      expect(rows).toHaveLength(1);
      expect(rows[0]?.a_name).toBe('a1');
    });

    it('keeps schemas of separate databases apart (P-DB-10)', async () => {
      await declareS(db, true);
      const other = await harness.make({ origin: 2 });
      let a2!: TableHandle;
      await other.declareStaticTables({ create: true }, (context) => {
        a2 = context.addTable(
          'a',
          tableSpec({ fields: [{ name: 'id', dtype: 'integer', primaryKey: true }] }),
        );
      });
      expect(other.origin).toBe(2);
      expect(columnsOf(a2.spec)).toEqual(['id']);
      await other.insert(a2, [{ id: 1 }]);
      expect(await other.fetch(a2)).toEqual([{ id: 1 }]);
    });

    it('round-trips bytes (P-DB-11)', async () => {
      s = await declareS(db, true);
      const payload = bytes(...Array.from({ length: 16 }, (_, i) => (i * 37) % 256));
      await db.insert(s.a, [{ name: 'a1', payload }]);
      expect(await db.fetch(s.a)).toEqual([{ name: 'a1', payload }]);
    });

    it('round-trips a value of every column type, and null', async () => {
      let t!: TableHandle;
      const spec = tableSpec({
        fields: [
          { name: 'id', dtype: 'integer', primaryKey: true },
          { name: 's', dtype: 'string', length: 8 },
          { name: 'tx', dtype: 'text' },
          { name: 'si', dtype: 'smallint' },
          { name: 'bi', dtype: 'bigint' },
          { name: 'f', dtype: 'float' },
          { name: 'b', dtype: 'boolean' },
          { name: 'bin', dtype: 'binary' },
          { name: 'b64', dtype: 'base64Bytes' },
          { name: 'u', dtype: 'uuid' },
          { name: 'ts', dtype: 'timestamp' },
          { name: 'tai', dtype: 'timeNsecTai' },
        ],
      });
      await db.declareStaticTables({ create: true }, (context) => {
        t = context.addTable('every_type', spec);
      });
      const full = {
        id: 1,
        s: 'short',
        tx: 'long text '.repeat(50),
        si: -32768,
        bi: Number.MAX_SAFE_INTEGER,
        f: 0.1 + 0.2,
        b: false,
        bin: bytes(0, 255, 7),
        b64: bytes(9, 8, 7, 6),
        u: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
        ts: new Date('2026-11-22T08:30:15.123Z'),
        tai: TaiTime.fromIso('2030-01-01T12:00:00.123456789'),
      };
      await db.insert(t, [full, { id: 2 }]);
      const [first, second] = await db.fetch(t, { orderBy: ['id'] });
      expect({ ...first, tai: undefined }).toEqual({ ...full, tai: undefined });
      expect((first!['tai'] as TaiTime).nsec).toBe(full.tai.nsec);
      expect(second).toEqual({
        id: 2,
        s: null,
        tx: null,
        si: null,
        bi: null,
        f: null,
        b: null,
        bin: null,
        b64: null,
        u: null,
        ts: null,
        tai: null,
      });
      expect(
        await db.count(t, { u: full.u.toUpperCase(), b: false, ts: full.ts, tai: full.tai }),
      ).toBe(1);
    });

    it('gives bulk-inserted rows increasing ids (P-DB-12)', async () => {
      s = await declareS(db, true);
      expect(
        await db.insert(s.b, [
          { name: 'b1', value: 10 },
          { name: 'b2', value: 20 },
        ]),
      ).toBeNull();
      const rows = await db.fetch(s.b, { orderBy: ['id'] });
      expect(rows.map((r) => r.name)).toEqual(['b1', 'b2']);
      expect(Number.isInteger(rows[0]!.id)).toBe(true);
      expect(rows[1]!.id).toBeGreaterThan(rows[0]!.id);
    });

    it('reads UUIDs canonically from selects, and compares stored forms inside statements', async () => {
      const uuids = [
        '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
        'ffffffff-0000-4000-8000-000000000001',
      ];
      let src!: TableHandle;
      let dst!: TableHandle;
      await db.declareStaticTables({ create: true }, (context) => {
        src = context.addTable(
          'uuid_src',
          tableSpec({
            fields: [
              { name: 'id', dtype: 'integer', primaryKey: true },
              { name: 'u', dtype: 'uuid' },
            ],
          }),
        );
        dst = context.addTable(
          'uuid_dst',
          tableSpec({ fields: [{ name: 'u', dtype: 'uuid', primaryKey: true }] }),
        );
      });
      await db.insert(src, [
        { id: 1, u: uuids[0] },
        { id: 2, u: uuids[1]!.toUpperCase() },
        { id: 3, u: null },
      ]);
      // INSERT … SELECT copies the stored form: the copies compare equal to the originals.
      await db.insertSelect(dst, {
        from: [{ source: src }],
        columns: { u: col('u') },
        where: cmp(col('id'), '<', 3),
      });
      expect(await db.fetch(dst, { where: { u: uuids[1] } })).toEqual([{ u: uuids[1] }]);
      const inDst = await db.select({
        from: [{ source: src }],
        columns: { id: col('id'), u: col('u') },
        where: inSelect(col('u'), { from: [{ source: dst }], columns: { u: col('u') } }),
        orderBy: [{ expr: col('id') }],
      });
      expect(inDst).toEqual([
        { id: 1, u: uuids[0] },
        { id: 2, u: uuids[1] },
      ]);
    });

    it('returns ids in input order (P-DB-13)', async () => {
      s = await declareS(db, true);
      await db.insert(s.b, [
        { name: 'b1', value: 10 },
        { name: 'b2', value: 20 },
      ]);
      const b2 = (await db.fetch(s.b, { where: { name: 'b2' } }))[0]!.id;
      const ids = await db.insert(
        s.b,
        [
          { name: 'b3', value: 30 },
          { name: 'b4', value: 40 },
        ],
        { returnIds: true },
      );
      const rows = await db.fetch(s.b, { where: cmp(col('id'), '>', b2), orderBy: ['id'] });
      expect(rows).toEqual([
        { id: ids[0], name: 'b3', value: 30 },
        { id: ids[1], name: 'b4', value: 40 },
      ]);
      const explicit = await db.insert(
        s.b,
        [
          { id: 700, name: 'b700' },
          { id: 701, name: 'b701' },
        ],
        { returnIds: true },
      );
      expect(explicit).toEqual([700, 701]);
    });

    async function fillForDelete(): Promise<{
      bIds: number[];
      cIds: number[];
      d: TableHandle<S['d']>;
    }> {
      s = await declareS(db, true);
      await db.insert(s.a, [{ name: 'a1' }]);
      await db.insert(s.b, [
        { name: 'b1', value: 10 },
        { name: 'b2', value: 20 },
      ]);
      await db.insert(
        s.b,
        [
          { name: 'b3', value: 30 },
          { name: 'b4', value: 40 },
        ],
        { returnIds: true },
      );
      const bIds = (await db.fetch(s.b, { orderBy: ['id'] })).map((r) => r.id);
      const cIds = await db.insert(s.c, [{ b_id: bIds[2]! }, { b_id: null }], { returnIds: true });
      const d = await db.ensureTableExists('d', schemaS.d);
      await db.insert(
        d,
        cIds.map((id) => ({ c_id: id, a_name: 'a1' })),
      );
      return { bIds, cIds, d };
    }

    it('inserts into the dynamic table with returned ids (P-DB-14)', async () => {
      const { bIds, cIds, d } = await fillForDelete();
      expect(cIds.every((id) => typeof id === 'number')).toBe(true);
      expect(await db.fetch(s.c, { orderBy: ['id'] })).toEqual([
        { id: cIds[0], b_id: bIds[2] },
        { id: cIds[1], b_id: null },
      ]);
      expect(await db.fetch(d, { orderBy: ['c_id'] })).toEqual(
        cIds.map((id) => ({ c_id: id, a_name: 'a1' })),
      );
    });

    it('deletes by column, cascading and nulling foreign keys (P-DB-15)', async () => {
      const { bIds, d } = await fillForDelete();
      expect(await db.delete(s.b, ['id'], [{ id: bIds[0] }, { id: bIds[1] }])).toBe(2);
      expect(await db.delete(s.b, ['name'], [{ name: 'b3' }, { name: 'b4' }])).toBe(2);
      expect(await db.count(s.b)).toBe(0);
      expect(await db.count(s.c, { kind: 'isNull', expr: col('b_id'), negate: true })).toBe(0);
      expect(await db.delete(s.a, [], [])).toBe(1);
      expect(await db.count(s.a)).toBe(0);
      expect(await db.count(d)).toBe(0);
    });

    it('deletes nothing for no rows, and collapses duplicate rows', async () => {
      s = await declareS(db, true);
      await db.insert(s.b, [{ name: 'x' }, { name: 'y' }]);
      expect(await db.delete(s.b, ['name'], [])).toBe(0);
      expect(await db.delete(s.b, ['name'], [{ name: 'x' }, { name: 'x' }])).toBe(1);
      expect(await db.delete(s.b, ['name', 'value'], [{ name: 'y', value: null }])).toBe(1);
    });

    it('deletes by expression (P-DB-16)', async () => {
      s = await declareS(db, true);
      await db.insert(
        s.b,
        Array.from({ length: 10 }, (_, i) => ({ id: i, name: `b${i}` })),
      );
      const counts: number[] = [];
      const left: number[] = [];
      for (const where of [
        inList(col('id'), [0, 1, 2]),
        inSelect(col('id'), {
          from: [{ source: s.b }],
          columns: { id: col('id') },
          where: cmp(col('id'), '>', 5),
        }),
        eq(col('name'), 'b5'),
        literal(true),
      ]) {
        counts.push(await db.deleteWhere(s.b, where));
        left.push(await db.count(s.b));
      }
      expect(counts).toEqual([3, 4, 1, 2]);
      expect(left).toEqual([7, 3, 2, 0]);
    });

    it('updates matched rows (P-DB-17)', async () => {
      s = await declareS(db, true);
      await db.insert(s.a, [{ name: 'a1' }, { name: 'a2' }]);
      const payload = bytes(1, 2, 3);
      expect(await db.update(s.a, { name: 'k' }, [{ k: 'a2', payload }])).toBe(1);
      expect(byName(await db.fetch(s.a))).toEqual([
        { name: 'a1', payload: null },
        { name: 'a2', payload },
      ]);
    });

    it('syncs by inserting the first time (P-DB-18)', async () => {
      s = await declareS(db, true);
      const [values, inserted] = await db.sync(s.b, {
        keys: { name: 'b1' },
        extra: { value: 10 },
        returning: ['id'],
      });
      expect(inserted).toBe(true);
      expect(await db.fetch(s.b)).toEqual([{ id: values!['id'], name: 'b1', value: 10 }]);
    });

    it('syncs without changes afterwards (P-DB-19)', async () => {
      s = await declareS(db, true);
      const [first] = await db.sync(s.b, {
        keys: { name: 'b1' },
        extra: { value: 10 },
        returning: ['id'],
      });
      const calls = [
        { keys: { name: 'b1' }, extra: { value: 10 }, returning: ['id'] },
        { keys: { name: 'b1' }, returning: ['id'] },
        { keys: { name: 'b1' }, extra: { value: 20 } },
        { keys: { name: 'b1' }, compared: { value: 10 } },
      ];
      const results = [];
      for (const call of calls) results.push(await db.sync(s.b, call));
      expect(results.map((r) => r[1])).toEqual([false, false, false, false]);
      expect(results[0]![0]).toEqual(first);
      expect(results[1]![0]).toEqual(first);
      expect(await db.fetch(s.b)).toEqual([{ id: first!['id'], name: 'b1', value: 10 }]);
    });

    it('reports a sync conflict, or updates when asked', async () => {
      s = await declareS(db, true);
      await db.sync(s.b, { keys: { name: 'b1' }, extra: { value: 10 } });
      await expect(
        db.sync(s.b, { keys: { name: 'b1' }, compared: { value: 20 } }),
      ).rejects.toSatisfy((e: unknown) => DatabaseConflictError.is(e));
      const view = await harness.readOnly(db);
      const tables = await declareS(view, false);
      expect((await view.sync(tables.b, { keys: { name: 'b1' } }))[1]).toBe(false);
      await expect(view.sync(tables.b, { keys: { name: 'b9' } })).rejects.toSatisfy((e: unknown) =>
        ReadOnlyDatabaseError.is(e),
      );
      const [, old] = await db.sync(s.b, {
        keys: { name: 'b1' },
        compared: { value: 20 },
        update: true,
      });
      expect(old).toEqual({ value: 10 });
      expect((await db.fetch(s.b))[0]?.value).toBe(20);
    });

    it('replaces rows by primary key (P-DB-20)', async () => {
      s = await declareS(db, true);
      const p = bytes(9, 8, 7);
      const steps: [Row[], Record<string, Uint8Array | null>][] = [
        [[{ name: 'a1', payload: p }], { a1: p }],
        [[{ name: 'a2', payload: null }], { a1: p, a2: null }],
        [
          [
            { name: 'a1', payload: p },
            { name: 'a2', payload: null },
          ],
          { a1: p, a2: null },
        ],
        [
          [
            { name: 'a1', payload: null },
            { name: 'a2', payload: null },
          ],
          { a1: null, a2: null },
        ],
        [
          [
            { name: 'a3', payload: null },
            { name: 'a2', payload: p },
            { name: 'a1', payload: p },
          ],
          { a1: p, a2: p, a3: null },
        ],
      ];
      for (const [rows, expected] of steps) {
        await db.replace(s.a, rows as never);
        const table = Object.fromEntries(
          (await db.fetch(s.a)).map((r) => [r.name, r.payload ?? null]),
        );
        expect(table).toEqual(expected);
      }
    });

    it('replaces in a table that is all primary key (P-DB-21)', async () => {
      let t!: TableHandle;
      await db.declareStaticTables({ create: true }, (context) => {
        t = context.addTable(
          'pk_only',
          tableSpec({
            fields: [
              { name: 'a1', dtype: 'bigint', primaryKey: true },
              { name: 'a2', dtype: 'bigint', primaryKey: true },
            ],
          }),
        );
      });
      for (const row of [
        { a1: 1, a2: 2 },
        { a1: 1, a2: 3 },
        { a1: 1, a2: 2 },
      ])
        await db.replace(t, [row]);
      expect(await db.fetch(t, { orderBy: ['a2'] })).toEqual([
        { a1: 1, a2: 2 },
        { a1: 1, a2: 3 },
      ]);
    });

    it('ensures rows without modifying existing ones (P-DB-22)', async () => {
      s = await declareS(db, true);
      const p = bytes(5);
      const counts = [];
      counts.push(await db.ensure(s.a, [{ name: 'a1', payload: p }]));
      counts.push(await db.ensure(s.a, [{ name: 'a2', payload: null }]));
      counts.push(
        await db.ensure(s.a, [
          { name: 'a1', payload: p },
          { name: 'a2', payload: null },
        ]),
      );
      counts.push(
        await db.ensure(s.a, [
          { name: 'a1', payload: null },
          { name: 'a2', payload: null },
        ]),
      );
      counts.push(
        await db.ensure(s.a, [
          { name: 'a3', payload: null },
          { name: 'a2', payload: p },
          { name: 'a1', payload: null },
        ]),
      );
      expect(counts).toEqual([1, 1, 0, 0, 1]);
      const table = Object.fromEntries(
        (await db.fetch(s.a)).map((r) => [r.name, r.payload ?? null]),
      );
      expect(table).toEqual({ a1: p, a2: null, a3: null });
    });

    it('ensures on any unique constraint, or only the primary key when asked', async () => {
      s = await declareS(db, true);
      await db.insert(s.b, [{ id: 1, name: 'b1' }]);
      expect(await db.ensure(s.b, [{ id: 2, name: 'b1' }])).toBe(0);
      await expect(
        db.ensure(s.b, [{ id: 2, name: 'b1' }], { primaryKeyOnly: true }),
      ).rejects.toSatisfy((e: unknown) => IntegrityError.is(e));
      expect(await db.ensure(s.b, [{ id: 1, name: 'other' }], { primaryKeyOnly: true })).toBe(0);
      expect(await db.fetch(s.b)).toEqual([{ id: 1, name: 'b1', value: null }]);
    });

    it('rolls back to a savepoint and keeps the outer work (P-DB-23)', async () => {
      s = await declareS(db, true);
      await db.insert(s.a, [{ name: 'a1' }]);
      await db.transaction(async () => {
        await db.insert(s.a, [{ name: 'a2' }]);
        let caught: unknown;
        try {
          await db.transaction(
            async () => {
              await db.insert(s.a, [{ name: 'a4' }]);
              await db.insert(s.a, [{ name: 'a1' }]);
            },
            { savepoint: true },
          );
        } catch (error) {
          caught = error;
        }
        expect(IntegrityError.is(caught)).toBe(true);
        expect((caught as IntegrityError).kind).toBe('primaryKey');
      });
      expect((await db.fetch(s.a)).map((r) => r.name).sort()).toEqual(['a1', 'a2']);
    });

    it('promotes a plain nested block inside a savepoint (P-DB-23, second half)', async () => {
      s = await declareS(db, true);
      await db.insert(s.a, [{ name: 'a1' }, { name: 'a2' }]);
      await db.transaction(async () => {
        await db.insert(s.a, [{ name: 'a3' }]);
        await expect(
          db.transaction(
            async () => {
              await db.insert(s.a, [{ name: 'a4' }]);
              await db.transaction(async () => {
                await db.insert(s.a, [{ name: 'a5' }]);
                await db.insert(s.a, [{ name: 'a1' }]);
              });
            },
            { savepoint: true },
          ),
        ).rejects.toSatisfy((e: unknown) => IntegrityError.is(e));
      });
      expect((await db.fetch(s.a)).map((r) => r.name).sort()).toEqual(['a1', 'a2', 'a3']);
    });

    it('rolls back when an error escapes (P-DB-24)', async () => {
      s = await declareS(db, true);
      await db.insert(s.a, [{ name: 'a1' }]);
      const failure = new Error('user error');
      await expect(
        db.transaction(async () => {
          await db.insert(s.a, [{ name: 'a2' }]);
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect((await db.fetch(s.a)).map((r) => r.name)).toEqual(['a1']);
    });

    it('refuses an interrupting transaction inside another (P-DB-25)', async () => {
      await declareS(db, true);
      await expect(
        db.transaction(() => db.transaction(() => Promise.resolve(1), { interrupting: true })),
      ).rejects.toSatisfy((e: unknown) => DatabaseLogicError.is(e));
    });

    it('selects and joins constant rows (P-DB-26)', async () => {
      s = await declareS(db, true);
      const ids = await db.insert(
        s.b,
        [
          { name: 'b1', value: 11 },
          { name: 'b2', value: 12 },
          { name: 'b3', value: 13 },
        ],
        { returnIds: true },
      );
      const r = bytes(1, 2, 3, 4);
      const rows = constantRows(
        tableSpec({
          fields: [
            { name: 'b', dtype: 'bigint' },
            { name: 's', dtype: 'string', length: 8 },
            { name: 'r', dtype: 'base64Bytes' },
          ],
        }),
        [
          { b: ids[0], s: 'b1', r: null },
          { b: ids[2], s: 'b3', r },
        ],
      );
      const alone = await db.select({
        from: [{ source: rows, alias: 'k' }],
        orderBy: [{ expr: col('s') }],
      });
      expect(alone).toEqual([
        { b: ids[0], s: 'b1', r: null },
        { b: ids[2], s: 'b3', r },
      ]);
      const joined = await db.select({
        from: [{ source: rows, alias: 'k' }, { source: s.b }],
        columns: { name: col('k', 's'), value: col('b', 'value') },
        where: cmp(col('b', 'id'), '=', col('k', 'b')),
        orderBy: [{ expr: col('k', 's') }],
      });
      expect(joined).toEqual([
        { name: 'b1', value: 11 },
        { name: 'b3', value: 13 },
      ]);
    });

    it('reports its aggregate capabilities and groups with any-value (P-DB-27)', async () => {
      let t!: TableHandle;
      await db.declareStaticTables({ create: true }, (context) => {
        t = context.addTable(
          't',
          tableSpec({
            fields: [
              { name: 'id', dtype: 'bigint', nullable: false },
              { name: 'name', dtype: 'string', length: 16 },
            ],
          }),
        );
      });
      await db.insert(t, [
        { id: 1, name: 'a' },
        { id: 2, name: 'a' },
        { id: 3, name: 'b' },
        { id: 3, name: 'b' },
      ]);
      expect(db.hasDistinctOn).toBe(db.dialect === 'postgresql');
      if (db.hasAnyAggregate) {
        const rows = await db.select({
          from: [{ source: t }],
          columns: { id: col('id'), name: aggregate('anyValue', col('name')) },
          groupBy: [col('id')],
          orderBy: [{ expr: col('id') }],
        });
        expect(rows).toEqual([
          { id: 1, name: 'a' },
          { id: 2, name: 'a' },
          { id: 3, name: 'b' },
        ]);
      }
      if (db.hasDistinctOn) {
        const rows = await db.select({
          from: [{ source: t }],
          distinctOn: [col('id')],
          orderBy: [{ expr: col('id') }],
        });
        expect(rows).toEqual([
          { id: 1, name: 'a' },
          { id: 2, name: 'a' },
          { id: 3, name: 'b' },
        ]);
      }
    });

    it('knows whether it is in a transaction (P-DB-28)', async () => {
      await declareS(db, true);
      expect(db.isInTransaction()).toBe(false);
      await db.transaction(() => {
        expect(db.isInTransaction()).toBe(true);
        return Promise.resolve();
      });
      expect(db.isInTransaction()).toBe(false);
    });

    it('knows whether it is writeable (P-DB-29)', async () => {
      await declareS(db, true);
      expect(db.isWriteable()).toBe(true);
      expect((await harness.readOnly(db)).isWriteable()).toBe(false);
    });

    it('enforces foreign keys (P-DB-30)', async () => {
      s = await declareS(db, true);
      const error = await db.insert(s.c, [{ b_id: 12345 }]).catch((e: unknown) => e);
      expect(IntegrityError.is(error)).toBe(true);
      expect((error as IntegrityError).kind).toBe('foreignKey');
      expect(await db.count(s.c)).toBe(0);
    });

    it('rejects every write on a read-only view, even one that changes nothing', async () => {
      s = await declareS(db, true);
      await db.insert(s.b, [{ name: 'b1' }]);
      const view = await harness.readOnly(db);
      const t = await declareS(view, false);
      const writes: [string, () => Promise<unknown>][] = [
        ['insert', () => view.insert(t.b, [{ name: 'x' }])],
        ['insert nothing', () => view.insert(t.b, [])],
        ['ensure nothing', () => view.ensure(t.b, [])],
        ['replace', () => view.replace(t.a, [{ name: 'a' }])],
        ['delete', () => view.delete(t.b, [], [])],
        ['deleteWhere', () => view.deleteWhere(t.b, literal(false))],
        ['update', () => view.update(t.b, { name: 'k' }, [{ k: 'b1', value: 1 }])],
      ];
      for (const [, write] of writes)
        await expect(write()).rejects.toSatisfy((e: unknown) => ReadOnlyDatabaseError.is(e));
      expect(await db.fetch(s.b)).toEqual([
        { id: expect.any(Number) as number, name: 'b1', value: null },
      ]);
    });

    it('rejects bad input before any SQL runs, leaving the table unchanged', async () => {
      s = await declareS(db, true);
      await db.insert(s.b, [{ name: 'keep', value: 1 }]);
      const bad: [string, () => Promise<unknown>, (e: unknown) => boolean][] = [
        [
          'unknown column',
          () => db.insert(s.b, [{ name: 'x', nmae: 'y' } as never]),
          (e) => UnknownColumnError.is(e),
        ],
        [
          'wrong type',
          () => db.insert(s.b, [{ name: 'x', value: 'big' } as never]),
          (e) => ColumnValueError.is(e),
        ],
        [
          'too long',
          () => db.insert(s.b, [{ name: 'x'.repeat(17) }]),
          (e) => ColumnValueError.is(e),
        ],
        [
          'out of range',
          () => db.insert(s.b, [{ name: 'x', value: 40000 }]),
          (e) => ColumnValueError.is(e),
        ],
        [
          'bad row late in a batch',
          () => db.insert(s.b, [{ name: 'ok1' }, { name: 'ok2', value: 1.5 }]),
          (e) => ColumnValueError.is(e),
        ],
        [
          'unknown where column',
          () => db.fetch(s.b, { where: { nmae: 'x' } }),
          (e) => UnknownColumnError.is(e),
        ],
        [
          'wrong where type',
          () => db.fetch(s.b, { where: { value: 'x' } }),
          (e) => ColumnValueError.is(e),
        ],
        [
          'unknown delete column',
          () => db.delete(s.b, ['nmae'], [{ nmae: 'x' }]),
          (e) => UnknownColumnError.is(e),
        ],
        [
          'unknown update column',
          () => db.update(s.b, { name: 'k' }, [{ k: 'keep', nope: 1 }]),
          (e) => UnknownColumnError.is(e),
        ],
        [
          'hostile table name',
          () => db.ensureTableExists('x"; DROP TABLE b; --', schemaS.t),
          (e) => InvalidIdentifierError.is(e),
        ],
      ];
      for (const [label, attempt, isExpected] of bad) {
        const error = await attempt().then(
          () => new Error(`${label}: no error`),
          (e: unknown) => e,
        );
        expect(isExpected(error), `${label}: ${String(error)}`).toBe(true);
      }
      expect(await db.fetch(s.b)).toEqual([
        { id: expect.any(Number) as number, name: 'keep', value: 1 },
      ]);
      expect((await db.tableNames()).has('b')).toBe(true);
    });

    // Issue 10: values and names every engine stores exactly, or refuses before any SQL.
    const expectError = async (
      label: string,
      attempt: () => Promise<unknown>,
      isExpected: (e: unknown) => boolean,
      message?: RegExp,
    ) => {
      const error = await attempt().then(
        () => new Error(`${label}: no error`),
        (e: unknown) => e,
      );
      expect(isExpected(error), `${label}: ${String(error)}`).toBe(true);
      if (message !== undefined) expect(String(error), label).toMatch(message);
    };

    it('round-trips timestamps of years 1 to 9999, and refuses others before SQL', async () => {
      let t!: TableHandle;
      await db.declareStaticTables({ create: true }, (context) => {
        t = context.addTable(
          'times',
          tableSpec({
            fields: [
              { name: 'id', dtype: 'integer', primaryKey: true },
              { name: 'ts', dtype: 'timestamp' },
            ],
          }),
        );
      });
      const edges = [
        '0001-01-01T00:00:00.000Z',
        '0099-12-31T23:59:59.999Z',
        '1969-12-31T23:59:59.999Z',
        '9999-12-31T23:59:59.999Z',
      ].map((iso, id) => ({ id, ts: new Date(iso) }));
      await db.insert(t, edges);
      expect(await db.fetch(t, { orderBy: ['id'] })).toEqual(edges);
      for (const row of edges) expect(await db.count(t, { ts: row.ts })).toBe(1);
      const outside = [
        new Date('0000-12-31T23:59:59.999Z'),
        new Date('+010000-01-01T00:00:00.000Z'),
        new Date(-8.64e15),
        new Date(8.64e15),
      ];
      for (const ts of outside) {
        const label = ts.toISOString();
        const range = /0001-01-01T00:00:00\.000Z to 9999-12-31T23:59:59\.999Z/;
        await expectError(
          `insert ${label}`,
          () => db.insert(t, [{ id: 9, ts }]),
          (e) => ColumnValueError.is(e),
          range,
        );
        await expectError(
          `where ${label}`,
          () => db.fetch(t, { where: { ts } }),
          (e) => ColumnValueError.is(e),
          range,
        );
      }
      expect(await db.fetch(t, { orderBy: ['id'] })).toEqual(edges);
    });

    it('refuses strings with a lone surrogate or a NUL in values, where values and prefixes', async () => {
      s = await declareS(db, true);
      await db.insert(s.b, [{ name: 'ab' }, { name: 'abc' }]);
      const before = await db.fetch(s.b, { orderBy: ['name'] });
      for (const bad of ['a\uD800b', '\uDC00\uDC00', 'ab\0c', '\0']) {
        const label = JSON.stringify(bad);
        const isValueError = (e: unknown) => ColumnValueError.is(e);
        await expectError(`insert ${label}`, () => db.insert(s.b, [{ name: bad }]), isValueError);
        await expectError(`ensure ${label}`, () => db.ensure(s.b, [{ name: bad }]), isValueError);
        await expectError(
          `where ${label}`,
          () => db.fetch(s.b, { where: { name: bad } }),
          isValueError,
        );
        await expectError(
          `prefix ${label}`,
          () => db.fetch(s.b, { where: startsWith(col('name'), bad) }),
          isValueError,
        );
        await expectError(
          `update ${label}`,
          () => db.update(s.b, { name: 'k' }, [{ k: 'ab', name: bad }]),
          isValueError,
        );
      }
      expect(await db.fetch(s.b, { orderBy: ['name'] })).toEqual(before);
    });

    it('refuses table and column names that an engine reserves or folds, before SQL', async () => {
      s = await declareS(db, true);
      const spec = schemaS.t;
      const isName = (e: unknown) => InvalidIdentifierError.is(e);
      for (const name of ['sqlite_stat9', 'SQLITE_foo', 'Sqlite_master']) {
        await expectError(
          name,
          () => db.ensureTableExists(name, spec),
          isName,
          /sqlite_.*reserved/,
        );
      }
      for (const column of ['ctid', 'xmin', 'xmax', 'cmin', 'cmax', 'tableoid', 'XMin']) {
        await expectError(
          column,
          async () =>
            db.ensureTableExists(
              'sys',
              tableSpec({ fields: [{ name: column, dtype: 'integer' }] }),
            ),
          isName,
          /system column/,
        );
      }
      await expectError(
        'columns differing in case',
        async () =>
          db.ensureTableExists(
            'folded',
            tableSpec({
              fields: [
                { name: 'Value', dtype: 'integer' },
                { name: 'value', dtype: 'integer' },
              ],
            }),
          ),
        isName,
        /only in case/,
      );
      await db.ensureTableExists('records', spec);
      await expectError(
        'Records after records',
        () => db.ensureTableExists('Records', spec),
        isName,
        /"Records".*only in case.*"records"/,
      );
      await expectError(
        'B after static b',
        () => db.ensureTableExists('B', schemaS.b),
        isName,
        /only in case/,
      );
      const names = [...(await db.tableNames())].map((n) => n.toLowerCase()).sort();
      expect(names).toEqual(['a', 'b', 'c', 'records']);
    });

    it('refuses static tables whose names differ only in case', async () => {
      await expectError(
        'static A and a',
        () =>
          db.declareStaticTables({ create: true }, (context) => {
            context.addTable('a', schemaS.a);
            context.addTable('A', schemaS.a);
          }),
        (e) => InvalidIdentifierError.is(e),
        /only in case/,
      );
      expect((await db.tableNames()).size).toBe(0);
    });

    it('never runs SQL from a field default, on any DDL path', async () => {
      await db.declareStaticTables({ create: true }, (context) => {
        context.addTable('canary', schemaS.t);
      });
      const canary = (await db.getExistingTable('canary', schemaS.t))!;
      await db.insert(canary, [{ a_name: 'tweet', b_id: 1 }]);
      for (const hostile of ['0)); DROP TABLE canary; --', '0); DROP TABLE canary; --']) {
        const spec = () =>
          tableSpec({
            fields: [
              { name: 'id', dtype: 'integer', primaryKey: true },
              { name: 'n', dtype: 'integer', default: hostile },
            ],
          });
        const isSchema = (e: unknown) => SchemaValidationError.is(e);
        await expectError(
          `temporary ${hostile}`,
          async () => db.temporaryTable(spec(), () => Promise.resolve()),
          isSchema,
          /default/,
        );
        await expectError(
          `dynamic ${hostile}`,
          async () => db.ensureTableExists('hostile', spec()),
          isSchema,
          /default/,
        );
      }
      expect(await db.fetch(canary)).toEqual([{ a_name: 'tweet', b_id: 1 }]);
      expect((await db.tableNames()).has('hostile')).toBe(false);
    });

    it('stores the empty string in a short string column as daf_butler does on this engine', async () => {
      s = await declareS(db, true);
      if (db.dialect === 'sqlite') {
        // SQLite's length CHECK refuses it; butler-ts says so before any SQL.
        await db.insert(s.b, [{ name: 'x' }]);
        await expectError(
          'empty name',
          () => db.insert(s.b, [{ name: '' }]),
          (e) => ColumnValueError.is(e),
          /empty/,
        );
        await expectError(
          'empty update',
          () => db.update(s.b, { name: 'k' }, [{ k: 'x', name: '' }]),
          (e) => ColumnValueError.is(e),
          /empty/,
        );
        expect((await db.fetch(s.b)).map((r) => r.name)).toEqual(['x']);
      } else {
        await db.insert(s.b, [{ name: '' }]);
        expect((await db.fetch(s.b)).map((r) => r.name)).toEqual(['']);
      }
    });

    it('reads -0 in a float column back as 0 on every engine', async () => {
      let t!: TableHandle;
      await db.declareStaticTables({ create: true }, (context) => {
        t = context.addTable(
          'floats',
          tableSpec({
            fields: [
              { name: 'id', dtype: 'integer', primaryKey: true },
              { name: 'f', dtype: 'float' },
            ],
          }),
        );
      });
      await db.insert(t, [{ id: 1, f: -0 }]);
      await db.replace(t, [{ id: 2, f: -0 }]);
      const values = (await db.fetch(t, { orderBy: ['id'] })).map((r) => r['f']);
      expect(values.map((v) => Object.is(v, 0))).toEqual([true, true]);
      expect(await db.count(t, { f: -0 })).toBe(2);
      expect(await db.count(t, { f: 0 })).toBe(2);
    });

    it('matches a prefix case-sensitively, with metacharacters matching themselves', async () => {
      s = await declareS(db, true);
      await db.insert(
        s.b,
        ['a_b', 'axb', 'A_b', 'a%c', 'abc', 'a*c', 'a?c', 'a[c'].map((name) => ({ name })),
      );
      const names = async (prefix: string) =>
        (
          await db.fetch(s.b, {
            where: { kind: 'startsWith', expr: col('name'), prefix },
            orderBy: ['name'],
          })
        ).map((r) => r.name);
      expect(await names('a_')).toEqual(['a_b']);
      expect(await names('a%')).toEqual(['a%c']);
      expect(await names('A')).toEqual(['A_b']);
      expect(await names('a*')).toEqual(['a*c']);
      expect(await names('a?')).toEqual(['a?c']);
      expect(await names('a[')).toEqual(['a[c']);
      expect((await names('')).length).toBe(8);
    });

    describe('set-based writes over composite keys', () => {
      bulkWriteTests(() => db);
    });
  });
}
