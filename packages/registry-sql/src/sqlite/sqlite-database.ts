import { realpathSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { INTEGER_TYPES, getField, primaryKeyColumns } from '@butler-ts/ddl';
import type { ColumnType, FieldSpec } from '@butler-ts/ddl';
import {
  DatabaseLogicError,
  IntegrityError,
  InvalidArgumentError,
  NotSupportedError,
  checkOptions,
} from '@butler-ts/registry-interfaces';
import type { IntegrityKind, Row, TransactionOptions } from '@butler-ts/registry-interfaces';
import type BetterSqlite3 from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { quoteLiteral } from '../ddl-names.ts';
import { redactUrl, scrubSecrets } from '../redact-url.ts';
import { SqlDatabase, groupByColumns } from '../sql-database.ts';
import type {
  ColumnDescription,
  ListParam,
  RenderedSql,
  SqlDialectCodec,
  SqlExecutor,
  SqlTable,
  TableCatalog,
  TableScan,
  WriteMode,
} from '../sql-database.ts';
import { TransactionContext } from '../transaction-context.ts';
import { checkTransactionOptions } from '../transaction-options.ts';
import { sqliteTransient } from '../transient-errors.ts';
import { assignCompoundIds, compoundAutoincrement } from './sqlite-autoincrement.ts';
import { ROWID_LABEL, deleteRowText, rowidName, runPerRow } from './sqlite-bulk.ts';
import {
  encodeSqlite,
  sqliteDecodeInSql,
  sqliteDecoder,
  sqliteStoredValueCheck,
} from './sqlite-codec.ts';
import { quote, sqliteCreateTable } from './sqlite-ddl.ts';
import { openSqliteClient } from './sqlite-open.ts';

type Client = BetterSqlite3.Database;
type Statement = BetterSqlite3.Statement;

/** A prepared read statement of {@link SqliteDatabase.readPrepared}; rows are arrays. */
export interface SqliteRawStatement {
  /** The first row for `params`, or undefined when there is none. */
  get(...params: unknown[]): unknown[] | undefined;
  /** Every row for `params`. */
  all(...params: unknown[]): unknown[][];
}

/**
 * A prepared read statement of {@link SqliteDatabase.readPrepared} in pluck mode: each row is
 * the value of its first column.
 */
export interface SqlitePluckStatement {
  /** The first column of the first row for `params`, or undefined when there is no row. */
  get(...params: unknown[]): unknown;
  /** The first column of every row for `params`. */
  all(...params: unknown[]): unknown[];
}

/**
 * The `prepare` of {@link SqliteDatabase.readPrepared}: rows as arrays, or with `pluck` each
 * row as its first column's value (no array per row).
 */
export interface SqlitePrepare {
  (text: string): SqliteRawStatement;
  (text: string, options: { readonly pluck: true }): SqlitePluckStatement;
}

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
  /**
   * Create the file when it is missing (its folder must exist). Default: when writeable.
   * `openRegistry` passes false, so that a mistyped path fails and leaves no file behind.
   */
  readonly create?: boolean;
}

const SQLITE_OPTIONS = [
  'origin',
  'namespace',
  'writeable',
  'allowTemporaryTables',
  'busyTimeout',
  'create',
] as const;

// One lock per SQLite file in this process: every Database on the file (clones share the
// connection, read-only views have their own) serialises its transactions through it, because
// better-sqlite3 is synchronous and a second connection waiting for the write lock would block
// the event loop that the first needs to finish.
// The map holds a file's lock while a database on it is open (`users` counts them), so that it
// does not grow with every file the process ever opened.
interface FileLock {
  tail: Promise<void>;
  readonly context: TransactionContext<TxState>;
  users: number;
}

interface TxState {
  active: boolean;
  readonly client: Client;
  readonly inSavepoint: boolean;
  readonly counter: { n: number };
}

const fileLocks = new Map<string, FileLock>();

function newLock(): FileLock {
  return { tail: Promise.resolve(), context: new TransactionContext<TxState>(), users: 0 };
}

async function acquire(lock: FileLock): Promise<() => void> {
  let release!: () => void;
  const next = new Promise<void>((resolve) => (release = resolve));
  const previous = lock.tail;
  lock.tail = previous.then(() => next);
  await previous;
  return release;
}

/**
 * An open SQLite connection with its lock and table definitions, shared by a database and its
 * clones. Opaque: only `SqliteDatabase.fromUri`/`fromFile` make one.
 */
export interface SqliteConnection {
  /** Type-only brand, so that no other object passes for a connection. */
  readonly [connectionBrand]: true;
}
declare const connectionBrand: unique symbol;

interface Shared {
  readonly client: Client;
  readonly lock: FileLock;
  /** The key of `lock` in the file-lock map, or `null` in memory. */
  readonly lockKey: string | null;
  refs: number;
  /** Table definitions, shared by clones. */
  readonly catalog: TableCatalog;
  readonly statements: Map<string, Statement>;
}

const dialect = new SQLiteSyncDialect();

/** A list as one JSON array parameter, read by `json_each`. */
const JSON_LIST: ListParam = {
  in: (expr, param) => sql`(${expr} IN (SELECT value FROM json_each(${param})))`,
  bind: (encoded) => JSON.stringify(encoded),
};

/**
 * Whether the encoded values of `field` are always text or safe integers, which a JSON array
 * holds exactly (a `bigint` column's canonical values are safe integers).
 */
function jsonListType(field: FieldSpec): boolean {
  const type = field.dtype;
  return type === 'uuid' || type === 'string' || type === 'text' || INTEGER_TYPES.has(type);
}

const sqliteSql: SqlDialectCodec = {
  decoder: sqliteDecoder,
  storedValueCheck: sqliteStoredValueCheck,
  decodeInSql: sqliteDecodeInSql,
  encode: encodeSqlite,
  tableRef: (name) => sql`${sql.identifier(name)}`,
  // GLOB is case-sensitive and can use an index; *, ? and [ are bracketed to match themselves.
  startsWith: (expr, prefix) =>
    sql`(${expr} GLOB ${`${prefix.replace(/[*?[]/g, (c) => `[${c}]`)}*`})`,
  typedParam: (_field, encoded) => sql`${encoded}`,
  // One JSON parameter when every value survives JSON (text and safe numbers); else a list.
  inList: (expr, _field, encoded) =>
    encoded.every(
      (v) => typeof v === 'string' || (typeof v === 'number' && Number.isSafeInteger(v)),
    )
      ? JSON_LIST.in(expr, sql`${JSON_LIST.bind(encoded)}`)
      : sql`(${expr} IN (${sql.join(
          encoded.map((v) => sql`${v}`),
          sql`, `,
        )}))`,
  listParam: (field) => (jsonListType(field) ? JSON_LIST : null),
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
  return sqliteTransient(error, table);
}

function parseUri(uri: string): { filename: string | null } {
  if (typeof uri !== 'string')
    throw new InvalidArgumentError(`A SQLite URI is a string, not ${typeof uri}`);
  const shown = redactUrl(uri);
  if (!uri.startsWith('sqlite:'))
    throw new InvalidArgumentError(`Not a SQLite URI: ${JSON.stringify(shown)}`);
  const rest = uri.slice('sqlite:'.length);
  // A host or user name (`sqlite://user:password@host/…`) is no SQLite location; refused
  // before the query is read, whose keys could hold part of a pasted password.
  if (rest.startsWith('//') && !rest.startsWith('///') && !/^\/\/(?:\?|$)/.test(rest))
    throw new InvalidArgumentError(
      `A SQLite URI is sqlite:///<path> or sqlite://, got ${JSON.stringify(shown)}`,
    );
  const [pathPart = '', query = ''] = rest.split('?', 2);
  const params = new URLSearchParams(query);
  if (params.get('uri') === 'true') {
    throw new NotSupportedError(`SQLite URIs inside connection URLs are not supported: ${shown}`);
  }
  for (const key of params.keys()) {
    if (key !== 'uri')
      throw new InvalidArgumentError(
        scrubSecrets(`Unknown SQLite URI parameter ${JSON.stringify(key)} in ${shown}`, uri),
      );
  }
  if (pathPart === '' || pathPart === '//') return { filename: null };
  if (!pathPart.startsWith('///'))
    throw new InvalidArgumentError(
      `A SQLite URI is sqlite:///<path> or sqlite://, got ${JSON.stringify(shown)}`,
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
export class SqliteDatabase extends SqlDatabase {
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
  readonly #options: SqliteOptions;

  /** Use {@link SqliteDatabase.fromUri} or {@link SqliteDatabase.fromFile}; subclasses pass the connection through. */
  constructor(connection: SqliteConnection, filename: string | null, options: SqliteOptions) {
    const shared = connection as unknown as Shared;
    super(shared.catalog, sqliteSql);
    this.#shared = shared;
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
   * @throws `NotSupportedError` for a `uri=true` URL, a read-only in-memory database or a
   *   namespace other than `main`; `InvalidArgumentError` for a malformed URI (shown with any
   *   password hidden); `UnknownOptionError` for an option it does not take.
   * @throws `DatabaseOpenError` naming the path for a missing file (unless `create`) or folder,
   *   a folder, a file that is no SQLite database, or one that cannot be opened.
   */
  static async fromUri<T extends SqliteDatabase>(
    this: new (connection: SqliteConnection, filename: string | null, options: SqliteOptions) => T,
    uri: string,
    options: SqliteOptions = {},
  ): Promise<T> {
    checkOptions('SqliteDatabase.fromUri', options, SQLITE_OPTIONS);
    const { filename } = parseUri(uri);
    return SqliteDatabase.#open(this, filename, options);
  }

  /** Opens a file by path, or memory with `null`. */
  static async fromFile<T extends SqliteDatabase>(
    this: new (connection: SqliteConnection, filename: string | null, options: SqliteOptions) => T,
    filename: string | null,
    options: SqliteOptions = {},
  ): Promise<T> {
    checkOptions('SqliteDatabase.fromFile', options, SQLITE_OPTIONS);
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
    const client = openSqliteClient(Driver, filename, {
      writeable,
      create: options.create ?? true,
      busyTimeout: options.busyTimeout ?? 300_000,
    });
    let lock = newLock();
    let real = filename;
    if (filename !== null) {
      real = realpathSync(filename);
      lock = fileLocks.get(real) ?? newLock();
      fileLocks.set(real, lock);
    }
    lock.users += 1;
    const shared: Shared = {
      client,
      lock,
      lockKey: real,
      refs: 1,
      catalog: { tables: null },
      statements: new Map(),
    };
    return new cls(shared as unknown as SqliteConnection, real, options);
  }

  /** A fresh in-memory database has no schema to declare against: it is created. */
  protected override forceCreate(existing: ReadonlySet<string>): boolean {
    return this.filename === null && this.#writeable && existing.size === 0;
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
   * @throws `InvalidArgumentError` when asked to make a read-only database writeable.
   */
  override clone(options: { readonly writeable?: boolean } = {}): SqliteDatabase {
    checkOptions('Database.clone', options, ['writeable']);
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
    checkOptions('Database.cloneAs', options, ['writeable']);
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
    const shared = this.#shared;
    shared.refs -= 1;
    if (shared.refs === 0 && shared.client.open) {
      shared.client.close();
      shared.statements.clear();
      shared.lock.users -= 1;
      if (
        shared.lock.users === 0 &&
        shared.lockKey !== null &&
        fileLocks.get(shared.lockKey) === shared.lock
      )
        fileLocks.delete(shared.lockKey);
    }
    return Promise.resolve();
  }

  // ---- connection, statements, transactions -------------------------------------------

  get #client(): Client {
    return this.#shared.client;
  }

  #state(): TxState | undefined {
    const state = this.#shared.lock.context.get();
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
    checkTransactionOptions(this, options);
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
        const result = await this.#shared.lock.context.run({ ...state, inSavepoint: true }, body);
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
      try {
        this.#client.exec(this.#writeable ? 'BEGIN IMMEDIATE' : 'BEGIN');
      } catch (error) {
        throw sqliteTransient(error, this.toString());
      }
      let result: T;
      try {
        result = await this.#shared.lock.context.run(fresh, body);
      } catch (error) {
        if (this.#client.inTransaction) this.#client.exec('ROLLBACK');
        throw sqliteTransient(error, this.toString());
      }
      try {
        this.#client.exec('COMMIT');
      } catch (error) {
        if (this.#client.inTransaction) this.#client.exec('ROLLBACK');
        throw sqliteTransient(error, this.toString());
      }
      return result;
    } finally {
      fresh.active = false;
      release();
    }
  }

  // ---- dialect primitives ----------------------------------------------------------------

  readonly #executor: SqlExecutor = {
    all: (statement, options = {}) => {
      const { text, params } = this.#render(statement);
      const stmt = this.#prepare(text);
      if (!stmt.reader) {
        stmt.run(params);
        return Promise.resolve([]);
      }
      stmt.safeIntegers(options.bigints === true);
      return Promise.resolve(stmt.all(params) as Row[]);
    },
    run: (statement) => {
      const { text, params } = this.#render(statement);
      return Promise.resolve(this.#prepare(text).run(params).changes);
    },
    allRendered: (text, params, options = {}) => {
      const stmt = this.#prepare(text);
      stmt.safeIntegers(options.bigints === true);
      return Promise.resolve(stmt.all(params) as Row[]);
    },
  };

  protected override renderSql(statement: SQL): RenderedSql {
    return this.#render(statement);
  }

  protected override async read<T>(fn: (x: SqlExecutor) => Promise<T>): Promise<T> {
    if (this.#state() !== undefined) return fn(this.#executor);
    const release = await acquire(this.#shared.lock);
    try {
      return await fn(this.#executor);
    } finally {
      release();
    }
  }

  /**
   * Runs `body` synchronously with prepared statements of raw SQLite text (`?` parameters,
   * values bound as given to `get` and `all`: encode them as the columns store them), in one read transaction
   * (one snapshot; inside the caller's transaction when there is one) holding the file's
   * lock. `prepare(text)` returns a statement cached on the connection whose `get` gives the
   * first row and `all` every row, each row an array of column values in SELECT order as the
   * driver returns them (no decoding: decode in SQL, as `sqliteDecodeInSql` does, or after).
   * The fastest way to run many small lookups (DESIGN.md decision 8): a prepared statement
   * looped in one transaction.
   *
   * @example
   * ```ts
   * const names = await db.readPrepared((prepare) => {
   *   const byId = prepare('SELECT name FROM "collection" WHERE collection_id = ?');
   *   return ids.map((id) => byId.get(id)?.[0] ?? null);
   * });
   * ```
   */
  async readPrepared<T>(body: (prepare: SqlitePrepare) => T): Promise<T> {
    const used = new Set<Statement>();
    const prepare = ((text: string, options?: { readonly pluck?: boolean }) => {
      const stmt = this.#prepare(text);
      if (!stmt.reader) throw new InvalidArgumentError(`Not a read statement: ${text}`);
      used.add(stmt);
      if (options?.pluck === true) stmt.pluck(true);
      else stmt.raw(true);
      stmt.safeIntegers(false);
      // The statement itself (raw or pluck mode shapes its rows): no wrapper call per row.
      return stmt;
    }) as SqlitePrepare;
    const run = (): T => {
      // The statements are shared with `read`, which expects rows as objects.
      try {
        return body(prepare);
      } finally {
        for (const stmt of used) {
          stmt.raw(false);
          stmt.pluck(false);
        }
      }
    };
    if (this.#state() !== undefined) return run();
    const release = await acquire(this.#shared.lock);
    try {
      this.#client.exec('BEGIN');
      try {
        return run();
      } finally {
        if (this.#client.inTransaction) this.#client.exec('COMMIT');
      }
    } catch (error) {
      throw sqliteTransient(error, this.toString());
    } finally {
      release();
    }
  }

  protected override async write<T>(table: string, fn: (x: SqlExecutor) => Promise<T>): Promise<T> {
    const state = this.#state();
    if (state !== undefined) {
      const name = `w_${++state.counter.n}`;
      this.#client.exec(`SAVEPOINT ${name}`);
      try {
        const result = await fn(this.#executor);
        this.#client.exec(`RELEASE ${name}`);
        return result;
      } catch (error) {
        this.#client.exec(`ROLLBACK TO ${name}`);
        this.#client.exec(`RELEASE ${name}`);
        throw translate(table, error);
      }
    }
    // A write of its own: the transaction makes it atomic, and no savepoint is opened inside
    // it. A savepoint makes SQLite copy every page the write first touches to a statement
    // journal (WAL or not), which cost a scattered 10 000-row delete a third more than the
    // raw driver (`bench/opaque`, delete 10 000 (dataset_id, component)).
    return this.transaction(async () => {
      try {
        return await fn(this.#executor);
      } catch (error) {
        throw translate(table, error);
      }
    });
  }

  protected override writeRows(
    _x: SqlExecutor,
    table: SqlTable,
    given: readonly Record<string, unknown>[],
    mode: WriteMode,
  ): Promise<number> {
    const emulated = compoundAutoincrement(table.name, table.spec);
    const rows =
      emulated === null
        ? given
        : assignCompoundIds(this.#client, emulated, quote, given, this.origin);
    let suffix = '';
    const pk = primaryKeyColumns(table.spec).map(quote).join(', ');
    if (mode.kind === 'ensure')
      suffix = ` ON CONFLICT${mode.primaryKeyOnly ? ` (${pk})` : ''} DO NOTHING`;
    if (mode.kind === 'replace') {
      suffix = ` ON CONFLICT (${pk}) DO UPDATE SET ${mode.update.map((c) => `${quote(c)} = excluded.${quote(c)}`).join(', ')}`;
    }
    let written = 0;
    // The fastest path on better-sqlite3: one prepared single-row statement, looped.
    for (const group of groupByColumns(rows)) {
      const stmt = this.#prepare(insertText(table.name, group.columns, suffix));
      written += runPerRow(stmt, table, group.columns, group.rows);
    }
    return Promise.resolve(written);
  }

  protected override deleteRows(
    table: SqlTable,
    equal: readonly string[],
    isNull: readonly string[],
    rows: readonly Record<string, unknown>[],
  ): Promise<number> {
    const stmt = this.#prepare(deleteRowText(table.name, equal, isNull));
    return this.write(table.name, () => Promise.resolve(runPerRow(stmt, table, equal, rows)));
  }

  protected override async *scanPages(
    table: SqlTable,
    parts: TableScan,
    size: number,
    bigints: boolean,
  ): AsyncIterable<Row[]> {
    const select = sql`SELECT ${parts.columns}`;
    const rowid = rowidName(table.spec);
    if (rowid === null) {
      const rows = await this.read((x) =>
        x.all(sql`${select} FROM ${parts.from} WHERE ${parts.where}`, { bigints }),
      );
      if (rows.length > 0) yield rows;
      return;
    }
    // Keyset pages by row id: each page is one statement that takes the queue only while it
    // runs (an open iterator would keep the one connection busy between batches).
    const key = sql`${sql.identifier(parts.alias)}.${sql.raw(rowid)}`;
    const tail = sql`ORDER BY ${key} LIMIT ${sql.raw(String(size))}`;
    let after: unknown = null;
    for (;;) {
      const from = after;
      const page = await this.read((x) =>
        x.all(
          sql`${select}, ${key} AS ${sql.identifier(ROWID_LABEL)} FROM ${parts.from} WHERE ${parts.where}${from === null ? sql`` : sql` AND ${key} > ${from}`} ${tail}`,
          { bigints },
        ),
      );
      if (page.length === 0) return;
      after = page[page.length - 1]![ROWID_LABEL];
      // The last property added: deleting it keeps the rows' fast shape.
      for (const row of page) Reflect.deleteProperty(row, ROWID_LABEL);
      yield page;
      if (page.length < size) return;
    }
  }

  protected override insertReturning(
    _x: SqlExecutor,
    table: SqlTable,
    row: Record<string, unknown>,
    pk: string,
  ): Promise<number> {
    const emulated = compoundAutoincrement(table.name, table.spec);
    if (emulated !== null) {
      const [withId] = assignCompoundIds(this.#client, emulated, quote, [row], this.origin);
      return this.writeRows(_x, table, [withId!], { kind: 'insert' }).then(() =>
        Number(withId![emulated.column]),
      );
    }
    const columns = Object.keys(row);
    const stmt = this.#prepare(insertText(table.name, columns, ` RETURNING ${quote(pk)}`));
    const out = stmt.get(
      columns.map((c) => encodeSqlite(getField(table.spec, c)!, row[c])),
    ) as Record<string, unknown>;
    return Promise.resolve(Number(out[pk]));
  }

  protected override createTablesSql(tables: readonly SqlTable[]): SQL[] {
    return tables.flatMap((t) => sqliteCreateTable(t.name, t.spec)).map((text) => sql.raw(text));
  }

  protected override createNamespace(): Promise<void> {
    return Promise.resolve();
  }

  protected override async listTables(x: SqlExecutor): Promise<Set<string>> {
    const rows = await x.all(
      sql.raw(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
      ),
    );
    return new Set(rows.map((r) => r['name'] as string));
  }

  protected override async inspectColumns(x: SqlExecutor, name: string): Promise<string[] | null> {
    const rows = await x.all(sql.raw(`SELECT name FROM pragma_table_info(${quoteLiteral(name)})`));
    return rows.length === 0 ? null : rows.map((r) => r['name'] as string);
  }

  protected override async describeColumns(
    x: SqlExecutor,
    name: string,
  ): Promise<ColumnDescription[] | null> {
    const rows = await x.all(
      sql.raw(`SELECT name, type, "notnull", pk FROM pragma_table_info(${quoteLiteral(name)})`),
    );
    if (rows.length === 0) return null;
    return rows.map((r) => {
      const type = String(r['type']).toUpperCase();
      const sized = /^(?:VAR)?CHAR\((\d+)\)$/.exec(type);
      const dtype = sqliteColumnType(type);
      return {
        name: r['name'] as string,
        dtype,
        length: dtype === 'string' && sized !== null ? Number(sized[1]) : null,
        nullable: Number(r['notnull']) === 0,
        primaryKey: Number(r['pk']) > 0,
      };
    });
  }

  protected override tableRef(table: SqlTable): SQL {
    return sql`${sql.identifier(table.name)}`;
  }

  protected override async withTemporaryTable<T>(
    table: SqlTable,
    body: () => Promise<T>,
  ): Promise<T> {
    await this.read(async () => {
      // prepare() runs exactly one statement (exec would run any that follow).
      for (const statement of sqliteCreateTable(table.name, table.spec, { temporary: true }))
        this.#client.prepare(statement).run();
      await Promise.resolve();
    });
    try {
      return await body();
    } finally {
      await this.read(async () => {
        this.#client.prepare(`DROP TABLE IF EXISTS temp.${quote(table.name)}`).run();
        const emulated = compoundAutoincrement(table.name, table.spec);
        if (emulated !== null)
          this.#client.prepare(`DROP TABLE IF EXISTS temp.${quote(emulated.helper)}`).run();
        await Promise.resolve();
      });
    }
  }
}

function insertText(table: string, columns: readonly string[], suffix: string): string {
  if (columns.length === 0) return `INSERT INTO ${quote(table)} DEFAULT VALUES${suffix}`;
  return `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})${suffix}`;
}

// SQL type → column type, the inverse of sqliteType() where it is unambiguous.
function sqliteColumnType(type: string): ColumnType {
  if (type === 'CHAR(32)') return 'uuid';
  if (type.startsWith('VARCHAR') || type.startsWith('CHAR')) return 'string';
  if (type === 'SMALLINT') return 'smallint';
  if (type === 'BIGINT') return 'bigint';
  if (type.includes('INT')) return 'integer';
  if (type === 'BOOLEAN') return 'boolean';
  if (type === 'BLOB' || type === '') return 'binary';
  if (type === 'FLOAT' || type === 'REAL' || type.startsWith('DOUBLE')) return 'float';
  if (type === 'DATETIME' || type === 'TIMESTAMP') return 'timestamp';
  return 'text';
}

/** For tests: how many SQLite files this process holds a lock entry for. */
export function openFileLocks(): number {
  return fileLocks.size;
}
