import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import {
  ColumnValueError,
  UnknownColumnError,
  getField,
  primaryKeyColumns,
  rowChecker,
  validateIdentifier,
} from '@butler-ts/ddl';
import type { FieldSpec, InsertRowOf, RowOf, TableSpec } from '@butler-ts/ddl';
import {
  Database,
  DatabaseConflictError,
  DatabaseLogicError,
  DatabaseRuntimeError,
  ConflictingDefinitionError,
  IntegrityError,
  InvalidArgumentError,
  MissingTableError,
  NotSupportedError,
  ReadOnlyDatabaseError,
  SchemaAlreadyDefinedError,
  aggregate,
  col,
  whereOf,
} from '@butler-ts/registry-interfaces';
import type {
  FetchOptions,
  IntegrityKind,
  Row,
  SelectQuery,
  StaticTablesContext,
  SyncOptions,
  TableHandle,
  TransactionOptions,
  Where,
} from '@butler-ts/registry-interfaces';
import type BetterSqlite3 from 'better-sqlite3';
import type { SQL } from 'drizzle-orm';
import { sql } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { QueryCompiler } from '../query-compiler.ts';
import type { OutputColumn, SqlDialect } from '../query-compiler.ts';
import { encodeSqlite, sqliteDecoder } from './sqlite-codec.ts';
import { quote, sqliteCreateTable } from './sqlite-ddl.ts';

type Client = BetterSqlite3.Database;
type Statement = BetterSqlite3.Statement;

/** Options of {@link SqliteDatabase.fromUri}. */
export interface SqliteOptions {
  /** Default for autoincrement `origin` columns. Default 0. */
  readonly origin?: number;
  /** Only `null` or `"main"`: SQLite keeps one namespace per file. */
  readonly namespace?: string | null;
  /** Default true. A read-only database opens the file read-only and refuses every write. */
  readonly writeable?: boolean;
  /** Default true. */
  readonly allowTemporaryTables?: boolean;
  /** How long to wait for another process's write lock, in ms. Default 300 000 (Python's). */
  readonly busyTimeout?: number;
}

// One lock per SQLite file in this process: every Database on the file (clones share the
// connection, read-only views have their own) serialises its transactions through it, because
// better-sqlite3 is synchronous and a second connection waiting for the write lock would block
// the event loop that the first needs to finish.
interface FileLock {
  tail: Promise<void>;
  readonly als: AsyncLocalStorage<TxState>;
}

interface TxState {
  active: boolean;
  readonly client: Client;
  readonly inSavepoint: boolean;
  readonly counter: { n: number };
}

const fileLocks = new Map<string, FileLock>();

function newLock(): FileLock {
  return { tail: Promise.resolve(), als: new AsyncLocalStorage<TxState>() };
}

async function acquire(lock: FileLock): Promise<() => void> {
  let release!: () => void;
  const next = new Promise<void>((resolve) => (release = resolve));
  const previous = lock.tail;
  lock.tail = previous.then(() => next);
  await previous;
  return release;
}

/** A table handle of a SQLite database. */
interface SqliteTable<S extends TableSpec = TableSpec> extends TableHandle<S> {
  readonly temporary: boolean;
  readonly quoted: string;
}

/**
 * An open SQLite connection with its lock and table definitions, shared by a database and its
 * clones. Opaque: only `SqliteDatabase.fromUri`/`fromFile` make one.
 */
export interface SqliteConnection {
  readonly [connectionBrand]: true;
}
declare const connectionBrand: unique symbol;

interface Shared {
  readonly client: Client;
  readonly lock: FileLock;
  refs: number;
  /** Table definitions; `null` until static tables are declared. */
  tables: Map<string, SqliteTable> | null;
  readonly statements: Map<string, Statement>;
}

const dialect = new SQLiteSyncDialect();

const sqliteSql: SqlDialect = {
  encode: encodeSqlite,
  tableRef: (name) => sql`${sql.identifier(name)}`,
  // GLOB is case-sensitive and can use an index; *, ? and [ are bracketed to match themselves.
  startsWith: (expr, prefix) =>
    sql`(${expr} GLOB ${`${prefix.replace(/[*?[]/g, (c) => `[${c}]`)}*`})`,
  typedParam: (_field, encoded) => sql`${encoded}`,
  anyValue: 'max',
  hasDistinctOn: false,
};

function integrityKind(code: string): IntegrityKind {
  if (code.endsWith('PRIMARYKEY') || code.endsWith('ROWID')) return 'primaryKey';
  if (code.endsWith('UNIQUE')) return 'unique';
  if (code.endsWith('FOREIGNKEY')) return 'foreignKey';
  if (code.endsWith('NOTNULL')) return 'notNull';
  if (code.endsWith('CHECK')) return 'check';
  return 'unknown';
}

function translate(table: string, error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT')) {
    return new IntegrityError(table, integrityKind(code), `${table}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return error;
}

function parseUri(uri: string): { filename: string | null } {
  if (!uri.startsWith('sqlite:'))
    throw new InvalidArgumentError(`Not a SQLite URI: ${JSON.stringify(uri)}`);
  const rest = uri.slice('sqlite:'.length);
  const [pathPart = '', query = ''] = rest.split('?', 2);
  const params = new URLSearchParams(query);
  if (params.get('uri') === 'true') {
    throw new NotSupportedError(`SQLite URIs inside connection URLs are not supported: ${uri}`);
  }
  for (const key of params.keys()) {
    if (key !== 'uri')
      throw new InvalidArgumentError(
        `Unknown SQLite URI parameter ${JSON.stringify(key)} in ${uri}`,
      );
  }
  if (pathPart === '' || pathPart === '//') return { filename: null };
  if (!pathPart.startsWith('///'))
    throw new InvalidArgumentError(
      `A SQLite URI is sqlite:///<path> or sqlite://, got ${JSON.stringify(uri)}`,
    );
  const path = pathPart.slice(3);
  // As in SQLAlchemy: sqlite:///rel.db is relative, sqlite:////abs.db absolute.
  return { filename: path === '' || path === ':memory:' ? null : resolvePath(path) };
}

/**
 * The registry database on SQLite, through better-sqlite3 and drizzle.
 *
 * Files use WAL and a busy timeout, so several processes can share one; foreign keys are on.
 * All access is serialised through one async queue per file, with `BEGIN IMMEDIATE` /
 * `SAVEPOINT` nesting issued here (drizzle's better-sqlite3 transactions cannot take async
 * callbacks). Each write is atomic: inside a caller's transaction it runs in its own
 * savepoint, so a failed write leaves nothing behind even when the caller catches the error.
 *
 * @example
 * ```ts
 * const db = await SqliteDatabase.fromUri('sqlite:////tmp/registry.sqlite3');
 * await db.declareStaticTables({ create: true }, (ctx) => {
 *   ctx.addTable('runs', tableSpec({ fields: [{ name: 'name', dtype: 'string', length: 32, primaryKey: true }] }));
 * });
 * ```
 */
export class SqliteDatabase extends Database {
  override readonly origin: number;
  override readonly namespace: string | null;
  override readonly dialect = 'sqlite' as const;
  override readonly hasDistinctOn = false;
  override readonly hasAnyAggregate = true;
  override readonly supportsTemporaryTables: boolean;
  /** The absolute path of the file, or `null` in memory. */
  readonly filename: string | null;
  readonly #writeable: boolean;
  readonly #shared: Shared;
  readonly #temp = new Map<string, SqliteTable>();
  readonly #compiler = new QueryCompiler(sqliteSql);
  readonly #options: SqliteOptions;

  /** Use {@link SqliteDatabase.fromUri} or {@link SqliteDatabase.fromFile}; subclasses pass the connection through. */
  constructor(connection: SqliteConnection, filename: string | null, options: SqliteOptions) {
    super();
    this.#shared = connection as unknown as Shared;
    this.filename = filename;
    this.origin = options.origin ?? 0;
    this.namespace = options.namespace ?? null;
    this.#writeable = options.writeable ?? true;
    this.supportsTemporaryTables = options.allowTemporaryTables ?? true;
    this.#options = options;
  }

  /**
   * Opens `sqlite:///<path>` (a file; `sqlite:////abs/path` for an absolute path) or
   * `sqlite://` (a new in-memory database).
   *
   * @throws {@link NotSupportedError} for a `uri=true` URL, a read-only in-memory database or a
   *   namespace other than `main`; {@link InvalidArgumentError} for a malformed URI.
   */
  static async fromUri<T extends SqliteDatabase>(
    this: new (connection: SqliteConnection, filename: string | null, options: SqliteOptions) => T,
    uri: string,
    options: SqliteOptions = {},
  ): Promise<T> {
    const { filename } = parseUri(uri);
    return SqliteDatabase.#open(this, filename, options);
  }

  /** Opens a file by path, or memory with `null`. */
  static async fromFile<T extends SqliteDatabase>(
    this: new (connection: SqliteConnection, filename: string | null, options: SqliteOptions) => T,
    filename: string | null,
    options: SqliteOptions = {},
  ): Promise<T> {
    return SqliteDatabase.#open(this, filename === null ? null : resolvePath(filename), options);
  }

  /** The default registry URI under `root`: `sqlite:///<root>/gen3.sqlite3`. */
  static makeDefaultUri(root: string): string {
    return `sqlite:///${resolvePath(root, 'gen3.sqlite3')}`;
  }

  static async #open<T extends SqliteDatabase>(
    cls: new (connection: SqliteConnection, filename: string | null, options: SqliteOptions) => T,
    filename: string | null,
    options: SqliteOptions,
  ): Promise<T> {
    const writeable = options.writeable ?? true;
    if (filename === null && !writeable)
      throw new NotSupportedError('Read-only in-memory SQLite databases are not supported');
    if (
      options.namespace !== undefined &&
      options.namespace !== null &&
      options.namespace !== 'main'
    ) {
      throw new NotSupportedError(
        `SQLite has no namespace ${JSON.stringify(options.namespace)}; use null`,
      );
    }
    const { default: Driver } = await import('better-sqlite3');
    const client = new Driver(filename ?? ':memory:', {
      readonly: !writeable,
      fileMustExist: !writeable,
    });
    client.pragma('foreign_keys = ON');
    client.pragma(`busy_timeout = ${options.busyTimeout ?? 300_000}`);
    if (filename !== null && writeable) client.pragma('journal_mode = WAL');
    let lock = newLock();
    let real = filename;
    if (filename !== null) {
      real = realpathSync(filename);
      lock = fileLocks.get(real) ?? newLock();
      fileLocks.set(real, lock);
    }
    const shared: Shared = { client, lock, refs: 1, tables: null, statements: new Map() };
    return new cls(shared as unknown as SqliteConnection, real, options);
  }

  override isWriteable(): boolean {
    return this.#writeable;
  }

  override toString(): string {
    return `SQLite3@${this.filename ?? ':memory:'}`;
  }

  override describe(): string {
    return `SqliteDatabase("sqlite://${this.filename === null ? '' : `/${this.filename}`}")`;
  }

  /**
   * A new Database on the same connection and table definitions. With `writeable: false` it is
   * a read-only view (the only way to have one on an in-memory database).
   *
   * @throws {@link InvalidArgumentError} when asked to make a read-only database writeable.
   */
  override clone(options: { readonly writeable?: boolean } = {}): SqliteDatabase {
    const writeable = options.writeable ?? this.#writeable;
    return this.cloneAs(this.constructor as typeof SqliteDatabase, { writeable });
  }

  /**
   * {@link SqliteDatabase.clone} as an instance of a subclass (tests and plugins that
   * override protected hooks).
   */
  cloneAs<T extends SqliteDatabase>(
    cls: abstract new (
      connection: SqliteConnection,
      filename: string | null,
      options: SqliteOptions,
    ) => T,
    options: { readonly writeable?: boolean } = {},
  ): T {
    const writeable = options.writeable ?? this.#writeable;
    if (writeable && !this.#writeable)
      throw new InvalidArgumentError('A clone of a read-only database cannot be writeable');
    this.#shared.refs += 1;
    return new (
      cls as unknown as new (
        connection: SqliteConnection,
        filename: string | null,
        options: SqliteOptions,
      ) => T
    )(this.#shared as unknown as SqliteConnection, this.filename, {
      ...this.#options,
      writeable,
    });
  }

  override close(): Promise<void> {
    this.#shared.refs -= 1;
    if (this.#shared.refs === 0 && this.#shared.client.open) this.#shared.client.close();
    return Promise.resolve();
  }

  // ---- connection, statements, transactions -------------------------------------------

  get #client(): Client {
    return this.#shared.client;
  }

  #state(): TxState | undefined {
    const state = this.#shared.lock.als.getStore();
    if (state === undefined || !state.active) return undefined;
    if (state.client !== this.#client) {
      throw new DatabaseLogicError(
        'Another connection to this SQLite file is inside a transaction in this context; use the same Database (or a clone)',
      );
    }
    return state;
  }

  #prepare(text: string): Statement {
    const cache = this.#shared.statements;
    let stmt = cache.get(text);
    if (stmt === undefined) {
      stmt = this.#client.prepare(text);
      if (cache.size >= 500) cache.delete(cache.keys().next().value!);
      cache.set(text, stmt);
    }
    return stmt;
  }

  #render(query: SQL): { text: string; params: unknown[] } {
    const rendered = dialect.sqlToQuery(query);
    return { text: rendered.sql, params: rendered.params };
  }

  override isInTransaction(): boolean {
    return this.#state() !== undefined;
  }

  override async transaction<T>(
    body: () => Promise<T>,
    options: TransactionOptions = {},
  ): Promise<T> {
    const state = this.#state();
    if (state !== undefined) {
      if (options.interrupting === true)
        throw new DatabaseLogicError(
          'Logic error in transaction nesting: an interrupting transaction inside another',
        );
      if (options.savepoint !== true && !state.inSavepoint) return body();
      const name = `sp_${++state.counter.n}`;
      this.#client.exec(`SAVEPOINT ${name}`);
      try {
        const result = await this.#shared.lock.als.run({ ...state, inSavepoint: true }, body);
        this.#client.exec(`RELEASE ${name}`);
        return result;
      } catch (error) {
        this.#client.exec(`ROLLBACK TO ${name}`);
        this.#client.exec(`RELEASE ${name}`);
        throw error;
      }
    }
    const release = await acquire(this.#shared.lock);
    const fresh: TxState = {
      active: true,
      client: this.#client,
      inSavepoint: false,
      counter: { n: 0 },
    };
    try {
      this.#client.exec(this.#writeable ? 'BEGIN IMMEDIATE' : 'BEGIN');
      let result: T;
      try {
        result = await this.#shared.lock.als.run(fresh, body);
      } catch (error) {
        if (this.#client.inTransaction) this.#client.exec('ROLLBACK');
        throw error;
      }
      this.#client.exec('COMMIT');
      return result;
    } finally {
      fresh.active = false;
      release();
    }
  }

  /** Runs a synchronous read on the connection, waiting for other contexts' transactions. */
  async #read<T>(fn: () => T): Promise<T> {
    if (this.#state() !== undefined) return fn();
    const release = await acquire(this.#shared.lock);
    try {
      return fn();
    } finally {
      release();
    }
  }

  /** Runs a synchronous write atomically: its own transaction, or a savepoint inside one. */
  async #write<T>(table: string, fn: () => T): Promise<T> {
    const run = () => {
      try {
        return this.#client.transaction(fn).immediate();
      } catch (error) {
        throw translate(table, error);
      }
    };
    if (this.#state() !== undefined) return run();
    const release = await acquire(this.#shared.lock);
    try {
      return run();
    } finally {
      release();
    }
  }

  // ---- tables --------------------------------------------------------------------------

  #tables(): Map<string, SqliteTable> {
    const tables = this.#shared.tables;
    if (tables === null)
      throw new DatabaseLogicError(
        'Static tables must be declared before dynamic or temporary tables are used',
      );
    return tables;
  }

  #table<S extends TableSpec>(handle: TableHandle<S>): SqliteTable<S> {
    const known = this.#temp.get(handle.name) ?? this.#shared.tables?.get(handle.name);
    if (known === undefined)
      throw new MissingTableError(
        handle.name,
        `Table ${handle.name} is not known to ${this.toString()}`,
      );
    return known as SqliteTable<S>;
  }

  #checkWriteable(table: SqliteTable, verb: string): void {
    if (!this.#writeable && !table.temporary) {
      throw new ReadOnlyDatabaseError(
        `Cannot ${verb} read-only table ${table.name} of ${this.toString()}`,
      );
    }
  }

  #makeHandle<S extends TableSpec>(name: string, spec: S, temporary = false): SqliteTable<S> {
    validateIdentifier(name, 'table');
    return Object.freeze({ name, spec, temporary, quoted: quote(name) });
  }

  /**
   * The column names of an existing table, or `null` when it does not exist. Protected so a
   * test can simulate a table created concurrently by another client.
   */
  protected inspectColumns(name: string): string[] | null {
    const rows = this.#client.prepare(`PRAGMA table_info(${quote(name)})`).all() as {
      name: string;
    }[];
    return rows.length === 0 ? null : rows.map((r) => r.name);
  }

  override async tableNames(): Promise<Set<string>> {
    return this.#read(() => {
      const rows = this.#prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
      ).all() as { name: string }[];
      return new Set(rows.map((r) => r.name));
    });
  }

  override async declareStaticTables(
    options: { readonly create: boolean },
    body: (context: StaticTablesContext) => void | Promise<void>,
  ): Promise<void> {
    let create = options.create;
    if (create && !this.#writeable)
      throw new ReadOnlyDatabaseError(
        `Cannot create tables in read-only database ${this.toString()}`,
      );
    const tables = new Map<string, SqliteTable>();
    this.#shared.tables = tables;
    const initializers: ((db: Database) => Promise<void> | void)[] = [];
    const context: StaticTablesContext = {
      addTable: <S extends TableSpec>(name: string, spec: S) => {
        const existing = tables.get(name);
        if (existing !== undefined) return existing as never;
        const handle = this.#makeHandle(name, spec);
        tables.set(name, handle);
        return handle;
      },
      addTableTuple: <T extends Readonly<Record<string, TableSpec>>>(specs: T) =>
        Object.fromEntries(
          Object.entries(specs).map(([name, spec]) => [name, context.addTable(name, spec)]),
        ) as never,
      addInitializer: (init) => {
        initializers.push(init);
      },
    };
    try {
      const existing = await this.tableNames();
      // A fresh in-memory database has no schema to declare against: create it.
      if (this.filename === null && this.#writeable && existing.size === 0) create = true;
      if (create && existing.size > 0) {
        throw new SchemaAlreadyDefinedError(
          `Cannot create the static schema: ${this.toString()} already has tables (${[...existing].sort().join(', ')})`,
        );
      }
      await body(context);
      if (create) {
        await this.transaction(async () => {
          for (const table of tables.values()) {
            if (existing.has(table.name)) continue;
            for (const statement of sqliteCreateTable(table.name, table.spec))
              this.#client.exec(statement);
          }
          for (const init of initializers) await init(this);
        });
      }
    } catch (error) {
      this.#shared.tables = null;
      throw error;
    }
  }

  #compareColumns(name: string, spec: TableSpec, columns: readonly string[], where: string): void {
    const wanted = new Set(spec.fields.map((f) => f.name));
    if (wanted.size !== columns.length || !columns.every((c) => wanted.has(c))) {
      throw new DatabaseConflictError(
        name,
        `Table ${name} ${where}: new columns [${[...wanted].join(', ')}], previous [${columns.join(', ')}]`,
      );
    }
  }

  override async getExistingTable<S extends TableSpec>(
    name: string,
    spec: S,
  ): Promise<TableHandle<S> | null> {
    validateIdentifier(name, 'table');
    const tables = this.#tables();
    const known = tables.get(name);
    if (known !== undefined) {
      this.#compareColumns(
        name,
        spec,
        known.spec.fields.map((f) => f.name),
        'has already been defined differently',
      );
      return known as SqliteTable<S>;
    }
    const columns = await this.#read(() => this.inspectColumns(name));
    if (columns === null) return null;
    this.#compareColumns(name, spec, columns, 'exists but is defined differently in the database');
    const handle = this.#makeHandle(name, spec);
    tables.set(name, handle);
    return handle;
  }

  override async ensureTableExists<S extends TableSpec>(
    name: string,
    spec: S,
  ): Promise<TableHandle<S>> {
    if (this.isInTransaction())
      throw new DatabaseLogicError(`Table ${name} cannot be created inside a transaction`);
    const existing = await this.getExistingTable(name, spec);
    if (existing !== null) return existing;
    if (!this.#writeable)
      throw new ReadOnlyDatabaseError(
        `Table ${name} does not exist and cannot be created in read-only database ${this.toString()}`,
      );
    const statements = sqliteCreateTable(name, spec);
    try {
      await this.transaction(async () => {
        for (const statement of statements) this.#client.exec(statement);
        await Promise.resolve();
      });
    } catch (error) {
      // Another client may have created the table since we looked.
      const columns = await this.#read(() => this.inspectColumns(name));
      if (columns === null) throw error;
      this.#compareColumns(
        name,
        spec,
        columns,
        'exists but is defined differently in the database',
      );
    }
    const handle = this.#makeHandle(name, spec);
    this.#tables().set(name, handle);
    return handle;
  }

  // ---- writes --------------------------------------------------------------------------

  #encodeRow(
    table: SqliteTable,
    row: Record<string, unknown>,
    columns: readonly string[],
  ): unknown[] {
    return columns.map((c) => encodeSqlite(getField(table.spec, c)!, row[c]));
  }

  #groupByColumns(
    rows: readonly Record<string, unknown>[],
  ): Map<string, { columns: string[]; rows: Record<string, unknown>[] }> {
    const groups = new Map<string, { columns: string[]; rows: Record<string, unknown>[] }>();
    for (const row of rows) {
      const columns = Object.keys(row);
      const key = columns.join('\u0000');
      let group = groups.get(key);
      if (group === undefined) groups.set(key, (group = { columns, rows: [] }));
      group.rows.push(row);
    }
    return groups;
  }

  #insertText(table: SqliteTable, columns: readonly string[], suffix = ''): string {
    if (columns.length === 0) return `INSERT INTO ${table.quoted} DEFAULT VALUES${suffix}`;
    return `INSERT INTO ${table.quoted} (${columns.map(quote).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})${suffix}`;
  }

  #checkRows(table: SqliteTable, rows: readonly unknown[]): Record<string, unknown>[] {
    if (!Array.isArray(rows))
      throw new InvalidArgumentError(`Rows for ${table.name} must be an array`);
    const check = rowChecker(table.name, table.spec);
    return rows.map((row) => check(row, 'insert'));
  }

  override insert<S extends TableSpec>(
    table: TableHandle<S>,
    rows: readonly InsertRowOf<S>[],
    options?: { readonly returnIds?: false },
  ): Promise<null>;
  override insert<S extends TableSpec>(
    table: TableHandle<S>,
    rows: readonly InsertRowOf<S>[],
    options: { readonly returnIds: true },
  ): Promise<number[]>;
  override async insert<S extends TableSpec>(
    handle: TableHandle<S>,
    rows: readonly InsertRowOf<S>[],
    options: { readonly returnIds?: boolean } = {},
  ): Promise<number[] | null> {
    const table = this.#table(handle);
    this.#checkWriteable(table, 'insert into');
    const checked = this.#checkRows(table, rows);
    const returnIds = options.returnIds === true;
    if (checked.length === 0) return returnIds ? [] : null;
    if (returnIds) {
      const pk = primaryKeyColumns(table.spec)[0];
      if (pk === undefined)
        throw new InvalidArgumentError(`Table ${table.name} has no primary key to return`);
      return this.#write(table.name, () =>
        checked.map((row) => {
          const columns = Object.keys(row);
          const stmt = this.#prepare(this.#insertText(table, columns, ` RETURNING ${quote(pk)}`));
          const out = stmt.get(this.#encodeRow(table, row, columns)) as Record<string, unknown>;
          return Number(out[pk]);
        }),
      );
    }
    await this.#write(table.name, () => {
      for (const group of this.#groupByColumns(checked).values()) {
        const stmt = this.#prepare(this.#insertText(table, group.columns));
        for (const row of group.rows) stmt.run(this.#encodeRow(table, row, group.columns));
      }
    });
    return null;
  }

  override async insertSelect(
    handle: TableHandle,
    select: SelectQuery,
    names?: readonly string[],
  ): Promise<void> {
    const table = this.#table(handle);
    this.#checkWriteable(table, 'insert into');
    const compiled = this.#compiler.compileSelect(select);
    const columns = names ?? compiled.outputs.map((o) => o.label);
    for (const column of columns) {
      if (getField(table.spec, column) === undefined)
        throw new UnknownColumnError(
          table.name,
          column,
          table.spec.fields.map((f) => f.name),
        );
    }
    const { text, params } = this.#render(compiled.sql);
    await this.#write(table.name, () =>
      this.#prepare(`INSERT INTO ${table.quoted} (${columns.map(quote).join(', ')}) ${text}`).run(
        params,
      ),
    );
  }

  override async ensure<S extends TableSpec>(
    handle: TableHandle<S>,
    rows: readonly InsertRowOf<S>[],
    options: { readonly primaryKeyOnly?: boolean } = {},
  ): Promise<number> {
    const table = this.#table(handle);
    this.#checkWriteable(table, 'ensure into');
    const checked = this.#checkRows(table, rows);
    if (checked.length === 0) return 0;
    const target =
      options.primaryKeyOnly === true
        ? ` (${primaryKeyColumns(table.spec).map(quote).join(', ')})`
        : '';
    return this.#write(table.name, () => {
      let inserted = 0;
      for (const group of this.#groupByColumns(checked).values()) {
        const stmt = this.#prepare(
          this.#insertText(table, group.columns, ` ON CONFLICT${target} DO NOTHING`),
        );
        for (const row of group.rows)
          inserted += stmt.run(this.#encodeRow(table, row, group.columns)).changes;
      }
      return inserted;
    });
  }

  override async replace<S extends TableSpec>(
    handle: TableHandle<S>,
    rows: readonly InsertRowOf<S>[],
  ): Promise<void> {
    const table = this.#table(handle);
    this.#checkWriteable(table, 'replace into');
    const checked = this.#checkRows(table, rows);
    if (checked.length === 0) return;
    const pk = primaryKeyColumns(table.spec);
    const others = table.spec.fields.filter((f) => !f.primaryKey).map((f) => f.name);
    if (others.length === 0 || pk.length === 0) {
      await this.ensure(handle, rows);
      return;
    }
    const update = others.map((c) => `${quote(c)} = excluded.${quote(c)}`).join(', ');
    const suffix = ` ON CONFLICT (${pk.map(quote).join(', ')}) DO UPDATE SET ${update}`;
    await this.#write(table.name, () => {
      for (const group of this.#groupByColumns(checked).values()) {
        const stmt = this.#prepare(this.#insertText(table, group.columns, suffix));
        for (const row of group.rows) stmt.run(this.#encodeRow(table, row, group.columns));
      }
    });
  }

  override async sync(
    handle: TableHandle,
    options: SyncOptions,
  ): Promise<[Row | null, boolean | Row]> {
    const table = this.#table(handle);
    const check = rowChecker(table.name, table.spec);
    const keys = check(options.keys, 'partial');
    const compared = check(options.compared ?? {}, 'partial');
    const extra = check(options.extra ?? {}, 'partial');
    const returning = options.returning ?? null;
    for (const column of returning ?? []) {
      if (getField(table.spec, column) === undefined)
        throw new UnknownColumnError(
          table.name,
          column,
          table.spec.fields.map((f) => f.name),
        );
    }
    const keyColumns = Object.keys(keys);
    if (keyColumns.length === 0)
      throw new InvalidArgumentError(`sync on ${table.name} needs at least one key`);
    const selected = [...new Set([...Object.keys(compared), ...(returning ?? [])])];
    if (selected.length === 0) selected.push(keyColumns[0]!);
    const lookup = async (): Promise<Row> => {
      const found = await this.select({
        from: [{ source: table }],
        columns: Object.fromEntries(selected.map((c) => [c, col(c)])),
        where: whereOf(keys),
      });
      if (found.length > 1)
        throw new DatabaseRuntimeError(
          `sync on ${table.name}: keys ${JSON.stringify(keys)} match ${found.length} rows; they must identify one`,
        );
      if (found.length === 0) {
        if (!this.#writeable && !table.temporary)
          throw new ReadOnlyDatabaseError(
            `sync needs to insert into read-only table ${table.name}`,
          );
        throw new ConflictingDefinitionError(
          `sync on ${table.name}: the row with keys ${JSON.stringify(keys)} was not found after insert-or-ignore`,
        );
      }
      return found[0]!;
    };
    const differences = (existing: Row): Row => {
      const diff: Row = {};
      for (const [column, value] of Object.entries(compared)) {
        if (!valuesEqual(getField(table.spec, column)!, existing[column], value))
          diff[column] = existing[column];
      }
      return diff;
    };
    const result = (existing: Row): Row | null =>
      returning === null ? null : Object.fromEntries(returning.map((c) => [c, existing[c]]));
    const describe = (diff: Row) =>
      Object.entries(diff)
        .map(([c, old]) => `${c}: ${JSON.stringify(old)} != ${JSON.stringify(compared[c])}`)
        .join(', ');
    if (!this.#writeable && !table.temporary) {
      const existing = await lookup();
      const diff = differences(existing);
      if (Object.keys(diff).length > 0) {
        if (options.update === true)
          throw new ReadOnlyDatabaseError(`sync needs to update read-only table ${table.name}`);
        throw new DatabaseConflictError(
          table.name,
          `Conflict in sync for table ${table.name} on column(s) ${describe(diff)}`,
        );
      }
      return [result(existing), false];
    }
    return this.transaction(async () => {
      const inserted =
        (await this.ensure(table, [{ ...keys, ...compared, ...extra }] as never)) > 0;
      const existing = await lookup();
      const diff = differences(existing);
      if (Object.keys(diff).length === 0) return [result(existing), inserted];
      if (inserted)
        throw new DatabaseRuntimeError(
          `sync on ${table.name}: conflict right after a successful insert (${describe(diff)})`,
        );
      if (options.update !== true) {
        throw new DatabaseConflictError(
          table.name,
          `Conflict in sync for table ${table.name} on column(s) ${describe(diff)}`,
        );
      }
      const changes = Object.fromEntries(Object.keys(diff).map((c) => [c, compared[c]]));
      await this.#updateRows(table, keys, changes);
      const updated = result({ ...existing, ...changes });
      return [updated, diff];
    });
  }

  async #updateRows(table: SqliteTable, keys: Row, changes: Row): Promise<number> {
    const where = this.#compiler.compileWhere(table, whereOf(keys));
    const sets = Object.entries(changes).map(
      ([c, v]) => sql`${sql.identifier(c)} = ${encodeSqlite(getField(table.spec, c)!, v)}`,
    );
    const { text, params } = this.#render(
      sql`UPDATE ${sql.identifier(table.name)} SET ${sql.join(sets, sql`, `)} WHERE ${where}`,
    );
    return this.#write(table.name, () => this.#prepare(text).run(params).changes);
  }

  override async delete(
    handle: TableHandle,
    columns: readonly string[],
    rows: readonly Row[],
  ): Promise<number> {
    const table = this.#table(handle);
    this.#checkWriteable(table, 'delete from');
    const check = rowChecker(table.name, table.spec);
    for (const column of columns) {
      if (getField(table.spec, column) === undefined)
        throw new UnknownColumnError(
          table.name,
          column,
          table.spec.fields.map((f) => f.name),
        );
    }
    if (columns.length === 0)
      return this.#write(
        table.name,
        () => this.#prepare(`DELETE FROM ${table.quoted}`).run().changes,
      );
    if (rows.length === 0) return 0;
    const checked = rows.map((row) => {
      const out = check(row, 'partial');
      for (const column of columns) {
        if (!(column in out))
          throw new ColumnValueError(
            table.name,
            column,
            undefined,
            'every row of a delete needs each listed column',
          );
      }
      return out;
    });
    // Distinct values per column: one varying column takes the IN-list path.
    const distinct = new Map<string, Map<string, unknown>>(columns.map((c) => [c, new Map()]));
    for (const row of checked) {
      for (const column of columns) distinct.get(column)!.set(stableKey(row[column]), row[column]);
    }
    const varying = columns.filter((c) => distinct.get(c)!.size > 1);
    return this.#write(table.name, () => {
      let count = 0;
      if (columns.length === 1 || varying.length === 1) {
        const changing = columns.length === 1 ? columns[0]! : varying[0]!;
        const fixed = columns.filter((c) => c !== changing);
        const fixedRow = checked[0]!;
        const values = [...distinct.get(changing)!.values()];
        const fixedParams = fixed.map((c) => encodeSqlite(getField(table.spec, c)!, fixedRow[c]));
        const fixedSql = fixed
          .map((c) => (fixedRow[c] === null ? `${quote(c)} IS NULL AND ` : `${quote(c)} = ? AND `))
          .join('');
        const nonNullFixed = fixedParams.filter((_, i) => fixedRow[fixed[i]!] !== null);
        const field = getField(table.spec, changing)!;
        const nonNull = values.filter((v) => v !== null);
        for (let i = 0; i < nonNull.length; i += 1000) {
          const chunk = nonNull.slice(i, i + 1000);
          const text = `DELETE FROM ${table.quoted} WHERE ${fixedSql}${quote(changing)} IN (${chunk.map(() => '?').join(', ')})`;
          count += this.#prepare(text).run([
            ...nonNullFixed,
            ...chunk.map((v) => encodeSqlite(field, v)),
          ]).changes;
        }
        if (nonNull.length !== values.length) {
          count += this.#prepare(
            `DELETE FROM ${table.quoted} WHERE ${fixedSql}${quote(changing)} IS NULL`,
          ).run(nonNullFixed).changes;
        }
        return count;
      }
      for (const row of checked) {
        const text = `DELETE FROM ${table.quoted} WHERE ${columns.map((c) => (row[c] === null ? `${quote(c)} IS NULL` : `${quote(c)} = ?`)).join(' AND ')}`;
        const params = columns
          .filter((c) => row[c] !== null)
          .map((c) => encodeSqlite(getField(table.spec, c)!, row[c]));
        count += this.#prepare(text).run(params).changes;
      }
      return count;
    });
  }

  override async deleteWhere(handle: TableHandle, where: Where): Promise<number> {
    const table = this.#table(handle);
    this.#checkWriteable(table, 'delete from');
    const { text, params } = this.#render(
      sql`DELETE FROM ${sql.identifier(table.name)} WHERE ${this.#compiler.compileWhere(table, whereOf(where))}`,
    );
    return this.#write(table.name, () => this.#prepare(text).run(params).changes);
  }

  override async update(
    handle: TableHandle,
    where: Readonly<Record<string, string>>,
    rows: readonly Row[],
  ): Promise<number> {
    const table = this.#table(handle);
    this.#checkWriteable(table, 'update');
    const check = rowChecker(table.name, table.spec);
    for (const column of Object.keys(where)) {
      if (getField(table.spec, column) === undefined)
        throw new UnknownColumnError(
          table.name,
          column,
          table.spec.fields.map((f) => f.name),
        );
    }
    const bindKeys = new Set(Object.values(where));
    const prepared = rows.map((row) => {
      const keys: Row = {};
      const sets: Row = {};
      for (const [key, value] of Object.entries(row)) if (!bindKeys.has(key)) sets[key] = value;
      for (const [column, key] of Object.entries(where)) {
        if (!(key in row))
          throw new InvalidArgumentError(
            `update on ${table.name}: a row lacks the key ${JSON.stringify(key)} for column ${column}`,
          );
        keys[column] = row[key];
      }
      return { keys: check(keys, 'partial'), sets: check(sets, 'partial') };
    });
    if (prepared.length === 0) return 0;
    return this.#write(table.name, () => {
      let matched = 0;
      for (const { keys, sets } of prepared) {
        const setSql = Object.keys(sets).map((c) => `${quote(c)} = ?`);
        const whereSql = Object.keys(keys).map((c) =>
          keys[c] === null ? `${quote(c)} IS NULL` : `${quote(c)} = ?`,
        );
        if (setSql.length === 0) continue;
        const text = `UPDATE ${table.quoted} SET ${setSql.join(', ')} WHERE ${whereSql.join(' AND ') || '1 = 1'}`;
        const params = [
          ...Object.entries(sets).map(([c, v]) => encodeSqlite(getField(table.spec, c)!, v)),
          ...Object.entries(keys)
            .filter(([, v]) => v !== null)
            .map(([c, v]) => encodeSqlite(getField(table.spec, c)!, v)),
        ];
        matched += this.#prepare(text).run(params).changes;
      }
      return matched;
    });
  }

  // ---- reads ---------------------------------------------------------------------------

  #runSelect(compiled: { sql: SQL; outputs: OutputColumn[] }): Promise<Row[]> {
    const { text, params } = this.#render(compiled.sql);
    const safe = compiled.outputs.some((o) => o.field?.dtype === 'timeNsecTai');
    const decoders = compiled.outputs.map((o) => sqliteDecoder(o.field, safe));
    const anyDecoder = decoders.some((d) => d !== null);
    return this.#read(() => {
      const stmt = this.#prepare(text);
      stmt.safeIntegers(safe);
      const rows = stmt.all(params) as Row[];
      if (anyDecoder) {
        for (const row of rows) {
          compiled.outputs.forEach((o, i) => {
            const decode = decoders[i];
            const value = row[o.label];
            if (decode !== null && decode !== undefined && value !== null)
              row[o.label] = decode(value);
          });
        }
      }
      return rows;
    });
  }

  override async *query(select: SelectQuery): AsyncIterable<Row> {
    yield* await this.#runSelect(this.#compiler.compileSelect(select));
  }

  override async select(select: SelectQuery): Promise<Row[]> {
    return this.#runSelect(this.#compiler.compileSelect(select));
  }

  override async fetch<S extends TableSpec>(
    handle: TableHandle<S>,
    options: FetchOptions = {},
  ): Promise<RowOf<S>[]> {
    const table = this.#table(handle);
    const orderBy = (options.orderBy ?? []).map((term) =>
      typeof term === 'string'
        ? { expr: col(term) }
        : { expr: col(term.column), desc: term.desc === true },
    );
    const query: SelectQuery = {
      from: [{ source: table }],
      where: whereOf(options.where),
      orderBy,
      ...(options.limit === undefined ? {} : { limit: options.limit }),
    };
    return (await this.select(query)) as RowOf<S>[];
  }

  override async count(handle: TableHandle, where?: Where): Promise<number> {
    const table = this.#table(handle);
    const rows = await this.select({
      from: [{ source: table }],
      columns: { n: aggregate('count') },
      where: whereOf(where),
    });
    return Number(rows[0]?.['n'] ?? 0);
  }

  override async temporaryTable<T>(
    spec: TableSpec,
    body: (table: TableHandle) => Promise<T>,
    name?: string,
  ): Promise<T> {
    this.#tables();
    if (!this.supportsTemporaryTables)
      throw new ReadOnlyDatabaseError(`Temporary tables are disabled for ${this.toString()}`);
    const tableName = name ?? `tmp_${randomUUID().replaceAll('-', '')}`;
    if (this.#temp.has(tableName))
      throw new InvalidArgumentError(`Temporary table ${tableName} already exists in this session`);
    const handle = this.#makeHandle(tableName, spec, true);
    await this.#read(() => {
      for (const statement of sqliteCreateTable(tableName, spec, { temporary: true }))
        this.#client.exec(statement);
    });
    this.#temp.set(tableName, handle);
    try {
      return await body(handle);
    } finally {
      this.#temp.delete(tableName);
      await this.#read(() => this.#client.exec(`DROP TABLE IF EXISTS temp.${quote(tableName)}`));
    }
  }
}

function stableKey(value: unknown): string {
  if (value instanceof Uint8Array) return `b:${Buffer.from(value).toString('hex')}`;
  if (value instanceof Date) return `d:${value.getTime()}`;
  if (typeof value === 'object' && value !== null && 'nsec' in value)
    return `t:${String((value as { nsec: bigint }).nsec)}`;
  return `${typeof value}:${String(value)}`;
}

function valuesEqual(field: FieldSpec, existing: unknown, given: unknown): boolean {
  if (existing === given) return true;
  if (existing === null || given === null || existing === undefined || given === undefined)
    return false;
  if (field.dtype === 'timeNsecTai')
    return (existing as { equals(o: unknown): boolean }).equals(given);
  if (existing instanceof Uint8Array && given instanceof Uint8Array)
    return Buffer.from(existing).equals(Buffer.from(given));
  if (existing instanceof Date && given instanceof Date)
    return existing.getTime() === given.getTime();
  return false;
}
