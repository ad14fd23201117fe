import type { DatasetId, StorageClass } from '@butler-ts/core';

// The columns are allocated in blocks of 2^BLOCK_BITS slots.
const BLOCK_BITS = 12;
const BLOCK_SIZE = 1 << BLOCK_BITS;
const OFFSET_MASK = BLOCK_SIZE - 1;

/** What {@link StoredDatasets.storedAs} returns when its fast read does not apply. */
export const NOT_STORED_AS: unique symbol = Symbol('NOT_STORED_AS');

// The storage class column entry of a value not known to be an instance of its storage class
// (a delegate accepted it as is, a converter made it, or provenance was added). A read as
// that class checks the value again.
class Unchecked {
  readonly storageClass: StorageClass;
  constructor(storageClass: StorageClass) {
    this.storageClass = storageClass;
  }
}

/**
 * The datasets of an in-memory datastore by ref ID: the stored object, the storage class of
 * the ref it was put with (the write storage class) and when it was put. Internal.
 *
 * daf_butler keeps objects by "parent" ID and records by ref ID in two maps, plus a `related`
 * map (parent ID -> IDs of the records using the object). `put` always stores an object under
 * its own ref's ID, so each object has exactly one record, and one table holds both.
 *
 * The table is laid out in columns: the ID maps to a slot number; each slot's object and
 * storage class sit side by side in one column and its time in a `Float64Array`. A record
 * object per dataset would cost its header and a boxed time on top of the map entry, and a
 * put would allocate; here a put allocates nothing but the map entry. The columns grow in
 * blocks of 4096 slots, so growing never copies them (a growing array would copy itself and
 * leave its old copy to the garbage collector). Slots of deleted datasets are reused.
 *
 * The storage class entry also tells whether the object is known to be an instance of its
 * storage class: if not, the entry wraps the class, so {@link StoredDatasets.storedAs},
 * which compares the entry with the class read as, declines it.
 *
 * A put of a new ID hashes it once: the slot is taken first and the ID set to it, and the
 * map's size tells whether the ID was new. The first time it was not (a dataset replaced),
 * the orphaned slot is found by marking the slots the map still holds; from then on every
 * put looks the ID up before setting it, as a table with replacements needs.
 */
export class StoredDatasets {
  readonly #slots = new Map<DatasetId, number>();
  // Per slot, its object then its storage class entry, side by side: a read of both touches
  // one cache line.
  readonly #entries: unknown[][] = [];
  // Date.now() of each put.
  readonly #times: Float64Array[] = [];
  readonly #free: number[] = [];
  // Slots below this were handed out at least once.
  #end = 0;
  // Whether a put has replaced a dataset, so puts look IDs up first.
  #replacing = false;

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
    return this.#entries[slot >> BLOCK_BITS]![(slot & OFFSET_MASK) << 1];
  }

  /** The write storage class of a slot. */
  storageClassAt(slot: number): StorageClass {
    const entry = this.#entries[slot >> BLOCK_BITS]![((slot & OFFSET_MASK) << 1) + 1];
    return entry instanceof Unchecked ? entry.storageClass : (entry as StorageClass);
  }

  /** When the dataset of a slot was put: Unix time in seconds (`Date.now() / 1000`). */
  timestampAt(slot: number): number {
    return this.#times[slot >> BLOCK_BITS]![slot & OFFSET_MASK]! / 1000;
  }

  /**
   * The object stored under `id` if it was put as `storageClass` itself (the same instance)
   * and was then known to be an instance of it; else {@link NOT_STORED_AS}.
   */
  storedAs(id: DatasetId, storageClass: StorageClass): unknown {
    const slot = this.#slots.get(id);
    if (slot === undefined) return NOT_STORED_AS;
    const block = this.#entries[slot >> BLOCK_BITS]!;
    const offset = (slot & OFFSET_MASK) << 1;
    if (block[offset + 1] !== storageClass) return NOT_STORED_AS;
    return block[offset];
  }

  /**
   * Stores `value` under `id`, replacing what was stored under it.
   *
   * @param isInstance whether `value` is known to be an instance of `storageClass` (or is
   *   null or undefined), so that {@link StoredDatasets.storedAs} may return it.
   */
  set(
    id: DatasetId,
    value: unknown,
    storageClass: StorageClass,
    isInstance: boolean,
    nowMs: number,
  ): void {
    const slots = this.#slots;
    let slot = this.#replacing ? slots.get(id) : undefined;
    if (slot === undefined) {
      const free = this.#free;
      if (free.length > 0) {
        slot = free.pop()!;
      } else {
        slot = this.#end++;
        if ((slot & OFFSET_MASK) === 0) this.#addBlock();
      }
      const size = slots.size;
      slots.set(id, slot);
      // The ID was there (only possible before #replacing): its old slot is orphaned.
      if (slots.size === size) this.#releaseOrphan();
    }
    const block = this.#entries[slot >> BLOCK_BITS]!;
    const offset = (slot & OFFSET_MASK) << 1;
    block[offset] = value;
    block[offset + 1] = isInstance ? storageClass : new Unchecked(storageClass);
    this.#times[slot >> BLOCK_BITS]![slot & OFFSET_MASK] = nowMs;
  }

  /** Drops the dataset stored under `id`, releasing its object; false if there was none. */
  delete(id: DatasetId): boolean {
    const slot = this.#slots.get(id);
    if (slot === undefined) return false;
    this.#slots.delete(id);
    this.#clear(slot);
    return true;
  }

  #addBlock(): void {
    this.#entries.push(new Array<unknown>(2 * BLOCK_SIZE).fill(undefined));
    this.#times.push(new Float64Array(BLOCK_SIZE));
  }

  // A put replaced a dataset, so one handed-out slot is neither in the map nor free: the old
  // one. Releases it, and makes puts look IDs up first from now on.
  #releaseOrphan(): void {
    this.#replacing = true;
    const held = new Uint8Array(this.#end);
    for (const slot of this.#slots.values()) held[slot] = 1;
    for (const slot of this.#free) held[slot] = 1;
    for (let slot = 0; slot < held.length; slot++) if (held[slot] === 0) this.#clear(slot);
  }

  #clear(slot: number): void {
    const block = this.#entries[slot >> BLOCK_BITS]!;
    const offset = (slot & OFFSET_MASK) << 1;
    block[offset] = undefined;
    block[offset + 1] = undefined;
    this.#free.push(slot);
  }
}
