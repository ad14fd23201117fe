import { DatastoreValidationError } from '@butler-ts/datastore';

/**
 * A chained datastore's configuration is malformed: no `datastores` list, an empty one, a child
 * that is not a mapping, or a `datastore_constraints` list whose length differs from the
 * children's. A `DatastoreValidationError` (hence a core `ValidationError`), as daf_butler raises
 * for the constraints count. The message and {@link ChainedDatastoreConfigError.key} name the
 * offending key.
 *
 * An unknown child class fails earlier, with the datastore package's
 * `UnknownDatastoreClassError` naming it.
 *
 * @example
 * ```ts
 * try {
 *   await Datastore.fromConfig({ datastore: { cls: 'ChainedDatastore', datastores: [] } }, bridges);
 * } catch (error) {
 *   if (ChainedDatastoreConfigError.is(error)) console.log(error.key); // 'datastores'
 * }
 * ```
 */
export class ChainedDatastoreConfigError extends DatastoreValidationError {
  /** The brand `is()` checks. */
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/datastore-chained:ChainedDatastoreConfigError',
  );
  /** Always `'ChainedDatastoreConfigError'`. */
  override readonly name: string = 'ChainedDatastoreConfigError';
  /** The configuration key at fault, e.g. `'datastores'` or `'datastores[1]'`. */
  readonly key: string;

  constructor(message: string, key: string, options?: ErrorOptions) {
    super(message, [message], options);
    this.key = key;
  }
}
