import { makeTestStorageClassFactory } from '@butler-ts/core/testing';
import { describe, expect, it } from 'vitest';
import { NOT_STORED_AS, StoredDatasets } from './stored-datasets.ts';

const factory = makeTestStorageClassFactory();
const dict = factory.getStorageClass('StructuredDataDictYaml');
const list = factory.getStorageClass('StructuredDataList');
const id = (n: number) => `01a20000-0000-7000-8000-${String(n).padStart(12, '0')}`;

// More datasets than one block of columns holds (4096 slots).
const MANY = 5000;

function filled(count: number): StoredDatasets {
  const datasets = new StoredDatasets();
  for (let n = 0; n < count; n++) datasets.set(id(n), { n }, dict, true, 1_000_000 + n);
  return datasets;
}

describe('StoredDatasets', () => {
  it('keeps object, storage class and time per dataset across blocks of slots', () => {
    const datasets = filled(MANY);
    for (const n of [0, 4095, 4096, MANY - 1]) {
      const slot = datasets.slotOf(id(n))!;
      expect(datasets.valueAt(slot)).toEqual({ n });
      expect(datasets.storageClassAt(slot)).toBe(dict);
      expect(datasets.timestampAt(slot)).toBe((1_000_000 + n) / 1000);
    }
    expect(datasets.has(id(MANY))).toBe(false);
  });

  it('reads fast only as the storage class put with, and only a value known to be its instance', () => {
    const datasets = new StoredDatasets();
    datasets.set(id(1), { a: 1 }, dict, true, 0);
    datasets.set(id(2), 'not checked', dict, false, 0);
    expect(datasets.storedAs(id(1), dict)).toEqual({ a: 1 });
    expect(datasets.storedAs(id(1), list)).toBe(NOT_STORED_AS);
    expect(datasets.storedAs(id(2), dict)).toBe(NOT_STORED_AS);
    expect(datasets.storedAs(id(3), dict)).toBe(NOT_STORED_AS);
    // The write storage class of an unchecked value is still there for the full read.
    expect(datasets.storageClassAt(datasets.slotOf(id(2))!)).toBe(dict);
  });

  it('keeps each dataset\'s storage class when the classes of consecutive puts alternate', () => {
    const json = factory.getStorageClass('StructuredDataDictJson');
    const classes = [dict, dict, list, dict, json, json, list, dict];
    const datasets = new StoredDatasets();
    classes.forEach((storageClass, n) => datasets.set(id(n), { n }, storageClass, n % 3 !== 0, 0));
    classes.forEach((storageClass, n) => {
      expect(datasets.storageClassAt(datasets.slotOf(id(n))!)).toBe(storageClass);
      for (const other of [dict, list, json]) {
        const expected = other === storageClass && n % 3 !== 0 ? { n } : NOT_STORED_AS;
        expect(datasets.storedAs(id(n), other)).toEqual(expected);
      }
    });
  });

  it('replaces a dataset put again, releasing its old slot for the next new dataset', () => {
    const datasets = filled(3);
    const oldSlot = datasets.slotOf(id(1))!;
    datasets.set(id(1), { replaced: true }, list, true, 7);
    const slot = datasets.slotOf(id(1))!;
    expect(datasets.valueAt(slot)).toEqual({ replaced: true });
    expect(datasets.storageClassAt(slot)).toBe(list);
    expect(datasets.timestampAt(slot)).toBe(7 / 1000);
    datasets.set(id(3), { n: 3 }, dict, true, 0);
    expect(datasets.slotOf(id(3))).toBe(oldSlot);
    for (const n of [0, 2, 3]) expect(datasets.valueAt(datasets.slotOf(id(n))!)).toEqual({ n });
  });

  it('replaces in place once a replacement was seen, and keeps the others', () => {
    const datasets = filled(MANY);
    datasets.set(id(10), 'first replacement', dict, true, 0);
    const slot = datasets.slotOf(id(4100))!;
    datasets.set(id(4100), 'second replacement', dict, true, 0);
    expect(datasets.slotOf(id(4100))).toBe(slot);
    expect(datasets.valueAt(slot)).toBe('second replacement');
    expect(datasets.valueAt(datasets.slotOf(id(10))!)).toBe('first replacement');
    for (const n of [0, 9, 11, 4099, 4101, MANY - 1]) {
      expect(datasets.valueAt(datasets.slotOf(id(n))!)).toEqual({ n });
    }
  });

  it('reuses the slot of a deleted dataset, storing nothing of the old one there', () => {
    const datasets = filled(3);
    const slot = datasets.slotOf(id(1))!;
    expect(datasets.delete(id(1))).toBe(true);
    expect(datasets.delete(id(1))).toBe(false);
    expect(datasets.has(id(1))).toBe(false);
    expect(datasets.valueAt(slot)).toBeUndefined();
    datasets.set(id(9), { n: 9 }, list, false, 0);
    expect(datasets.slotOf(id(9))).toBe(slot);
    expect(datasets.storedAs(id(9), list)).toBe(NOT_STORED_AS);
    expect(datasets.storageClassAt(slot)).toBe(list);
  });
});
