import { VersionedExtension } from '@butler-ts/versioning';
import type { VersionTuple, VersionedExtensionClass } from '@butler-ts/versioning';
import type { Database, StaticTablesContext } from './database.ts';

/**
 * Key/value string attributes of a registry (`butler_attributes`), where manager names and
 * schema versions are stored. Names are globally unique; callers use dotted and colon
 * conventions (`version:<extension>`) with no special meaning here.
 */
export abstract class ButlerAttributeManager extends VersionedExtension {
  /** The stored value, or `defaultValue` (default `null`) when absent. */
  abstract get(name: string, defaultValue?: string | null): Promise<string | null>;

  /**
   * Stores a value.
   *
   * @throws `InvalidArgumentError` for an empty name or value (checked first, even with
   *   `force`); `ButlerAttributeExistsError` when the name exists and `force` is not set.
   */
  abstract set(name: string, value: string, options?: { readonly force?: boolean }): Promise<void>;

  /** Removes an attribute; `true` if it existed. */
  abstract delete(name: string): Promise<boolean>;

  /** Every (name, value) pair, in no particular order. */
  abstract items(): AsyncIterable<[string, string]>;

  /** Whether there are no attributes. */
  abstract empty(): Promise<boolean>;

  /** The same table on another database. */
  abstract clone(db: Database): ButlerAttributeManager;
}

/** The static side of an attributes manager class. */
export interface ButlerAttributeManagerClass extends VersionedExtensionClass<ButlerAttributeManager> {
  /**
   * Declares the manager's static table in `context` (call it inside
   * `Database.declareStaticTables`) and returns the manager. `registrySchemaVersion` is the
   * stored version; `null` or absent while creating a registry.
   */
  initialize(
    db: Database,
    context: StaticTablesContext,
    registrySchemaVersion?: VersionTuple | null,
  ): ButlerAttributeManager;
}
