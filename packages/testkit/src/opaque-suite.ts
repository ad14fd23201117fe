// The opaque-table conformance suite: P-OPQ-01…10, plus the fetch batching rules, NULL and
// prefix matching, bad input and read-only databases.
import {
  ColumnValueError,
  InvalidIdentifierError,
  UnknownColumnError,
  tableSpec,
} from '@butler-ts/ddl';
import type { RowOf } from '@butler-ts/ddl';
import {
  DatabaseConflictError,
  DatabaseLogicError,
  IntegrityError,
  LookupError,
  ReadOnlyDatabaseError,
} from '@butler-ts/registry-interfaces';
import type {
  Database,
  OpaqueTableStorage,
  OpaqueTableStorageManager,
  OpaqueTableStorageManagerClass,
  Row,
} from '@butler-ts/registry-interfaces';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHarness } from './database-suite.ts';
import { isError, rejection } from './errors.ts';
import { opaqueStreamTests } from './opaque-stream-suite.ts';

/** The OPQ test table `opaque_table_for_testing`. */
export const opaqueTestSpec = tableSpec({
  fields: [
    { name: 'id', dtype: 'bigint', primaryKey: true },
    { name: 'name', dtype: 'string', length: 16, nullable: false },
    { name: 'count', dtype: 'smallint' },
  ],
});

const typedSpec = tableSpec({
  fields: [
    { name: 'id', dtype: 'integer', primaryKey: true },
    { name: 'uid', dtype: 'uuid' },
    { name: 'code', dtype: 'string', length: 8 },
    { name: 'ratio', dtype: 'float' },
    { name: 'taken', dtype: 'timestamp' },
  ],
});

const metaSpec = tableSpec({
  fields: [{ name: 'table_name', dtype: 'string', length: 128, primaryKey: true }],
});

const prefixSpec = tableSpec({
  fields: [
    { name: 'id', dtype: 'integer', primaryKey: true },
    { name: 'path', dtype: 'text' },
  ],
});

type TestRow = RowOf<typeof opaqueTestSpec>;

const R1: TestRow = { id: 1, name: 'one', count: null };
const R2: TestRow = { id: 2, name: 'two', count: 5 };
const R3: TestRow = { id: 3, name: 'three', count: 6 };
const TABLE = 'opaque_table_for_testing';

/** Declares the opaque manager's static table on `db` and returns the manager. */
export async function declareOpaque(
  db: Database,
  manager: OpaqueTableStorageManagerClass,
  create: boolean,
): Promise<OpaqueTableStorageManager> {
  let opaque!: OpaqueTableStorageManager;
  await db.declareStaticTables({ create }, (context) => {
    opaque = manager.initialize(db, context);
  });
  return opaque;
}

async function all<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

// Rows with `count` normalised (a nullable column may come back absent or null).
const canon = (rows: readonly Row[]): Row[] =>
  rows.map((row) => ({ ...row, count: row.count ?? null }));
const byId = (rows: readonly Row[]) => canon(rows).sort((a, b) => Number(a.id) - Number(b.id));
const range = (start: number, end: number) =>
  Array.from({ length: end - start }, (_, i) => start + i);

/**
 * Runs the opaque-table suite for `manager` on the databases `makeHarness` gives. One test
 * closes the harness's database: the harness's `cleanup` must tolerate that.
 */
export function describeOpaqueManager(
  name: string,
  makeHarness: () => DatabaseHarness,
  manager: OpaqueTableStorageManagerClass,
): void {
  describe(`opaque manager conformance: ${name}`, () => {
    let harness: DatabaseHarness;
    let db: Database;
    let opaque: OpaqueTableStorageManager;
    let storage: OpaqueTableStorage<typeof opaqueTestSpec>;
    const fetch = async (where?: Parameters<typeof storage.fetch>[0]) =>
      canon(await all(storage.fetch(where)));

    beforeEach(async () => {
      harness = makeHarness();
      db = await harness.make();
      opaque = await declareOpaque(db, manager, true);
      storage = await opaque.register(TABLE, opaqueTestSpec);
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    // The rows of opaque_meta, read straight from the database.
    async function metaRows(): Promise<Row[]> {
      const meta = await db.getExistingTable('opaque_meta', metaSpec);
      expect(meta).not.toBeNull();
      return db.fetch(meta!);
    }

    it('fetches everything without constraints (P-OPQ-01)', async () => {
      await storage.insert([R1, R2, R3]);
      expect(byId(await fetch())).toEqual([R1, R2, R3]);
    });

    it('fetches by one value (P-OPQ-02)', async () => {
      await storage.insert([R1, R2, R3]);
      expect(await fetch({ id: 1 })).toEqual([R1]);
      expect(await fetch({ name: 'two' })).toEqual([R2]);
    });

    it('combines list constraints with AND (P-OPQ-03)', async () => {
      await storage.insert([R1, R2, R3]);
      expect(await fetch({ id: [1, 3], name: ['one', 'two'] })).toEqual([R1]);
    });

    it('returns a list match in key order (P-OPQ-04)', async () => {
      await storage.insert([R3, R1, R2]);
      expect(await fetch({ id: [3, 1, 2] })).toEqual([R1, R2, R3]);
    });

    it('returns nothing for contradicting values (P-OPQ-05)', async () => {
      await storage.insert([R1, R2, R3]);
      expect(await fetch({ id: 1, name: 'two' })).toEqual([]);
    });

    it('deletes matching rows, and everything without columns (P-OPQ-06)', async () => {
      await storage.insert([R1, R2, R3]);
      await storage.delete(['id'], [{ id: 3 }]);
      expect(byId(await fetch())).toEqual([R1, R2]);
      await storage.delete(['id'], []);
      expect(byId(await fetch())).toEqual([R1, R2]);
      await storage.delete([], []);
      expect(await fetch()).toEqual([]);
    });

    it('knows only registered tables (P-OPQ-07)', () => {
      expect(opaque.get('never_registered')).toBeNull();
      let error: unknown;
      try {
        opaque.getOrThrow('never_registered');
      } catch (e) {
        error = e;
      }
      expect(LookupError.is(error)).toBe(true);
      expect((error as Error).message).toBe("No logical table with name 'never_registered' found.");
    });

    it('registers a table twice into one table and one meta row (P-OPQ-08)', async () => {
      const again = await opaque.register(TABLE, opaqueTestSpec);
      await again.insert([R1]);
      expect(await fetch()).toEqual([R1]);
      expect(opaque.get(TABLE)).not.toBeNull();
      expect(await metaRows()).toEqual([{ table_name: TABLE }]);
    });

    it('refuses a second table whose name differs only in case, before any SQL', async () => {
      const error = await rejection(opaque.register(TABLE.toUpperCase(), opaqueTestSpec));
      expect(InvalidIdentifierError.is(error), String(error)).toBe(true);
      expect(String(error)).toContain(TABLE.toUpperCase());
      expect(String(error)).toMatch(/only in case/);
      expect(opaque.get(TABLE.toUpperCase())).toBeNull();
      expect(await metaRows()).toEqual([{ table_name: TABLE }]);
      const names = [...(await db.tableNames())].filter(
        (n) => n.toLowerCase() === TABLE.toLowerCase(),
      );
      expect(names).toEqual([TABLE]);
    });

    it('refuses Records after records, leaving one table and one meta row', async () => {
      await opaque.register('records', opaqueTestSpec);
      const error = await rejection(opaque.register('Records', opaqueTestSpec));
      expect(InvalidIdentifierError.is(error), String(error)).toBe(true);
      expect((await metaRows()).map((r) => r['table_name']).sort()).toEqual([TABLE, 'records']);
      expect([...(await db.tableNames())].filter((n) => n.toLowerCase() === 'records')).toEqual([
        'records',
      ]);
    });

    it('inserts, ensures and replaces by primary key (P-OPQ-09)', async () => {
      await storage.insert([R1]);
      await expect(storage.insert([R1])).rejects.toSatisfy(isError(IntegrityError));
      await storage.ensure([{ ...R1, count: 9 }]);
      expect(await fetch()).toEqual([R1]);
      await storage.replace([{ id: 1, name: 'uno', count: 9 }]);
      expect(await fetch({ id: 1 })).toEqual([{ id: 1, name: 'uno', count: 9 }]);
    });

    it('supports exactly version 0.2.0 (P-OPQ-10)', () => {
      expect(manager.currentVersions().map(String)).toEqual(['0.2.0']);
    });

    it('writes nothing when an insert fails on a duplicate', async () => {
      await storage.insert([R1]);
      await expect(storage.insert([R2, R1, R3])).rejects.toSatisfy(isError(IntegrityError));
      expect(await fetch()).toEqual([R1]);
    });

    it('shares registered tables with clones', async () => {
      await storage.insert([R1]);
      const other = db.clone();
      try {
        const clone = opaque.clone(other);
        expect(await all(clone.getOrThrow(TABLE).fetch())).toHaveLength(1);
        await clone.register('registered_by_clone', prefixSpec);
        expect(opaque.get('registered_by_clone')).not.toBeNull();
      } finally {
        await other.close();
      }
    });

    it('accepts a table another client created, and rejects other columns', async () => {
      await storage.insert([R1]);
      const other = await harness.connect(db);
      const fresh = await declareOpaque(other, manager, false);
      expect(fresh.get(TABLE)).toBeNull();
      const reused = await fresh.register(TABLE, opaqueTestSpec);
      expect(canon(await all(reused.fetch()))).toEqual([R1]);
      const third = await declareOpaque(other, manager, false);
      await expect(third.register(TABLE, prefixSpec)).rejects.toSatisfy(
        isError(DatabaseConflictError),
      );
    });

    it('refuses to register a table inside a transaction', async () => {
      await expect(
        db.transaction(() => opaque.register('in_transaction', prefixSpec)),
      ).rejects.toSatisfy(isError(DatabaseLogicError));
      expect((await db.tableNames()).has('in_transaction')).toBe(false);
    });

    describe('fetch batching', () => {
      beforeEach(async () => {
        await storage.insert([R1, R2, R3]);
      });

      it('fetches 300 000 ids in 300 batches of 1000', async () => {
        const batches = await all(storage.fetchBatches({ id: range(0, 300_000) }));
        expect(batches).toHaveLength(300);
        expect(batches[0]!.map((row) => row.id)).toEqual([1, 2, 3]);
        expect(batches.slice(1).every((batch) => batch.length === 0)).toBe(true);
        expect(canon(batches.flat())).toEqual([R1, R2, R3]);
      });

      it('collapses duplicate values before chunking', async () => {
        const ids = [...range(0, 1000), ...range(1, 101).reverse(), 1, 1, 2];
        const batches = await all(storage.fetchBatches({ id: ids }));
        expect(batches).toHaveLength(1);
        expect(canon(batches[0]!)).toEqual([R1, R2, R3]);
      });

      it('accepts a set as a list', async () => {
        expect(await fetch({ id: new Set([3, 1]) })).toEqual([R1, R3]);
      });

      it('crosses the chunks of several list columns (testOpaque)', async () => {
        const ids = [...range(0, 1000), ...range(1, 101).reverse()];
        const names = ['one', ...range(0, 2200).map((i) => `q${i}`), 'two'];
        const batches = await all(storage.fetchBatches({ id: ids, name: names }));
        // One id chunk times three name chunks ("one" sorts into the first, "two" the third).
        expect(batches.map((batch) => batch.map((row) => row.id))).toEqual([[1], [], [2]]);
        expect(await fetch({ id: ids, name: names })).toEqual([R1, R2]);
      });

      it('yields one batch per combination of chunks, the last column fastest', async () => {
        const batches = await all(
          storage.fetchBatches({
            id: range(0, 2500),
            name: [...range(0, 1500).map(String), 'one', 'two', 'three'],
          }),
        );
        // Digit strings sort before letters: every row's name is in the second name chunk.
        expect(batches.map((batch) => batch.map((row) => row.id))).toEqual([
          [],
          [1, 2, 3],
          [],
          [],
          [],
          [],
        ]);
        expect(byId(batches.flat())).toEqual([R1, R2, R3]);
      });

      it('puts each row in the batch of its chunk across many chunks', async () => {
        // Inserted in descending key order: each batch still comes in key order.
        const spread = [24_999, 10_000, 9999, 1700, 1600, 1500].map((id) => ({
          id,
          name: `n${id}`,
          count: 1,
        }));
        await storage.insert(spread);
        const batches = await all(storage.fetchBatches({ id: range(0, 25_000), count: [1, 6] }));
        expect(batches).toHaveLength(25);
        const layout = batches.map((batch) => batch.map((row) => row.id));
        expect(layout[0]).toEqual([3]);
        expect(layout[1]).toEqual([1500, 1600, 1700]);
        expect(layout[9]).toEqual([9999]);
        expect(layout[10]).toEqual([10_000]);
        expect(layout[24]).toEqual([24_999]);
        expect(layout.filter((ids) => ids.length > 0)).toHaveLength(5);
        // One list of up to 10 000 keys takes one statement, cut and ordered the same way.
        const few = await all(storage.fetchBatches({ id: [...range(0, 3000)].reverse() }));
        expect(few.map((batch) => batch.map((row) => row.id))).toEqual([
          [1, 2, 3],
          [1500, 1600, 1700],
          [],
        ]);
      });

      it('returns no batch for an empty list, even with other constraints', async () => {
        expect(await all(storage.fetchBatches({ id: [] }))).toEqual([]);
        expect(
          await all(storage.fetchBatches({ id: range(0, 5000), name: new Set<string>() })),
        ).toEqual([]);
      });

      it('runs no query at all for an empty list', async () => {
        await db.close();
        // The database is closed: any query would fail, as this one shows.
        await expect(all(storage.fetchBatches({ id: [1] }))).rejects.toBeDefined();
        expect(await all(storage.fetchBatches({ id: [] }))).toEqual([]);
      });

      it('fetches everything in one batch without constraints', async () => {
        const batches = await all(storage.fetchBatches());
        expect(batches).toHaveLength(1);
        expect(byId(batches[0]!)).toEqual([R1, R2, R3]);
      });
    });

    it('batches lists of every kind of column by chunk', async () => {
      const typed = await opaque.register('opaque_typed_batches', typedSpec);
      const uid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
      const code = (n: number) => `c${String(n).padStart(5, '0')}`;
      const when = (n: number) => new Date(Date.UTC(2020, 0, 1) + n * 1000);
      const picks = [5, 1500, 2400];
      await typed.insert(
        picks.map((n) => ({ id: n, uid: uid(n), code: code(n), ratio: n + 0.5, taken: when(n) })),
      );
      const values = range(0, 2500);
      const layouts = async (column: string, make: (n: number) => unknown) =>
        (await all(typed.fetchBatches({ [column]: values.map(make).reverse() }))).map((batch) =>
          batch.map((row) => row.id),
        );
      for (const [column, make] of [
        ['uid', uid],
        ['code', code],
        ['ratio', (n: number) => n + 0.5],
        ['taken', when],
      ] as const) {
        expect(await layouts(column, make), column).toEqual([[5], [1500], [2400]]);
      }
    });

    describe('streaming', () => {
      opaqueStreamTests(() => ({ db, opaque }));
    });

    describe('NULL matching', () => {
      beforeEach(async () => {
        await storage.insert([R1, R2, R3]);
      });

      it('matches NULL with null', async () => {
        expect(await fetch({ count: null })).toEqual([R1]);
      });

      it('matches NULL with a null inside a list', async () => {
        expect(byId(await fetch({ count: [5, null] as never }))).toEqual([R1, R2]);
        expect(await fetch({ count: [null] as never })).toEqual([R1]);
      });

      it('does not match NULL with a value', async () => {
        expect(await fetch({ count: 0 })).toEqual([]);
        expect(await fetch({ count: [0, 6] })).toEqual([R3]);
      });
    });

    describe('prefix matching', () => {
      let paths: OpaqueTableStorage<typeof prefixSpec>;
      const rows = [
        'dir/a',
        'dir/b',
        'dir%x',
        'dir_x',
        'dirx',
        'DIR/c',
        'Dir/d',
        'back\\slash',
        'backslash',
        '100%',
        '1000',
      ];

      beforeEach(async () => {
        paths = await opaque.register('opaque_prefix', prefixSpec);
        await paths.insert([...rows.map((path, id) => ({ id, path })), { id: 99, path: null }]);
      });

      const matching = async (path: string | readonly string[]) =>
        (await all(paths.fetch({ path }))).map((row) => row.path).sort();

      it('matches a prefix', async () => {
        expect(await matching('dir/%')).toEqual(['dir/a', 'dir/b']);
      });

      it('is case-sensitive', async () => {
        expect(await matching('DIR/%')).toEqual(['DIR/c']);
        expect(await matching('Dir/%')).toEqual(['Dir/d']);
      });

      it('treats % and _ inside the prefix literally', async () => {
        expect(await matching('dir%%')).toEqual(['dir%x']);
        expect(await matching('dir_%')).toEqual(['dir_x']);
        expect(await matching('100%%')).toEqual(['100%']);
      });

      it('treats a backslash inside the prefix literally', async () => {
        expect(await matching('back\\%')).toEqual(['back\\slash']);
      });

      it('matches every non-null value with % alone', async () => {
        expect(await matching('%')).toEqual([...rows].sort());
      });

      it('matches a trailing % literally inside a list', async () => {
        expect(await matching(['100%'])).toEqual(['100%']);
        expect(await matching(['dir/%'])).toEqual([]);
      });

      it('refuses a prefix or value with a NUL or a lone surrogate before any SQL', async () => {
        for (const path of ['ab\0c%', 'dir/\0%', '\0', 'dir\uD800%', '\uDC00']) {
          const error = await rejection(all(paths.fetch({ path })));
          expect(ColumnValueError.is(error), `${JSON.stringify(path)}: ${String(error)}`).toBe(
            true,
          );
        }
      });

      it('matches a whole value exactly without a trailing %', async () => {
        expect(await matching('dir')).toEqual([]);
        expect(await matching('dir/a')).toEqual(['dir/a']);
      });
    });

    describe('bad input', () => {
      const hostile = [
        `x"; DROP TABLE ${TABLE}; --`,
        'a b',
        '1table',
        "o'brien",
        '',
        'x'.repeat(64),
      ];

      beforeEach(async () => {
        await storage.insert([R1]);
      });

      it('rejects an unknown column in a row, writing nothing', async () => {
        const bad = { ...R2, colour: 'red' } as unknown as TestRow;
        for (const write of [
          storage.insert.bind(storage),
          storage.ensure.bind(storage),
          storage.replace.bind(storage),
        ]) {
          await expect(write([R3, bad])).rejects.toSatisfy(isError(UnknownColumnError));
        }
        expect(await fetch()).toEqual([R1]);
      });

      it('rejects an unknown column in a where', async () => {
        const error = await rejection(all(storage.fetch({ colour: 'red' } as never)));
        expect(UnknownColumnError.is(error)).toBe(true);
        expect((error as UnknownColumnError).column).toBe('colour');
        await expect(all(storage.fetch({ id: [], colour: [1] } as never))).rejects.toSatisfy(
          isError(UnknownColumnError),
        );
      });

      it('rejects an unknown column to delete by, deleting nothing', async () => {
        await expect(
          storage.delete(['colour'] as never, [{ colour: 'red' } as never]),
        ).rejects.toSatisfy(isError(UnknownColumnError));
        expect(await fetch()).toEqual([R1]);
      });

      it('rejects a value of the wrong type', async () => {
        await expect(
          storage.insert([{ id: 'two' as unknown as number, name: 'two' }]),
        ).rejects.toSatisfy(isError(ColumnValueError));
        await expect(storage.insert([{ id: 2, name: 2 as unknown as string }])).rejects.toSatisfy(
          isError(ColumnValueError),
        );
        await expect(storage.insert([{ id: 2, name: 'two', count: 1.5 }])).rejects.toSatisfy(
          isError(ColumnValueError),
        );
        await expect(storage.insert([{ id: 2, name: 'two', count: 70_000 }])).rejects.toSatisfy(
          isError(ColumnValueError),
        );
        await expect(all(storage.fetch({ id: 'one' as unknown as number }))).rejects.toSatisfy(
          isError(ColumnValueError),
        );
        await expect(all(storage.fetch({ id: [1, 'two' as unknown as number] }))).rejects.toSatisfy(
          isError(ColumnValueError),
        );
        expect(await fetch()).toEqual([R1]);
      });

      it('rejects a missing NOT NULL value', async () => {
        await expect(storage.insert([{ id: 2 } as TestRow])).rejects.toSatisfy(
          isError(ColumnValueError),
        );
        await expect(
          storage.insert([{ id: 2, name: null } as unknown as TestRow]),
        ).rejects.toSatisfy(isError(ColumnValueError));
        expect(await fetch()).toEqual([R1]);
      });

      it('rejects an over-long string', async () => {
        await expect(storage.insert([{ id: 2, name: 'x'.repeat(17) }])).rejects.toSatisfy(
          isError(ColumnValueError),
        );
        await storage.insert([{ id: 2, name: 'x'.repeat(16) }]);
        expect(await fetch({ id: 2 })).toEqual([{ id: 2, name: 'x'.repeat(16), count: null }]);
      });

      it('rejects hostile table names, leaving the tables unchanged', async () => {
        const before = await db.tableNames();
        for (const bad of hostile) {
          await expect(opaque.register(bad, opaqueTestSpec)).rejects.toSatisfy(
            isError(InvalidIdentifierError),
          );
          expect(opaque.get(bad)).toBeNull();
        }
        expect(await db.tableNames()).toEqual(before);
        expect(await fetch()).toEqual([R1]);
        expect(await metaRows()).toEqual([{ table_name: TABLE }]);
      });

      it('rejects hostile column names in a spec', () => {
        let error: unknown;
        try {
          tableSpec({
            fields: [{ name: `id"; DROP TABLE ${TABLE}; --`, dtype: 'bigint', primaryKey: true }],
          });
        } catch (e) {
          error = e;
        }
        expect(InvalidIdentifierError.is(error)).toBe(true);
      });

      it('binds hostile values as data', async () => {
        const value = `'); DROP TABLE ${TABLE}; --`.slice(0, 16);
        await storage.insert([{ id: 2, name: value }]);
        expect(await fetch({ name: value })).toEqual([{ id: 2, name: value, count: null }]);
        expect(await fetch({ name: `${value.slice(0, 5)}%` })).toEqual([
          { id: 2, name: value, count: null },
        ]);
        expect((await db.tableNames()).has(TABLE)).toBe(true);
      });
    });

    describe('read-only database', () => {
      let view: Database;
      let readOnly: OpaqueTableStorageManager;

      beforeEach(async () => {
        await storage.insert([R1]);
        view = await harness.readOnly(db);
        readOnly = await declareOpaque(view, manager, false);
      });

      it('registers an existing table and reads it', async () => {
        const table = await readOnly.register(TABLE, opaqueTestSpec);
        expect(canon(await all(table.fetch()))).toEqual([R1]);
        expect(canon(await all(table.fetch({ name: 'o%' })))).toEqual([R1]);
      });

      it('cannot register a new table', async () => {
        await expect(readOnly.register('not_there', prefixSpec)).rejects.toSatisfy(
          isError(ReadOnlyDatabaseError),
        );
        expect((await db.tableNames()).has('not_there')).toBe(false);
      });

      it('rejects every write, even one that would change nothing', async () => {
        const table = await readOnly.register(TABLE, opaqueTestSpec);
        const writes: (() => Promise<unknown>)[] = [
          () => table.insert([R2]),
          () => table.insert([]),
          () => table.ensure([R1]),
          () => table.ensure([]),
          () => table.replace([{ ...R1, name: 'uno' }]),
          () => table.replace([]),
          () => table.delete(['id'], [{ id: 1 }]),
          () => table.delete(['id'], []),
          () => table.delete([], []),
        ];
        for (const write of writes)
          await expect(write()).rejects.toSatisfy(isError(ReadOnlyDatabaseError));
        expect(await fetch()).toEqual([R1]);
      });
    });

    it('orders each batch by primary key when a list constrains it', async () => {
      await storage.insert([R3, R2, R1]);
      const batches = await all(storage.fetchBatches({ name: ['three', 'two', 'one'] }));
      expect(batches.map((batch) => batch.map((row) => row.id))).toEqual([[1, 2, 3]]);
      // Without a list the order is the database's: one batch with every row.
      const unconstrained = await all(storage.fetchBatches());
      expect(unconstrained).toHaveLength(1);
      expect(unconstrained[0]!.map((row) => row.id).sort()).toEqual([1, 2, 3]);
    });
  });
}
