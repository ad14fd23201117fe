import { normalizeColumnValue } from './column-types.ts';
import type { ColumnType, ColumnValueTypes } from './column-types.ts';
import type { TaiTimespan } from './tai-timespan.ts';
import { ColumnValueError, UnknownColumnError, describe } from './errors.ts';
import type { FieldSpec, FieldSpecInit } from './field-spec.ts';
import type { TableSpec } from './table-spec.ts';

/** Anything with fields: a {@link TableSpec}, or a table spec's plain init declared `as const`. */
export interface HasFields {
  /** The columns, in order; their literal names and types drive {@link RowOf}. */
  readonly fields: readonly FieldSpecInit[];
}

/**
 * The union of the field (init or spec) types of `S`, one member per column. Type-level
 * machinery of {@link RowOf} and {@link InsertRowOf}.
 *
 * @internal
 */
export type FieldOf<S extends HasFields> = S['fields'][number];

/**
 * `true` when field `F` is NOT NULL (a primary key or `nullable: false`), else `false`: such a
 * column is required in {@link RowOf}. Type-level machinery of {@link RowOf}.
 *
 * @internal
 */
export type NotNull<F> = F extends { readonly primaryKey: true }
  ? true
  : F extends { readonly nullable: false }
    ? true
    : false;

/**
 * `true` when the database fills field `F` if an insert omits it (autoincrement, or a server
 * default), else `false`: such a column is optional in {@link InsertRowOf}. Type-level
 * machinery of {@link InsertRowOf}.
 *
 * @internal
 */
export type Filled<F> = F extends { readonly autoincrement: true }
  ? true
  : F extends { readonly default: string | number | boolean }
    ? true
    : false;

/**
 * The TypeScript value of field `F`, from its `dtype` (see {@link ColumnValueTypes}).
 * Type-level machinery of {@link RowOf} and {@link InsertRowOf}.
 *
 * @internal
 */
export type ValueOf<F> = F extends { readonly range: true }
  ? TaiTimespan
  : F extends { readonly dtype: infer T extends ColumnType }
    ? ColumnValueTypes[T]
    : never;

/**
 * Flattens an intersection of object types into one object type, so editors show rows as
 * plain objects. Type-level machinery of {@link RowOf} and {@link InsertRowOf}.
 *
 * @internal
 */
export type Simplify<T> = { [K in keyof T]: T[K] } & {};

/**
 * The row a table spec implies: NOT NULL columns (primary keys, `nullable: false`) are
 * required, nullable ones may be `null` or absent; each value has its column type's TS type.
 * This is what a fetch yields and what a full insert takes.
 */
export type RowOf<S extends HasFields> = Simplify<
  { [F in FieldOf<S> as NotNull<F> extends true ? F['name'] : never]: ValueOf<F> } & {
    [F in FieldOf<S> as NotNull<F> extends true ? never : F['name']]?: ValueOf<F> | null;
  }
>;

/**
 * The row an insert takes: like {@link RowOf}, but columns the database fills (autoincrement
 * keys, columns with a server default) may be left out.
 */
export type InsertRowOf<S extends HasFields> = Simplify<
  {
    [
      F in FieldOf<S> as NotNull<F> extends true
        ? Filled<F> extends true
          ? never
          : F['name']
        : never
    ]: ValueOf<F>;
  } & {
    [
      F in FieldOf<S> as NotNull<F> extends true
        ? Filled<F> extends true
          ? F['name']
          : never
        : never
    ]?: ValueOf<F>;
  } & { [F in FieldOf<S> as NotNull<F> extends true ? never : F['name']]?: ValueOf<F> | null }
>;

/** Which columns a checked row must have. */
export type RowCheckMode =
  /** Every NOT NULL column the database does not fill must be present. */
  | 'insert'
  /** Every NOT NULL column must be present (rows compared or upserted as a whole). */
  | 'full'
  /** Any subset of columns (`where` clauses, updates). */
  | 'partial';

/** A compiled row check for one table, see {@link rowChecker}. */
export type RowChecker = (row: unknown, mode: RowCheckMode) => Record<string, unknown>;

const cache = new WeakMap<TableSpec, Map<string, RowChecker>>();

/**
 * A function that checks rows for `table` before any SQL runs, and returns a new row with
 * canonical values (`undefined` values dropped, `null` kept). Compiled once per spec and table.
 *
 * The checker throws {@link UnknownColumnError} for a key that is not a field, and
 * {@link ColumnValueError} for a value of the wrong type, out of range, too long, `null` in a
 * NOT NULL column, or a required column missing.
 */
export function rowChecker(table: string, spec: TableSpec): RowChecker {
  let perTable = cache.get(spec);
  if (perTable === undefined) cache.set(spec, (perTable = new Map<string, RowChecker>()));
  const existing = perTable.get(table);
  if (existing !== undefined) return existing;

  const byName = new Map<string, FieldSpec>(spec.fields.map((f) => [f.name, f]));
  const names = [...byName.keys()];
  const notNull = spec.fields.filter((f) => !f.nullable);
  const required: Record<Exclude<RowCheckMode, 'partial'>, readonly FieldSpec[]> = {
    full: notNull,
    insert: notNull.filter((f) => !f.autoincrement && f.default === null),
  };
  const checker: RowChecker = (row, mode) => {
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw new ColumnValueError(table, '*', row, `a row must be an object, not ${describe(row)}`);
    }
    const out: Record<string, unknown> = {};
    for (const key in row) {
      const value = (row as Record<string, unknown>)[key];
      const field = byName.get(key);
      if (field === undefined) throw new UnknownColumnError(table, key, names);
      if (value === undefined) continue;
      if (value === null) {
        // An insert may pass null for an autoincrement key: the database fills it.
        if (mode === 'insert' && field.autoincrement) continue;
        if (!field.nullable) throw new ColumnValueError(table, key, value, 'column is NOT NULL');
        out[key] = null;
        continue;
      }
      out[key] = normalizeColumnValue(table, field, value);
    }
    if (mode !== 'partial') {
      for (const field of required[mode]) {
        if (out[field.name] === undefined)
          throw new ColumnValueError(table, field.name, undefined, 'NOT NULL column is missing');
      }
    }
    return out;
  };
  perTable.set(table, checker);
  return checker;
}
