import type { TaiTime, TaiTimespan } from '@butler-ts/ddl';
import { VersionedExtension } from '@butler-ts/versioning';
import type { VersionTuple, VersionedExtensionClass } from '@butler-ts/versioning';
import type { Database, StaticTablesContext } from './database.ts';
import { MissingCollectionError } from './errors.ts';

/**
 * The kinds of collection, numbered as daf_butler stores them in `collection.type`:
 * `RUN` (1) owns its datasets, `TAGGED` (2) holds references to datasets of runs, `CHAINED`
 * (3) is an ordered list of other collections, `CALIBRATION` (4) tags datasets with a
 * validity range.
 */
export const CollectionType = Object.freeze({
  /** A collection that owns its datasets: each dataset belongs to exactly one run. */
  RUN: 1,
  /** A collection of datasets of other runs, at most one per dataset type and data ID. */
  TAGGED: 2,
  /** An ordered list of child collections, searched in that order. */
  CHAINED: 3,
  /** Datasets associated with validity ranges (read-only in butler-ts for now). */
  CALIBRATION: 4,
} as const);

/** One of the {@link CollectionType} numbers. */
export type CollectionType = (typeof CollectionType)[keyof typeof CollectionType];

/** The name of a collection type (`'RUN'`, `'TAGGED'`, …), for messages and listings. */
export function collectionTypeName(type: CollectionType): keyof typeof CollectionType {
  const entry = Object.entries(CollectionType).find(([, value]) => value === type);
  return (entry?.[0] ?? 'RUN') as keyof typeof CollectionType;
}

/** A stored collection, as the `collection` table holds it. */
export interface CollectionRecord {
  /** The collection's primary key (`collection.collection_id`). */
  readonly key: number;
  /** The collection's unique name. */
  readonly name: string;
  /** Its type. */
  readonly type: CollectionType;
  /** Its documentation string, or `null`. */
  readonly doc: string | null;
}

/**
 * A run's timespan: `[begin, end)` of TAI times (nanoseconds as `bigint`), `null` ends
 * unbounded, or empty; the same value on every engine.
 */
export type RunTimespan = TaiTimespan;

/** The bounds of a timespan to store, checked as `TaiTimespan.of` checks them. */
export interface TimespanBounds {
  /** The first time, or `null` for unbounded. */
  readonly begin: TaiTime | null;
  /** The first time after, or `null` for unbounded. */
  readonly end: TaiTime | null;
}

/** A RUN collection with the columns of the `run` table. */
export interface RunRecord extends CollectionRecord {
  /** Always `CollectionType.RUN` (1). */
  readonly type: typeof CollectionType.RUN;
  /** The host the run was made on, or `null` (daf_butler's `registerRun` leaves it null). */
  readonly host: string | null;
  /** The run's time range, or `null` (daf_butler's `registerRun` leaves it null). */
  readonly timespan: RunTimespan | null;
}

/** Options of {@link CollectionManager.register}. */
export interface RegisterCollectionOptions {
  /** Documentation stored with a new collection (default `null`). */
  readonly doc?: string | null;
  /** For a RUN: the `host` column (default `null`). */
  readonly host?: string | null;
  /**
   * For a new RUN: its timespan (default `null`; daf_butler's `registerRun` leaves it null).
   * A `TaiTimespan`, or `{begin, end}` of `TaiTime`s or `null`s.
   */
  readonly timespan?: RunTimespan | TimespanBounds | null;
}

/**
 * The registry manager of collections (Python `CollectionManager`): RUN, TAGGED and CHAINED
 * collections, their names and keys, and the children of chains.
 *
 * Bad input fails before anything is written, with errors that name the collection:
 * `MissingCollectionError` for an unknown name, `CollectionTypeError` for an operation on
 * the wrong type of collection, `CollectionCycleError` for a chain that would contain itself.
 */
export abstract class CollectionManager extends VersionedExtension {
  /**
   * Registers a collection, or returns the existing one of that name.
   *
   * @returns the record and whether it was inserted now.
   * @throws `ConflictingDefinitionError` when a collection of that name exists with another
   *   type; `NotSupportedError` for CALIBRATION collections (not implemented yet);
   *   `InvalidArgumentError` for an empty name or a type that is not a `CollectionType`.
   */
  abstract register(
    name: string,
    type: CollectionType,
    options?: RegisterCollectionOptions,
  ): Promise<[CollectionRecord, boolean]>;

  /** The collection called `name`, or `null`. */
  abstract get(name: string): Promise<CollectionRecord | null>;

  /** The collection with primary key `key`, or `null`. */
  abstract getByKey(key: number): Promise<CollectionRecord | null>;

  /** Every collection, ordered by key. */
  abstract all(): Promise<CollectionRecord[]>;

  /**
   * The children of a CHAINED collection, by name, in search order.
   *
   * @throws `MissingCollectionError`, `CollectionTypeError` when it is not CHAINED.
   */
  abstract getChain(name: string): Promise<string[]>;

  /**
   * Replaces the children of a CHAINED collection (duplicates keep their first position).
   *
   * @throws `MissingCollectionError` naming the chain or a child; `CollectionTypeError` when
   *   `name` is not CHAINED; `CollectionCycleError` when a child is, or contains, the chain.
   */
  abstract setChain(name: string, children: readonly string[]): Promise<void>;

  /**
   * The collections to search for `names`, in order: each name in turn, a CHAINED collection
   * replaced by its children (recursively, depth first); a collection met again is skipped,
   * as daf_butler's `resolve_wildcard(flatten_chains=True)` does.
   *
   * @throws `MissingCollectionError` naming an unknown collection.
   */
  abstract resolve(names: readonly string[]): Promise<CollectionRecord[]>;

  /**
   * Removes a collection. Removing a RUN removes its datasets (and their tags); removing a
   * TAGGED collection removes its associations; removing a chain removes its child list.
   *
   * @throws `MissingCollectionError`; `OrphanedRecordError` when the collection is still a
   *   child of a chain, or a datastore still holds one of its datasets (nothing is removed).
   */
  abstract remove(name: string): Promise<void>;

  /** A manager on another database (a clone of this one's) sharing its tables. */
  abstract clone(db: Database): CollectionManager;

  /**
   * The collection called `name`.
   *
   * @throws `MissingCollectionError` naming it when there is none.
   */
  async find(name: string): Promise<CollectionRecord> {
    const record = await this.get(name);
    if (record === null) throw missingCollection(name);
    return record;
  }

  /**
   * The collection with primary key `key`.
   *
   * @throws `MissingCollectionError` when there is none.
   */
  async findByKey(key: number): Promise<CollectionRecord> {
    const record = await this.getByKey(key);
    if (record === null) {
      throw new MissingCollectionError(String(key), `Collection with key '${key}' not found.`);
    }
    return record;
  }

  /**
   * Registers a RUN collection (see `register`).
   *
   * @returns the run and whether it was inserted now.
   */
  async registerRun(
    name: string,
    options: RegisterCollectionOptions = {},
  ): Promise<[RunRecord, boolean]> {
    const [record, inserted] = await this.register(name, CollectionType.RUN, options);
    return [record as RunRecord, inserted];
  }

  /**
   * The CHAINED collections that list `name` as a direct child (daf_butler's
   * `getCollectionParentChains`), sorted by name; `[]` when no chain holds it.
   *
   * This default reads every chain; implementations override it with one query.
   *
   * @throws `MissingCollectionError` naming an unknown collection.
   */
  async getParentChains(name: string): Promise<string[]> {
    await this.find(name);
    const parents: string[] = [];
    for (const record of await this.all())
      if (
        record.type === CollectionType.CHAINED &&
        (await this.getChain(record.name)).includes(name)
      )
        parents.push(record.name);
    return parents.sort();
  }
}

/** The error for an unknown collection name, worded as daf_butler's. */
export function missingCollection(name: string): MissingCollectionError {
  return new MissingCollectionError(name, `No collection with name '${name}' found.`);
}

/**
 * The error for unknown collection names (one or more), worded as daf_butler's `_find_many`
 * words it: the names, space-separated, are its `key`.
 */
export function missingCollections(names: readonly string[]): MissingCollectionError {
  if (names.length === 1) return missingCollection(names[0]!);
  const joined = names.join(' ');
  return new MissingCollectionError(joined, `No collections with names '${joined}' found.`);
}

/** The static side of a collection manager class: how a registry builds one. */
export interface CollectionManagerClass extends VersionedExtensionClass<CollectionManager> {
  /** Declares the manager's static tables in `context` and returns the manager. */
  initialize(
    db: Database,
    context: StaticTablesContext,
    registrySchemaVersion?: VersionTuple | null,
  ): CollectionManager;
}
