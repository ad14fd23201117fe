import {
  UnknownColumnError,
  getField,
  normalizeColumnValue,
  primaryKeyColumns,
  TaiTime,
} from '@butler-ts/ddl';
import type { ColumnType, FieldSpec, InsertRowOf, RowOf, TableSpec } from '@butler-ts/ddl';
import {
  OpaqueTableStorage,
  and,
  checkOptions,
  col,
  eq,
  inList,
  isNull,
  literal,
  startsWith,
} from '@butler-ts/registry-interfaces';
import type {
  Database,
  Expr,
  OpaqueWhere,
  OpaqueWriteOptions,
  Row,
  TableHandle,
} from '@butler-ts/registry-interfaces';
import { canonicalList } from './canonical-lists.ts';
import { cartesianProduct, chunked } from './chunks.ts';
import { SqlDatabase } from './sql-database.ts';

/** How many values of a list one batch of an opaque fetch covers at most (daf_butler's 1000). */
export const OPAQUE_FETCH_CHUNK_SIZE = 1000;

/**
 * How many chunks of one list a single statement of an opaque fetch covers at most on a
 * server. On SQLite each statement covers one chunk: there is no round trip to save, and ten
 * statements over a thousand sorted keys each measured faster than one over ten thousand
 * (`bench/opaque`, fetch by 10 000 ids).
 */
export const OPAQUE_FETCH_CHUNKS_PER_STATEMENT = 10;

const BRAND = Symbol.for('@butler-ts/registry-sql:ByNameOpaqueTableStorage');

/** Rows per batch of an opaque fetch without lists (a streamed read of the table). */
export const OPAQUE_SCAN_BATCH_SIZE = 10_000;

/** How many statements an opaque fetch runs ahead of its consumer. */
export const OPAQUE_FETCH_PREFETCH = 4;

/**
 * One opaque table stored as a real SQL table of the same name (daf_butler's
 * `ByNameOpaqueTableStorage`). Writes go straight to the `Database` and are rolled back by
 * its transactions; the `transaction` option (a datastore undo log) is ignored.
 *
 * Fetch rules (see {@link ByNameOpaqueTableStorage.fetchBatches}), with deliberate fixes of
 * daf_butler's quirks:
 *
 * - a list or set value means membership: values are checked against the column, then
 *   de-duplicated, sorted and split in chunks of {@link OPAQUE_FETCH_CHUNK_SIZE}; with
 *   several such columns every combination of chunks (their Cartesian product, the last
 *   column varying fastest) is one batch. daf_butler runs one query per batch, because each
 *   value is a bound parameter there; here a list is one parameter, so batches that differ
 *   only in the chunk of the fastest-varying list come, on PostgreSQL, from one statement
 *   over up to {@link OPAQUE_FETCH_CHUNKS_PER_STATEMENT} chunks, cut by value (SQLite runs one
 *   per chunk). The batches are the same; the statements are fewer (one instead of ten for
 *   10 000 ids). A single list that
 *   fits one statement goes out as given (SQL ignores order and repeats), and its sort runs
 *   while the server works;
 * - `null` matches NULL (`IS NULL`), also inside a list (Python's `IN (NULL)` never matched);
 * - an empty list matches nothing and runs no query at all;
 * - on a `string` or `text` column, a string ending in `%` is a case-sensitive prefix match
 *   on the text before it, in which `%`, `_` and `\` match themselves. This deviates from
 *   Python, where `%`/`_` inside the prefix were wildcards, and from SQLite's `LIKE`, which
 *   is case-insensitive for ASCII: the `Database` implements `startsWith` exactly. On other
 *   column types such a string is an ordinary value;
 * - when a list constrains the fetch, each batch is ordered by the primary key, so results
 *   come in the same order on every engine (daf_butler leaves it to the database, and
 *   PostgreSQL returns physical order, which updates change). When the list is of primary
 *   keys (a one-column key of UUIDs, strings or integers), a batch takes the order of its
 *   sorted chunk of keys (code-point order for strings) and the server sorts nothing;
 *   otherwise the statement has `ORDER BY` the key. Without a list the order is the
 *   database's (as in Python), which keeps a fetch of a whole table a plain scan;
 * - without a list, the rows stream in batches of up to {@link OPAQUE_SCAN_BATCH_SIZE}
 *   (`Database.fetchBatches`): memory does not grow with the table, and the first batch
 *   arrives after one page is read, not the whole table.
 *
 * Unknown columns and values of the wrong type fail before any SQL runs
 * (`UnknownColumnError`, `ColumnValueError` from `@butler-ts/ddl`).
 */
export class ByNameOpaqueTableStorage<
  S extends TableSpec = TableSpec,
> extends OpaqueTableStorage<S> {
  readonly #db: Database;
  readonly #table: TableHandle<S>;
  readonly #orderBy: readonly { readonly expr: Expr }[];
  /** The primary key's columns, the order of a batch fetched by a list of other values. */
  readonly #keyColumns: readonly string[];
  /** The primary key column when batches can be ordered by their list of keys (see the class). */
  readonly #listKey: string | null;
  /** The first primary key column: single values including it take `fetchEqual`. */
  readonly #leadingKey: string | null;

  /** Wraps `table` of `db`; made by `ByNameOpaqueTableStorageManager`. */
  constructor(name: string, table: TableHandle<S>, db: Database) {
    super(name, table.spec);
    this.#db = db;
    this.#table = table;
    const key = primaryKeyColumns(table.spec);
    this.#orderBy = key.map((column) => ({ expr: col(column) }));
    this.#keyColumns = key;
    this.#listKey =
      key.length === 1 && EXACT_TYPES.has(getField(table.spec, key[0]!)!.dtype) ? key[0]! : null;
    this.#leadingKey = key[0] ?? null;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** Whether `value` is a `ByNameOpaqueTableStorage`, from any copy of this package. */
  static is(value: unknown): value is ByNameOpaqueTableStorage {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[BRAND] === true
    );
  }

  /** The underlying table, for queries that join it (the monolithic bridge's trash). */
  get table(): TableHandle<S> {
    return this.#table;
  }

  /** @throws `IntegrityError` on a duplicate key; nothing is written. */
  override async insert(
    rows: readonly InsertRowOf<S>[],
    options?: OpaqueWriteOptions,
  ): Promise<void> {
    checkOptions('OpaqueTableStorage.insert', options, ['transaction']);
    await this.#db.insert(this.#table, rows);
  }

  override async ensure(
    rows: readonly InsertRowOf<S>[],
    options?: OpaqueWriteOptions,
  ): Promise<void> {
    checkOptions('OpaqueTableStorage.ensure', options, ['transaction']);
    await this.#db.ensure(this.#table, rows);
  }

  override async replace(
    rows: readonly InsertRowOf<S>[],
    options?: OpaqueWriteOptions,
  ): Promise<void> {
    checkOptions('OpaqueTableStorage.replace', options, ['transaction']);
    await this.#db.replace(this.#table, rows);
  }

  /**
   * Removes the rows matching any of `rows` on `columns`; no columns removes every row, no
   * rows (with columns) removes nothing.
   *
   * @throws `UnknownColumnError` for a column the table does not have, before any SQL runs.
   */
  override async delete(
    columns: readonly (keyof RowOf<S> & string)[],
    rows: readonly Partial<RowOf<S>>[],
  ): Promise<void> {
    for (const column of columns) this.#field(column);
    await this.#db.delete(this.#table, columns, rows);
  }

  /**
   * Yields the rows matching every constraint: one batch per combination of chunks, in the
   * order described on the class. No constraints: one query, one batch.
   *
   * @throws `UnknownColumnError` / `ColumnValueError` for a bad constraint, before any SQL.
   */
  override async *fetchBatches(where: OpaqueWhere<S> = {}): AsyncIterable<RowOf<S>[]> {
    const constraints: Constraint[] = [];
    for (const [column, value] of Object.entries(where as Readonly<Record<string, unknown>>)) {
      if (value === undefined) continue;
      constraints.push(this.#constraint(column, value));
    }
    const ordered = constraints.some((c) => c.values !== null);
    if (
      this.#db instanceof SqlDatabase &&
      constraints.some((c) => c.column === this.#leadingKey) &&
      constraints.every((c) => c.equal !== undefined)
    ) {
      // Single values including the key's first column (a FileDatastore.get): one statement
      // prepared once for the table, which stops after one batch. Rows beyond that (a key
      // prefix matching more than a batch) are read again by the stream below.
      const rows = await this.#db.fetchEqual(
        this.#table,
        constraints.map((c) => c.column),
        constraints.map((c) => c.equal),
        OPAQUE_SCAN_BATCH_SIZE + 1,
      );
      if (rows.length <= OPAQUE_SCAN_BATCH_SIZE) {
        if (rows.length > 0) yield rows;
        return;
      }
    }
    if (!ordered) {
      // No list: the matching rows stream from one read, in batches as the database pages
      // them, so that memory does not grow with the table.
      const clauses = constraints.flatMap((c) => c.others);
      yield* this.#db.fetchBatches(this.#table, {
        where: clauses.length === 0 ? literal(true) : and(...clauses),
        batchSize: OPAQUE_SCAN_BATCH_SIZE,
      });
      return;
    }
    const key = constraints.findIndex((c) => c.values !== null && c.column === this.#listKey);
    // The statements run up to OPAQUE_FETCH_PREFETCH ahead of the consumer: on a server they
    // overlap on pooled connections; SQLite serialises them, so it costs nothing there.
    const perStatement = this.#db.dialect === 'sqlite' ? 1 : OPAQUE_FETCH_CHUNKS_PER_STATEMENT;
    const statements = plan(constraints, key, perStatement)[Symbol.iterator]();
    const inflight: { rows: Promise<Row[]>; statement: Statement }[] = [];
    const db = this.#db;
    // Batches not ordered by their list of keys are ordered by the key in SQL.
    const byKey = ordered && key < 0;
    const fill = () => {
      while (inflight.length < OPAQUE_FETCH_PREFETCH) {
        const next = statements.next();
        if (next.done === true) return;
        const statement = next.value;
        // One list and equalities (the usual shape): a statement rendered once per table.
        const lookup = db instanceof SqlDatabase ? listAndEqualities(statement.where) : null;
        const rows =
          lookup !== null && db instanceof SqlDatabase
            ? db.fetchIn(
                this.#table,
                lookup.list,
                lookup.columns,
                lookup.values,
                byKey ? this.#keyColumns : [],
              )
            : db.select({
                from: [{ source: this.#table }],
                where: statement.where.length === 0 ? literal(true) : and(...statement.where),
                ...(byKey ? { orderBy: this.#orderBy } : {}),
              });
        // Awaited in order below; this only keeps an abandoned prefetch from being unhandled.
        rows.catch(() => undefined);
        inflight.push({ rows, statement });
      }
    };
    fill();
    const prepares = inflight.flatMap(({ statement }) => statement.prepare ?? []);
    if (prepares.length > 0) {
      // Let the statements leave (a pool hands out connections on the next tick), then do
      // the work that needs no rows while the server runs them.
      await nextTurn();
      for (const prepare of prepares) prepare();
    }
    while (inflight.length > 0) {
      const { rows, statement } = inflight.shift()!;
      const result = await rows;
      fill();
      for (const batch of statement.cut(result)) yield batch as RowOf<S>[];
    }
  }

  #field(column: string): FieldSpec {
    const field = getField(this.spec, column);
    if (field === undefined)
      throw new UnknownColumnError(
        this.name,
        column,
        this.spec.fields.map((f) => f.name),
      );
    return field;
  }

  // One constraint as the alternatives a row may match (see Constraint).
  #constraint(column: string, value: unknown): Constraint {
    const field = this.#field(column);
    const target = col(column);
    if (Array.isArray(value) || value instanceof Set) {
      const values: unknown[] = [];
      let withNull = false;
      for (const item of value as Iterable<unknown>) {
        if (item === null || item === undefined) withNull = true;
        else values.push(normalizeColumnValue(this.name, field, item));
      }
      let sorted: unknown[] | undefined;
      let chunks: unknown[][] | undefined;
      let positions: Map<unknown, number> | undefined;
      const distinct = () => (sorted ??= sortedDistinct(field, values));
      return {
        column,
        field,
        values,
        chunks: () => (chunks ??= chunked(distinct(), OPAQUE_FETCH_CHUNK_SIZE)),
        positions: () => (positions ??= new Map(distinct().map((v, i) => [v, i]))),
        others: withNull ? [isNull(target)] : [],
      };
    }
    const single = (clause: Expr, equal?: unknown): Constraint => ({
      column,
      field,
      values: null,
      equal,
      chunks: () => [],
      positions: () => new Map(),
      others: [clause],
    });
    if (value === null) return single(isNull(target));
    if (
      typeof value === 'string' &&
      value.endsWith('%') &&
      (field.dtype === 'string' || field.dtype === 'text')
    ) {
      return single(startsWith(target, value.slice(0, -1)));
    }
    const normalized = normalizeColumnValue(this.name, field, value);
    return single(eq(target, normalized), normalized);
  }
}

/**
 * A statement's conditions as one list of a column's values and equalities of other columns
 * with values (what `SqlDatabase.fetchIn` takes), or `null` for any other shape (a null or a
 * prefix match, or several lists).
 */
function listAndEqualities(where: readonly Expr[]): {
  list: { column: string; values: readonly unknown[] };
  columns: string[];
  values: unknown[];
} | null {
  let list: { column: string; values: readonly unknown[] } | null = null;
  const columns: string[] = [];
  const values: unknown[] = [];
  for (const clause of where) {
    if (clause.kind === 'in' && clause.expr.kind === 'column' && list === null) {
      list = { column: clause.expr.column, values: clause.values };
    } else if (
      clause.kind === 'compare' &&
      clause.op === '=' &&
      clause.left.kind === 'column' &&
      clause.right.kind === 'value'
    ) {
      columns.push(clause.left.column);
      values.push(clause.right.value);
    } else return null;
  }
  return list === null ? null : { list, columns, values };
}

/** Resolves after the current turn of the event loop (and its next-tick callbacks). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * One constraint of a fetch: the row must match one of its alternatives, which are, in this
 * order, an `IN` clause per chunk of a list's values, then the other clauses (`IS NULL` for a
 * null in a list; the equality or prefix match of a single value).
 */
interface Constraint {
  readonly column: string;
  readonly field: FieldSpec;
  /** A list's checked non-null values as given (repeats, any order); `null` for a value. */
  readonly values: readonly unknown[] | null;
  /** The checked value of an equality (neither a list, a null nor a prefix), else undefined. */
  readonly equal?: unknown;
  /** A list's distinct values, sorted, in chunks of OPAQUE_FETCH_CHUNK_SIZE (sorted once). */
  chunks(): readonly (readonly unknown[])[];
  /** Each distinct value's position in the sorted list (made once). */
  positions(): ReadonlyMap<unknown, number>;
  readonly others: readonly Expr[];
}

/**
 * One alternative of a constraint: its clause and, when it is a chunk of a list, its values
 * and the position of the first of them in the sorted list.
 */
interface Alternative {
  readonly clause: Expr;
  readonly chunk: readonly unknown[] | null;
  readonly offset: number;
}

/** One statement of a fetch and how its rows become batches. */
interface Statement {
  readonly where: Expr[];
  /** Work the batches need that needs no rows, done while the statement runs. */
  readonly prepare: (() => void) | null;
  /** The statement's rows as its batches, in order. */
  cut(rows: Row[]): Row[][];
}

/**
 * Key types whose values read back exactly (`===`) as the canonical values that selected
 * them, so a batch can be ordered by its chunk of keys.
 */
const EXACT_TYPES: ReadonlySet<ColumnType> = new Set([
  'uuid',
  'string',
  'text',
  'smallint',
  'integer',
  'bigint',
]);

function alternatives(constraint: Constraint): Alternative[] {
  return [
    ...constraint.chunks().map((chunk, i) => ({
      clause: inList(col(constraint.column), canonicalList(chunk, constraint.field)),
      chunk,
      offset: i * OPAQUE_FETCH_CHUNK_SIZE,
    })),
    ...constraint.others.map((clause) => ({ clause, chunk: null, offset: 0 })),
  ];
}

/**
 * The statements of a fetch, in the order of their batches. Each combination of alternatives
 * (their Cartesian product, the last constraint varying fastest) is one batch. Consecutive
 * batches that differ only in the chunk of the fastest-varying list are fetched by one
 * statement over up to `perStatement` chunks (OPAQUE_FETCH_CHUNKS_PER_STATEMENT on a server,
 * 1 on SQLite) and cut by value: the batches are the same, the statements fewer (daf_butler runs one per batch because each
 * value is a bound parameter; here a list is one parameter). `key` is the index of the
 * constraint listing primary keys (or -1): its chunks order the batches.
 */
function* plan(
  constraints: readonly Constraint[],
  key: number,
  perStatement: number,
): Generator<Statement> {
  const keyList = key < 0 ? null : constraints[key]!;
  // Rows in key order, one batch per chunk of keys (see inKeyOrder); `null` without a list
  // of keys, or when a row's key is not in it.
  const byKey = (rows: Row[], chunks: readonly (readonly unknown[])[], offset: number) =>
    keyList === null ? null : inKeyOrder(rows, keyList.column, keyList.positions(), chunks, offset);
  const lists = constraints.filter((c) => c.values !== null);
  const only = lists.length === 1 ? lists[0]! : null;
  if (only !== null && only.values!.length <= OPAQUE_FETCH_CHUNK_SIZE * perStatement) {
    // One list that fits one statement, the other constraints single values: the statement
    // takes the list as given (SQL ignores order and repeats), and the sort that cuts and
    // orders its batches runs while the statement does.
    const at = constraints.indexOf(only);
    const whereWith = (clause: Expr) =>
      constraints.map((c, i) => (i === at ? clause : c.others[0]!));
    if (only.values!.length > 0) {
      yield {
        where: whereWith(inList(col(only.column), canonicalList(only.values!, only.field))),
        prepare: () => {
          only.chunks();
          if (keyList !== null) keyList.positions();
        },
        cut: (rows) =>
          byKey(rows, only.chunks(), 0) ?? cutByValue(rows, only.column, only.chunks()),
      };
    }
    for (const other of only.others)
      yield { where: whereWith(other), prepare: null, cut: (rows) => [rows] };
    return;
  }
  const options = constraints.map(alternatives);
  // An empty list matches nothing: no statement at all.
  if (options.some((list) => list.length === 0)) return;
  let fastest = options.length - 1;
  while (fastest >= 0 && options[fastest]!.length <= 1) fastest--;
  // A combination's chunk of keys orders its batch (an IS NULL alternative of the key has
  // none, and matches nothing).
  const inKeyChunk = (combination: readonly Alternative[]) => {
    const keys = key < 0 ? null : combination[key]!;
    return (rows: Row[]): Row[] =>
      keys?.chunk == null ? rows : (byKey(rows, [keys.chunk], keys.offset)?.[0] ?? rows);
  };
  const statement = (combination: readonly Alternative[]): Statement => {
    const order = inKeyChunk(combination);
    return { where: combination.map((a) => a.clause), prepare: null, cut: (rows) => [order(rows)] };
  };
  if (fastest < 0 || constraints[fastest]!.chunks().length <= 1) {
    for (const combination of cartesianProduct(options)) yield statement(combination);
    return;
  }
  const grouped = constraints[fastest]!;
  // Constraints after the fastest-varying one have a single alternative each.
  const after = options.slice(fastest + 1).map((list) => list[0]!);
  for (const before of cartesianProduct(options.slice(0, fastest))) {
    let offset = 0;
    for (const chunks of chunked(grouped.chunks(), perStatement)) {
      const values = canonicalList(chunks.flat(), grouped.field);
      const combination = [
        ...before,
        { clause: inList(col(grouped.column), values), chunk: null, offset },
        ...after,
      ];
      const order = inKeyChunk(combination);
      const first = offset;
      yield {
        where: combination.map((a) => a.clause),
        prepare: null,
        cut: (rows) =>
          (key === fastest ? byKey(rows, chunks, first) : null) ??
          cutByValue(rows, grouped.column, chunks).map(order),
      };
      offset += values.length;
    }
    for (const other of options[fastest]!.slice(grouped.chunks().length))
      yield statement([...before, other, ...after]);
  }
}

/**
 * The rows of one statement over consecutive chunks of one sorted list, as one batch per
 * chunk, each keeping the statement's order. A row's chunk is the first whose last value is
 * not below the row's value.
 */
function cutByValue(rows: Row[], column: string, chunks: readonly (readonly unknown[])[]): Row[][] {
  if (chunks.length === 1) return [rows];
  const lasts = chunks.map((chunk) => chunk[chunk.length - 1]);
  const batches: Row[][] = chunks.map(() => []);
  for (const row of rows) {
    const value = row[column];
    let low = 0;
    let high = lasts.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareValues(lasts[middle], value) < 0) low = middle + 1;
      else high = middle;
    }
    batches[low]!.push(row);
  }
  return batches;
}

/**
 * `rows`, selected by consecutive chunks of a sorted list of primary keys starting at
 * position `offset`, as one batch per chunk in key order: each row is placed by its key's
 * position in the list (`positions`, built while the statement ran). This is the primary-key
 * order on every engine without a sort on the server, which cost PostgreSQL a third of a
 * 10 000-id fetch (`bench/opaque`). `null` when a row's key is not among the chunks, or is
 * another row's: the caller then keeps the database's order rather than lose a row.
 */
function inKeyOrder(
  rows: readonly Row[],
  key: string,
  positions: ReadonlyMap<unknown, number>,
  chunks: readonly (readonly unknown[])[],
  offset: number,
): Row[][] | null {
  let size = 0;
  for (const chunk of chunks) size += chunk.length;
  const slots = new Array<Row | undefined>(size);
  for (const row of rows) {
    const at = (positions.get(row[key]) ?? -1) - offset;
    if (at < 0 || at >= size || slots[at] !== undefined) return null;
    slots[at] = row;
  }
  let start = 0;
  return chunks.map((chunk) => {
    const batch: Row[] = [];
    for (let i = start; i < start + chunk.length; i++) {
      const row = slots[i];
      if (row !== undefined) batch.push(row);
    }
    start += chunk.length;
    return batch;
  });
}

/** The distinct values of a list, in Python's order. */
function sortedDistinct(field: FieldSpec, values: readonly unknown[]): unknown[] {
  const sorted = [...values];
  // Canonical UUIDs are ASCII strings, whose default (code-unit) order is code-point order.
  if (field.dtype === 'uuid') sorted.sort();
  else sorted.sort(compareValues);
  return distinctSorted(sorted);
}

/** The sorted `values` without repeats (equal values are adjacent). */
function distinctSorted(values: readonly unknown[]): unknown[] {
  const distinct: unknown[] = [];
  let last: unknown = undefined;
  for (const value of values) {
    // Equal strings and numbers are identical (canonical values hold no NaN and no -0); only
    // objects (dates, bytes, times) need comparing.
    if (
      distinct.length > 0 &&
      (value === last || (typeof value === 'object' && compareValues(last, value) === 0))
    )
      continue;
    distinct.push(value);
    last = value;
  }
  return distinct;
}

/** Code-point order, as Python compares strings (UTF-16 order differs above U+FFFF). */
function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    // A surrogate starts a code point above U+FFFF, after every other UTF-16 unit.
    if (xSurrogate !== ySurrogate) return xSurrogate ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Python's order for the values of one column type (all values share a type). */
function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (a instanceof TaiTime && b instanceof TaiTime)
    return a.nsec < b.nsec ? -1 : a.nsec > b.nsec ? 1 : 0;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b);
  return 0;
}
