import type {
  DataCoordinate,
  DataIdMapping,
  DimensionGroup,
  DimensionRecordValues,
  DimensionUniverse,
} from '@butler-ts/core';
import { VersionedExtension } from '@butler-ts/versioning';
import type { VersionTuple, VersionedExtensionClass } from '@butler-ts/versioning';
import type { Database, StaticTablesContext } from './database.ts';

/**
 * The registry manager of dimensions: the universe a registry was made with, the tables of
 * its dimension records, and the saved dimension groups that other managers refer to by an
 * integer key (daf_butler's `dimension_graph_key` / `dimension_graph_definition`).
 *
 * The empty group always has key 0 and is never stored.
 */
export abstract class DimensionRecordStorageManager extends VersionedExtension {
  /** The dimensions this registry knows. */
  abstract readonly universe: DimensionUniverse;

  /**
   * Saves a dimension group and returns its key; a group saved before (by this or another
   * client) returns its existing key, the empty group 0. Only the group's required dimensions
   * are stored, as daf_butler does.
   *
   * @throws `InvalidArgumentError` for a group of another universe.
   * @throws `ReadOnlyDatabaseError` when the group is new and the database read-only.
   */
  abstract saveDimensionGroup(group: DimensionGroup): Promise<number>;

  /**
   * The dimension group saved under `key` (0: the empty group).
   *
   * @throws `LookupError` when no group has that key.
   */
  abstract loadDimensionGroup(key: number): Promise<DimensionGroup>;

  /**
   * The records of one element (`instrument`, `detector`, `visit_detector_region`, …)
   * matching `where`: field name (or dimension name, for the element's own key) → value or
   * list of values; no constraint gives every record. Fields are the element's columns as
   * daf_butler names them (`instrument`, `id`, `full_name`, …; `region` as bytes; `timespan`
   * as `{begin, end}` TAI times or `null`).
   *
   * @throws `DimensionNameError` (from `@butler-ts/core`) for an unknown element.
   * @throws `UnknownColumnError` (from `@butler-ts/ddl`) for a constraint on no field.
   */
  abstract fetchRecords(
    element: string,
    where?: Readonly<Record<string, unknown>>,
  ): Promise<DimensionRecordValues[]>;

  /**
   * Inserts records of one element in one statement; all or nothing.
   *
   * @param options.replace overwrite records whose primary key exists.
   * @param options.skipExisting leave records whose key exists as they are.
   * @throws `IntegrityError` for a record that exists (without either option) or refers to a
   *   missing record of another element; `ColumnValueError` / `UnknownColumnError` (from
   *   `@butler-ts/ddl`) for bad values before anything is written.
   */
  abstract insertRecords(
    element: string,
    records: readonly Readonly<Record<string, unknown>>[],
    options?: { readonly replace?: boolean; readonly skipExisting?: boolean },
  ): Promise<void>;

  /**
   * Inserts a record unless one with its primary key exists, which must then be equal.
   *
   * @returns `true` when inserted, `false` when an equal record existed; with `update`, the
   *   old values of the fields it changed.
   * @throws `DatabaseConflictError` when the existing record differs (and not `update`).
   */
  abstract syncRecord(
    element: string,
    record: Readonly<Record<string, unknown>>,
    options?: { readonly update?: boolean },
  ): Promise<boolean | Readonly<Record<string, unknown>>>;

  /**
   * The data ID with its implied values and the records of all its elements
   * (`DataCoordinate.hasRecords()`), read from the element tables.
   *
   * @throws `LookupError` naming the dimension and value when a dimension has no record.
   */
  abstract expandDataId(
    dataId: DataCoordinate | DataIdMapping,
    options?: { readonly dimensions?: DimensionGroup | Iterable<string> },
  ): Promise<DataCoordinate>;
}

/** Options of {@link DimensionRecordStorageManagerClass.initialize}. */
export interface DimensionManagerInitOptions {
  /** The registry's universe (read from `config:dimensions.json`, or the one a new registry stores). */
  readonly universe: DimensionUniverse;
  /** The stored schema version, or `null` while creating a registry. */
  readonly registrySchemaVersion?: VersionTuple | null;
}

/** The static side of a dimensions manager class: how a registry builds one. */
export interface DimensionRecordStorageManagerClass extends VersionedExtensionClass<DimensionRecordStorageManager> {
  /** Declares the manager's static tables in `context` and returns the manager. */
  initialize(
    db: Database,
    context: StaticTablesContext,
    options: DimensionManagerInitOptions,
  ): DimensionRecordStorageManager;
}
