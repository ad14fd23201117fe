import type { OnDelete, TableSpec } from '@butler-ts/ddl';
import { VersionedExtension } from '@butler-ts/versioning';
import type { VersionTuple, VersionedExtensionClass } from '@butler-ts/versioning';
import type { Database, Row, StaticTablesContext } from './database.ts';
import { InvalidArgumentError } from './errors.ts';
import type { OpaqueTableStorage, OpaqueTableStorageManager } from './opaque.ts';
import type { UndoTransaction } from './undo.ts';

/** A dataset id: a UUID in canonical (lowercase, hyphenated) form. */
export type DatasetId = string;

/** Anything that carries a dataset id: a `DatasetRef`, or a {@link FakeDatasetRef}. */
export interface DatasetIdRef {
  /** The dataset's UUID, in canonical form. */
  readonly id: DatasetId;
}

/**
 * A reference that knows only its dataset id, for deletion and trash processing. Equal to
 * any object with an equal `id`.
 */
export class FakeDatasetRef implements DatasetIdRef {
  /** The dataset's UUID, as given (not checked or normalised). */
  readonly id: DatasetId;

  constructor(id: DatasetId) {
    this.id = id;
    Object.freeze(this);
  }

  /** Equality by id only, with any object carrying an `id`. */
  equals(other: unknown): boolean {
    return (
      typeof other === 'object' &&
      other !== null &&
      'id' in other &&
      (other as DatasetIdRef).id === this.id
    );
  }

  /** A fake ref has no dataset type. @throws {@link InvalidArgumentError} always. */
  get datasetType(): never {
    throw new InvalidArgumentError(`A FakeDatasetRef (${this.id}) has no dataset type`);
  }

  /** `dataset_id=<id>`. */
  toString(): string {
    return `dataset_id=${this.id}`;
  }
}

/** Turns a stored record row back into a typed record (Python's `StoredDatastoreItemInfo`). */
export interface StoredItemInfoClass<Info = unknown> {
  /** The typed record of one row of the datastore's records table, as the database returns it. */
  fromRecord(row: Row): Info;
}

/** Options of {@link DatastoreRegistryBridge.emptyTrash}. */
export interface EmptyTrashOptions<Info> {
  /** The datastore's records table; the trashed datasets' rows are deleted from it. */
  readonly recordsTable?: OpaqueTableStorage | null;
  /** Decodes the records (required with `recordsTable`). */
  readonly recordClass?: StoredItemInfoClass<Info> | null;
  /** The record column naming an artifact; enables the artifacts-to-keep set. */
  readonly recordColumn?: string | null;
  /** Restricts processing to these ids; an empty collection processes nothing. */
  readonly selectedIds?: Iterable<DatasetId> | null;
  /** Provide the trash without removing anything. */
  readonly dryRun?: boolean;
}

/** What {@link DatastoreRegistryBridge.emptyTrash} gives its body. */
export type TrashBody<Info, T> = (
  trashed: Iterable<[DatasetIdRef, Info | null]>,
  artifactsToKeep: ReadonlySet<string> | null,
) => Promise<T>;

/**
 * What a datastore tells the registry: which datasets it holds and which it moved to the
 * trash, so artifacts can be deleted later in a way that survives crashes.
 */
export abstract class DatastoreRegistryBridge {
  /** The datastore this bridge speaks for. */
  readonly datastoreName: string;

  protected constructor(datastoreName: string) {
    this.datastoreName = datastoreName;
  }

  /** Records that the datastore holds these datasets (duplicates may fail). */
  abstract insert(refs: Iterable<DatasetIdRef>): Promise<void>;
  /** Like `insert`, skipping datasets already recorded. */
  abstract ensure(refs: Iterable<DatasetIdRef>): Promise<void>;
  /** Drops the location records without going through the trash. */
  abstract forget(refs: Iterable<DatasetIdRef>): Promise<void>;
  /**
   * Moves the datasets to the trash. `transaction` is the datastore transaction, for
   * implementations that need an explicit undo.
   */
  abstract moveToTrash(
    refs: Iterable<DatasetIdRef>,
    transaction: UndoTransaction | null,
  ): Promise<void>;
  /** The subset of `datasetIds` recorded as present (not trashed). */
  abstract check(datasetIds: Iterable<DatasetId>): Promise<Set<DatasetId>>;
  /**
   * Runs `body` on the trashed datasets (with their records); when it resolves (and not
   * `dryRun`), removes them from the trash and their records; when it throws, removes nothing.
   */
  abstract emptyTrash<Info, T>(
    options: EmptyTrashOptions<Info>,
    body: TrashBody<Info, T>,
  ): Promise<T>;
}

/** Adds the `dataset_id` column (and, where a dataset table exists, its foreign key) to a spec. */
export interface DatasetForeignKeys {
  /**
   * A new spec with a `<name>_id` uuid column added (`name` defaults to `dataset`), part of
   * the primary key with `primaryKey`. Implementations backed by a dataset table also add a
   * foreign key to it, with `onDelete` (default `null`: deletes are refused), unless
   * `constraint` is `false`; others ignore both options.
   */
  addDatasetForeignKey(
    spec: TableSpec,
    options?: {
      readonly name?: string;
      readonly primaryKey?: boolean;
      readonly onDelete?: OnDelete;
      readonly constraint?: boolean;
    },
  ): TableSpec;
}

/**
 * Hands bridges to datastores, and carries the opaque-table manager and the dimension
 * universe they need. `Universe` is the dimension universe type of the registry.
 */
export abstract class DatastoreRegistryBridgeManager<
  Universe = unknown,
> extends VersionedExtension {
  /** The opaque-table manager datastores keep their records with. */
  abstract readonly opaque: OpaqueTableStorageManager;
  /** The registry's dimension universe. */
  abstract readonly universe: Universe;

  /** A manager on another database and opaque manager. */
  abstract clone(options: {
    readonly db: Database;
    readonly opaque: OpaqueTableStorageManager;
  }): DatastoreRegistryBridgeManager<Universe>;
  /** Re-reads cached state from the database. */
  abstract refresh(): Promise<void>;
  /** The bridge for datastore `name`: in-process when `ephemeral` (default false). */
  abstract register(
    name: string,
    options?: { readonly ephemeral?: boolean },
  ): DatastoreRegistryBridge;
  /** The names of every datastore holding the dataset. */
  abstract findDatastores(ref: DatasetIdRef): AsyncIterable<string>;

  /**
   * Runs `body` in one transaction of the registry's database (joining a transaction already
   * open in this async context), so that a datastore writes its records and its bridge rows
   * together or not at all. The base runs `body` as it is, for managers without a database.
   */
  transaction<T>(body: () => Promise<T>): Promise<T> {
    return body();
  }
}

/** The static side of a bridge manager class. */
export interface DatastoreRegistryBridgeManagerClass<
  Universe = unknown,
> extends VersionedExtensionClass<DatastoreRegistryBridgeManager<Universe>> {
  /**
   * Declares the manager's static tables in `context` (call it inside
   * `Database.declareStaticTables`) and returns the manager. `datasets` adds the dataset id
   * columns to those tables; `registrySchemaVersion` is the stored version, `null` or absent
   * while creating a registry.
   */
  initialize(
    db: Database,
    context: StaticTablesContext,
    options: {
      readonly opaque: OpaqueTableStorageManager;
      readonly datasets: DatasetForeignKeys;
      readonly universe: Universe;
      readonly registrySchemaVersion?: VersionTuple | null;
    },
  ): DatastoreRegistryBridgeManager<Universe>;
}
