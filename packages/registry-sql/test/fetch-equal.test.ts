// SqlDatabase.fetchEqual (a select by equality prepared once per table and columns) and the
// fetch of one key through ByNameOpaqueTableStorage that uses it, on SQLite file, memory and
// PostgreSQL.
import { ColumnValueError, UnknownColumnError, tableSpec } from '@butler-ts/ddl';
import { InvalidArgumentError } from '@butler-ts/registry-interfaces';
import type { TableHandle } from '@butler-ts/registry-interfaces';
import { afterAll, describe, expect, it } from 'vitest';
import { OPAQUE_SCAN_BATCH_SIZE } from '../src/index.ts';
import type { ByNameOpaqueTableStorage } from '../src/index.ts';
import { pgAvailable } from './postgres-harness.ts';
import { registryPlaces } from './registry-engines.ts';
import { all, fails, records, sqlDb, uuid } from './sql-lookups.ts';
import type { RegistryPlace } from './registry-engines.ts';

const pgUp = await pgAvailable();

// The same columns in another order, with other types: a statement text kept from the
// first shape would return the wrong columns.
const reshaped = tableSpec({
  fields: [
    { name: 'path', dtype: 'text', nullable: false },
    { name: 'file_size', dtype: 'string', length: 16 },
    { name: 'component', dtype: 'string', length: 32, primaryKey: true },
    { name: 'dataset_id', dtype: 'uuid', primaryKey: true },
  ],
});

const byComponent = (a: { component: string }, b: { component: string }) =>
  a.component < b.component ? -1 : a.component > b.component ? 1 : 0;

describe.each(registryPlaces(pgUp, 'butler-fetch-equal'))(
  'fetchEqual on $name',
  { timeout: 60_000 },
  (place: RegistryPlace) => {
    afterAll(() => place.cleanup());

    describe.skipIf(!place.available)('', () => {
      it('finds the rows of one key, decoded, and nothing for a key not stored', async () => {
        const registry = await place.create();
        const db = sqlDb(registry.db);
        const table = await registry.opaque.register('records', records);
        await table.insert([
          { dataset_id: uuid(1), component: 'image', path: 'a/1.fits', file_size: 10 },
          { dataset_id: uuid(1), component: 'mask', path: 'a/1m.fits', file_size: null },
          { dataset_id: uuid(2), component: 'image', path: 'a/2.fits', file_size: 20 },
        ]);
        const handle = (table as ByNameOpaqueTableStorage<typeof records>).table;
        const one = await db.fetchEqual(handle, ['dataset_id'], [uuid(1)], 10);
        expect(one.sort(byComponent)).toEqual([
          { dataset_id: uuid(1), component: 'image', path: 'a/1.fits', file_size: 10 },
          { dataset_id: uuid(1), component: 'mask', path: 'a/1m.fits', file_size: null },
        ]);
        // Any UUID form is one key; both columns; the limit cuts.
        expect(
          await db.fetchEqual(
            handle,
            ['dataset_id'],
            [uuid(2).toUpperCase().replaceAll('-', '')],
            10,
          ),
        ).toEqual([{ dataset_id: uuid(2), component: 'image', path: 'a/2.fits', file_size: 20 }]);
        expect(
          await db.fetchEqual(handle, ['component', 'dataset_id'], ['mask', uuid(1)], 10),
        ).toEqual([{ dataset_id: uuid(1), component: 'mask', path: 'a/1m.fits', file_size: null }]);
        expect(await db.fetchEqual(handle, ['dataset_id'], [uuid(1)], 1)).toHaveLength(1);
        expect(await db.fetchEqual(handle, ['dataset_id'], [uuid(3)], 10)).toEqual([]);
      });

      it('refuses bad input before any SQL', async () => {
        const registry = await place.create();
        const db = sqlDb(registry.db);
        const table = await registry.opaque.register('records', records);
        const handle = (table as ByNameOpaqueTableStorage<typeof records>).table;
        await fails(db.fetchEqual(handle, ['nope'], [1], 10), UnknownColumnError, /nope/);
        await fails(
          db.fetchEqual(handle, ['dataset_id'], ['not-a-uuid'], 10),
          ColumnValueError,
          /dataset_id/,
        );
        // The statement is cached after a first good call: the checks still run.
        await db.fetchEqual(handle, ['dataset_id'], [uuid(1)], 10);
        await fails(
          db.fetchEqual(handle, ['dataset_id'], ['not-a-uuid'], 10),
          ColumnValueError,
          /dataset_id/,
        );
        await fails(
          db.fetchEqual(handle, ['dataset_id'], [null], 10),
          InvalidArgumentError,
          /dataset_id/,
        );
        await fails(
          db.fetchEqual(handle, ['dataset_id'], [uuid(1), 'x'], 10),
          InvalidArgumentError,
          /2 values for 1 columns/,
        );
        await fails(
          db.fetchEqual(handle, ['dataset_id', 'dataset_id'], [uuid(1), uuid(1)], 10),
          InvalidArgumentError,
          /distinct/,
        );
        await fails(
          db.fetchEqual(handle, ['dataset_id'], [uuid(1)], 0),
          InvalidArgumentError,
          /limit/,
        );
      });

      it('keeps tables of the same shape apart, in one database and across databases', async () => {
        const first = await place.create();
        const second = await place.create();
        const rows = (path: string) => [
          { dataset_id: uuid(1), component: 'image', path, file_size: 1 },
        ];
        const a = await first.opaque.register('records_a', records);
        const b = await first.opaque.register('records_b', records);
        // The same name and shape in another registry (another schema on PostgreSQL).
        const c = await second.opaque.register('records_a', records);
        await a.insert(rows('in a'));
        await b.insert(rows('in b'));
        await c.insert(rows('in c'));
        const path = async (registry: typeof first, t: typeof a) =>
          (
            await sqlDb(registry.db).fetchEqual(
              (t as ByNameOpaqueTableStorage<typeof records>).table,
              ['dataset_id'],
              [uuid(1)],
              10,
            )
          ).map((r) => r.path);
        for (let round = 0; round < 2; round++) {
          expect(await path(first, a)).toEqual(['in a']);
          expect(await path(first, b)).toEqual(['in b']);
          expect(await path(second, c)).toEqual(['in c']);
        }
      });

      it('sees the writes of the transaction it runs in, and none after a rollback', async () => {
        const registry = await place.create();
        const db = sqlDb(registry.db);
        const table = await registry.opaque.register('records', records);
        const handle = (table as ByNameOpaqueTableStorage<typeof records>).table;
        const row = { dataset_id: uuid(5), component: 'image', path: 'p', file_size: 5 };
        await expect(
          db.transaction(async () => {
            await table.insert([row]);
            expect(await db.fetchEqual(handle, ['dataset_id'], [uuid(5)], 10)).toEqual([row]);
            expect(await all(table.fetchBatches({ dataset_id: uuid(5) }))).toEqual([[row]]);
            throw new Error('roll back');
          }),
        ).rejects.toThrow('roll back');
        expect(await db.fetchEqual(handle, ['dataset_id'], [uuid(5)], 10)).toEqual([]);
        expect(await all(table.fetchBatches({ dataset_id: uuid(5) }))).toEqual([]);
        await table.insert([row]);
        expect(await db.fetchEqual(handle, ['dataset_id'], [uuid(5)], 10)).toEqual([row]);
      });

      it('reads a table dropped and made again with other columns under the same name', async () => {
        const registry = await place.create();
        const db = sqlDb(registry.db);
        const fetchOne = (handle: TableHandle) =>
          db.fetchEqual(handle, ['dataset_id', 'component'], [uuid(1), 'image'], 10);
        await db.temporaryTable(
          records,
          async (handle) => {
            await db.insert(handle, [
              { dataset_id: uuid(1), component: 'image', path: 'old', file_size: 7 },
            ]);
            expect(await fetchOne(handle)).toEqual([
              { dataset_id: uuid(1), component: 'image', path: 'old', file_size: 7 },
            ]);
          },
          'tmp_records',
        );
        await db.temporaryTable(
          reshaped,
          async (handle) => {
            await db.insert(handle, [
              { dataset_id: uuid(1), component: 'image', path: 'new', file_size: 'big' },
            ]);
            const [found] = await fetchOne(handle);
            expect(Object.keys(found!)).toEqual(['path', 'file_size', 'component', 'dataset_id']);
            expect(found).toEqual({
              path: 'new',
              file_size: 'big',
              component: 'image',
              dataset_id: uuid(1),
            });
          },
          'tmp_records',
        );
      });
    });
  },
);

describe.each(registryPlaces(pgUp, 'butler-fetch-one-key'))(
  'an opaque fetch of one key on $name',
  { timeout: 120_000 },
  (place: RegistryPlace) => {
    afterAll(() => place.cleanup());

    describe.skipIf(!place.available)('', () => {
      it('returns what the general path returns, for key and non-key constraints', async () => {
        const registry = await place.create();
        const table = await registry.opaque.register('records', records);
        await table.insert([
          { dataset_id: uuid(1), component: 'image', path: 'a/1.fits', file_size: 10 },
          { dataset_id: uuid(1), component: 'mask', path: 'a/1m.fits', file_size: null },
          { dataset_id: uuid(2), component: 'image', path: 'a/2.fits', file_size: 20 },
        ]);
        const sorted = (batches: { component: string }[][]) =>
          batches.map((batch) => [...batch].sort(byComponent));
        // The fast path (the key's first column with single values) ...
        expect(sorted(await all(table.fetchBatches({ dataset_id: uuid(1) })))).toEqual([
          [
            { dataset_id: uuid(1), component: 'image', path: 'a/1.fits', file_size: 10 },
            { dataset_id: uuid(1), component: 'mask', path: 'a/1m.fits', file_size: null },
          ],
        ]);
        expect(await all(table.fetchBatches({ dataset_id: uuid(1), component: 'mask' }))).toEqual([
          [{ dataset_id: uuid(1), component: 'mask', path: 'a/1m.fits', file_size: null }],
        ]);
        expect(await all(table.fetchBatches({ dataset_id: uuid(1), file_size: 20 }))).toEqual([]);
        expect(await all(table.fetchBatches({ dataset_id: uuid(9) }))).toEqual([]);
        // ... and the paths it leaves alone: a null, a prefix, a list, no key column.
        expect(await all(table.fetchBatches({ dataset_id: uuid(1), file_size: null }))).toEqual([
          [{ dataset_id: uuid(1), component: 'mask', path: 'a/1m.fits', file_size: null }],
        ]);
        expect(
          (await all(table.fetchBatches({ dataset_id: uuid(1), path: 'a/1m%' }))).flat(),
        ).toEqual([{ dataset_id: uuid(1), component: 'mask', path: 'a/1m.fits', file_size: null }]);
        expect(
          (await all(table.fetchBatches({ component: 'image' })))
            .flat()
            .map((r) => r.path)
            .sort(),
        ).toEqual(['a/1.fits', 'a/2.fits']);
        await fails(all(table.fetchBatches({ dataset_id: 'bad' })), ColumnValueError, /dataset_id/);
      });

      it('streams a key prefix matching more than one batch, every row once', async () => {
        const registry = await place.create();
        const table = await registry.opaque.register('records', records);
        const count = OPAQUE_SCAN_BATCH_SIZE + 2;
        await table.insert(
          Array.from({ length: count }, (_, i) => ({
            dataset_id: uuid(1),
            component: `c${i}`,
            path: `p${i}`,
            file_size: i,
          })),
        );
        const batches = await all(table.fetchBatches({ dataset_id: uuid(1) }));
        expect(batches.map((b) => b.length)).toEqual([OPAQUE_SCAN_BATCH_SIZE, 2]);
        expect(new Set(batches.flat().map((r) => r.component)).size).toBe(count);
      });
    });
  },
);
