import type {
  DataCoordinate,
  DataIdMapping,
  DataIdValue,
  DatasetIdGenEnum,
  DatasetRef,
  DatasetType,
} from '@butler-ts/core';
import { VersionedExtension } from '@butler-ts/versioning';
import type { VersionTuple, VersionedExtensionClass } from '@butler-ts/versioning';
import type { CollectionManager } from './collections.ts';
import type { Database, StaticTablesContext } from './database.ts';
import type { DimensionRecordStorageManager } from './dimensions.ts';
import { MissingDatasetTypeError } from './errors.ts';

/** A data ID as the datasets manager takes it: a `DataCoordinate` or a plain mapping. */
export type DataIdInput = DataCoordinate | DataIdMapping;

/** Options of {@link DatasetRecordStorageManager.insert}. */
export interface InsertDatasetsOptions {
  /**
   * How the ids are made (default `UNIQUE`, a random UUIDv7): `DATAID_TYPE` and
   * `DATAID_TYPE_RUN` give daf_butler's reproducible UUIDv5 of the dataset type, data ID (and
   * run).
   */
  readonly idGenerationMode?: DatasetIdGenEnum;
}

/** Options of {@link DatasetRecordStorageManager.queryDatasets}. */
export interface QueryDatasetsOptions {
  /**
   * Equality constraints on the data ID: dimension name → value (only required dimensions
   * of the dataset type).
   */
  readonly where?: Readonly<Record<string, DataIdValue>>;
  /**
   * Keep only the first dataset of each data ID in collection order (default `false`: every
   * dataset in every collection searched, each once).
   */
  readonly findFirst?: boolean;
}

/**
 * The registry manager of datasets (Python `DatasetRecordStorageManager`): dataset types,
 * datasets in RUN collections, and their associations with TAGGED collections.
 *
 * Bad input fails before anything is written, with typed errors naming the culprit:
 * `MissingDatasetTypeError`, `MissingCollectionError`, `CollectionTypeError` (an insert into a
 * collection that is not a RUN, an association with one that is not TAGGED), `DataIdError` (a
 * data ID missing a dimension or with a value of the wrong type), `DatasetConflictError` (a
 * dataset already there).
 */
export abstract class DatasetRecordStorageManager extends VersionedExtension {
  /**
   * Registers a dataset type; registering an equal definition again does nothing.
   *
   * @returns whether it was inserted now.
   * @throws `ConflictingDatasetTypeError` naming both definitions when the name is registered
   *   with other dimensions or another storage class; `InvalidArgumentError` for a component
   *   dataset type (`a.b`), which is never registered.
   */
  abstract registerDatasetType(datasetType: DatasetType): Promise<boolean>;

  /** The registered dataset type called `name`, or `null`. */
  abstract getDatasetType(name: string): Promise<DatasetType | null>;

  /** Every registered dataset type, by name. */
  abstract allDatasetTypes(): Promise<DatasetType[]>;

  /**
   * Inserts new datasets of a registered dataset type into a RUN collection, one per data
   * ID, all or none.
   *
   * @returns the new refs, in the order of `dataIds`.
   * @throws `MissingDatasetTypeError`, `MissingCollectionError`, `CollectionTypeError` when
   *   `run` is not a RUN, `DataIdError`, `DatasetConflictError` when a data ID is already in
   *   the run (or twice in `dataIds`) or an id is taken.
   */
  abstract insert(
    datasetType: string | DatasetType,
    run: string,
    dataIds: readonly DataIdInput[],
    options?: InsertDatasetsOptions,
  ): Promise<DatasetRef[]>;

  /**
   * Finds, for each data ID, the first dataset of the type in the collections searched in
   * order (CHAINED collections expanded), with set-based queries (not one per data ID).
   *
   * @returns a ref or `null` per data ID, in the order of `dataIds`.
   * @throws `MissingDatasetTypeError`, `MissingCollectionError`, `DataIdError`.
   */
  abstract findDatasets(
    datasetType: string | DatasetType,
    dataIds: readonly DataIdInput[],
    collections: readonly string[],
  ): Promise<(DatasetRef | null)[]>;

  /**
   * The datasets of a type in the collections (CHAINED expanded), constrained by data ID
   * values, ordered by collection search order then data ID.
   *
   * @throws `MissingDatasetTypeError`, `MissingCollectionError`, `DataIdError` for a
   *   constraint on a dimension the dataset type does not have.
   */
  abstract queryDatasets(
    datasetType: string | DatasetType,
    collections: readonly string[],
    options?: QueryDatasetsOptions,
  ): Promise<DatasetRef[]>;

  /** The dataset with id `id`, or `null`. */
  abstract getDatasetRef(id: string): Promise<DatasetRef | null>;

  /**
   * Adds datasets to a TAGGED collection; a dataset already there is skipped.
   *
   * @throws `MissingCollectionError`, `CollectionTypeError` when it is not TAGGED,
   *   `DatasetConflictError` when another dataset of the same type and data ID is there,
   *   `MissingDatasetTypeError`/`LookupError` for a ref that is not in the registry.
   */
  abstract associate(collection: string, refs: readonly DatasetRef[]): Promise<void>;

  /**
   * Removes datasets from a TAGGED collection; a dataset not there is ignored.
   *
   * @throws `MissingCollectionError`, `CollectionTypeError` when it is not TAGGED.
   */
  abstract disassociate(collection: string, refs: readonly DatasetRef[]): Promise<void>;

  /**
   * Removes datasets from the registry, with their associations (the tags rows cascade).
   *
   * @throws `OrphanedRecordError` when a datastore still holds one of them (nothing is
   *   removed).
   */
  abstract remove(refs: readonly DatasetRef[]): Promise<void>;

  /** A manager on another database (a clone of this one's) sharing its tables. */
  abstract clone(db: Database): DatasetRecordStorageManager;

  /**
   * The registered dataset type called `name`.
   *
   * @throws `MissingDatasetTypeError` naming it when there is none.
   */
  async findDatasetType(name: string): Promise<DatasetType> {
    const datasetType = await this.getDatasetType(name);
    if (datasetType === null)
      throw new MissingDatasetTypeError(name, `Dataset type '${name}' does not exist.`);
    return datasetType;
  }

  /** The first dataset of the type with `dataId` in `collections`, or `null` (see {@link findDatasets}). */
  async find(
    datasetType: string | DatasetType,
    dataId: DataIdInput,
    collections: readonly string[],
  ): Promise<DatasetRef | null> {
    const [ref] = await this.findDatasets(datasetType, [dataId], collections);
    return ref ?? null;
  }
}

/** Options of {@link DatasetRecordStorageManagerClass.initialize}. */
export interface DatasetManagerInitOptions {
  /** The registry's collections manager (its keys are the datasets' `run_id`/`collection_id`). */
  readonly collections: CollectionManager;
  /** The registry's dimensions manager (dimension group keys, the universe). */
  readonly dimensions: DimensionRecordStorageManager;
  /**
   * Whether the table of a dimension's records exists, so that the tags and summary tables
   * get daf_butler's foreign keys to it (default: none does).
   */
  readonly hasDimensionTable?: (dimension: string) => boolean;
  /** The stored schema version, or `null` while creating a registry. */
  readonly registrySchemaVersion?: VersionTuple | null;
}

/** The static side of a datasets manager class: how a registry builds one. */
export interface DatasetRecordStorageManagerClass extends VersionedExtensionClass<DatasetRecordStorageManager> {
  /** Declares the manager's static tables in `context` and returns the manager. */
  initialize(
    db: Database,
    context: StaticTablesContext,
    options: DatasetManagerInitOptions,
  ): DatasetRecordStorageManager;
}
