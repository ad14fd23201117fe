import type { InsertRowOf, RowOf, TableSpec } from '@butler-ts/ddl';
import { NotSupportedError } from './errors.ts';
import type { SelectQuery, Where } from './query.ts';
import type { TableHandle } from './table-handle.ts';

/** A row as a database returns it: column name → value. */
export type Row = Record<string, unknown>;

/**
 * Declares the static tables of a registry inside `Database.declareStaticTables`. Adding
 * records a definition only; the tables are created (in dependency order) when the body
 * returns, so they may be declared in any order.
 */
export interface StaticTablesContext {
  /**
   * Records table `name`; adding a name again returns the first handle, specs not compared.
   *
   * @throws `InvalidIdentifierError` (from `@butler-ts/ddl`) for a bad table name.
   */
  addTable<S extends TableSpec>(name: string, spec: S): TableHandle<S>;
  /** {@link StaticTablesContext.addTable} for each entry, keyed alike. */
  addTableTuple<T extends Readonly<Record<string, TableSpec>>>(
    specs: T,
  ): { [K in keyof T]: TableHandle<T[K]> };
  /** Queues a callback to run after the tables are created (only when creating). */
  addInitializer(init: (db: Database) => Promise<void> | void): void;
}

/** Options of {@link Database.transaction}. */
export interface TransactionOptions {
  /** Fail with `DatabaseLogicError` if a transaction is already open. */
  readonly interrupting?: boolean;
  /**
   * Make this level a savepoint, so that an error caught just outside it keeps the outer
   * work. Once a level is a savepoint, every level inside it is one too.
   */
  readonly savepoint?: boolean;
  /** Tables to lock for the transaction (a no-op on SQLite, which locks the whole file). */
  readonly lock?: readonly TableHandle[];
}

/** Options of {@link Database.sync}. */
export interface SyncOptions {
  /** Values identifying at most one row. */
  readonly keys: Row;
  /** Values an existing row must match. */
  readonly compared?: Row | null;
  /** Values used only when inserting. */
  readonly extra?: Row | null;
  /** Columns whose values are returned. */
  readonly returning?: readonly string[] | null;
  /** Overwrite differing `compared` columns instead of failing. */
  readonly update?: boolean;
}

/** The options of {@link Database.fetch}. */
export interface FetchOptions {
  /** The rows to return (see {@link whereOf}); default every row. */
  readonly where?: Where;
  /**
   * Sort terms, most significant first: a column name (ascending) or a column with a
   * direction. Default: no ORDER BY, so the order is the engine's.
   */
  readonly orderBy?: readonly (
    | string
    | {
        /** The column to sort by. */
        readonly column: string;
        /** Sort descending; default false. */
        readonly desc?: boolean;
      }
  )[];
  /**
   * The most rows to return, a non-negative integer (implementations reject others with
   * `InvalidArgumentError`); default no limit.
   */
  readonly limit?: number;
}

// Member comments name errors and types in code spans rather than {@link}: the SQL databases
// in other packages inherit these comments, and their typedoc cannot resolve links into this one.
/**
 * One schema (namespace) of one SQL engine, with every write forced through a small set of
 * named operations: the abstract base of butler-ts's SQLite and PostgreSQL databases.
 *
 * All operations are async. Bad input (unknown columns, wrong value types, over-long
 * strings, bad identifiers) fails before any SQL runs, with typed errors from
 * `@butler-ts/ddl`; write failures the engine reports come back as {@link IntegrityError}.
 * Every write checks writeability first and fails with {@link ReadOnlyDatabaseError} on a
 * read-only database, even when it would change nothing.
 */
export abstract class Database {
  /** The value autoincrement `origin` columns default to. */
  abstract readonly origin: number;
  /** The schema tables live in; `null` for the connection's default. */
  abstract readonly namespace: string | null;
  /** Which engine this is. */
  abstract readonly dialect: 'sqlite' | 'postgresql';

  /** Whether writes are allowed; fixed at construction. */
  abstract isWriteable(): boolean;

  /** The short display name: `SQLite3@<file>`, `SQLite3@:memory:`, `PostgreSQL@<db>:<namespace>`. */
  abstract toString(): string;

  /** A detailed description embedding the connection URL (password hidden), like Python's repr. */
  abstract describe(): string;

  /** A new `Database` on the same storage and table definitions, with its own session state. */
  abstract clone(): Database;

  /** Closes the connections this database (not its clones) opened. */
  abstract close(): Promise<void>;

  /**
   * Declares the registry's static tables. With `create`, fails with
   * `SchemaAlreadyDefinedError` when the namespace holds any table, else creates the
   * namespace (if needed), the tables and runs the initializers; without it, assumes the
   * tables exist. Table definitions known before are forgotten.
   *
   * @throws `ReadOnlyDatabaseError` for `create` on a read-only database.
   */
  abstract declareStaticTables(
    options: { readonly create: boolean },
    body: (context: StaticTablesContext) => void | Promise<void>,
  ): Promise<void>;

  /**
   * The existing table `name`, or `null`. Its column names must be those of `spec` (order,
   * types and keys are not compared).
   *
   * @throws `DatabaseConflictError` when the column names differ.
   */
  abstract getExistingTable<S extends TableSpec>(
    name: string,
    spec: S,
  ): Promise<TableHandle<S> | null>;

  /**
   * The table `name`, created from `spec` if missing (a concurrent creation by another
   * client is tolerated). Returns the same handle on every call.
   *
   * @throws `DatabaseLogicError` inside a transaction; `ReadOnlyDatabaseError`
   *   when the table is missing on a read-only database; `DatabaseConflictError` when
   *   it exists with other columns.
   */
  abstract ensureTableExists<S extends TableSpec>(name: string, spec: S): Promise<TableHandle<S>>;

  /** The names of the tables that exist in this namespace. */
  abstract tableNames(): Promise<Set<string>>;

  /**
   * The spec of an existing table as the database describes it (columns, SQL types mapped back
   * to column types, nullability and primary key), or `null` when it does not exist. Tools
   * use it to read tables they did not declare. Types a column stores in another type's
   * form (base64 bytes as text, TAI nanoseconds as bigint) come back as that form.
   *
   * @throws `NotSupportedError` unless the implementation overrides it.
   */
  inspectTable(name: string): Promise<TableSpec | null> {
    return Promise.reject(
      new NotSupportedError(`${this.toString()} cannot describe table ${name}`),
    );
  }

  /**
   * Runs `body` in a transaction: committed when it resolves, rolled back when it throws
   * (the error is rethrown). Nested calls join the outer transaction, or open a savepoint
   * with `savepoint: true` (see `TransactionOptions`).
   */
  abstract transaction<T>(body: () => Promise<T>, options?: TransactionOptions): Promise<T>;

  /** Whether a transaction is open in this database's current async context. */
  abstract isInTransaction(): boolean;

  /**
   * Inserts rows in one statement.
   *
   * @returns `null`; pass `returnIds: true` to get the primary keys instead.
   * @throws `IntegrityError` for duplicates or broken foreign keys; nothing is written.
   */
  abstract insert<S extends TableSpec>(
    table: TableHandle<S>,
    rows: readonly InsertRowOf<S>[],
    options?: { readonly returnIds?: false },
  ): Promise<null>;
  /**
   * Inserts rows in one statement and returns the first primary-key column of each row, in
   * input order (for autoincrement keys, the values the database chose).
   *
   * @throws `IntegrityError` for duplicates or broken foreign keys; nothing is written.
   * @throws `InvalidArgumentError` when the table has no primary key.
   */
  abstract insert<S extends TableSpec>(
    table: TableHandle<S>,
    rows: readonly InsertRowOf<S>[],
    options: { readonly returnIds: true },
  ): Promise<number[]>;

  /**
   * `INSERT INTO table (names) SELECT …`; `names` defaults to the select's output labels.
   */
  abstract insertSelect(
    table: TableHandle,
    select: SelectQuery,
    names?: readonly string[],
  ): Promise<void>;

  /**
   * Inserts rows, skipping those that conflict with an existing one (on any unique
   * constraint, or only the primary key with `primaryKeyOnly`).
   *
   * @returns the number of rows inserted.
   */
  abstract ensure<S extends TableSpec>(
    table: TableHandle<S>,
    rows: readonly InsertRowOf<S>[],
    options?: { readonly primaryKeyOnly?: boolean },
  ): Promise<number>;

  /**
   * Inserts rows, overwriting every non-key column of rows whose primary key exists
   * (columns a row leaves out become NULL or their default).
   */
  abstract replace<S extends TableSpec>(
    table: TableHandle<S>,
    rows: readonly InsertRowOf<S>[],
  ): Promise<void>;

  /**
   * Finds the row with `keys` or inserts it, comparing `compared` values (see
   * `SyncOptions`).
   *
   * @returns `[returned values or null, inserted | old values of updated columns]`.
   * @throws `DatabaseConflictError` when `compared` differs and `update` is false;
   *   `ReadOnlyDatabaseError` when a read-only database would need to write.
   */
  abstract sync(table: TableHandle, options: SyncOptions): Promise<[Row | null, boolean | Row]>;

  /**
   * Deletes the rows matching any of `rows` on `columns`. No columns deletes every row; no
   * rows (with columns) deletes nothing.
   *
   * @returns the number of rows deleted.
   */
  abstract delete(
    table: TableHandle,
    columns: readonly string[],
    rows: readonly Row[],
  ): Promise<number>;

  /** Deletes the rows matching `where`; returns how many. */
  abstract deleteWhere(table: TableHandle, where: Where): Promise<number>;

  /**
   * Updates rows one at a time: `where` maps a column to the key in each row holding the
   * value to match; every other key of a row is a column to set.
   *
   * @returns the number of rows matched.
   */
  abstract update(
    table: TableHandle,
    where: Readonly<Record<string, string>>,
    rows: readonly Row[],
  ): Promise<number>;

  /** Streams the rows of a SELECT, decoded by column type. Does not open a transaction. */
  abstract query(select: SelectQuery): AsyncIterable<Row>;

  /** The rows of a SELECT, as an array. */
  async select(query: SelectQuery): Promise<Row[]> {
    const rows: Row[] = [];
    for await (const row of this.query(query)) rows.push(row);
    return rows;
  }

  /** The rows of one table matching `where`, typed by the table's spec. */
  abstract fetch<S extends TableSpec>(
    table: TableHandle<S>,
    options?: FetchOptions,
  ): Promise<RowOf<S>[]>;

  /**
   * The rows of one table matching `where`, in batches of at most `batchSize` rows (default
   * 10 000), read from the database as they are consumed, so that memory does not grow with
   * the table. This default reads everything with `fetch` and yields it as one batch; the SQL
   * databases stream (SQLite in pages by row id, PostgreSQL through a cursor). Breaking out of
   * the loop releases what the stream holds.
   */
  async *fetchBatches<S extends TableSpec>(
    table: TableHandle<S>,
    options: { readonly where?: Where; readonly batchSize?: number } = {},
  ): AsyncIterable<RowOf<S>[]> {
    const rows = await this.fetch(
      table,
      options.where === undefined ? {} : { where: options.where },
    );
    if (rows.length > 0) yield rows;
  }

  /** The number of rows of one table matching `where`. */
  abstract count(table: TableHandle, where?: Where): Promise<number>;

  /**
   * Runs `body` with a temporary table made from `spec`, writeable even on a read-only
   * database, gone after the body.
   *
   * @throws `ReadOnlyDatabaseError` when temporary tables are disabled.
   */
  abstract temporaryTable<T>(
    spec: TableSpec,
    body: (table: TableHandle) => Promise<T>,
    name?: string,
  ): Promise<T>;

  /** Whether `temporaryTable()` is allowed. */
  abstract readonly supportsTemporaryTables: boolean;

  /** Whether `SelectQuery.distinctOn` works (PostgreSQL). */
  abstract readonly hasDistinctOn: boolean;

  /** Whether the `anyValue` aggregate works (SQLite; PostgreSQL ≥ 16). */
  abstract readonly hasAnyAggregate: boolean;
}
