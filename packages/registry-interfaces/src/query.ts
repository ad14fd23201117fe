import type { FieldSpec, TableSpec } from '@butler-ts/ddl';
import type { TableHandle } from './table-handle.ts';

/**
 * A dialect-neutral SQL expression, built with the helpers below ({@link col}, {@link eq},
 * {@link inList}, …) and compiled by each `Database` implementation. Values are always bound
 * as parameters, never spliced; a value compared with a column is converted as that
 * column's type (a UUID to 32 hex digits on SQLite, say).
 */
export type Expr =
  | { readonly kind: 'column'; readonly from: string | null; readonly column: string }
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'in'; readonly expr: Expr; readonly values: readonly unknown[] }
  | { readonly kind: 'inSelect'; readonly expr: Expr; readonly select: SelectQuery }
  | { readonly kind: 'isNull'; readonly expr: Expr; readonly negate: boolean }
  | { readonly kind: 'startsWith'; readonly expr: Expr; readonly prefix: string }
  | { readonly kind: 'and' | 'or'; readonly items: readonly Expr[] }
  | { readonly kind: 'not'; readonly item: Expr }
  | { readonly kind: 'literal'; readonly value: boolean }
  | { readonly kind: 'aggregate'; readonly fn: AggregateFn; readonly expr: Expr | null };

/** Comparison operators. */
export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

/**
 * Aggregates: `count` (of rows when given no expression), `min`, `max`, and `anyValue`
 * (any value of the group; PostgreSQL ≥ 16 and SQLite only, see `Database.hasAnyAggregate`).
 */
export type AggregateFn = 'count' | 'min' | 'max' | 'anyValue';

/** A condition on one table: an {@link Expr}, or a mapping column → value (see {@link whereOf}). */
export type Where = Expr | Readonly<Record<string, unknown>>;

/** Inline rows usable in a `from` clause (Python `constantRows`). */
export interface ConstantRows {
  readonly kind: 'constantRows';
  readonly fields: readonly FieldSpec[];
  readonly rows: readonly Readonly<Record<string, unknown>>[];
}

/** One relation of a `from` clause, with the alias its columns are referred to by. */
export interface FromItem {
  readonly source: TableHandle | ConstantRows;
  /** Defaults to the table's name; required for constant rows. */
  readonly alias?: string;
}

/** One ORDER BY term. */
export interface OrderTerm {
  readonly expr: Expr;
  readonly desc?: boolean;
}

/**
 * A SELECT: from one or more relations (a cross join, restricted by `where`), with labelled
 * output columns (default: every column of the single relation).
 */
export interface SelectQuery {
  readonly from: readonly FromItem[];
  readonly columns?: Readonly<Record<string, Expr>>;
  readonly where?: Expr;
  readonly groupBy?: readonly Expr[];
  /** PostgreSQL only (see `Database.hasDistinctOn`). */
  readonly distinctOn?: readonly Expr[];
  readonly orderBy?: readonly OrderTerm[];
  readonly limit?: number;
}

/** A column reference: `col('id')`, or `col('b', 'id')` for the relation aliased `b`. */
export function col(fromOrColumn: string, column?: string): Expr {
  return column === undefined
    ? { kind: 'column', from: null, column: fromOrColumn }
    : { kind: 'column', from: fromOrColumn, column };
}

/** A bound value. */
export function val(value: unknown): Expr {
  return { kind: 'value', value };
}

function operand(x: unknown): Expr {
  return isExpr(x) ? x : val(x);
}

/** `left op right`; a plain value is bound. */
export function cmp(left: Expr, op: CompareOp, right: unknown): Expr {
  return { kind: 'compare', op, left, right: operand(right) };
}

/** `left = right`, or `left IS NULL` when `right` is `null`. */
export function eq(left: Expr, right: unknown): Expr {
  return right === null ? { kind: 'isNull', expr: left, negate: false } : cmp(left, '=', right);
}

/** `expr IN (values…)`; an empty list is false. */
export function inList(expr: Expr, values: readonly unknown[]): Expr {
  return { kind: 'in', expr, values };
}

/** `expr IN (SELECT …)`; the select must have one output column. */
export function inSelect(expr: Expr, select: SelectQuery): Expr {
  return { kind: 'inSelect', expr, select };
}

/** `expr IS NULL`. */
export function isNull(expr: Expr): Expr {
  return { kind: 'isNull', expr, negate: false };
}

/** `expr IS NOT NULL`. */
export function isNotNull(expr: Expr): Expr {
  return { kind: 'isNull', expr, negate: true };
}

/**
 * A case-sensitive prefix match. Every implementation escapes LIKE metacharacters (`%`, `_`,
 * `\`) in `prefix`, so they match themselves.
 */
export function startsWith(expr: Expr, prefix: string): Expr {
  return { kind: 'startsWith', expr, prefix };
}

/** Conjunction; no items is true. */
export function and(...items: Expr[]): Expr {
  return items.length === 1 ? items[0]! : { kind: 'and', items };
}

/** Disjunction; no items is false. */
export function or(...items: Expr[]): Expr {
  return items.length === 1 ? items[0]! : { kind: 'or', items };
}

/** Negation. */
export function not(item: Expr): Expr {
  return { kind: 'not', item };
}

/** The literal TRUE or FALSE. */
export function literal(value: boolean): Expr {
  return { kind: 'literal', value };
}

/** An aggregate; `count()` counts rows. */
export function aggregate(fn: AggregateFn, expr: Expr | null = null): Expr {
  return { kind: 'aggregate', fn, expr };
}

const EXPR_KINDS: ReadonlySet<string> = new Set([
  'column',
  'value',
  'compare',
  'in',
  'inSelect',
  'isNull',
  'startsWith',
  'and',
  'or',
  'not',
  'literal',
  'aggregate',
]);

/** Whether `value` is an {@link Expr} (and not a column → value mapping). */
export function isExpr(value: unknown): value is Expr {
  if (typeof value !== 'object' || value === null) return false;
  const kind = (value as { kind?: unknown }).kind;
  return (
    typeof kind === 'string' &&
    EXPR_KINDS.has(kind) &&
    Object.keys(value).every((k) => k === 'kind' || k in EXPR_TEMPLATE[kind]!)
  );
}

// The keys each kind carries, so that a row-like mapping with a `kind` column is not
// mistaken for an expression.
const EXPR_TEMPLATE: Record<string, Record<string, true>> = {
  column: { from: true, column: true },
  value: { value: true },
  compare: { op: true, left: true, right: true },
  in: { expr: true, values: true },
  inSelect: { expr: true, select: true },
  isNull: { expr: true, negate: true },
  startsWith: { expr: true, prefix: true },
  and: { items: true },
  or: { items: true },
  not: { item: true },
  literal: { value: true },
  aggregate: { fn: true, expr: true },
};

/**
 * The expression of a {@link Where}: a mapping becomes the AND of `column = value` (`null`
 * meaning IS NULL, an array meaning IN); an empty mapping is TRUE.
 */
export function whereOf(where: Where | undefined): Expr {
  if (where === undefined) return literal(true);
  if (isExpr(where)) return where;
  const terms = Object.entries(where).map(([column, value]) =>
    Array.isArray(value) ? inList(col(column), value) : eq(col(column), value),
  );
  return terms.length === 0 ? literal(true) : and(...terms);
}

/**
 * Inline rows with the given columns, usable as a `from` item. Values are checked against
 * the fields when the query runs.
 */
export function constantRows(
  fields: readonly FieldSpec[] | TableSpec,
  rows: readonly Readonly<Record<string, unknown>>[],
): ConstantRows {
  const list = 'fields' in fields ? fields.fields : fields;
  return Object.freeze({ kind: 'constantRows', fields: list, rows });
}
