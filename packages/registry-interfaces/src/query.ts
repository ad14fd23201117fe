import type { FieldSpec, TableSpec } from '@butler-ts/ddl';
import type { TableHandle } from './table-handle.ts';

/**
 * A dialect-neutral SQL expression, built with the helpers below ({@link col}, {@link eq},
 * {@link inList}, …) and compiled by each `Database` implementation. Values are always bound
 * as parameters, never spliced; a value compared with a column is converted as that
 * column's type (a UUID to 32 hex digits on SQLite, say).
 */
export type Expr =
  | {
      /** A column reference, made by {@link col}. */
      readonly kind: 'column';
      /**
       * The alias of the relation; `null` for whichever relation has the column (it must be one).
       */
      readonly from: string | null;
      /** The column name. */
      readonly column: string;
    }
  | {
      /** A bound value, made by {@link val}. */
      readonly kind: 'value';
      /** The value; converted as the column's type when compared with a column. */
      readonly value: unknown;
    }
  | {
      /** A comparison, made by {@link cmp} or {@link eq}. */
      readonly kind: 'compare';
      /** The operator. */
      readonly op: CompareOp;
      /** The left operand. */
      readonly left: Expr;
      /** The right operand. */
      readonly right: Expr;
    }
  | {
      /** Membership in a list of values, made by {@link inList}. */
      readonly kind: 'in';
      /** The tested expression. */
      readonly expr: Expr;
      /** The values, bound as parameters; an empty list is false. */
      readonly values: readonly unknown[];
    }
  | {
      /** Membership in a subquery's results, made by {@link inSelect}. */
      readonly kind: 'inSelect';
      /** The tested expression. */
      readonly expr: Expr;
      /** The subquery; it must have one output column. */
      readonly select: SelectQuery;
    }
  | {
      /** A NULL test, made by {@link isNull}, {@link isNotNull} or {@link eq} with `null`. */
      readonly kind: 'isNull';
      /** The tested expression. */
      readonly expr: Expr;
      /** `true` for IS NOT NULL. */
      readonly negate: boolean;
    }
  | {
      /** A case-sensitive prefix match, made by {@link startsWith}. */
      readonly kind: 'startsWith';
      /** The tested expression (a string column). */
      readonly expr: Expr;
      /** The prefix, matched literally (LIKE metacharacters are escaped). */
      readonly prefix: string;
    }
  | {
      /** A conjunction or disjunction, made by {@link and} or {@link or}. */
      readonly kind: 'and' | 'or';
      /** The operands; none is TRUE for `and`, FALSE for `or`. */
      readonly items: readonly Expr[];
    }
  | {
      /** A negation, made by {@link not}. */
      readonly kind: 'not';
      /** The negated expression. */
      readonly item: Expr;
    }
  | {
      /** TRUE or FALSE, made by {@link literal}. */
      readonly kind: 'literal';
      /** Which of the two. */
      readonly value: boolean;
    }
  | {
      /** An aggregate, made by {@link aggregate}. */
      readonly kind: 'aggregate';
      /** The aggregate function. */
      readonly fn: AggregateFn;
      /** Its argument; `null` only for `count`, which then counts rows. */
      readonly expr: Expr | null;
    };

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
  /** Tells constant rows from a table handle in {@link FromItem.source}. */
  readonly kind: 'constantRows';
  /** The columns, typing the values as a table's fields would. */
  readonly fields: readonly FieldSpec[];
  /**
   * The rows: column → value, checked against `fields` when the query runs; a missing column
   * is NULL. No rows gives an empty relation.
   */
  readonly rows: readonly Readonly<Record<string, unknown>>[];
}

/** One relation of a `from` clause, with the alias its columns are referred to by. */
export interface FromItem {
  /** A table of the database running the query, or inline rows from {@link constantRows}. */
  readonly source: TableHandle | ConstantRows;
  /** Defaults to the table's name; required for constant rows. */
  readonly alias?: string;
}

/** One ORDER BY term. */
export interface OrderTerm {
  /** The expression to sort by. */
  readonly expr: Expr;
  /** Sort descending; default false (ascending). */
  readonly desc?: boolean;
}

/**
 * A SELECT: from one or more relations (a cross join, restricted by `where`), with labelled
 * output columns (default: every column of the single relation).
 */
export interface SelectQuery {
  /** The relations, cross-joined; at least one, with distinct aliases. */
  readonly from: readonly FromItem[];
  /**
   * Output label → expression; the labels are the keys of the returned rows. Required when
   * `from` has several relations; default every column of the single one.
   */
  readonly columns?: Readonly<Record<string, Expr>>;
  /** The rows to keep; default every row. */
  readonly where?: Expr;
  /** GROUP BY expressions; default no grouping. */
  readonly groupBy?: readonly Expr[];
  /** PostgreSQL only (see `Database.hasDistinctOn`). */
  readonly distinctOn?: readonly Expr[];
  /** Sort terms, most significant first; default no ORDER BY (the engine's order). */
  readonly orderBy?: readonly OrderTerm[];
  /** The most rows to return, a non-negative integer; default no limit. */
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
