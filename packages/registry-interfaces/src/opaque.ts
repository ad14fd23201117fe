import type { InsertRowOf, RowOf, TableSpec } from '@butler-ts/ddl';
import { VersionedExtension } from '@butler-ts/versioning';
import type { VersionTuple, VersionedExtensionClass } from '@butler-ts/versioning';
import type { Database, StaticTablesContext } from './database.ts';
import { LookupError } from './errors.ts';
import type { UndoTransaction } from './undo.ts';

/**
 * One constraint of an opaque fetch: a value (equality; `null` matches NULL), a list or set
 * (membership), or for strings a value ending in `%` (a case-sensitive prefix match).
 */
export type OpaqueWhereValue<V> = V | null | readonly V[] | ReadonlySet<V>;

/** Constraints of an opaque fetch, ANDed: column → {@link OpaqueWhereValue}. */
export type OpaqueWhere<S extends TableSpec> = {
  readonly [K in keyof RowOf<S>]?: OpaqueWhereValue<NonNullable<RowOf<S>[K]>>;
};

/** Options of the opaque write operations. */
export interface OpaqueWriteOptions {
  /**
   * A datastore transaction, for implementations that must register explicit undo actions.
   * SQL implementations ignore it: the database transaction rolls back.
   */
  readonly transaction?: UndoTransaction | null;
}

/**
 * The rows of the batches, one at a time. A plain iterator rather than an async generator:
 * a row already in a batch is handed out without a generator round trip, which matters for
 * tables of millions of rows.
 */
function flatten<T>(batches: () => AsyncIterable<T[]>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const source = batches()[Symbol.asyncIterator]();
      let batch: T[] = [];
      let index = 0;
      const advance = async (): Promise<IteratorResult<T>> => {
        while (index >= batch.length) {
          const next = await source.next();
          if (next.done === true) return { value: undefined, done: true };
          batch = next.value;
          index = 0;
        }
        return { value: batch[index++] as T, done: false };
      };
      return {
        next: () =>
          index < batch.length
            ? Promise.resolve({ value: batch[index++] as T, done: false })
            : advance(),
        return: async (): Promise<IteratorResult<T>> => {
          await source.return?.();
          return { value: undefined, done: true };
        },
      };
    },
  };
}

/**
 * One logical table whose schema the registry does not interpret, owned by a client (chiefly
 * a datastore keeping per-dataset records). Rows are typed by the table's spec.
 */
export abstract class OpaqueTableStorage<S extends TableSpec = TableSpec> {
  /** The logical table name. */
  readonly name: string;
  /** The spec the table was registered with. */
  readonly spec: S;

  protected constructor(name: string, spec: S) {
    this.name = name;
    this.spec = spec;
  }

  /** Adds rows; a duplicate key fails (`IntegrityError` in SQL implementations) and writes nothing. */
  abstract insert(rows: readonly InsertRowOf<S>[], options?: OpaqueWriteOptions): Promise<void>;
  /** Adds rows, skipping those whose key already exists. */
  abstract ensure(rows: readonly InsertRowOf<S>[], options?: OpaqueWriteOptions): Promise<void>;
  /** Adds rows, overwriting those whose primary key already exists. */
  abstract replace(rows: readonly InsertRowOf<S>[], options?: OpaqueWriteOptions): Promise<void>;
  /** Yields the rows matching every constraint, in batches. An empty list matches nothing. */
  abstract fetchBatches(where?: OpaqueWhere<S>): AsyncIterable<RowOf<S>[]>;
  /**
   * Removes the rows matching any of `rows` on `columns`. No columns removes every row; no
   * rows removes nothing.
   */
  abstract delete(
    columns: readonly (keyof RowOf<S> & string)[],
    rows: readonly Partial<RowOf<S>>[],
  ): Promise<void>;

  /** Yields the rows matching every constraint (see `OpaqueWhereValue`). */
  fetch(where?: OpaqueWhere<S>): AsyncIterable<RowOf<S>> {
    return flatten(() => this.fetchBatches(where));
  }
}

/**
 * The registry manager of opaque tables. Only tables registered through this manager (or a
 * clone sharing its cache) are known; the set is never read back from the database.
 */
export abstract class OpaqueTableStorageManager extends VersionedExtension {
  /** The storage of a table registered earlier, or `null`. */
  abstract get(name: string): OpaqueTableStorage | null;

  /**
   * Makes sure table `name` exists (creating it from `spec` if needed) and returns its
   * storage, typed by `spec`. A table registered before is returned as it is.
   *
   * @throws `DatabaseLogicError` inside a transaction; `ReadOnlyDatabaseError` when the table
   *   is missing on a read-only database; `DatabaseConflictError` when it exists with other
   *   columns.
   */
  abstract register<S extends TableSpec>(name: string, spec: S): Promise<OpaqueTableStorage<S>>;

  /** A manager on another database sharing this one's tables and cache. */
  abstract clone(db: Database): OpaqueTableStorageManager;

  /**
   * The storage of a registered table (Python's `manager[name]`).
   *
   * @throws `LookupError` when no table `name` was registered (message: `No logical table
   *   with name '<name>' found.`).
   */
  getOrThrow(name: string): OpaqueTableStorage {
    const storage = this.get(name);
    if (storage === null)
      throw new LookupError(name, `No logical table with name '${name}' found.`);
    return storage;
  }
}

/** The static side of an opaque manager class: how a registry builds one. */
export interface OpaqueTableStorageManagerClass extends VersionedExtensionClass<OpaqueTableStorageManager> {
  /** Declares the manager's static tables in `context` and returns the manager. */
  initialize(
    db: Database,
    context: StaticTablesContext,
    registrySchemaVersion?: VersionTuple | null,
  ): OpaqueTableStorageManager;
}
