import { DatastoreRegistryBridge, FakeDatasetRef } from './bridge.ts';
import type { DatasetId, DatasetIdRef, EmptyTrashOptions, TrashBody } from './bridge.ts';
import { DatabaseRuntimeError, InvalidArgumentError } from './errors.ts';
import { checkOptions } from './options.ts';
import type { UndoTransaction } from './undo.ts';

/**
 * An in-process bridge for datastores whose artifacts do not outlive the process. Needs no
 * database; trash moves need a datastore transaction, so they can be undone.
 */
export class EphemeralDatastoreRegistryBridge extends DatastoreRegistryBridge {
  readonly #datasetIds = new Set<DatasetId>();
  readonly #trashedIds = new Set<DatasetId>();

  constructor(datastoreName: string) {
    super(datastoreName);
  }

  override insert(refs: Iterable<DatasetIdRef>): Promise<void> {
    for (const ref of refs) this.#datasetIds.add(ref.id);
    return Promise.resolve();
  }

  /** The same as {@link EphemeralDatastoreRegistryBridge.insert}: repeats are fine. */
  override ensure(refs: Iterable<DatasetIdRef>): Promise<void> {
    return this.insert(refs);
  }

  override forget(refs: Iterable<DatasetIdRef>): Promise<void> {
    for (const ref of refs) this.#datasetIds.delete(ref.id);
    return Promise.resolve();
  }

  /**
   * Marks the datasets trashed; the undo registered on `transaction` un-trashes them.
   *
   * @throws {@link DatabaseRuntimeError} without a transaction.
   */
  override async moveToTrash(
    refs: Iterable<DatasetIdRef>,
    transaction: UndoTransaction | null,
  ): Promise<void> {
    if (transaction === null)
      throw new DatabaseRuntimeError('Must be called with a defined transaction.');
    const ids = [...refs].map((ref) => ref.id);
    await transaction.undoWith(
      `Trash ${ids.length} datasets`,
      () => {
        for (const id of ids) {
          if (!this.#trashedIds.delete(id))
            throw new DatabaseRuntimeError(
              `Dataset ${id} is not in the trash of ${this.datastoreName}`,
            );
        }
      },
      () => {
        for (const id of ids) this.#trashedIds.add(id);
      },
    );
  }

  /** Whether the dataset is held and not trashed. */
  contains(ref: DatasetIdRef): boolean {
    return this.#datasetIds.has(ref.id) && !this.#trashedIds.has(ref.id);
  }

  override check(datasetIds: Iterable<DatasetId>): Promise<Set<DatasetId>> {
    const present = new Set<DatasetId>();
    for (const id of datasetIds) if (this.contains({ id })) present.add(id);
    return Promise.resolve(present);
  }

  /** @throws {@link InvalidArgumentError} for a records table without a record class. */
  override async emptyTrash<Info, T>(
    options: EmptyTrashOptions<Info>,
    body: TrashBody<Info, T>,
  ): Promise<T> {
    checkOptions('DatastoreRegistryBridge.emptyTrash', options, [
      'recordsTable',
      'recordClass',
      'recordColumn',
      'selectedIds',
      'dryRun',
    ]);
    const { recordsTable = null, recordClass = null, selectedIds = null, dryRun = false } = options;
    if (recordsTable !== null && recordClass === null) {
      throw new InvalidArgumentError('Record class must be provided if records table is given.');
    }
    let trashed = [...this.#trashedIds];
    if (selectedIds !== null) {
      const selected = new Set(selectedIds);
      trashed = trashed.filter((id) => selected.has(id));
    }
    const pairs: [DatasetIdRef, Info | null][] = [];
    for (const id of trashed) {
      if (recordsTable === null || recordClass === null) {
        pairs.push([new FakeDatasetRef(id), null]);
        continue;
      }
      for await (const row of recordsTable.fetch({ dataset_id: id })) {
        pairs.push([new FakeDatasetRef(id), recordClass.fromRecord(row)]);
      }
    }
    const result = await body(pairs, null);
    if (dryRun) return result;
    if (recordsTable !== null && trashed.length > 0) {
      await recordsTable.delete(
        ['dataset_id'] as never,
        trashed.map((id) => ({ dataset_id: id })),
      );
    }
    for (const id of trashed) {
      this.#datasetIds.delete(id);
      this.#trashedIds.delete(id);
    }
    return result;
  }
}
