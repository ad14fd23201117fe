import type { DimensionGroup, DimensionUniverse } from '@butler-ts/core';
import { DimensionRecordStorageManager } from '@butler-ts/registry-interfaces';
import type {
  Database,
  DimensionManagerInitOptions,
  DimensionRecordStorageManagerClass,
  StaticTablesContext,
} from '@butler-ts/registry-interfaces';
import { VersionTuple } from '@butler-ts/versioning';
import { DimensionGroupStorage } from './dimension-groups.ts';

/**
 * daf_butler's default dimensions manager (schema version 6.0.2): the saved dimension groups
 * (`dimension_graph_key`, `dimension_graph_definition`), keyed as daf_butler keys them (the
 * empty group is 0, new keys come from the autoincrement column, on PostgreSQL from
 * daf_butler's sequence `dimension_graph_key_seq_id`).
 *
 * @example
 * ```ts
 * const key = await registry.dimensions.saveDimensionGroup(universe.conform(['detector']));
 * (await registry.dimensions.loadDimensionGroup(key)).required; // ['instrument', 'detector']
 * ```
 */
export class StaticDimensionRecordStorageManager extends DimensionRecordStorageManager {
  /** The dimensions of the registry. */
  override readonly universe: DimensionUniverse;
  readonly #db: Database;
  readonly #groups: DimensionGroupStorage;

  protected constructor(
    db: Database,
    universe: DimensionUniverse,
    groups: DimensionGroupStorage,
    registrySchemaVersion: VersionTuple | null,
  ) {
    super({ registrySchemaVersion });
    this.#db = db;
    this.universe = universe;
    this.#groups = groups;
  }

  /** daf_butler's name for this manager, stored in the attributes table. */
  static override extensionName(): string {
    return 'lsst.daf.butler.registry.dimensions.static.StaticDimensionRecordStorageManager';
  }

  /** `[6.0.2]`. */
  static override currentVersions(): readonly VersionTuple[] {
    return [new VersionTuple(6, 0, 2)];
  }

  /** Declares the manager's tables in `context` and returns the manager. */
  static initialize(
    db: Database,
    context: StaticTablesContext,
    options: DimensionManagerInitOptions,
  ): StaticDimensionRecordStorageManager {
    const groups = DimensionGroupStorage.initialize(context, options.universe);
    return new this(db, options.universe, groups, options.registrySchemaVersion ?? null);
  }

  override saveDimensionGroup(group: DimensionGroup): Promise<number> {
    return this.#groups.save(this.#db, group);
  }

  override loadDimensionGroup(key: number): Promise<DimensionGroup> {
    return this.#groups.load(this.#db, key);
  }
}

// Checks at compile time that the class has the static side a registry is configured with.
StaticDimensionRecordStorageManager satisfies DimensionRecordStorageManagerClass;
