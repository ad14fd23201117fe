import type { DatasetId, StorageClass } from '@butler-ts/core';

/**
 * The datasets of an in-memory datastore by ref ID: the stored object, the storage class of
 * the ref it was put with (the write storage class) and when it was put. Internal.
 *
 * daf_butler keeps objects by "parent" ID and records by ref ID in two maps, plus a `related`
 * map (parent ID -> IDs of the records using the object). `put` always stores an object under
 * its own ref's ID, so each object has exactly one record, and one table holds both.
 *
 * The table is laid out in columns: the ID maps to a slot number, and each slot's object,
 * storage class and time live in three arrays. A record object per dataset would cost its
 * header and a boxed time on top of the map entry, and a put would allocate; here a put
 * allocates nothing (the arrays grow in blocks), which also spares the garbage collector
 * from moving a million small records. Slots of deleted datasets are reused.
 */
export class StoredDatasets {
  readonly #slots = new Map<DatasetId, number>();
  readonly #values: unknown[] = [];
  readonly #storageClasses: StorageClass[] = [];
  // Date.now() of each put: doubles, kept unboxed by the array.
  readonly #times: number[] = [];
  readonly #free: number[] = [];

  /** Whether a dataset is stored under `id`. */
  has(id: DatasetId): boolean {
    return this.#slots.has(id);
  }

  /** The slot of the dataset stored under `id`, or `undefined`. */
  slotOf(id: DatasetId): number | undefined {
    return this.#slots.get(id);
  }

  /** The stored object of a slot. */
  valueAt(slot: number): unknown {
    return this.#values[slot];
  }

  /** The write storage class of a slot. */
  storageClassAt(slot: number): StorageClass {
    return this.#storageClasses[slot]!;
  }

  /** When the dataset of a slot was put: Unix time in seconds (`Date.now() / 1000`). */
  timestampAt(slot: number): number {
    return this.#times[slot]! / 1000;
  }

  /** Stores `value` under `id`, replacing what was stored under it. */
  set(id: DatasetId, value: unknown, storageClass: StorageClass, nowMs: number): void {
    let slot = this.#slots.get(id);
    if (slot === undefined) {
      slot = this.#free.pop() ?? this.#values.length;
      this.#slots.set(id, slot);
    }
    this.#values[slot] = value;
    this.#storageClasses[slot] = storageClass;
    this.#times[slot] = nowMs;
  }

  /** Drops the dataset stored under `id`, releasing its object; false if there was none. */
  delete(id: DatasetId): boolean {
    const slot = this.#slots.get(id);
    if (slot === undefined) return false;
    this.#slots.delete(id);
    this.#values[slot] = undefined;
    this.#free.push(slot);
    return true;
  }
}
