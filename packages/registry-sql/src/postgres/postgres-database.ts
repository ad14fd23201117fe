import { NameShrinker, getField, primaryKeyColumns, validateIdentifier } from '@butler-ts/ddl';
import type { ColumnType } from '@butler-ts/ddl';
import {
  DatabaseLogicError,
  DatabaseOpenError,
  IntegrityError,
  InvalidArgumentError,
  checkOptions,
} from '@butler-ts/registry-interfaces';
import type { IntegrityKind, Row, TransactionOptions } from '@butler-ts/registry-interfaces';
import { param, sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Pool, PoolClient, QueryConfig, QueryResult } from 'pg';
import { SqlDatabase, groupByColumns } from '../sql-database.ts';
import type {
  ColumnDescription,
  RenderedSql,
  SqlDialectCodec,
  SqlExecutor,
  SqlTable,
  TableCatalog,
  TableScan,
  WriteMode,
} from '../sql-database.ts';
import { redactUrl, scrubSecrets, scrubbedCause } from '../redact-url.ts';
import { TransactionContext } from '../transaction-context.ts';
import { checkTransactionOptions } from '../transaction-options.ts';
import { sortByColumns, writeOrderColumns } from '../key-order.ts';
import { pgTransient } from '../transient-errors.ts';
import { KEYS_PER_DELETE, deleteByKeysSql } from './postgres-bulk.ts';
import { encodePg, pgArrayParam, pgColumnValues, pgDecoder } from './postgres-codec.ts';
import {
  pgCreateTables,
  pgCreateTemporaryTable,
  pgQuote,
  pgSequenceName,
  pgType,
} from './postgres-ddl.ts';

/** Options of {@link PostgresDatabase.fromUri}. */
export interface PostgresOptions {
  /** Default for autoincrement `origin` columns. Default 0. */
  readonly origin?: number;
  /** The schema the registry lives in, created with the registry. Default: the server's current schema. */
  readonly namespace?: string | null;
  /** Default true. A read-only database runs every transaction READ ONLY and refuses every write. */
  readonly writeable?: boolean;
  /** Default true. */
  readonly allowTemporaryTables?: boolean;
  /** Connections in the pool. Default 10. */
  readonly poolSize?: number;
}

const POSTGRES_OPTIONS = [
  'origin',
  'namespace',
  'writeable',
  'allowTemporaryTables',
  'poolSize',
] as const;

interface TxState {
  active: boolean;
  readonly client: PoolClient;
  readonly inSavepoint: boolean;
  readonly counter: { n: number };
}

interface Shared {
  readonly pool: Pool;
  readonly context: TransactionContext<TxState>;
  /** Named statements, one name per distinct text, prepared once per pooled connection. */
  readonly statementNames: Map<string, string>;
  readonly catalog: TableCatalog;
  readonly shrinker: NameShrinker;
  /** Whether daf_butler's sequence of an autoincrement column exists, by qualified name. */
  readonly sequences: Map<string, boolean>;
  readonly serverVersion: number;
  refs: number;
}

/**
 * A pooled PostgreSQL connection with its table definitions, shared by a database and its
 * clones. Opaque: only `PostgresDatabase.fromUri` makes one.
 */
export interface PostgresConnection {
  /** Type-only brand, so that no other object passes for a connection. */
  readonly [connectionBrand]: true;
}
declare const connectionBrand: unique symbol;

const dialect = new PgDialect();
const TIMESTAMP_OID = 1114;
const ROWS_PER_STATEMENT = 10_000;
/** Cursor names of streamed reads, unique in the process. */
let scanCursors = 0;

// Named statements are prepared once per connection by `pg`; one name per distinct text. The
// names belong to the pool (its connections prepare them), so they go when it closes.
function statementName(names: Map<string, string>, text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `butler_${names.size}`;
    names.set(text, name);
  }
  return name;
}

function codec(serverVersion: number, namespace: string): SqlDialectCodec {
  return {
    encode: encodePg,
    decoder: (field) => pgDecoder(field),
    decodeInSql: () => null,
    tableRef: (name, temporary) =>
      temporary
        ? sql`${sql.identifier(name)}`
        : sql`${sql.identifier(namespace)}.${sql.identifier(name)}`,
    startsWith: (expr, prefix) =>
      sql`(${expr} LIKE ${`${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`} ESCAPE '\\')`,
    typedParam: (field, encoded) => sql`CAST(${encoded} AS ${sql.raw(pgType(field))})`,
    inList: (expr, field, encoded) =>
      sql`(${expr} = ANY(CAST(${param(pgArrayParam(field, encoded))} AS ${sql.raw(pgType(field))}[])))`,
    anyValue: serverVersion >= 160000 ? 'any_value' : null,
    hasDistinctOn: true,
  };
}

function integrityKind(error: { code?: string; constraint?: string }): IntegrityKind | null {
  switch (error.code) {
    case '23505':
      return error.constraint?.endsWith('_pkey') === true ? 'primaryKey' : 'unique';
    case '23503':
      return 'foreignKey';
    case '23502':
      return 'notNull';
    case '23514':
      return 'check';
    default:
      return null;
  }
}

function translate(table: string, error: unknown): unknown {
  const kind = integrityKind(error as { code?: string; constraint?: string });
  if (kind === null) return pgTransient(error, table);
  return new IntegrityError(table, kind, `${table}: ${(error as Error).message}`, { cause: error });
}

// information_schema data_type → column type, the inverse of pgType() where unambiguous.
function pgColumnType(type: string): ColumnType {
  switch (type) {
    case 'uuid':
      return 'uuid';
    case 'character varying':
    case 'character':
      return 'string';
    case 'smallint':
      return 'smallint';
    case 'integer':
      return 'integer';
    case 'bigint':
      return 'bigint';
    case 'double precision':
    case 'real':
      return 'float';
    case 'boolean':
      return 'boolean';
    case 'bytea':
      return 'binary';
    case 'timestamp without time zone':
      return 'timestamp';
    default:
      return 'text';
  }
}

function stableKey(values: readonly unknown[]): string {
  return values
    .map((v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : String(v)))
    .join('\u0000');
}

/**
 * The registry database on PostgreSQL, through a `pg` Pool and drizzle. The namespace is a
 * schema, created with the registry. Transactions hold one pooled connection; nested ones are
 * savepoints, and every write runs in its own savepoint, so a failed write never aborts the
 * caller's transaction. Bulk writes are `INSERT … SELECT * FROM unnest(…)` in chunks of 10 000.
 *
 * @example
 * ```ts
 * const db = await PostgresDatabase.fromUri('postgresql://postgres@127.0.0.1:5432/test', { namespace: 'my_registry' });
 * ```
 */
export class PostgresDatabase extends SqlDatabase {
  override readonly origin: number;
  override readonly namespace: string;
  override readonly dialect = 'postgresql' as const;
  override readonly hasDistinctOn = true;
  override readonly hasAnyAggregate: boolean;
  override readonly supportsTemporaryTables: boolean;
  /** The connection URL, password hidden. */
  readonly url: string;
  readonly #writeable: boolean;
  readonly #shared: Shared;
  readonly #options: PostgresOptions;
  readonly #dbname: string;

  /** Use {@link PostgresDatabase.fromUri}; subclasses pass the connection through. */
  constructor(
    connection: PostgresConnection,
    url: string,
    namespace: string,
    options: PostgresOptions,
  ) {
    const shared = connection as unknown as Shared;
    super(shared.catalog, codec(shared.serverVersion, namespace));
    this.#shared = shared;
    this.url = url;
    this.namespace = namespace;
    this.origin = options.origin ?? 0;
    this.#writeable = options.writeable ?? true;
    this.supportsTemporaryTables = options.allowTemporaryTables ?? true;
    this.hasAnyAggregate = shared.serverVersion >= 160000;
    this.#options = options;
    this.#dbname = new URL(url).pathname.slice(1) || 'postgres';
  }

  /**
   * Connects to `postgresql://user@host:port/db` with the registry in schema `namespace`.
   *
   * @throws `InvalidIdentifierError` for a bad namespace; `InvalidArgumentError` for a
   *   URL that is not PostgreSQL's; `UnknownOptionError` for an option it does not take;
   *   `DatabaseOpenError` when the server cannot be reached or refuses the connection. No
   *   message shows the URL's password.
   */
  static async fromUri<T extends PostgresDatabase>(
    this: new (
      connection: PostgresConnection,
      url: string,
      namespace: string,
      options: PostgresOptions,
    ) => T,
    uri: string,
    options: PostgresOptions = {},
  ): Promise<T> {
    checkOptions('PostgresDatabase.fromUri', options, POSTGRES_OPTIONS);
    if (typeof uri !== 'string')
      throw new InvalidArgumentError(`A PostgreSQL URL is a string, not ${typeof uri}`);
    const shown = redactUrl(uri);
    let parsed: URL;
    try {
      parsed = new URL(uri);
    } catch (error) {
      // No cause: the URL parser's error carries the whole input, password included.
      throw new InvalidArgumentError(
        `Not a PostgreSQL URL: ${JSON.stringify(shown)} (${(error as Error).message})`,
      );
    }
    if (parsed.protocol !== 'postgresql:' && parsed.protocol !== 'postgres:') {
      throw new InvalidArgumentError(`Not a PostgreSQL URL: ${JSON.stringify(shown)}`);
    }
    if (options.namespace !== undefined && options.namespace !== null)
      validateIdentifier(options.namespace, 'namespace');
    const pg = (await import('pg')).default;
    const pool = new pg.Pool({
      connectionString: uri,
      max: options.poolSize ?? 10,
      // Statements are prepared once per connection (they are named), but planned for their
      // actual parameters: a generic plan for `= ANY($1)` cannot know the list is short and
      // scans the table.
      options: '-c plan_cache_mode=force_custom_plan',
      types: {
        // TIMESTAMP WITHOUT TIME ZONE stays text; the codec reads it as UTC.
        getTypeParser: ((oid: number, format?: string): unknown =>
          oid === TIMESTAMP_OID
            ? (value: string) => value
            : (pg.types.getTypeParser(
                oid,
                format as 'text',
              ) as unknown)) as typeof pg.types.getTypeParser,
      },
    });
    let namespace: string;
    let serverVersion: number;
    try {
      const info = await pool.query<{ schema: string; version: string }>(
        "SELECT current_schema() AS schema, current_setting('server_version_num') AS version",
      );
      namespace = options.namespace ?? info.rows[0]!.schema;
      serverVersion = Number(info.rows[0]!.version);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw new DatabaseOpenError(
        shown,
        'connection',
        `Cannot connect to ${shown}: ${scrubSecrets((error as Error).message, uri)}`,
        { cause: scrubbedCause(error, uri) },
      );
    }
    const shared: Shared = {
      pool,
      context: new TransactionContext<TxState>(),
      statementNames: new Map(),
      catalog: { tables: null },
      shrinker: new NameShrinker(63),
      sequences: new Map(),
      serverVersion,
      refs: 1,
    };
    parsed.password = parsed.password === '' ? '' : '***';
    return new this(
      shared as unknown as PostgresConnection,
      redactUrl(parsed.toString()),
      namespace,
      options,
    );
  }

  override isWriteable(): boolean {
    return this.#writeable;
  }

  override toString(): string {
    return `PostgreSQL@${this.#dbname}:${this.namespace}`;
  }

  override describe(): string {
    return `PostgresDatabase("${this.url}#${this.namespace}")`;
  }

  /** The name shrinker for generated names (constraints, indexes) over 63 characters. */
  get nameShrinker(): NameShrinker {
    return this.#shared.shrinker;
  }

  /**
   * A new Database on the same pool and table definitions; `writeable: false` makes it a
   * read-only view.
   */
  override clone(options: { readonly writeable?: boolean } = {}): PostgresDatabase {
    checkOptions('Database.clone', options, ['writeable']);
    return this.cloneAs(this.constructor as typeof PostgresDatabase, options);
  }

  /** {@link PostgresDatabase.clone} as an instance of a subclass. */
  cloneAs<T extends PostgresDatabase>(
    cls: abstract new (
      connection: PostgresConnection,
      url: string,
      namespace: string,
      options: PostgresOptions,
    ) => T,
    options: { readonly writeable?: boolean } = {},
  ): T {
    checkOptions('Database.cloneAs', options, ['writeable']);
    const writeable = options.writeable ?? this.#writeable;
    if (writeable && !this.#writeable)
      throw new InvalidArgumentError('A clone of a read-only database cannot be writeable');
    this.#shared.refs += 1;
    const Cls = cls as unknown as new (
      connection: PostgresConnection,
      url: string,
      namespace: string,
      options: PostgresOptions,
    ) => T;
    return new Cls(this.#shared as unknown as PostgresConnection, this.url, this.namespace, {
      ...this.#options,
      writeable,
    });
  }

  override async close(): Promise<void> {
    this.#shared.refs -= 1;
    if (this.#shared.refs === 0) {
      this.#shared.statementNames.clear();
      await this.#shared.pool.end();
    }
  }

  // ---- connections and transactions ---------------------------------------------------

  #state(): TxState | undefined {
    const state = this.#shared.context.get();
    return state !== undefined && state.active ? state : undefined;
  }

  #executor(on: Pool | PoolClient): SqlExecutor {
    const query = (statement: SQL): Promise<QueryResult> => {
      const { sql: text, params } = dialect.sqlToQuery(statement);
      return on.query({
        name: statementName(this.#shared.statementNames, text),
        text,
        values: params,
      });
    };
    return {
      all: async (statement) => (await query(statement)).rows as Row[],
      run: async (statement) => (await query(statement)).rowCount ?? 0,
      allRendered: async (text, params) =>
        (
          await on.query({
            name: statementName(this.#shared.statementNames, text),
            text,
            values: params as unknown[],
          })
        ).rows as Row[],
    };
  }

  protected override renderSql(statement: SQL): RenderedSql {
    const { sql: text, params } = dialect.sqlToQuery(statement);
    return { text, params };
  }

  override isInTransaction(): boolean {
    return this.#state() !== undefined;
  }

  override async transaction<T>(
    body: () => Promise<T>,
    options: TransactionOptions = {},
  ): Promise<T> {
    checkTransactionOptions(this, options);
    return this.#transaction(body, options, false);
  }

  async #lock(client: PoolClient, options: TransactionOptions): Promise<void> {
    for (const handle of options.lock ?? []) {
      const table = this.table(handle);
      await client.query(
        `LOCK TABLE ${pgQuote(this.namespace)}.${pgQuote(table.name)} IN EXCLUSIVE MODE`,
      );
    }
  }

  async #transaction<T>(
    body: () => Promise<T>,
    options: TransactionOptions,
    forTempTables: boolean,
  ): Promise<T> {
    const state = this.#state();
    if (state !== undefined) {
      if (options.interrupting === true)
        throw new DatabaseLogicError(
          'Logic error in transaction nesting: an interrupting transaction inside another',
        );
      await this.#lock(state.client, options);
      if (options.savepoint !== true && !state.inSavepoint) return body();
      const name = `sp_${++state.counter.n}`;
      await state.client.query(`SAVEPOINT ${name}`);
      try {
        const result = await this.#shared.context.run({ ...state, inSavepoint: true }, body);
        await state.client.query(`RELEASE SAVEPOINT ${name}`);
        return result;
      } catch (error) {
        await state.client.query(`ROLLBACK TO SAVEPOINT ${name}`);
        await state.client.query(`RELEASE SAVEPOINT ${name}`);
        throw error;
      }
    }
    const client = await this.#shared.pool.connect();
    const fresh: TxState = { active: true, client, inSavepoint: false, counter: { n: 0 } };
    try {
      // One round trip (a simple query of several statements).
      await client.query(
        `BEGIN${!this.#writeable && !forTempTables ? ' READ ONLY' : ''}; SET LOCAL TIME ZONE 0; SET LOCAL cursor_tuple_fraction = 1`,
      );
      await this.#lock(client, options);
      let result: T;
      try {
        result = await this.#shared.context.run(fresh, body);
      } catch (error) {
        await client.query('ROLLBACK');
        throw pgTransient(error, this.toString());
      }
      try {
        await client.query('COMMIT');
      } catch (error) {
        throw pgTransient(error, this.toString());
      }
      return result;
    } finally {
      fresh.active = false;
      client.release();
    }
  }

  protected override read<T>(fn: (x: SqlExecutor) => Promise<T>): Promise<T> {
    const state = this.#state();
    return fn(this.#executor(state?.client ?? this.#shared.pool));
  }

  /**
   * The rows of a raw, parameterised read statement of PostgreSQL text (`$n` parameters,
   * values bound as given: encode them as the columns store them; tables qualified by the
   * namespace), each row an array of column values in SELECT order as `pg` parses them (no
   * decoding: `bigint` comes as a string). The statement is named, so each connection
   * prepares it once; it runs in the caller's transaction when there is one.
   *
   * @example
   * ```ts
   * const rows = await db.queryRaw(`SELECT name FROM "${db.namespace}"."collection" WHERE collection_id = ANY($1)`, [[1, 2]]);
   * ```
   */
  async queryRaw(text: string, params: readonly unknown[]): Promise<unknown[][]> {
    const state = this.#state();
    const result = await (state?.client ?? this.#shared.pool).query({
      name: statementName(this.#shared.statementNames, text),
      text,
      values: params as unknown[],
      rowMode: 'array',
    });
    return result.rows as unknown[][];
  }

  protected override async write<T>(table: string, fn: (x: SqlExecutor) => Promise<T>): Promise<T> {
    const state = this.#state();
    if (state === undefined) {
      // A transaction of its own: a failure rolls all of it back, no savepoint needed.
      return this.transaction(async () => {
        try {
          return await fn(this.#executor(this.#state()!.client));
        } catch (error) {
          throw translate(table, error);
        }
      });
    }
    const name = `w_${++state.counter.n}`;
    await state.client.query(`SAVEPOINT ${name}`);
    try {
      const result = await fn(this.#executor(state.client));
      await state.client.query(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (error) {
      await state.client.query(`ROLLBACK TO SAVEPOINT ${name}`);
      await state.client.query(`RELEASE SAVEPOINT ${name}`);
      throw translate(table, error);
    }
  }

  protected override async writeStatements(
    table: string,
    statements: readonly SQL[],
  ): Promise<number> {
    // A read-only database keeps its READ ONLY transactions (temporary tables).
    if (statements.length !== 1 || this.#state() !== undefined || !this.#writeable)
      return super.writeStatements(table, statements);
    // One statement outside a transaction: atomic by itself, one round trip instead of three.
    try {
      return await this.#executor(this.#shared.pool).run(statements[0]!);
    } catch (error) {
      throw translate(table, error);
    }
  }

  // ---- dialect primitives ---------------------------------------------------------------

  protected override async writeRows(
    x: SqlExecutor,
    table: SqlTable,
    rows: readonly Record<string, unknown>[],
    mode: WriteMode,
  ): Promise<number> {
    const pk = primaryKeyColumns(table.spec);
    let suffix = sql``;
    if (mode.kind === 'ensure') {
      suffix = mode.primaryKeyOnly
        ? sql` ON CONFLICT (${sql.join(
            pk.map((c) => sql.identifier(c)),
            sql`, `,
          )}) DO NOTHING`
        : sql` ON CONFLICT DO NOTHING`;
    }
    if (mode.kind === 'replace') {
      const sets = mode.update.map(
        (c) => sql`${sql.identifier(c)} = EXCLUDED.${sql.identifier(c)}`,
      );
      suffix = sql` ON CONFLICT (${sql.join(
        pk.map((c) => sql.identifier(c)),
        sql`, `,
      )}) DO UPDATE SET ${sql.join(sets, sql`, `)}`;
    }
    let written = 0;
    for (const group of groupByColumns(rows)) {
      let groupRows = group.rows;
      if (mode.kind === 'replace') {
        // One statement cannot update a row twice: the last row for a key wins, as row by row.
        const last = new Map<string, Record<string, unknown>>();
        for (const row of groupRows) last.set(stableKey(pk.map((c) => row[c])), row);
        groupRows = [...last.values()];
      }
      // Rows in key order, so that writers sharing keys lock them in one order (no deadlock).
      groupRows = sortByColumns(groupRows, writeOrderColumns(table.spec, group.columns));
      const fields = group.columns.map((c) => getField(table.spec, c)!);
      if (fields.length === 0) {
        for (let i = 0; i < groupRows.length; i++)
          written += await x.run(sql`INSERT INTO ${this.tableRef(table)} DEFAULT VALUES${suffix}`);
        continue;
      }
      const columns = sql.join(
        fields.map((f) => sql.identifier(f.name)),
        sql`, `,
      );
      for (let start = 0; start < groupRows.length; start += ROWS_PER_STATEMENT) {
        const end = Math.min(start + ROWS_PER_STATEMENT, groupRows.length);
        const arrays = fields.map((f) => {
          const values = pgColumnValues(f, groupRows, start, end);
          return sql`CAST(${param(pgArrayParam(f, values))} AS ${sql.raw(pgType(f))}[])`;
        });
        written += await x.run(
          sql`INSERT INTO ${this.tableRef(table)} (${columns}) SELECT * FROM unnest(${sql.join(arrays, sql`, `)})${suffix}`,
        );
      }
    }
    return written;
  }

  protected override deleteRows(
    table: SqlTable,
    equal: readonly string[],
    isNull: readonly string[],
    rows: readonly Record<string, unknown>[],
  ): Promise<number> {
    // Each statement sorts its keys (deleteByKeysSql); more keys than one statement takes are
    // sorted here first, so that the statements follow each other in key order too.
    const sorted = rows.length > KEYS_PER_DELETE ? sortByColumns(rows, equal) : rows;
    return this.writeStatements(
      table.name,
      deleteByKeysSql(this.tableRef(table), table, equal, isNull, sorted),
    );
  }

  protected override async *scanPages(
    _table: SqlTable,
    parts: TableScan,
    size: number,
  ): AsyncIterable<Row[]> {
    const { sql: text, params } = dialect.sqlToQuery(
      sql`SELECT ${parts.columns} FROM ${parts.from} WHERE ${parts.where}`,
    );
    const cursor = `butler_scan_${++scanCursors}`;
    const state = this.#state();
    // Inside the caller's transaction the cursor sees its writes; otherwise it gets a
    // read-only transaction (a cursor lives in one) on a connection of its own.
    const client = state?.client ?? (await this.#shared.pool.connect());
    let failed: unknown = undefined;
    let declared = false;
    try {
      if (state === undefined) await client.query('BEGIN READ ONLY');
      await client.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR ${text}`, params);
      declared = true;
      for (;;) {
        const result = await client.query<Row>(`FETCH FORWARD ${size} FROM ${cursor}`);
        if (result.rows.length > 0) yield result.rows;
        if (result.rows.length < size) break;
      }
    } catch (error) {
      failed = error;
      throw error;
    } finally {
      if (state === undefined) {
        // Ending the transaction closes the cursor.
        const ended = await client.query('ROLLBACK').then(
          () => true,
          () => false,
        );
        client.release(!ended);
      } else if (declared && failed === undefined) {
        await client.query(`CLOSE ${cursor}`);
      }
    }
  }

  protected override async insertReturning(
    x: SqlExecutor,
    table: SqlTable,
    row: Record<string, unknown>,
    pk: string,
  ): Promise<number> {
    const columns = Object.keys(row);
    const values = columns.map((c) => sql`${encodePg(getField(table.spec, c)!, row[c])}`);
    // A table daf_butler created has no column default: its INSERTs call nextval() on the
    // column's sequence, and so must ours.
    for (const field of table.spec.fields) {
      if (!field.autoincrement || field.name in row || table.temporary) continue;
      const sequence = pgSequenceName(
        this.namespace,
        table.name,
        field.name,
        this.#shared.shrinker,
      );
      let exists = this.#shared.sequences.get(sequence);
      if (exists === undefined) {
        const found = await x.all(sql`SELECT to_regclass(${sequence}) IS NOT NULL AS found`);
        exists = found[0]!['found'] === true;
        this.#shared.sequences.set(sequence, exists);
      }
      if (exists) {
        columns.push(field.name);
        values.push(sql`nextval(${sequence}::regclass)`);
      }
    }
    const insert =
      columns.length === 0
        ? sql`INSERT INTO ${this.tableRef(table)} DEFAULT VALUES`
        : sql`INSERT INTO ${this.tableRef(table)} (${sql.join(
            columns.map((c) => sql.identifier(c)),
            sql`, `,
          )}) VALUES (${sql.join(values, sql`, `)})`;
    const rows = await x.all(sql`${insert} RETURNING ${sql.identifier(pk)}`);
    return Number(rows[0]![pk]);
  }

  protected override createTablesSql(tables: readonly SqlTable[]): SQL[] {
    return pgCreateTables(this.namespace, tables, this.#shared.shrinker).map((text) =>
      sql.raw(text),
    );
  }

  protected override async createNamespace(x: SqlExecutor): Promise<void> {
    await x.run(sql`CREATE SCHEMA IF NOT EXISTS ${sql.identifier(this.namespace)}`);
  }

  protected override async listTables(x: SqlExecutor): Promise<Set<string>> {
    const rows = await x.all(
      sql`SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = ${this.namespace}`,
    );
    return new Set(rows.map((r) => r['tablename'] as string));
  }

  protected override async inspectColumns(x: SqlExecutor, name: string): Promise<string[] | null> {
    const rows = await x.all(
      sql`SELECT column_name FROM information_schema.columns WHERE table_schema = ${this.namespace} AND table_name = ${name} ORDER BY ordinal_position`,
    );
    return rows.length === 0 ? null : rows.map((r) => r['column_name'] as string);
  }

  protected override async describeColumns(
    x: SqlExecutor,
    name: string,
  ): Promise<ColumnDescription[] | null> {
    const rows = await x.all(sql`
      SELECT c.column_name AS name, c.data_type AS type, c.character_maximum_length AS length,
             c.is_nullable = 'YES' AS nullable,
             EXISTS (
               SELECT 1 FROM information_schema.table_constraints t
               JOIN information_schema.key_column_usage k
                 ON k.constraint_name = t.constraint_name AND k.table_schema = t.table_schema
               WHERE t.table_schema = c.table_schema AND t.table_name = c.table_name
                 AND t.constraint_type = 'PRIMARY KEY' AND k.column_name = c.column_name
             ) AS pk
      FROM information_schema.columns c
      WHERE c.table_schema = ${this.namespace} AND c.table_name = ${name}
      ORDER BY c.ordinal_position`);
    if (rows.length === 0) return null;
    return rows.map((r) => {
      const dtype = pgColumnType(String(r['type']));
      return {
        name: r['name'] as string,
        dtype,
        length: dtype === 'string' && r['length'] !== null ? Number(r['length']) : null,
        nullable: r['nullable'] === true,
        primaryKey: r['pk'] === true,
      };
    });
  }

  protected override tableRef(table: SqlTable): SQL {
    return table.temporary
      ? sql`${sql.identifier(table.name)}`
      : sql`${sql.identifier(this.namespace)}.${sql.identifier(table.name)}`;
  }

  /** Temporary tables are dropped at commit, so the whole scope is one transaction on one connection. */
  protected override withTemporaryTable<T>(table: SqlTable, body: () => Promise<T>): Promise<T> {
    return this.#transaction(
      async () => {
        // The extended protocol runs exactly one statement (`queryMode` is pg ≥ 8.11 and
        // missing from @types/pg, hence the cast).
        await this.#state()!.client.query({
          text: pgCreateTemporaryTable(table.name, table.spec),
          queryMode: 'extended',
        } as QueryConfig);
        return body();
      },
      {},
      true,
    );
  }
}
