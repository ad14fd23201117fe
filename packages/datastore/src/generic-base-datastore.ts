import type { DatasetRef, DatasetType, ReadParameters, StorageClass } from '@butler-ts/core';
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
 * Reads a dataset out of the stored object, as daf_butler's datastores do after fetching it:
 * a derived component is computed from the composite with the parameters (checked against
 * the write storage class), a component is taken from the composite (converted first to the
 * parent storage class read as, when the component is that class's), then the remaining
 * parameters are applied and the value is coerced to the read storage class (see
 * {@link postProcessGet}). Shared by the datastores that keep a whole composite.
 *
 * @param stored the stored object (the composite, for a component read).
 * @param writeStorageClass the storage class it was stored as.
 * @param readType the dataset type read: the ref's, with any storage class override.
 * @throws `UnknownParameterError` for a parameter the storage class does not know.
 * @throws as {@link postProcessGet} and the storage class delegates.
 */
export function getFromStored(
  stored: unknown,
  writeStorageClass: StorageClass,
  readType: DatasetType,
  parameters: ReadParameters | null = null,
): unknown {
  const readStorageClass = readType.storageClass;
  // DatasetType.component() without the array it builds: this is a hot path.
  const dot = readType.name.indexOf('.');
  const component = dot < 0 ? null : readType.name.slice(dot + 1);
  const isDerived = component !== null && writeStorageClass.derivedComponents.has(component);
  (isDerived ? writeStorageClass : readStorageClass).validateParameters(parameters);
  let value = stored;
  let remaining = parameters;
  if (isDerived) {
    value = writeStorageClass.delegate().handleParameters(value, parameters);
    remaining = null;
  }
  if (component !== null) {
    let compositeStorageClass = writeStorageClass;
    const parentStorageClass = readType.parentStorageClass;
    // A component of the storage class the caller converts to: convert the composite first.
    if (!writeStorageClass.allComponents().has(component) && parentStorageClass !== null) {
      compositeStorageClass = parentStorageClass;
      value = parentStorageClass.coerceType(value);
    }
    value = compositeStorageClass.delegate().getComponent(value, component);
  }
  value = postProcessGet(value, readStorageClass, remaining, component !== null);
  return readStorageClass.coerceType(value);
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
