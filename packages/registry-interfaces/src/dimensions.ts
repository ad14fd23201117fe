import type { DimensionGroup, DimensionUniverse } from '@butler-ts/core';
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
