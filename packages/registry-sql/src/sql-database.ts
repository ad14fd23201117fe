// The behaviour both SQL dialects share: input checks, table metadata, sync, delete planning,
// updates, selects and decoding. A dialect supplies connections, transactions, DDL and the
// bulk write paths.
import {
  ColumnValueError,
  InvalidIdentifierError,
  TaiTime,
  TaiTimespan,
  UnknownColumnError,
  caseVariantOf,
  getField,
  normalizeColumnValue,
  primaryKeyColumns,
  rowChecker,
  tableSpec,
  validateTableName,
} from '@butler-ts/ddl';
import type { ColumnType, FieldSpec, InsertRowOf, RowOf, TableSpec } from '@butler-ts/ddl';
import {
  ConflictingDefinitionError,
  Database,
  DatabaseConflictError,
  DatabaseLogicError,
  DatabaseRuntimeError,
  InvalidArgumentError,
  MissingTableError,
  ReadOnlyDatabaseError,
  SchemaAlreadyDefinedError,
  aggregate,
  checkOptions,
  and,
  col,
  eq,
  inList,
  literal,
  whereOf,
} from '@butler-ts/registry-interfaces';
import type {
  FetchOptions,
  Row,
  SelectQuery,
  StaticTablesContext,
  SyncOptions,
  TableHandle,
  Where,
} from '@butler-ts/registry-interfaces';
import { Param, Placeholder, is, sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import { isCanonicalList } from './canonical-lists.ts';
import { QueryCompiler } from './query-compiler.ts';
import type { OutputColumn, SqlDialect } from './query-compiler.ts';

/**
 * A table handle of a SQL database: what `SqliteDatabase` and `PostgresDatabase` hand out,
 * and what their protected members pass around.
 */
export interface SqlTable<S extends TableSpec = TableSpec> extends TableHandle<S> {
  /**
   * Whether this is a temporary table of one session (from `temporaryTable()`), writeable
   * even on a read-only database.
   */
  readonly temporary: boolean;
}

/** Table definitions shared by a database and its clones; `tables` is null until declared. */
export interface TableCatalog {
  /**
   * The static and dynamic tables by name; `null` until `declareStaticTables` first succeeds,
   * before which dynamic and temporary tables are refused. Each declaration (on the database
   * or any clone) adds its static tables and keeps the tables known before it.
   */
  tables: Map<string, SqlTable> | null;
}

/** Runs statements on one connection. */
export interface SqlExecutor {
  /** The rows of a statement, as the driver returns them. */
  all(statement: SQL, options?: { readonly bigints?: boolean }): Promise<Row[]>;
  /** Runs a statement; the number of rows it changed. */
  run(statement: SQL): Promise<number>;
  /**
   * The rows of a statement already rendered to the dialect's text (see `fetchEqual`), with
   * `params` bound: no rendering per call, and the text is prepared once per connection.
   */
  allRendered(
    text: string,
    params: readonly unknown[],
    options?: { readonly bigints?: boolean },
  ): Promise<Row[]>;
}

/** A statement as the dialect's text and its bound parameters. */
export interface RenderedSql {
  /** The statement's text, with the dialect's parameter markers. */
  readonly text: string;
  /** The parameters, in order (drizzle placeholders left in place). */
  readonly params: unknown[];
}

/** One column of an existing table, as `inspectTable()` reads it. */
export interface ColumnDescription {
  /** The column name. */
  readonly name: string;
  /** The column type its SQL type maps back to (a stored form, e.g. `text` for base64 bytes). */
  readonly dtype: ColumnType;
  /** The declared maximum length of a `string` column; `null` when unsized or not a string. */
  readonly length: number | null;
  /** Whether the column accepts NULL. */
  readonly nullable: boolean;
  /** Whether the column is part of the primary key. */
  readonly primaryKey: boolean;
}

/** How rows are written in bulk: insert, insert-or-ignore, or upsert on the primary key. */
export type WriteMode =
  | {
      /** Plain insert: any conflict is an `IntegrityError`. */
      readonly kind: 'insert';
    }
  | {
      /** Insert, skipping rows that conflict with an existing one. */
      readonly kind: 'ensure';
      /**
       * Skip only rows whose primary key exists (other conflicts still fail); when false, rows
       * conflicting on any unique constraint.
       */
      readonly primaryKeyOnly: boolean;
    }
  | {
      /** Upsert on the primary key. */
      readonly kind: 'replace';
      /** The non-key columns to overwrite in rows whose primary key exists. */
      readonly update: readonly string[];
    };

/** A select of every column of one table, in parts (see `QueryCompiler.compileTableScan`). */
export type TableScan = ReturnType<QueryCompiler['compileTableScan']>;

/** Rows per batch of a streamed `fetchBatches` unless the caller says otherwise. */
const SCAN_BATCH_SIZE = 10_000;

/** A decoder for one output column, or null when the driver value is already right. */
export type Decoder = ((value: unknown) => unknown) | null;

/** What a dialect adds to the shared query compiler. */
export interface SqlDialectCodec extends SqlDialect {
  decoder(field: FieldSpec | null, bigints: boolean): Decoder;
  /**
   * A check of the canonical, non-null values written to `field` for a rule of this engine
   * beyond the column type (SQLite's CHECK refusing empty short strings), returning why a
   * value is refused or null; `null` (or absent) when the engine adds no rule for the field.
   */
  readonly storedValueCheck?: (field: FieldSpec) => ((value: unknown) => string | null) | null;
  /**
   * How a list of encoded, non-null values of `field` is bound as one parameter whatever the
   * values (so a statement holding it can be rendered once): `in` wraps the parameter's
   * placeholder into `expr IN …`, `bind` makes the parameter. `null` (or absent) when the
   * engine cannot for this field; `SqlDatabase.fetchIn` then renders each statement.
   */
  readonly listParam?: (field: FieldSpec) => ListParam | null;
}

/** A list of values bound as one parameter (see `SqlDialectCodec.listParam`). */
export interface ListParam {
  /** `expr IN <the list>`, around the parameter's placeholder. */
  in(expr: SQL, param: SQL): SQL;
  /** The parameter of a list of encoded, non-null values. */
  bind(encoded: readonly unknown[]): unknown;
}

/**
 * Values per statement on `delete`'s one-changing-column path. daf_butler used 1000 because
 * each value was a bound parameter; here a list is one parameter (see `SqlDialect.inList`),
 * so statements can be larger and fewer.
 */
const DELETE_IN_LIST_SIZE = 10_000;

/**
 * A select of every column of one table by equality on some of its columns, rendered once
 * (see `SqlDatabase.fetchEqual`): `slots` places the values (by index) and any constants among
 * the bound parameters.
 */
interface RenderedLookup {
  readonly text: string;
  /** `at` places a value, `list` the list of `fetchIn`, `value` is a constant. */
  readonly slots: readonly (
    { readonly at: number } | { readonly list: true } | { readonly value: unknown }
  )[];
  readonly fields: readonly FieldSpec[];
  readonly decoding: readonly [string, (value: unknown) => unknown][];
  readonly bigints: boolean;
}

/** Where a rendered statement's parameters come from: drizzle placeholders become slots. */
function slotsOf(params: readonly unknown[]): RenderedLookup['slots'] {
  return params.map((p) => {
    // A placeholder comes out bare or wrapped in a Param, as drizzle met it.
    const placeholder = is(p, Placeholder)
      ? p
      : is(p, Param) && is(p.value, Placeholder)
        ? p.value
        : null;
    if (placeholder === null) return { value: p };
    return placeholder.name === 'list' ? { list: true } : { at: Number(placeholder.name) };
  });
}

/** The statement of `SqlDatabase.fetchIn`: a lookup whose `list` slot takes one list. */
interface RenderedListLookup extends RenderedLookup {
  readonly list: ListParam;
  readonly listField: FieldSpec;
  /** Whether the list column is read as stored and its values restored from the list. */
  readonly restoreList: boolean;
}

/**
 * Sets each row's `column`, read as stored, to the canonical value of the list whose encoded
 * value it equals (every row was selected by one). Rows in the list's order, the usual case
 * (a sorted list, rows ordered by its column), take one pass; otherwise a map.
 */
function restoreListValues(
  rows: readonly Row[],
  column: string,
  encoded: readonly unknown[],
  canonical: readonly unknown[],
): void {
  let j = 0;
  let i = 0;
  for (; i < rows.length; i++) {
    const row = rows[i]!;
    const stored = row[column];
    while (j < encoded.length && encoded[j] !== stored) j++;
    if (j === encoded.length) break;
    row[column] = canonical[j];
  }
  if (i === rows.length) return;
  const byStored = new Map<unknown, unknown>();
  for (let k = 0; k < encoded.length; k++) byStored.set(encoded[k], canonical[k]);
  for (; i < rows.length; i++) {
    const row = rows[i]!;
    const value = byStored.get(row[column]);
    if (value === undefined)
      throw new DatabaseLogicError(`A row's ${column} is not among the values that selected it`);
    row[column] = value;
  }
}

/** Element-wise equality of column lists. */
function sameNames(wanted: ReadonlySet<string>, columns: readonly string[]): boolean {
  return wanted.size === columns.length && columns.every((c) => wanted.has(c));
}

function stableKey(value: unknown): string {
  if (value instanceof Uint8Array)
    return `b:${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  if (value instanceof Date) return `d:${value.getTime()}`;
  if (typeof value === 'object' && value !== null && 'nsec' in value)
    return `t:${String((value as { nsec: bigint }).nsec)}`;
  return `${typeof value}:${String(value)}`;
}

// A value in a sync conflict message: JSON, or its own text for the TaiTime and TaiTimespan
// value classes (whose bigint nanoseconds JSON cannot hold).
function conflictText(value: unknown): string {
  if (value instanceof TaiTime || value instanceof TaiTimespan) return value.toString();
  return JSON.stringify(value) ?? String(value);
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

function unknownColumns(table: SqlTable, columns: Iterable<string>): void {
  for (const column of columns) {
    if (getField(table.spec, column) === undefined) {
      throw new UnknownColumnError(
        table.name,
        column,
        table.spec.fields.map((f) => f.name),
      );
    }
  }
}

/** Groups rows by their key set (rows of one group share one statement). */
export function groupByColumns(
  rows: readonly Record<string, unknown>[],
): { columns: string[]; rows: Record<string, unknown>[] }[] {
  const groups = new Map<string, { columns: string[]; rows: Record<string, unknown>[] }>();
  let last: { columns: string[]; rows: Record<string, unknown>[] } | undefined;
  for (const row of rows) {
    // Rows mostly share the previous row's columns: compare without allocating.
    if (last !== undefined && hasColumns(row, last.columns)) {
      last.rows.push(row);
      continue;
    }
    const columns = Object.keys(row);
    const key = columns.join('\u0000');
    last = groups.get(key);
    if (last === undefined) groups.set(key, (last = { columns, rows: [] }));
    last.rows.push(row);
  }
  return [...groups.values()];
}

/**
 * Rows of a delete grouped by which of `columns` they hold null in: each group's `equal`
 * columns are compared with `=`, its `isNull` ones with `IS NULL`; rows in the caller's order.
 */
function groupByNulls(
  rows: readonly Record<string, unknown>[],
  columns: readonly string[],
): { equal: string[]; isNull: string[]; rows: Record<string, unknown>[] }[] {
  const groups = new Map<
    string,
    { equal: string[]; isNull: string[]; rows: Record<string, unknown>[] }
  >();
  for (const row of rows) {
    let pattern = '';
    for (const column of columns) pattern += row[column] === null ? '1' : '0';
    let group = groups.get(pattern);
    if (group === undefined) {
      group = {
        equal: columns.filter((_, i) => pattern[i] === '0'),
        isNull: columns.filter((_, i) => pattern[i] === '1'),
        rows: [],
      };
      groups.set(pattern, group);
    }
    group.rows.push(row);
  }
  return [...groups.values()];
}

/**
 * The rows of a delete on `columns`, checked as `rowChecker` checks them ('partial'), each
 * holding every listed column; `nulls` when some row has a null in one of them. A row whose
 * keys are exactly `columns` (in order) and whose values are already canonical and not null,
 * the common case, is checked column by column and kept as given, not copied.
 *
 * @throws `UnknownColumnError` / `ColumnValueError` as `rowChecker` does, and
 *   `ColumnValueError` for a row without one of `columns`.
 */
function checkDeleteRows(
  table: SqlTable,
  columns: readonly string[],
  rows: readonly Row[],
): { rows: Row[]; nulls: boolean } {
  const fields = columns.map((c) => getField(table.spec, c)!);
  const check = rowChecker(table.name, table.spec);
  const out = new Array<Row>(rows.length);
  let nulls = false;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (typeof row === 'object' && row !== null && hasColumns(row, columns)) {
      let kept = true;
      for (const field of fields) {
        const value = row[field.name];
        if (value === null || value === undefined) kept = false;
        else if (!Object.is(normalizeColumnValue(table.name, field, value), value)) kept = false;
        if (!kept) break;
      }
      if (kept) {
        out[i] = row;
        continue;
      }
    }
    const checked = check(row, 'partial');
    for (const column of columns) {
      if (!(column in checked))
        throw new ColumnValueError(
          table.name,
          column,
          undefined,
          'every row of a delete needs each listed column',
        );
      if (checked[column] === null) nulls = true;
    }
    out[i] = checked;
  }
  return { rows: out, nulls };
}

/** Whether `row`'s own keys are exactly `columns`, in that order. */
function hasColumns(row: Record<string, unknown>, columns: readonly string[]): boolean {
  let i = 0;
  for (const key in row) if (key !== columns[i++]) return false;
  return i === columns.length;
}

/**
 * The part of the SQLite and PostgreSQL databases that does not depend on the engine. Every
 * check on input runs before any SQL; every write is atomic (its own transaction, or a
 * savepoint inside the caller's).
 */
export abstract class SqlDatabase extends Database {
  readonly #catalog: TableCatalog;
  readonly #temp = new Map<string, SqlTable>();
  readonly #compiler: QueryCompiler;
  readonly #codec: SqlDialectCodec;
  /**
   * `fetchEqual`'s statements by table handle (a table dropped and declared again is a new
   * handle), then by columns and limit.
   */
  readonly #lookups = new WeakMap<SqlTable, Map<string, RenderedLookup>>();
  /** `fetchIn`'s statements, the same way (by list column, equal columns and order). */
  readonly #listLookups = new WeakMap<SqlTable, Map<string, RenderedListLookup>>();

  protected constructor(catalog: TableCatalog, codec: SqlDialectCodec) {
    super();
    this.#catalog = catalog;
    this.#codec = codec;
    this.#compiler = new QueryCompiler(codec);
  }

  // ---- what a dialect provides ---------------------------------------------------------

  /** Runs `fn` on a connection, inside the caller's transaction when there is one. */
  protected abstract read<T>(fn: (x: SqlExecutor) => Promise<T>): Promise<T>;
  /** Runs `fn` atomically; driver constraint errors become `IntegrityError`s of `table`. */
  protected abstract write<T>(table: string, fn: (x: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Runs `statements` in order, atomically, as {@link write} runs them; returns the number of
   * rows they changed. A dialect may run a single statement without a transaction of its own
   * when none is open (one statement is atomic by itself): round trips fewer.
   */
  protected writeStatements(table: string, statements: readonly SQL[]): Promise<number> {
    return this.write(table, async (x) => {
      let count = 0;
      for (const statement of statements) count += await x.run(statement);
      return count;
    });
  }
  /** Writes checked rows (canonical values) in bulk; returns the number of rows written. */
  protected abstract writeRows(
    x: SqlExecutor,
    table: SqlTable,
    rows: readonly Record<string, unknown>[],
    mode: WriteMode,
  ): Promise<number>;
  /**
   * Deletes the rows matching any of `rows` on `equal` (none of them null in any row) whose
   * columns `isNull` are NULL, set-based and atomically (a write of its own, see
   * {@link writeStatements}): one statement per chunk (PostgreSQL) or one prepared statement
   * looped (SQLite). Rows arrive in the caller's order and may repeat (a server sorts them,
   * so that concurrent deletes lock rows in one order; SQLite, one writer at a time, deletes
   * them as given, which measured faster than in key order: `bench/opaque`); returns the
   * number of rows deleted.
   */
  protected abstract deleteRows(
    table: SqlTable,
    equal: readonly string[],
    isNull: readonly string[],
    rows: readonly Record<string, unknown>[],
  ): Promise<number>;
  /**
   * Reads `SELECT <parts.columns> FROM <parts.from> WHERE <parts.where>` in pages of at most
   * `size` rows as they are consumed (see `fetchBatches`); rows as the driver returns them.
   */
  protected abstract scanPages(
    table: SqlTable,
    parts: TableScan,
    size: number,
    bigints: boolean,
  ): AsyncIterable<Row[]>;
  /** Inserts one checked row and returns its `pk` value. */
  protected abstract insertReturning(
    x: SqlExecutor,
    table: SqlTable,
    row: Record<string, unknown>,
    pk: string,
  ): Promise<number>;
  /** The statements creating these tables (in any dependency order), in one transaction. */
  protected abstract createTablesSql(tables: readonly SqlTable[]): SQL[];
  /** Creates the namespace if it is missing (called before creating tables). */
  protected abstract createNamespace(x: SqlExecutor): Promise<void>;
  /** The tables of the namespace. */
  protected abstract listTables(x: SqlExecutor): Promise<Set<string>>;
  /** The columns of an existing table as the engine reports them, or null. */
  protected abstract describeColumns(
    x: SqlExecutor,
    name: string,
  ): Promise<ColumnDescription[] | null>;
  /** Column names of an existing table, or null. Protected so tests can simulate races. */
  protected abstract inspectColumns(x: SqlExecutor, name: string): Promise<string[] | null>;
  /** A reference to `table` in this dialect (schema-qualified where needed). */
  protected abstract tableRef(table: SqlTable): SQL;
  /** Runs `body` with a temporary table created from `spec`. */
  protected abstract withTemporaryTable<T>(table: SqlTable, body: () => Promise<T>): Promise<T>;
  /** A statement as the dialect's text and its parameters (placeholders left in place). */
  protected abstract renderSql(statement: SQL): RenderedSql;

  // ---- shared plumbing -----------------------------------------------------------------

  /** The table catalog, for clones. */
  protected get catalog(): TableCatalog {
    return this.#catalog;
  }

  /** Encodes a canonical value of `field` for the driver. */
  protected encode(field: FieldSpec, value: unknown): unknown {
    return value === null || value === undefined ? null : this.#codec.encode(field, value);
  }

  #tables(): Map<string, SqlTable> {
    const tables = this.#catalog.tables;
    if (tables === null)
      throw new DatabaseLogicError(
        'Static tables must be declared before dynamic or temporary tables are used',
      );
    return tables;
  }

  /** The known table behind a handle. @throws `MissingTableError` for a foreign handle. */
  protected table<S extends TableSpec>(handle: TableHandle<S>): SqlTable<S> {
    const known = this.#temp.get(handle.name) ?? this.#catalog.tables?.get(handle.name);
    if (known === undefined)
      throw new MissingTableError(
        handle.name,
        `Table ${handle.name} is not known to ${this.toString()}`,
      );
    return known as SqlTable<S>;
  }

  #checkWriteable(table: SqlTable, verb: string): void {
    if (!this.isWriteable() && !table.temporary) {
      throw new ReadOnlyDatabaseError(
        `Cannot ${verb} read-only table ${table.name} of ${this.toString()}`,
      );
    }
  }

  #makeTable<S extends TableSpec>(name: string, spec: S, temporary = false): SqlTable<S> {
    validateTableName(name, 'table');
    return Object.freeze({ name, spec, temporary });
  }

  /** Table names are unique regardless of case (SQLite folds them; PostgreSQL would not). */
  #checkCase(name: string, known: Iterable<string>): void {
    validateTableName(name, 'table');
    const variant = caseVariantOf(name, known);
    if (variant !== undefined) {
      throw new InvalidIdentifierError(
        name,
        'table',
        `differs only in case from table ${JSON.stringify(variant)}; table names must be unique regardless of case (SQLite folds case)`,
      );
    }
  }

  #checkRows(table: SqlTable, rows: readonly unknown[]): Record<string, unknown>[] {
    if (!Array.isArray(rows))
      throw new InvalidArgumentError(`Rows for ${table.name} must be an array`);
    const check = rowChecker(table.name, table.spec);
    const checked = rows.map((row) => check(row, 'insert'));
    this.#checkStored(table, checked);
    return checked;
  }

  /** The engine's own value rules (`SqlDialectCodec.storedValueCheck`), before any SQL. */
  #checkStored(table: SqlTable, rows: readonly Record<string, unknown>[]): void {
    const perField = this.#codec.storedValueCheck;
    if (perField === undefined) return;
    for (const field of table.spec.fields) {
      const problem = perField(field);
      if (problem === null) continue;
      for (const row of rows) {
        const value = row[field.name];
        if (value === null || value === undefined) continue;
        const why = problem(value);
        if (why !== null) throw new ColumnValueError(table.name, field.name, value, why);
      }
    }
  }

  // ---- schema --------------------------------------------------------------------------

  override async tableNames(): Promise<Set<string>> {
    return this.read((x) => this.listTables(x));
  }

  /** Whether a fresh database should be created even when `create` is false (SQLite memory). */
  protected forceCreate(_existing: ReadonlySet<string>): boolean {
    return false;
  }

  override async declareStaticTables(
    options: { readonly create: boolean },
    body: (context: StaticTablesContext) => void | Promise<void>,
  ): Promise<void> {
    checkOptions('Database.declareStaticTables', options, ['create']);
    let create = options.create;
    if (create && !this.isWriteable())
      throw new ReadOnlyDatabaseError(
        `Cannot create tables in read-only database ${this.toString()}`,
      );
    // The catalog is shared with clones: a declaration adds to it, so that tables another
    // clone declared or registered stay known (and a failed one leaves it as it was).
    const previous = this.#catalog.tables;
    const catalog = new Map<string, SqlTable>(previous ?? []);
    const tables = new Map<string, SqlTable>();
    this.#catalog.tables = catalog;
    const initializers: ((db: Database) => Promise<void> | void)[] = [];
    const context: StaticTablesContext = {
      addTable: <S extends TableSpec>(name: string, spec: S) => {
        const existing = tables.get(name);
        if (existing !== undefined) return existing as never;
        this.#checkCase(name, tables.keys());
        const handle = this.#makeTable(name, spec);
        tables.set(name, handle);
        catalog.set(name, handle);
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
      if (this.forceCreate(existing)) create = true;
      if (create && existing.size > 0) {
        throw new SchemaAlreadyDefinedError(
          `Cannot create the static schema: ${this.toString()} already has tables (${[...existing].sort().join(', ')})`,
        );
      }
      await body(context);
      if (create) {
        await this.transaction(async () => {
          await this.write('(schema)', async (x) => {
            await this.createNamespace(x);
            for (const statement of this.createTablesSql(
              [...tables.values()].filter((t) => !existing.has(t.name)),
            ))
              await x.run(statement);
          });
          for (const init of initializers) await init(this);
        });
      }
    } catch (error) {
      this.#catalog.tables = previous;
      throw error;
    }
  }

  #compareColumns(name: string, spec: TableSpec, columns: readonly string[], where: string): void {
    const wanted = new Set(spec.fields.map((f) => f.name));
    if (!sameNames(wanted, columns)) {
      throw new DatabaseConflictError(
        name,
        `Table ${name} ${where}: new columns [${[...wanted].join(', ')}], previous [${columns.join(', ')}]`,
      );
    }
  }

  override async inspectTable(name: string): Promise<TableSpec | null> {
    validateTableName(name, 'table');
    const columns = await this.read((x) => this.describeColumns(x, name));
    if (columns === null) return null;
    return tableSpec({
      fields: columns.map((c) => ({
        name: c.name,
        dtype: c.dtype,
        ...(c.length === null ? {} : { length: c.length }),
        ...(c.primaryKey ? { primaryKey: true } : { nullable: c.nullable }),
      })),
    });
  }

  override async getExistingTable<S extends TableSpec>(
    name: string,
    spec: S,
  ): Promise<TableHandle<S> | null> {
    validateTableName(name, 'table');
    const tables = this.#tables();
    const known = tables.get(name);
    if (known !== undefined) {
      this.#compareColumns(
        name,
        spec,
        known.spec.fields.map((f) => f.name),
        'has already been defined differently',
      );
      return known as SqlTable<S>;
    }
    this.#checkCase(name, tables.keys());
    this.#checkCase(name, await this.tableNames());
    const columns = await this.read((x) => this.inspectColumns(x, name));
    if (columns === null) return null;
    this.#compareColumns(name, spec, columns, 'exists but is defined differently in the database');
    const handle = this.#makeTable(name, spec);
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
    if (!this.isWriteable()) {
      throw new ReadOnlyDatabaseError(
        `Table ${name} does not exist and cannot be created in read-only database ${this.toString()}`,
      );
    }
    const handle = this.#makeTable(name, spec);
    const statements = this.createTablesSql([handle]);
    try {
      await this.write(name, async (x) => {
        for (const statement of statements) await x.run(statement);
      });
    } catch (error) {
      // Another client may have created the table since we looked (no IF NOT EXISTS: it races).
      const columns = await this.read((x) => this.inspectColumns(x, name));
      if (columns === null) throw error;
      this.#compareColumns(
        name,
        spec,
        columns,
        'exists but is defined differently in the database',
      );
    }
    this.#tables().set(name, handle);
    return handle;
  }

  // ---- writes --------------------------------------------------------------------------

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
    checkOptions('Database.insert', options, ['returnIds']);
    const table = this.table(handle);
    this.#checkWriteable(table, 'insert into');
    const checked = this.#checkRows(table, rows);
    const returnIds = options.returnIds === true;
    if (checked.length === 0) return returnIds ? [] : null;
    if (returnIds) {
      const pk = primaryKeyColumns(table.spec)[0];
      if (pk === undefined)
        throw new InvalidArgumentError(`Table ${table.name} has no primary key to return`);
      return this.write(table.name, async (x) => {
        const ids: number[] = [];
        for (const row of checked) ids.push(await this.insertReturning(x, table, row, pk));
        return ids;
      });
    }
    await this.write(table.name, (x) => this.writeRows(x, table, checked, { kind: 'insert' }));
    return null;
  }

  override async insertSelect(
    handle: TableHandle,
    select: SelectQuery,
    names?: readonly string[],
  ): Promise<void> {
    const table = this.table(handle);
    this.#checkWriteable(table, 'insert into');
    const compiled = this.#compiler.compileSelect(select);
    const columns = names ?? compiled.outputs.map((o) => o.label);
    unknownColumns(table, columns);
    const list = sql.join(
      columns.map((c) => sql.identifier(c)),
      sql`, `,
    );
    await this.write(table.name, (x) =>
      x.run(sql`INSERT INTO ${this.tableRef(table)} (${list}) ${compiled.sql}`),
    );
  }

  override async ensure<S extends TableSpec>(
    handle: TableHandle<S>,
    rows: readonly InsertRowOf<S>[],
    options: { readonly primaryKeyOnly?: boolean } = {},
  ): Promise<number> {
    checkOptions('Database.ensure', options, ['primaryKeyOnly']);
    const table = this.table(handle);
    this.#checkWriteable(table, 'ensure into');
    const checked = this.#checkRows(table, rows);
    if (checked.length === 0) return 0;
    return this.write(table.name, (x) =>
      this.writeRows(x, table, checked, {
        kind: 'ensure',
        primaryKeyOnly: options.primaryKeyOnly === true,
      }),
    );
  }

  override async replace<S extends TableSpec>(
    handle: TableHandle<S>,
    rows: readonly InsertRowOf<S>[],
  ): Promise<void> {
    const table = this.table(handle);
    this.#checkWriteable(table, 'replace into');
    const checked = this.#checkRows(table, rows);
    if (checked.length === 0) return;
    const update = table.spec.fields.filter((f) => !f.primaryKey).map((f) => f.name);
    const mode: WriteMode =
      update.length === 0 || primaryKeyColumns(table.spec).length === 0
        ? { kind: 'ensure', primaryKeyOnly: false }
        : { kind: 'replace', update };
    await this.write(table.name, (x) => this.writeRows(x, table, checked, mode));
  }

  override async sync(
    handle: TableHandle,
    options: SyncOptions,
  ): Promise<[Row | null, boolean | Row]> {
    checkOptions('Database.sync', options, ['keys', 'compared', 'extra', 'returning', 'update']);
    const table = this.table(handle);
    const check = rowChecker(table.name, table.spec);
    const keys = check(options.keys, 'partial');
    const compared = check(options.compared ?? {}, 'partial');
    const extra = check(options.extra ?? {}, 'partial');
    const returning = options.returning ?? null;
    unknownColumns(table, returning ?? []);
    const keyColumns = Object.keys(keys);
    if (keyColumns.length === 0)
      throw new InvalidArgumentError(`sync on ${table.name} needs at least one key`);
    const selected = [...new Set([...Object.keys(compared), ...(returning ?? [])])];
    if (selected.length === 0) selected.push(keyColumns[0]!);
    const writeable = this.isWriteable() || table.temporary;
    const lookup = async (): Promise<Row> => {
      const found = await this.select({
        from: [{ source: table }],
        columns: Object.fromEntries(selected.map((c) => [c, col(c)])),
        where: whereOf(keys),
      });
      if (found.length > 1) {
        throw new DatabaseRuntimeError(
          `sync on ${table.name}: keys ${JSON.stringify(keys)} match ${found.length} rows; they must identify one`,
        );
      }
      if (found.length === 0) {
        if (!writeable)
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
        .map(([c, old]) => `${c}: ${conflictText(old)} != ${conflictText(compared[c])}`)
        .join(', ');
    const conflict = (diff: Row) =>
      new DatabaseConflictError(
        table.name,
        `Conflict in sync for table ${table.name} on column(s) ${describe(diff)}`,
      );
    if (!writeable) {
      const existing = await lookup();
      const diff = differences(existing);
      if (Object.keys(diff).length > 0) {
        if (options.update === true)
          throw new ReadOnlyDatabaseError(`sync needs to update read-only table ${table.name}`);
        throw conflict(diff);
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
      if (options.update !== true) throw conflict(diff);
      const changes = Object.fromEntries(Object.keys(diff).map((c) => [c, compared[c]]));
      const sets = Object.entries(changes).map(
        ([c, v]) => sql`${sql.identifier(c)} = ${this.encode(getField(table.spec, c)!, v)}`,
      );
      const where = this.#compiler.compileWhere(table, whereOf(keys));
      await this.write(table.name, (x) =>
        x.run(sql`UPDATE ${this.tableRef(table)} SET ${sql.join(sets, sql`, `)} WHERE ${where}`),
      );
      return [result({ ...existing, ...changes }), diff];
    });
  }

  #equalsSql(table: SqlTable, column: string, value: unknown): SQL {
    return value === null
      ? sql`${sql.identifier(column)} IS NULL`
      : sql`${sql.identifier(column)} = ${this.encode(getField(table.spec, column)!, value)}`;
  }

  override async delete(
    handle: TableHandle,
    columns: readonly string[],
    rows: readonly Row[],
  ): Promise<number> {
    const table = this.table(handle);
    this.#checkWriteable(table, 'delete from');
    unknownColumns(table, columns);
    const ref = this.tableRef(table);
    if (columns.length === 0) return this.writeStatements(table.name, [sql`DELETE FROM ${ref}`]);
    if (rows.length === 0) return 0;
    const { rows: checked, nulls } = checkDeleteRows(table, columns, rows);
    // The columns whose value changes between rows (a row differing from the first one by
    // identity is compared by value only then: most rows of a key delete are strings).
    const first = checked[0]!;
    const varying = columns.filter((c) => {
      const value = first[c];
      let key: string | undefined;
      for (const row of checked) {
        const other = row[c];
        if (other === value) continue;
        if (typeof other !== 'object' || other === null) return true;
        if ((key ??= stableKey(value)) !== stableKey(other)) return true;
      }
      return false;
    });
    if (columns.length === 1 || varying.length === 1) {
      // One changing column: fixed columns by equality, the changing one by IN lists.
      const changing = columns.length === 1 ? columns[0]! : varying[0]!;
      const fixed = columns
        .filter((c) => c !== changing)
        .map((c) => this.#equalsSql(table, c, first[c]));
      const field = getField(table.spec, changing)!;
      const distinct = new Map<string, unknown>();
      for (const row of checked) distinct.set(stableKey(row[changing]), row[changing]);
      const values = [...distinct.values()];
      const nonNull = values.filter((v) => v !== null);
      const statements: SQL[] = [];
      for (let i = 0; i < nonNull.length; i += DELETE_IN_LIST_SIZE) {
        const chunk = nonNull.slice(i, i + DELETE_IN_LIST_SIZE).map((v) => this.encode(field, v));
        const terms = [
          ...fixed,
          this.#codec.inList(sql`${sql.identifier(changing)}`, field, chunk),
        ];
        statements.push(sql`DELETE FROM ${ref} WHERE ${sql.join(terms, sql` AND `)}`);
      }
      if (nonNull.length !== values.length) {
        const terms = [...fixed, sql`${sql.identifier(changing)} IS NULL`];
        statements.push(sql`DELETE FROM ${ref} WHERE ${sql.join(terms, sql` AND `)}`);
      }
      return this.writeStatements(table.name, statements);
    }
    // Several changing columns: one set-based statement per pattern of nulls (a null
    // matches NULL, and `=` keeps the key's index usable).
    const groups = nulls
      ? groupByNulls(checked, columns)
      : [{ equal: columns, isNull: [], rows: checked }];
    const deleteGroup = (group: (typeof groups)[number]): Promise<number> => {
      if (group.equal.length > 0)
        return this.deleteRows(table, group.equal, group.isNull, group.rows);
      const terms = group.isNull.map((c) => sql`${sql.identifier(c)} IS NULL`);
      return this.writeStatements(table.name, [
        sql`DELETE FROM ${ref} WHERE ${sql.join(terms, sql` AND `)}`,
      ]);
    };
    if (groups.length === 1) return deleteGroup(groups[0]!);
    return this.write(table.name, async () => {
      let count = 0;
      for (const group of groups) count += await deleteGroup(group);
      return count;
    });
  }

  override async deleteWhere(handle: TableHandle, where: Where): Promise<number> {
    const table = this.table(handle);
    this.#checkWriteable(table, 'delete from');
    const condition = this.#compiler.compileWhere(table, whereOf(where));
    return this.writeStatements(table.name, [
      sql`DELETE FROM ${this.tableRef(table)} WHERE ${condition}`,
    ]);
  }

  override async update(
    handle: TableHandle,
    where: Readonly<Record<string, string>>,
    rows: readonly Row[],
  ): Promise<number> {
    const table = this.table(handle);
    this.#checkWriteable(table, 'update');
    const check = rowChecker(table.name, table.spec);
    unknownColumns(table, Object.keys(where));
    const bindKeys = new Set(Object.values(where));
    const statements = rows.flatMap((row) => {
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
      const checkedSets = check(sets, 'partial');
      this.#checkStored(table, [checkedSets]);
      const checkedKeys = check(keys, 'partial');
      if (Object.keys(checkedSets).length === 0) return [];
      const setSql = Object.entries(checkedSets).map(
        ([c, v]) => sql`${sql.identifier(c)} = ${this.encode(getField(table.spec, c)!, v)}`,
      );
      const whereSql = Object.entries(checkedKeys).map(([c, v]) => this.#equalsSql(table, c, v));
      return [
        sql`UPDATE ${this.tableRef(table)} SET ${sql.join(setSql, sql`, `)} WHERE ${whereSql.length === 0 ? sql`(1 = 1)` : sql.join(whereSql, sql` AND `)}`,
      ];
    });
    if (statements.length === 0) return 0;
    return this.write(table.name, async (x) => {
      let matched = 0;
      for (const statement of statements) matched += await x.run(statement);
      return matched;
    });
  }

  // ---- reads ---------------------------------------------------------------------------

  /** The decoders of the outputs that need one (only those columns are decoded). */
  #decoders(
    outputs: readonly OutputColumn[],
    bigints: boolean,
  ): [string, (v: unknown) => unknown][] {
    const decoding: [string, (value: unknown) => unknown][] = [];
    for (const output of outputs) {
      if (output.decoded) continue;
      const decode = this.#codec.decoder(output.field, bigints);
      if (decode !== null) decoding.push([output.label, decode]);
    }
    return decoding;
  }

  /** Decodes `rows` in place, in one tight loop per column. */
  static #decode(rows: Row[], decoding: readonly [string, (value: unknown) => unknown][]): Row[] {
    for (const [label, decode] of decoding) {
      for (const row of rows) {
        const value = row[label];
        if (value !== null && value !== undefined) row[label] = decode(value);
      }
    }
    return rows;
  }

  async #runSelect(compiled: { sql: SQL; outputs: OutputColumn[] }): Promise<Row[]> {
    const bigints = compiled.outputs.some((o) => o.field?.dtype === 'timeNsecTai');
    const decoding = this.#decoders(compiled.outputs, bigints);
    const rows = await this.read((x) => x.all(compiled.sql, { bigints }));
    return SqlDatabase.#decode(rows, decoding);
  }

  /**
   * Streams the rows of one table matching `where` in batches of at most `batchSize`: SQLite
   * reads pages by row id, each page taking the connection's queue only while it runs (so the
   * consumer may use the database between batches, and other work is not held up);
   * PostgreSQL reads through a cursor (inside the caller's transaction when there is one, else
   * in a read-only transaction of its own, on a connection held until the stream ends or the
   * loop is left). Outside a transaction a SQLite stream is not one snapshot: rows written
   * between two pages by others may or may not appear; every row present throughout appears
   * exactly once.
   *
   * @throws `InvalidArgumentError` for a batch size that is not a positive integer.
   */
  override async *fetchBatches<S extends TableSpec>(
    handle: TableHandle<S>,
    options: { readonly where?: Where; readonly batchSize?: number } = {},
  ): AsyncIterable<RowOf<S>[]> {
    const table = this.table(handle);
    const size = options.batchSize ?? SCAN_BATCH_SIZE;
    if (!Number.isSafeInteger(size) || size < 1)
      throw new InvalidArgumentError(`Bad batch size ${String(size)} for ${table.name}`);
    const parts = this.#compiler.compileTableScan(table, whereOf(options.where));
    const bigints = parts.outputs.some((o) => o.field?.dtype === 'timeNsecTai');
    const decoding = this.#decoders(parts.outputs, bigints);
    for await (const rows of this.scanPages(table, parts, size, bigints))
      yield SqlDatabase.#decode(rows, decoding) as RowOf<S>[];
  }

  /**
   * The rows of `handle` whose `columns` equal `values` (one non-null value per column), at
   * most `limit` of them, in the database's order: the fast path of a fetch by one key (a
   * `FileDatastore.get`). The statement is rendered once per table handle, columns and limit,
   * and prepared once per connection (SQLite's statement cache, PostgreSQL's named
   * statements), so a call only checks, encodes and binds its values.
   *
   * @throws `UnknownColumnError` for a column the table does not have, `ColumnValueError` for
   *   a value of the wrong type, `InvalidArgumentError` for a null value, a column listed
   *   twice, values that do not match the columns or a limit that is not a positive integer;
   *   all before any SQL.
   */
  async fetchEqual<S extends TableSpec>(
    handle: TableHandle<S>,
    columns: readonly string[],
    values: readonly unknown[],
    limit: number,
  ): Promise<RowOf<S>[]> {
    const table = this.table(handle);
    const lookup = this.#lookup(table, columns, values.length, limit);
    const bound = this.#equalParams(table, 'fetchEqual', lookup.fields, values);
    // Its statement has no list slot.
    const params = lookup.slots.map((slot) =>
      'at' in slot ? bound[slot.at] : 'value' in slot ? slot.value : null,
    );
    const rows = await this.read((x) =>
      x.allRendered(lookup.text, params, { bigints: lookup.bigints }),
    );
    return SqlDatabase.#decode(rows, lookup.decoding) as RowOf<S>[];
  }

  #lookup(
    table: SqlTable,
    columns: readonly string[],
    count: number,
    limit: number,
  ): RenderedLookup {
    let byShape = this.#lookups.get(table);
    if (byShape === undefined)
      this.#lookups.set(table, (byShape = new Map<string, RenderedLookup>()));
    const key = `${limit}\u0000${columns.join('\u0000')}`;
    const known = byShape.get(key);
    if (known !== undefined && count === columns.length) return known;
    unknownColumns(table, columns);
    if (count !== columns.length)
      throw new InvalidArgumentError(
        `fetchEqual on ${table.name}: ${count} values for ${columns.length} columns`,
      );
    if (new Set(columns).size !== columns.length || columns.length === 0)
      throw new InvalidArgumentError(
        `fetchEqual on ${table.name}: columns ${JSON.stringify(columns)} must be distinct and not empty`,
      );
    if (!Number.isSafeInteger(limit) || limit < 1)
      throw new InvalidArgumentError(`Bad limit ${String(limit)} for ${table.name}`);
    const parts = this.#compiler.compileTableScan(table, literal(true));
    const fields = columns.map((c) => getField(table.spec, c)!);
    const terms = fields.map(
      (f, i) =>
        sql`${sql.identifier(parts.alias)}.${sql.identifier(f.name)} = ${this.#codec.typedParam(f, sql.placeholder(String(i)))}`,
    );
    const rendered = this.renderSql(
      sql`SELECT ${parts.columns} FROM ${parts.from} WHERE ${sql.join(terms, sql` AND `)} LIMIT ${sql.raw(String(limit))}`,
    );
    const slots = slotsOf(rendered.params);
    const bigints = parts.outputs.some((o) => o.field?.dtype === 'timeNsecTai');
    const lookup: RenderedLookup = {
      text: rendered.text,
      slots,
      fields,
      decoding: this.#decoders(parts.outputs, bigints),
      bigints,
    };
    byShape.set(key, lookup);
    return lookup;
  }

  /**
   * The rows of `handle` whose `list.column` is one of `list.values` and whose `columns` equal
   * `values` (one non-null value per column), ordered by `orderBy` (ascending) or else in the
   * database's order: the statement of an opaque fetch by a list of keys. Where the dialect
   * binds the list as one parameter whatever its values (`SqlDialectCodec.listParam`: SQLite,
   * for the column types whose values JSON holds exactly), the statement is rendered once per
   * table handle and shape and prepared once per connection, so a call only checks, encodes
   * and binds; otherwise it is an ordinary `select`. Nulls in the list match nothing (as in
   * SQL's `IN`); a list without values matches nothing and runs no SQL.
   *
   * @throws `UnknownColumnError` for a column the table does not have, `ColumnValueError` for
   *   a value of the wrong type, `InvalidArgumentError` for a null in `values`, a column listed
   *   twice (or also as the list's), values that do not match the columns; all before any SQL.
   */
  async fetchIn<S extends TableSpec>(
    handle: TableHandle<S>,
    list: { readonly column: string; readonly values: readonly unknown[] },
    columns: readonly string[],
    values: readonly unknown[],
    orderBy: readonly string[] = [],
  ): Promise<RowOf<S>[]> {
    const table = this.table(handle);
    const lookup = this.#listLookup(table, list.column, columns, values.length, orderBy);
    if (lookup === null) {
      // The same checks of the equalities (a null is no key here either).
      this.#equalParams(
        table,
        'fetchIn',
        columns.map((c) => getField(table.spec, c)!),
        values,
      );
      return (await this.select({
        from: [{ source: table }],
        where: and(
          inList(col(list.column), list.values),
          ...columns.map((c, i) => eq(col(c), values[i])),
        ),
        orderBy: orderBy.map((c) => ({ expr: col(c) })),
      })) as RowOf<S>[];
    }
    const field = lookup.listField;
    const checked = isCanonicalList(list.values, field);
    const canonical: unknown[] = [];
    const encoded: unknown[] = [];
    for (const value of list.values) {
      if (value === null || value === undefined) continue;
      const normal = checked ? value : normalizeColumnValue(table.name, field, value);
      canonical.push(normal);
      encoded.push(this.#codec.encode(field, normal));
    }
    const bound = this.#equalParams(table, 'fetchIn', lookup.fields, values);
    if (encoded.length === 0) return [];
    const params = lookup.slots.map((slot) =>
      'value' in slot ? slot.value : 'at' in slot ? bound[slot.at] : lookup.list.bind(encoded),
    );
    const rows = await this.read((x) =>
      x.allRendered(lookup.text, params, { bigints: lookup.bigints }),
    );
    if (lookup.restoreList) restoreListValues(rows, list.column, encoded, canonical);
    return SqlDatabase.#decode(rows, lookup.decoding) as RowOf<S>[];
  }

  /** Checked, encoded values for `fields`, compared with `=` (a null is refused). */
  #equalParams(
    table: SqlTable,
    method: string,
    fields: readonly FieldSpec[],
    values: readonly unknown[],
  ): unknown[] {
    return fields.map((field, i) => {
      const value = values[i];
      if (value === null || value === undefined)
        throw new InvalidArgumentError(
          `${method} on ${table.name}: no value for column ${field.name} (null is no key)`,
        );
      return this.encode(field, normalizeColumnValue(table.name, field, value));
    });
  }

  /** `fetchIn`'s statement, rendered once; `null` when the dialect cannot bind the list. */
  #listLookup(
    table: SqlTable,
    column: string,
    columns: readonly string[],
    count: number,
    orderBy: readonly string[],
  ): RenderedListLookup | null {
    let byShape = this.#listLookups.get(table);
    if (byShape === undefined)
      this.#listLookups.set(table, (byShape = new Map<string, RenderedListLookup>()));
    const key = `${column}\u0001${orderBy.join('\u0000')}\u0001${columns.join('\u0000')}`;
    const known = byShape.get(key);
    if (known !== undefined && count === columns.length) return known;
    unknownColumns(table, [column, ...columns, ...orderBy]);
    if (count !== columns.length)
      throw new InvalidArgumentError(
        `fetchIn on ${table.name}: ${count} values for ${columns.length} columns`,
      );
    if (new Set([column, ...columns]).size !== columns.length + 1)
      throw new InvalidArgumentError(
        `fetchIn on ${table.name}: columns ${JSON.stringify([column, ...columns])} must be distinct`,
      );
    const listField = getField(table.spec, column)!;
    const list = this.#codec.listParam?.(listField) ?? null;
    if (list === null) return null;
    const parts = this.#compiler.compileTableScan(table, literal(true));
    const ref = (c: string) => sql`${sql.identifier(parts.alias)}.${sql.identifier(c)}`;
    // The list column as stored, when the dialect would decode it in SQL: each row's value is
    // one of the list's, so the canonical value that selected it is taken back instead.
    const restoreList = this.#codec.decodeInSql(listField, ref(column)) !== null;
    const outputs = parts.outputs.map((o) =>
      restoreList && o.label === column ? { ...o, decoded: true } : o,
    );
    const selectList = restoreList
      ? sql.join(
          table.spec.fields.map((f) => {
            const expr = f.name === column ? null : this.#codec.decodeInSql(f, ref(f.name));
            return sql`${expr ?? ref(f.name)} AS ${sql.identifier(f.name)}`;
          }),
          sql`, `,
        )
      : parts.columns;
    const fields = columns.map((c) => getField(table.spec, c)!);
    const terms = [
      list.in(ref(column), sql`${sql.placeholder('list')}`),
      ...fields.map(
        (f, i) => sql`${ref(f.name)} = ${this.#codec.typedParam(f, sql.placeholder(String(i)))}`,
      ),
    ];
    const order =
      orderBy.length === 0
        ? sql``
        : sql` ORDER BY ${sql.join(
            orderBy.map((c) => ref(c)),
            sql`, `,
          )}`;
    const rendered = this.renderSql(
      sql`SELECT ${selectList} FROM ${parts.from} WHERE ${sql.join(terms, sql` AND `)}${order}`,
    );
    const bigints = outputs.some((o) => o.field?.dtype === 'timeNsecTai');
    const lookup: RenderedListLookup = {
      text: rendered.text,
      slots: slotsOf(rendered.params),
      fields,
      decoding: this.#decoders(outputs, bigints),
      bigints,
      list,
      listField,
      restoreList,
    };
    byShape.set(key, lookup);
    return lookup;
  }

  /** Streams the rows of a SELECT; a plain iterator over the materialised rows (see `fetch`). */
  override query(select: SelectQuery): AsyncIterable<Row> {
    const compiled = this.#compiler.compileSelect(select, { decode: true });
    return {
      [Symbol.asyncIterator]: () => {
        let rows: Row[] | undefined;
        let index = 0;
        return {
          next: async (): Promise<IteratorResult<Row>> => {
            rows ??= await this.#runSelect(compiled);
            return index < rows.length
              ? { value: rows[index++]!, done: false }
              : { value: undefined, done: true };
          },
        };
      },
    };
  }

  override async select(select: SelectQuery): Promise<Row[]> {
    return this.#runSelect(this.#compiler.compileSelect(select, { decode: true }));
  }

  override async fetch<S extends TableSpec>(
    handle: TableHandle<S>,
    options: FetchOptions = {},
  ): Promise<RowOf<S>[]> {
    checkOptions('Database.fetch', options, ['where', 'orderBy', 'limit']);
    const table = this.table(handle);
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
    const table = this.table(handle);
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
    const tableName = name ?? `tmp_${crypto.randomUUID().replaceAll('-', '')}`;
    if (this.#temp.has(tableName))
      throw new InvalidArgumentError(`Temporary table ${tableName} already exists in this session`);
    // A temporary table would hide a table of the same name (in any case, on SQLite).
    if (this.#catalog.tables?.has(tableName) === true)
      throw new InvalidArgumentError(
        `Temporary table ${tableName} would hide the table of that name`,
      );
    this.#checkCase(tableName, [...this.#temp.keys(), ...(this.#catalog.tables?.keys() ?? [])]);
    const table = this.#makeTable(tableName, spec, true);
    return this.withTemporaryTable(table, async () => {
      this.#temp.set(tableName, table);
      try {
        return await body(table);
      } finally {
        this.#temp.delete(tableName);
      }
    });
  }
}
