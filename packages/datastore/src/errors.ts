import { LookupError, ValidationError } from '@butler-ts/core';
import { ButlerError } from '@butler-ts/versioning';

/** Something that names a dataset: a `DatasetRef`, a `FakeDatasetRef`, anything with an `id`. */
export interface DatasetLike {
  /** The dataset ID. */
  readonly id: string;
  /** A description for messages. */
  toString(): string;
}

/** What a {@link DatasetNotFoundError} carries. */
export interface DatasetNotFoundData {
  /** The datastore that was asked. */
  readonly datastore?: string | null;
  /** The dataset that is missing, when there is one. */
  readonly ref?: DatasetLike | null;
  /** The missing datasets, when several were asked for at once. */
  readonly missing?: readonly DatasetLike[];
  /** How many datasets were asked for, when several were. */
  readonly total?: number | null;
}

/**
 * A dataset is not in the datastore (Python's `FileNotFoundError` at every datastore site).
 *
 * It names the dataset ({@link DatasetNotFoundError.ref} and {@link DatasetNotFoundError.datasetId})
 * or, for a bulk call, lists the missing ones with the count asked for.
 *
 * @example
 * ```ts
 * try {
 *   await datastore.get(ref);
 * } catch (error) {
 *   if (DatasetNotFoundError.is(error)) console.log(`no ${error.datasetId}`);
 * }
 * ```
 */
export class DatasetNotFoundError extends ButlerError {
  /** The brand `is()` checks. */
  static override readonly brand: symbol = Symbol.for('@butler-ts/datastore:DatasetNotFoundError');
  /** Always `'DatasetNotFoundError'`. */
  override readonly name: string = 'DatasetNotFoundError';
  /** The datastore that was asked, or `null` if unknown. */
  readonly datastore: string | null;
  /** The missing dataset, or `null` for a bulk failure. */
  readonly ref: DatasetLike | null;
  /** The ID of the missing dataset, or `null` for a bulk failure. */
  readonly datasetId: string | null;
  /** The missing datasets of a bulk call (the single `ref` otherwise). */
  readonly missing: readonly DatasetLike[];
  /** How many datasets a bulk call asked for, or `null`. */
  readonly total: number | null;

  constructor(message: string, data: DatasetNotFoundData = {}, options?: ErrorOptions) {
    super(message, options);
    this.datastore = data.datastore ?? null;
    this.ref = data.ref ?? null;
    this.datasetId = this.ref?.id ?? null;
    this.missing = Object.freeze([...(data.missing ?? (this.ref === null ? [] : [this.ref]))]);
    this.total = data.total ?? null;
  }
}

/**
 * The datastore's constraints reject a dataset, or it cannot ingest some datasets (Python
 * `DatasetTypeNotSupportedError`).
 */
export class DatasetTypeNotSupportedError extends ButlerError {
  /** The brand `is()` checks. */
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/datastore:DatasetTypeNotSupportedError',
  );
  /** Always `'DatasetTypeNotSupportedError'`. */
  override readonly name: string = 'DatasetTypeNotSupportedError';
  /** The datastore that refused, or `null`. */
  readonly datastore: string | null;
  /** The refused datasets. */
  readonly refs: readonly DatasetLike[];

  constructor(
    message: string,
    data: { readonly datastore?: string | null; readonly refs?: readonly DatasetLike[] } = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.datastore = data.datastore ?? null;
    this.refs = Object.freeze([...(data.refs ?? [])]);
  }
}

/**
 * A datastore's configuration does not fit the entities (storage classes, dataset types,
 * refs) it is asked to handle (Python `DatastoreValidationError`). A core
 * `ValidationError`, so `ValidationError.is(error)` is true.
 */
export class DatastoreValidationError extends ValidationError {
  /** The brand `is()` checks. */
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/datastore:DatastoreValidationError',
  );
  /** Always `'DatastoreValidationError'`. */
  override readonly name: string = 'DatastoreValidationError';
  /** One line per problem found. */
  readonly problems: readonly string[];

  constructor(message: string, problems: readonly string[] = [], options?: ErrorOptions) {
    super(message, [], options);
    this.problems = Object.freeze([...problems]);
  }
}

/**
 * A constraints configuration is invalid: `all` both accepted and rejected, or a malformed
 * entry (Python `ConstraintsValidationError`). A core `ValidationError`.
 */
export class ConstraintsValidationError extends ValidationError {
  /** The brand `is()` checks. */
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/datastore:ConstraintsValidationError',
  );
  /** Always `'ConstraintsValidationError'`. */
  override readonly name: string = 'ConstraintsValidationError';
  /** The offending entry, when there is one. */
  readonly entry: unknown;

  constructor(message: string, entry?: unknown, options?: ErrorOptions) {
    super(message, [], options);
    this.entry = entry;
  }
}

/**
 * A datastore does not offer an operation: file ingest into memory, artifact retrieval,
 * export, transfer modes it lacks (Python `NotImplementedError`).
 */
export class DatastoreNotSupportedError extends ButlerError {
  /** The brand `is()` checks. */
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/datastore:DatastoreNotSupportedError',
  );
  /** Always `'DatastoreNotSupportedError'`. */
  override readonly name: string = 'DatastoreNotSupportedError';
  /** The datastore, or `null`. */
  readonly datastore: string | null;
  /** The operation refused, e.g. `'ingest'`, `'retrieveArtifacts'`. */
  readonly operation: string;

  constructor(
    message: string,
    data: { readonly datastore?: string | null; readonly operation: string },
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.datastore = data.datastore ?? null;
    this.operation = data.operation;
  }
}

/**
 * A datastore was used against its contract, e.g. asked to transfer a dataset from itself
 * (Python `AssertionError`).
 */
export class DatastoreLogicError extends ButlerError {
  /** The brand `is()` checks. */
  static override readonly brand: symbol = Symbol.for('@butler-ts/datastore:DatastoreLogicError');
  /** Always `'DatastoreLogicError'`. */
  override readonly name: string = 'DatastoreLogicError';
}

/**
 * A configuration names a datastore class (`cls`) that is not registered (Python fails to
 * import it). A core `LookupError` of kind `'datastore class'`.
 */
export class UnknownDatastoreClassError extends LookupError {
  /** The brand `is()` checks. */
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/datastore:UnknownDatastoreClassError',
  );
  /** Always `'UnknownDatastoreClassError'`. */
  override readonly name: string = 'UnknownDatastoreClassError';
  /** The registered names, to help spot a typo. */
  readonly known: readonly string[];

  constructor(className: string, known: readonly string[], options?: ErrorOptions) {
    super(
      `Failed to find datastore class ${JSON.stringify(className)}: register it with DatastoreClassRegistry (known: ${
        known.length === 0 ? 'none' : known.join(', ')
      })`,
      { kind: 'datastore class', key: className },
      options,
    );
    this.known = Object.freeze([...known]);
  }
}
