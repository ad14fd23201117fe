import {
  UnknownColumnError,
  getField,
  normalizeColumnValue,
  primaryKeyColumns,
  TaiTime,
} from '@butler-ts/ddl';
import type { FieldSpec, InsertRowOf, RowOf, TableSpec } from '@butler-ts/ddl';
import {
  OpaqueTableStorage,
  and,
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
import { cartesianProduct, chunked } from './chunks.ts';

/** How many values one `IN (…)` clause of an opaque fetch holds at most. */
export const OPAQUE_FETCH_CHUNK_SIZE = 1000;

const BRAND = Symbol.for('@butler-ts/registry-sql:ByNameOpaqueTableStorage');

/** How many batch queries an opaque fetch runs ahead of its consumer. */
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
 *   de-duplicated, sorted and split in `IN` clauses of {@link OPAQUE_FETCH_CHUNK_SIZE}; with
 *   several such columns every combination of chunks (their Cartesian product) is one
 *   query and one batch, so no statement exceeds a bound-parameter limit;
 * - `null` matches NULL (`IS NULL`), also inside a list (Python's `IN (NULL)` never matched);
 * - an empty list matches nothing and runs no query at all;
 * - on a `string` or `text` column, a string ending in `%` is a case-sensitive prefix match
 *   on the text before it, in which `%`, `_` and `\` match themselves. This deviates from
 *   Python, where `%`/`_` inside the prefix were wildcards, and from SQLite's `LIKE`, which
 *   is case-insensitive for ASCII: the `Database` implements `startsWith` exactly. On other
 *   column types such a string is an ordinary value;
 * - when a list constrains the fetch, each batch is ordered by the primary key, so results
 *   come in the same order on every engine; without one the order is the database's (as in
 *   Python), which keeps a fetch of a whole table a plain scan.
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

  /** Wraps `table` of `db`; made by `ByNameOpaqueTableStorageManager`. */
  constructor(name: string, table: TableHandle<S>, db: Database) {
    super(name, table.spec);
    this.#db = db;
    this.#table = table;
    this.#orderBy = primaryKeyColumns(table.spec).map((column) => ({ expr: col(column) }));
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
    _options?: OpaqueWriteOptions,
  ): Promise<void> {
    await this.#db.insert(this.#table, rows);
  }

  override async ensure(
    rows: readonly InsertRowOf<S>[],
    _options?: OpaqueWriteOptions,
  ): Promise<void> {
    await this.#db.ensure(this.#table, rows);
  }

  override async replace(
    rows: readonly InsertRowOf<S>[],
    _options?: OpaqueWriteOptions,
  ): Promise<void> {
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
   * Yields the rows matching every constraint: one batch per query, in the order described
   * on the class. No constraints: one query, one batch.
   *
   * @throws `UnknownColumnError` / `ColumnValueError` for a bad constraint, before any SQL.
   */
  override async *fetchBatches(where: OpaqueWhere<S> = {}): AsyncIterable<RowOf<S>[]> {
    const alternatives: Expr[][] = [];
    for (const [column, value] of Object.entries(where as Readonly<Record<string, unknown>>)) {
      if (value === undefined) continue;
      alternatives.push(this.#clauses(column, value));
    }
    const ordered = Object.values(where as Readonly<Record<string, unknown>>).some(
      (value) => Array.isArray(value) || value instanceof Set,
    );
    // The batches' queries run up to OPAQUE_FETCH_PREFETCH ahead of the consumer: on a server
    // they overlap on pooled connections; SQLite serialises them, so it costs nothing there.
    const queries = cartesianProduct(alternatives)[Symbol.iterator]();
    const inflight: Promise<Row[]>[] = [];
    const fill = () => {
      while (inflight.length < OPAQUE_FETCH_PREFETCH) {
        const next = queries.next();
        if (next.done === true) return;
        const combination = next.value;
        const pending = this.#db.select({
          from: [{ source: this.#table }],
          where: combination.length === 0 ? literal(true) : and(...combination),
          ...(ordered ? { orderBy: this.#orderBy } : {}),
        });
        // Awaited in order below; this only keeps an abandoned prefetch from being unhandled.
        pending.catch(() => undefined);
        inflight.push(pending);
      }
    };
    fill();
    while (inflight.length > 0) {
      const batch = await inflight.shift()!;
      fill();
      yield batch as RowOf<S>[];
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

  // The alternative clauses of one constraint: a row matches the constraint when it matches
  // one of them.
  #clauses(column: string, value: unknown): Expr[] {
    const field = this.#field(column);
    const target = col(column);
    if (Array.isArray(value) || value instanceof Set) {
      const values = [...(value as Iterable<unknown>)];
      const distinct = new Map<unknown, unknown>();
      let withNull = false;
      for (const item of values) {
        if (item === null || item === undefined) {
          withNull = true;
          continue;
        }
        const normal = normalizeColumnValue(this.name, field, item);
        distinct.set(identity(normal), normal);
      }
      const sorted = [...distinct.values()].sort(compareValues);
      const clauses = chunked(sorted, OPAQUE_FETCH_CHUNK_SIZE).map((chunk) =>
        inList(target, chunk),
      );
      if (withNull) clauses.push(isNull(target));
      return clauses;
    }
    if (value === null) return [isNull(target)];
    if (
      typeof value === 'string' &&
      value.endsWith('%') &&
      (field.dtype === 'string' || field.dtype === 'text')
    ) {
      return [startsWith(target, value.slice(0, -1))];
    }
    return [eq(target, normalizeColumnValue(this.name, field, value))];
  }
}

// A key under which equal values collide (Map keys compare objects by reference).
function identity(value: unknown): unknown {
  if (value instanceof Date) return `date:${value.getTime()}`;
  if (value instanceof TaiTime) return `tai:${value.nsec}`;
  if (value instanceof Uint8Array) return `bytes:${Buffer.from(value).toString('hex')}`;
  return value;
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
