// Streaming fetches (issue 10, finding 11): a fetch without lists reads the table in batches
// as they are consumed, so the memory it holds does not grow with the table; the consumer may
// use the database between batches; leaving the loop early releases what the stream held.
// Run by `describeOpaqueManager`.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { tableSpec } from '@butler-ts/ddl';
import type { Database, OpaqueTableStorageManager } from '@butler-ts/registry-interfaces';
import { expect, it } from 'vitest';

const streamSpec = tableSpec({
  fields: [
    { name: 'id', dtype: 'bigint', primaryKey: true },
    { name: 'path', dtype: 'text', nullable: false },
  ],
});

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

const PATH = 'run/some/long/path/of/a/dataset/'.repeat(6);
const rowsFrom = (start: number, end: number) =>
  Array.from({ length: end - start }, (_, i) => ({ id: start + i, path: `${PATH}${start + i}` }));

/** The tests; `context` gives the database and opaque manager of the current test. */
export function opaqueStreamTests(
  context: () => { db: Database; opaque: OpaqueTableStorageManager },
): void {
  it(
    'holds about one batch while fetching a whole table, whatever its size',
    { timeout: 300_000 },
    async () => {
      const { opaque } = context();
      const table = await opaque.register('opaque_stream', streamSpec);
      // The most heap a whole-table fetch holds at once, above what was held before it.
      const held = async (expected: number) => {
        gc();
        const before = process.memoryUsage().heapUsed;
        let peak = 0;
        let seen = 0;
        for await (const batch of table.fetchBatches()) {
          seen += batch.length;
          gc();
          peak = Math.max(peak, process.memoryUsage().heapUsed - before);
        }
        expect(seen).toBe(expected);
        return peak;
      };
      await table.insert(rowsFrom(0, 20_000));
      const small = await held(20_000);
      await table.insert(rowsFrom(20_000, 100_000));
      const large = await held(100_000);
      // Materialised, 100 000 rows of ~260 characters hold five times what 20 000 do (tens of
      // MB); streamed, both hold one batch. The bound leaves room for a noisy heap.
      expect(large).toBeLessThan(Math.max(small, 4_000_000) * 2);
      // And a row-by-row fetch sees every row once.
      let count = 0;
      const ids = new Set<number>();
      for await (const row of table.fetch()) {
        count++;
        ids.add(row.id);
      }
      expect(count).toBe(100_000);
      expect(ids.size).toBe(100_000);
    },
  );

  it('lets the consumer use the database between batches', { timeout: 120_000 }, async () => {
    const { db, opaque } = context();
    const table = await opaque.register('opaque_stream', streamSpec);
    const copy = await opaque.register('opaque_stream_copy', streamSpec);
    const copyHandle = (await db.getExistingTable('opaque_stream_copy', streamSpec))!;
    await table.insert(rowsFrom(0, 25_000));
    let batches = 0;
    for await (const batch of table.fetchBatches()) {
      batches++;
      // A write and a read while the stream is open (SQLite: the queue is free between pages;
      // PostgreSQL: the cursor has its own connection).
      await copy.insert(batch);
      expect(await db.count(copyHandle)).toBeGreaterThan(0);
    }
    expect(batches).toBeGreaterThan(1);
    let copied = 0;
    for await (const batch of copy.fetchBatches()) copied += batch.length;
    expect(copied).toBe(25_000);
  });

  it('streams inside a transaction, seeing its writes', { timeout: 120_000 }, async () => {
    const { db, opaque } = context();
    const table = await opaque.register('opaque_stream', streamSpec);
    await table.insert(rowsFrom(0, 15_000));
    await db.transaction(async () => {
      await table.insert(rowsFrom(15_000, 21_000));
      let seen = 0;
      for await (const batch of table.fetchBatches()) {
        seen += batch.length;
        await table.insert([{ id: 1_000_000 + seen, path: 'written while streaming' }]);
      }
      expect(seen).toBeGreaterThanOrEqual(21_000);
    });
    let total = 0;
    for await (const batch of table.fetchBatches()) total += batch.length;
    expect(total).toBeGreaterThan(21_000);
  });

  it('releases the stream when the loop is left early', { timeout: 120_000 }, async () => {
    const { opaque } = context();
    const table = await opaque.register('opaque_stream', streamSpec);
    await table.insert(rowsFrom(0, 25_000));
    // More early exits than a pool has connections: each must give its connection back.
    for (let i = 0; i < 15; i++) {
      for await (const batch of table.fetchBatches()) {
        expect(batch.length).toBeGreaterThan(0);
        break;
      }
    }
    let total = 0;
    for await (const batch of table.fetchBatches({ path: `${PATH}1%` })) total += batch.length;
    expect(total).toBe(rowsFrom(0, 25_000).filter((r) => r.path.startsWith(`${PATH}1`)).length);
  });
}
