import type { DatasetRef, ReadParameters, StorageClass } from '@butler-ts/core';
import { Datastore } from './datastore.ts';
import { DatastoreLogicError } from './errors.ts';

/**
 * Finishes a read: applies the read parameters through the read storage class's delegate,
 * then coerces the value to that storage class's type (a `null` component is allowed).
 *
 * @param isComponent whether `value` is a component, which may be `null`.
 * @throws `TypeMismatchError` if parameters are given and the storage class has no
 *   delegate, or the value cannot be converted.
 * @throws `InvalidValueError` if the base delegate is given parameters.
 */
export function postProcessGet(
  value: unknown,
  readStorageClass: StorageClass,
  assemblerParams: ReadParameters | null = null,
  isComponent = false,
): unknown {
  let result = value;
  if (assemblerParams !== null && Object.keys(assemblerParams).length > 0) {
    result = readStorageClass.delegate().handleParameters(result, assemblerParams);
  }
  // A component may be legitimately missing: null passes, as Python allows NoneType.
  if (isComponent && (result === null || result === undefined)) return result;
  return readStorageClass.coerceType(result);
}

/**
 * A datastore base with the two operations that need nothing but the abstract ones:
 * {@link GenericBaseDatastore.remove} (trash, then empty that one dataset from the trash) and
 * {@link GenericBaseDatastore.transfer} (get from one, put into the other).
 */
export abstract class GenericBaseDatastore extends Datastore {
  /**
   * Deletes a dataset now: `trash(ref, {ignoreErrors: false})` then
   * `emptyTrash({ignoreErrors: false, refs: [ref]})`. Other trashed datasets stay trashed.
   *
   * @throws Fails with `DatasetNotFoundError` if it is not stored.
   */
  async remove(ref: DatasetRef): Promise<void> {
    await this.trash(ref, { ignoreErrors: false });
    await this.emptyTrash({ ignoreErrors: false, refs: [ref] });
  }

  /**
   * Copies a dataset from `inputDatastore`: `put(await inputDatastore.get(ref), ref)`.
   *
   * @throws Fails with {@link DatastoreLogicError} when `inputDatastore` is this datastore.
   * @throws Fails with `DatasetNotFoundError` if the input does not hold it.
   */
  async transfer(inputDatastore: Datastore, ref: DatasetRef): Promise<void> {
    if (inputDatastore === this) {
      throw new DatastoreLogicError(`Can not transfer ${ref.toString()} to the datastore it is in`);
    }
    const value = await inputDatastore.get(ref);
    await this.put(value, ref);
  }
}
