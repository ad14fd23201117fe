// Pages through a table in constant memory. The query AST has LIMIT but no OFFSET, so every
// page is a keyset query: "the rows after the last one seen, in key order, LIMIT n".
import { primaryKeyColumns } from '@butler-ts/ddl';
import type { TableSpec } from '@butler-ts/ddl';
import { and, cmp, col, eq, isNotNull, isNull, literal, or } from '@butler-ts/registry-interfaces';
import type { Database, Expr, Row, TableHandle } from '@butler-ts/registry-interfaces';
import { PaginationError } from './errors.ts';

/** Options of {@link tablePages}. */
export interface PageOptions {
  /** Rows per query. */
  readonly pageSize: number;
  /** Only rows matching this condition. */
  readonly where: Expr;
}

/** The default number of rows per query. */
export const DEFAULT_PAGE_SIZE = 1000;

function valueKey(value: unknown): string {
  if (value === null || value === undefined) return 'n';
  if (value instanceof Uint8Array)
    return `b${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  if (value instanceof Date) return `d${value.getTime()}`;
  switch (typeof value) {
    case 'string':
      return `s${value}`;
    case 'number':
    case 'bigint':
    case 'boolean':
      return `${typeof value}${value}`;
    default:
      // Value classes (TaiTime): their own text.
      return `o${(value as { toString(): string }).toString()}`;
  }
}

function rowKey(row: Row, columns: readonly string[]): string {
  return columns.map((c) => valueKey(row[c])).join('\u0000');
}

/**
 * `(columns) > (values)` in ORDER BY order, for NOT NULL key columns, written as
 * `a >= x AND (a > x OR (b > y …))` so the engine can range-scan the key's index.
 */
function keyAfter(columns: readonly string[], values: readonly unknown[]): Expr {
  const [first, ...rest] = columns;
  const c = col(first!);
  const v = values[0];
  if (rest.length === 0) return cmp(c, '>', v);
  return and(cmp(c, '>=', v), or(cmp(c, '>', v), keyAfter(rest, values.slice(1))));
}

/**
 * `(columns) >= (values)` in ORDER BY order for columns that may be NULL, where NULLs sort
 * first (SQLite) or last (PostgreSQL) in ascending order.
 */
function tupleAtOrAfter(
  columns: readonly string[],
  values: readonly unknown[],
  nullsFirst: boolean,
): Expr {
  let tail: Expr | null = null; // null: TRUE (the empty tuple is at-or-after itself)
  for (let i = columns.length - 1; i >= 0; i--) {
    const c = col(columns[i]!);
    const v = values[i];
    let greater: Expr;
    if (v === null || v === undefined) greater = nullsFirst ? isNotNull(c) : literal(false);
    else greater = nullsFirst ? cmp(c, '>', v) : or(cmp(c, '>', v), isNull(c));
    const same = eq(c, v ?? null);
    tail = or(greater, tail === null ? same : and(same, tail));
  }
  return tail ?? literal(true);
}

/**
 * The rows of `table` matching `where`, one page (array) at a time, so that a table of any
 * size is read in constant memory.
 *
 * A table with a primary key is paged by keyset: `ORDER BY pk LIMIT n`, then
 * `WHERE pk > last` (a composite key as `a >= x AND (a > x OR (b > y …))`). A table without
 * one is ordered by all its columns and paged with `WHERE (all columns) >= last`, skipping
 * the rows equal to the last one already written (duplicates are legal there); each such
 * page re-sorts the table, so it is much slower, and a page also holds the run of rows equal
 * to the last one. Rows are read outside any transaction: rows
 * written while the dump runs may or may not appear.
 *
 * @throws {@link PaginationError} when a page starts with rows already returned, which
 *   happens when key values do not survive the round trip (timestamps finer than a
 *   millisecond, integers beyond 2^53); the dump stops rather than repeat rows.
 */
export async function* tablePages(
  db: Database,
  table: TableHandle,
  spec: TableSpec,
  options: PageOptions,
): AsyncGenerator<Row[], void, undefined> {
  const pk = primaryKeyColumns(spec);
  const keyed = pk.length > 0;
  const columns = keyed ? pk : spec.fields.map((f) => f.name);
  const orderBy = columns.map((c) => ({ expr: col(c) }));
  const nullsFirst = db.dialect === 'sqlite';
  let last: Row | null = null;
  // Rows at the end of what was returned that equal `last` (tables without a primary key).
  let run = 0;
  for (;;) {
    let where = options.where;
    if (last !== null) {
      const values = columns.map((c) => last![c]);
      where = and(
        where,
        keyed ? keyAfter(columns, values) : tupleAtOrAfter(columns, values, nullsFirst),
      );
    }
    const limit = options.pageSize + (keyed ? 0 : run);
    const rows = await db.select({ from: [{ source: table }], where, orderBy, limit });
    let fresh = rows;
    if (last !== null) {
      const lastKey = rowKey(last, columns);
      const skip = keyed ? 0 : run;
      for (let i = 0; i < Math.min(skip, rows.length); i++) {
        if (rowKey(rows[i]!, columns) !== lastKey)
          throw new PaginationError(
            table.name,
            `Cannot page through ${table.name}: rows changed while reading, or column values do not survive the round trip`,
          );
      }
      fresh = skip === 0 ? rows : rows.slice(skip);
      if (keyed && fresh.length > 0 && rowKey(fresh[0]!, columns) === lastKey)
        throw new PaginationError(
          table.name,
          `Cannot page through ${table.name}: its key (${columns.join(', ')}) does not survive the round trip to the database (timestamps finer than a millisecond?)`,
        );
    }
    if (fresh.length > 0) {
      yield fresh;
      const newLast = fresh[fresh.length - 1]!;
      if (!keyed) {
        const newKey = rowKey(newLast, columns);
        let trailing = 0;
        for (let i = fresh.length - 1; i >= 0 && rowKey(fresh[i]!, columns) === newKey; i--)
          trailing++;
        run =
          trailing === fresh.length && last !== null && rowKey(last, columns) === newKey
            ? run + trailing
            : trailing;
      }
      last = newLast;
    }
    if (rows.length < limit) return;
  }
}
