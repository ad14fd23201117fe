import { ColumnValueError, TaiTime, tableSpec } from '@butler-ts/ddl';
import { declareOpaque, isError } from '@butler-ts/testkit';
import type { Database, OpaqueTableStorageManager } from '@butler-ts/registry-interfaces';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ByNameOpaqueTableStorage,
  ByNameOpaqueTableStorageManager,
  OPAQUE_FETCH_CHUNK_SIZE,
} from '../src/index.ts';
import { sqliteMemoryHarness } from './sqlite-harness.ts';

const spec = tableSpec({
  fields: [
    { name: 'id', dtype: 'uuid', primaryKey: true },
    { name: 'label', dtype: 'string', length: 16 },
    { name: 'taken', dtype: 'timeNsecTai' },
    { name: 'blob', dtype: 'binary' },
  ],
});

const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

async function batches<T>(items: AsyncIterable<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const batch of items) out.push(batch);
  return out;
}

describe('ByNameOpaqueTableStorage (SQLite specifics)', () => {
  let harness: ReturnType<typeof sqliteMemoryHarness>;
  let db: Database;
  let opaque: OpaqueTableStorageManager;
  let storage: ByNameOpaqueTableStorage<typeof spec>;

  beforeEach(async () => {
    harness = sqliteMemoryHarness();
    db = await harness.make();
    opaque = await declareOpaque(db, ByNameOpaqueTableStorageManager, true);
    storage = (await opaque.register('things', spec)) as ByNameOpaqueTableStorage<typeof spec>;
  });
  afterEach(async () => {
    await harness.cleanup();
  });

  it('is recognised by brand', () => {
    expect(ByNameOpaqueTableStorage.is(storage)).toBe(true);
    expect(ByNameOpaqueTableStorage.is({ table: storage.table })).toBe(false);
    expect(storage.table.name).toBe('things');
  });

  it('sorts strings by code point, as Python does, before chunking', async () => {
    // UTF-16 order would put U+10000 (a surrogate pair) before U+E000.
    const filler = Array.from({ length: OPAQUE_FETCH_CHUNK_SIZE - 1 }, (_, i) => `a${i}`);
    await storage.insert([
      { id: uuid(1), label: '\u{E000}' },
      { id: uuid(2), label: '\u{10000}' },
    ]);
    const found = await batches(
      storage.fetchBatches({ label: ['\u{10000}', ...filler, '\u{E000}'] }),
    );
    expect(found.map((batch) => batch.map((row) => row.label))).toEqual([
      ['\u{E000}'],
      ['\u{10000}'],
    ]);
  });

  it('collapses UUIDs written differently', async () => {
    await storage.insert([{ id: uuid(1) }]);
    const found = await batches(
      storage.fetchBatches({ id: [uuid(1), uuid(1).toUpperCase(), uuid(1).replaceAll('-', '')] }),
    );
    expect(found).toHaveLength(1);
    expect(found[0]!.map((row) => row.id)).toEqual([uuid(1)]);
  });

  it('collapses equal times and byte strings', async () => {
    await storage.insert([
      { id: uuid(1), taken: new TaiTime(5n), blob: new Uint8Array([1, 2]) },
      { id: uuid(2), taken: new TaiTime(7n), blob: new Uint8Array([1, 3]) },
    ]);
    const byTime = await batches(
      storage.fetchBatches({ taken: [new TaiTime(7n), new TaiTime(5n), new TaiTime(7n)] }),
    );
    expect(byTime.map((batch) => batch.map((row) => row.id))).toEqual([[uuid(1), uuid(2)]]);
    const byBytes = await batches(
      storage.fetchBatches({ blob: [new Uint8Array([1, 3]), new Uint8Array([1, 3])] }),
    );
    expect(byBytes.map((batch) => batch.map((row) => row.id))).toEqual([[uuid(2)]]);
  });

  it('treats a trailing % as a value on a non-text column', async () => {
    await expect(batches(storage.fetchBatches({ id: '00000000%' }))).rejects.toSatisfy(
      isError(ColumnValueError),
    );
  });
});
