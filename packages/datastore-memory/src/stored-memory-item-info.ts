import { StorageClass, TypeMismatchError } from '@butler-ts/core';
import type { DatasetId } from '@butler-ts/core';
import { StoredDatastoreItemInfo } from '@butler-ts/datastore';

/**
 * What {@link InMemoryDatastore} records about each stored dataset (Python
 * `StoredMemoryItemInfo`): when it was stored, the storage class it was written with, and the
 * ID its object is stored under. Immutable; never converted to table rows.
 */
export class StoredMemoryItemInfo extends StoredDatastoreItemInfo {
  /** The serialization name (the Python class path). */
  static override readonly recordClassName: string =
    'lsst.daf.butler.datastores.inMemoryDatastore.StoredMemoryItemInfo';

  /** Unix time in seconds when the dataset was stored. */
  readonly timestamp: number;
  /** The storage class of the ref it was put with (the write storage class). */
  readonly storageClass: StorageClass;
  /** The ID under which the stored object is kept; the ref's own ID in practice. */
  readonly parentID: DatasetId;

  /**
   * @throws `TypeMismatchError` unless `timestamp` is a number (a `typeof` guard),
   *   `storageClass` a StorageClass (a constructor check) and `parentID` a string.
   */
  constructor(timestamp: number, storageClass: StorageClass, parentID: DatasetId) {
    super();
    if (
      typeof timestamp !== 'number' ||
      !(storageClass instanceof StorageClass) ||
      typeof parentID !== 'string'
    ) {
      throw new TypeMismatchError(
        'StoredMemoryItemInfo needs a numeric timestamp, a StorageClass and a dataset ID',
        { expected: 'StoredMemoryItemInfo fields' },
      );
    }
    this.timestamp = timestamp;
    this.storageClass = storageClass;
    this.parentID = parentID;
  }
}
