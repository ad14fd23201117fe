// SqlDatabase.fetchIn (a select by one list and equalities, rendered once per table and shape)
// and the opaque fetches by lists that use it, on SQLite file, memory and PostgreSQL.
import { ColumnValueError, UnknownColumnError, tableSpec } from '@butler-ts/ddl';
import { InvalidArgumentError } from '@butler-ts/registry-interfaces';
import type { TableHandle } from '@butler-ts/registry-interfaces';
import { afterAll, describe, expect, it } from 'vitest';
import type { ByNameOpaqueTableStorage } from '../src/index.ts';
import { pgAvailable } from './postgres-harness.ts';
import { registryPlaces } from './registry-engines.ts';
import { all, fails, records, sqlDb, uuid } from './sql-lookups.ts';
import type { RegistryPlace } from './registry-engines.ts';

const pgUp = await pgAvailable();

// A key of three columns, the list on the second, and a time column (a list of times is no
// JSON list on SQLite: it takes the general select).
const events = tableSpec({
  fields: [
    { name: 'run', dtype: 'string', length: 32, primaryKey: true },
    { name: 'id', dtype: 'uuid', primaryKey: true },
    { name: 'seq', dtype: 'integer', primaryKey: true },
    { name: 'at', dtype: 'timestamp', nullable: true },
  ],
});

const row = (n: number, component: string) => ({
  dataset_id: uuid(n),
  component,
  path: `p/${n}/${component}`,
  file_size: n,
});

describe.each(registryPlaces(pgUp, 'butler-fetch-in'))(
  'fetchIn on $name',
  { timeout: 60_000 },
  (place: RegistryPlace) => {
    afterAll(() => place.cleanup());

    describe.skipIf(!place.available)('', () => {
      it('finds the rows of listed keys in key order, as canonical values', async () => {
        const registry = await place.create();
        const db = sqlDb(registry.db);
        const table = await registry.opaque.register('records', records);
        const stored = [3, 1, 2, 4].flatMap((n) => [row(n, 'mask'), row(n, 'image')]);
        await table.insert(stored);
        const handle = (table as ByNameOpaqueTableStorage<typeof records>).table;
        const key = ['dataset_id', 'component'];
        // Sorted, repeated, in other forms, with a null and a key not stored.
        const list = [uuid(1), uuid(2).toUpperCase(), uuid(2), null, uuid(3), uuid(9)];
        const found = await db.fetchIn(handle, { column: 'dataset_id', values: list }, [], [], key);
        expect(found).toEqual([
          row(1, 'image'),
          row(1, 'mask'),
          row(2, 'image'),
          row(2, 'mask'),
          row(3, 'image'),
          row(3, 'mask'),
        ]);
        // Out of order: the same rows (restored through a map on SQLite).
        const reversed = await db.fetchIn(
          handle,
          { column: 'dataset_id', values: [uuid(3), uuid(1), uuid(2)] },
          [],
          [],
          key,
        );
        expect(reversed).toEqual(found);
        // With equalities, and without an order (compared sorted).
        expect(
          await db.fetchIn(
            handle,
            { column: 'dataset_id', values: [uuid(4), uuid(2)] },
            ['component'],
            ['mask'],
          ),
        ).toEqual(expect.arrayContaining([row(2, 'mask'), row(4, 'mask')]));
        expect(
          await db.fetchIn(
            handle,
            { column: 'component', values: ['image'] },
            ['dataset_id'],
            [uuid(4)],
          ),
        ).toEqual([row(4, 'image')]);
        // The list on a non-key column, ordered by the key.
        expect(
          await db.fetchIn(handle, { column: 'file_size', values: [4, 1] }, [], [], key),
        ).toEqual([row(1, 'image'), row(1, 'mask'), row(4, 'image'), row(4, 'mask')]);
        // Nothing listed, or only nulls: no rows.
        expect(await db.fetchIn(handle, { column: 'dataset_id', values: [] }, [], [])).toEqual([]);
        expect(await db.fetchIn(handle, { column: 'dataset_id', values: [null] }, [], [])).toEqual(
          [],
        );
      });

      it('reads a key of three columns, and a list of times through a general select', async () => {
        const registry = await place.create();
        const db = sqlDb(registry.db);
        const table = await registry.opaque.register('events', events);
        const when = (n: number) => new Date(Date.UTC(2024, 0, 1) + n * 1000);
        const stored = [2, 1].flatMap((n) =>
          ['b', 'a'].flatMap((run) =>
            [1, 0].map((seq) => ({ run, id: uuid(n), seq, at: seq === 0 ? null : when(n) })),
          ),
        );
        await table.insert(stored);
        const handle = (table as ByNameOpaqueTableStorage<typeof events>).table;
        const key = ['run', 'id', 'seq'];
        expect(
          await db.fetchIn(
            handle,
            { column: 'id', values: [uuid(2), uuid(1)] },
            ['run'],
            ['b'],
            key,
          ),
        ).toEqual([
          { run: 'b', id: uuid(1), seq: 0, at: null },
          { run: 'b', id: uuid(1), seq: 1, at: when(1) },
          { run: 'b', id: uuid(2), seq: 0, at: null },
          { run: 'b', id: uuid(2), seq: 1, at: when(2) },
        ]);
        expect(
          await db.fetchIn(handle, { column: 'at', values: [when(2)] }, ['run'], ['a'], key),
        ).toEqual([{ run: 'a', id: uuid(2), seq: 1, at: when(2) }]);
        // Through the opaque storage: a list of ids with single values, and a list of times.
        expect(await all(table.fetchBatches({ id: [uuid(1)], run: 'a', seq: 1 }))).toEqual([
          [{ run: 'a', id: uuid(1), seq: 1, at: when(1) }],
        ]);
        expect(await all(table.fetchBatches({ at: [when(1), when(2)], run: 'b' }))).toEqual([
          [
            { run: 'b', id: uuid(1), seq: 1, at: when(1) },
            { run: 'b', id: uuid(2), seq: 1, at: when(2) },
          ],
        ]);
      });

      it('refuses bad input before any SQL, also once its statement is cached', async () => {
        const registry = await place.create();
        const db = sqlDb(registry.db);
        const table = await registry.opaque.register('records', records);
        const handle = (table as ByNameOpaqueTableStorage<typeof records>).table;
        const ids = (values: unknown[]) => ({ column: 'dataset_id', values });
        for (let round = 0; round < 2; round++) {
          await fails(
            db.fetchIn(handle, { column: 'nope', values: [1] }, [], []),
            UnknownColumnError,
            /nope/,
          );
          await fails(
            db.fetchIn(handle, ids([uuid(1)]), ['nope'], [1]),
            UnknownColumnError,
            /nope/,
          );
          await fails(
            db.fetchIn(handle, ids([uuid(1)]), [], [], ['nope']),
            UnknownColumnError,
            /nope/,
          );
          await fails(
            db.fetchIn(handle, ids([uuid(1), 'not-a-uuid']), [], []),
            ColumnValueError,
            /dataset_id/,
          );
          await fails(
            db.fetchIn(handle, ids([uuid(1)]), ['component'], [3]),
            ColumnValueError,
            /component/,
          );
          await fails(
            db.fetchIn(handle, ids([uuid(1)]), ['component'], [null]),
            InvalidArgumentError,
            /component/,
          );
          await fails(
            db.fetchIn(handle, ids([uuid(1)]), ['component'], []),
            InvalidArgumentError,
            /0 values for 1 columns/,
          );
          await fails(
            db.fetchIn(handle, ids([uuid(1)]), ['dataset_id'], [uuid(1)]),
            InvalidArgumentError,
            /distinct/,
          );
          // A good call caches the statement for the next round.
          expect(await db.fetchIn(handle, ids([uuid(1)]), ['component'], ['image'])).toEqual([]);
          expect(await db.fetchIn(handle, ids([uuid(1)]), [], [])).toEqual([]);
        }
      });

      it('keeps tables of the same name apart when one is made again with other columns', async () => {
        const registry = await place.create();
        const db = sqlDb(registry.db);
        const reshaped = tableSpec({
          fields: [
            { name: 'path', dtype: 'text', nullable: false },
            { name: 'component', dtype: 'string', length: 32, primaryKey: true },
            { name: 'dataset_id', dtype: 'uuid', primaryKey: true },
          ],
        });
        const fetch = (handle: TableHandle) =>
          db.fetchIn(
            handle,
            { column: 'dataset_id', values: [uuid(1)] },
            ['component'],
            ['image'],
            ['dataset_id'],
          );
        await db.temporaryTable(
          records,
          async (handle) => {
            await db.insert(handle, [row(1, 'image')]);
            expect(await fetch(handle)).toEqual([row(1, 'image')]);
          },
          'tmp_records',
        );
        await db.temporaryTable(
          reshaped,
          async (handle) => {
            await db.insert(handle, [{ path: 'new', component: 'image', dataset_id: uuid(1) }]);
            const [found] = await fetch(handle);
            expect(Object.keys(found!)).toEqual(['path', 'component', 'dataset_id']);
            expect(found).toEqual({ path: 'new', component: 'image', dataset_id: uuid(1) });
          },
          'tmp_records',
        );
      });

      it('fetches a composite-key table by 2 500 ids in key-ordered batches of 1000', async () => {
        const registry = await place.create();
        const table = await registry.opaque.register('records', records);
        const ids = Array.from({ length: 2500 }, (_, n) => n);
        // Written in reverse, every id with two components.
        await table.insert(ids.toReversed().flatMap((n) => [row(n, 'mask'), row(n, 'image')]));
        // Asked in a shuffled order with a repeat: batches follow the sorted list's chunks.
        const asked = ids.map((n) => uuid((n * 7919) % 2500));
        asked.push(uuid(5));
        const batches = await all(table.fetchBatches({ dataset_id: asked }));
        expect(batches.map((b) => b.length)).toEqual([2000, 2000, 1000]);
        const expected = ids.flatMap((n) => [row(n, 'image'), row(n, 'mask')]);
        expect(batches.flat()).toEqual(expected);
        // With one component.
        const masks = await all(table.fetchBatches({ dataset_id: asked, component: 'mask' }));
        expect(masks.flat()).toEqual(ids.map((n) => row(n, 'mask')));
        // A list that fits one statement, out of order.
        expect(await all(table.fetchBatches({ dataset_id: [uuid(7), uuid(3), uuid(7)] }))).toEqual([
          [row(3, 'image'), row(3, 'mask'), row(7, 'image'), row(7, 'mask')],
        ]);
      });
    });
  },
);
