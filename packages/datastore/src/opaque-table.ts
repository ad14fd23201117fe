import { TypeMismatchError } from '@butler-ts/core';
import type { TableSpec } from '@butler-ts/ddl';
import type { StoredDatastoreItemInfoClass } from './record-data.ts';

/**
 * The definition of one opaque table a datastore keeps its records in, as
 * `Datastore.getOpaqueTableDefinitions` reports it (Python `DatastoreOpaqueTable`).
 */
export interface DatastoreOpaqueTable {
  /** The table's columns, keys and indexes. */
  readonly tableSpec: TableSpec;
  /** The record class its rows are read into. */
  readonly recordClass: StoredDatastoreItemInfoClass;
}

/**
 * A frozen {@link DatastoreOpaqueTable}.
 *
 * @throws `TypeMismatchError` if `recordClass` has no static `fromRecord` (a structural
 *   type guard).
 * @example
 * ```ts
 * datastoreOpaqueTable(recordsSpec, StoredFileInfo);
 * ```
 */
export function datastoreOpaqueTable(
  tableSpec: TableSpec,
  recordClass: StoredDatastoreItemInfoClass,
): DatastoreOpaqueTable {
  if (typeof (recordClass as { fromRecord?: unknown } | null)?.fromRecord !== 'function') {
    throw new TypeMismatchError('recordClass must have a static fromRecord(row)', {
      expected: 'StoredDatastoreItemInfo class',
    });
  }
  return Object.freeze({ tableSpec, recordClass });
}
