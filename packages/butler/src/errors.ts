import { ButlerError } from '@butler-ts/versioning';

/**
 * A repository's `butler.yaml` cannot be used: missing, unreadable, malformed, without a
 * `datastore` section, or with a `registry.db` that is not a string, or a repository location that is not a local path or `file:` URI. Raised
 * before any database is opened.
 *
 * @example
 * ```ts
 * if (ButlerConfigError.is(error)) console.log(error.message);
 * ```
 */
export class ButlerConfigError extends ButlerError {
  /** The brand `is()` checks. */
  static override readonly brand: symbol = Symbol.for('@butler-ts/butler:ButlerConfigError');
  /** Always `'ButlerConfigError'`. */
  override readonly name: string = 'ButlerConfigError';
  /** The file or location at fault. */
  readonly location: string;

  constructor(location: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.location = location;
  }
}

/**
 * No dataset of the type with the data ID is in the collections searched (daf_butler's
 * `DatasetNotFoundError` from `Butler.get`/`find_dataset`).
 *
 * @example
 * ```ts
 * if (DatasetNotFoundInCollectionsError.is(error)) console.log(error.collections);
 * ```
 */
export class DatasetNotFoundInCollectionsError extends ButlerError {
  /** The brand `is()` checks. */
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/butler:DatasetNotFoundInCollectionsError',
  );
  /** Always `'DatasetNotFoundInCollectionsError'`. */
  override readonly name: string = 'DatasetNotFoundInCollectionsError';
  /** The dataset type searched for. */
  readonly datasetType: string;
  /** The data ID searched for, as given. */
  readonly dataId: Readonly<Record<string, unknown>>;
  /** The collections searched, in order. */
  readonly collections: readonly string[];

  constructor(
    datasetType: string,
    dataId: Readonly<Record<string, unknown>>,
    collections: readonly string[],
    options?: ErrorOptions,
  ) {
    super(
      `Dataset ${datasetType} with data ID ${JSON.stringify(dataId)} could not be found in collections [${collections.map((c) => JSON.stringify(c)).join(', ')}].`,
      options,
    );
    this.datasetType = datasetType;
    this.dataId = dataId;
    this.collections = Object.freeze([...collections]);
  }
}

/**
 * A write (`put`, `removeRuns`, `pruneDatasets`) on a Butler opened read-only.
 *
 * @example
 * ```ts
 * if (ReadOnlyButlerError.is(error)) console.log(error.operation);
 * ```
 */
export class ReadOnlyButlerError extends ButlerError {
  /** The brand `is()` checks. */
  static override readonly brand: symbol = Symbol.for('@butler-ts/butler:ReadOnlyButlerError');
  /** Always `'ReadOnlyButlerError'`. */
  override readonly name: string = 'ReadOnlyButlerError';
  /** The operation refused. */
  readonly operation: string;

  constructor(operation: string, repository: string, options?: ErrorOptions) {
    super(
      `Butler for ${repository} is read-only: ${operation} needs Butler.fromRepo(…, { writeable: true })`,
      options,
    );
    this.operation = operation;
  }
}

/**
 * A call needs collections or a run and none were given, neither to the call nor as the
 * Butler's defaults (`collections`, `run` of `Butler.fromRepo`).
 *
 * @example
 * ```ts
 * if (NoDefaultCollectionError.is(error)) console.log(error.message);
 * ```
 */
export class NoDefaultCollectionError extends ButlerError {
  /** The brand `is()` checks. */
  static override readonly brand: symbol = Symbol.for('@butler-ts/butler:NoDefaultCollectionError');
  /** Always `'NoDefaultCollectionError'`. */
  override readonly name: string = 'NoDefaultCollectionError';
}
