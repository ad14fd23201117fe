import { SchemaValidationError } from './errors.ts';
import { validateIdentifier } from './identifier.ts';

/** Backend-specific index options (e.g. a PostgreSQL `using`), passed through as given. */
export type IndexOptions = Readonly<Record<string, string | number | boolean>>;

/** A non-unique index over ordered columns. */
export interface IndexSpec {
  /** The indexed columns, in index order; at least one, none repeated. */
  readonly columns: readonly string[];
  /** Backend-specific options; part of index equality. Empty when none were given. */
  readonly kwargs: IndexOptions;
}

/**
 * Makes a frozen index spec.
 *
 * @throws {@link SchemaValidationError} for no columns, a repeated column or a bad name.
 */
export function indexSpec(columns: readonly string[], kwargs: IndexOptions = {}): IndexSpec {
  if (!isList(columns) || columns.length === 0) {
    throw new SchemaValidationError('An index needs at least one column');
  }
  for (const column of columns) validateIdentifier(column, 'index column');
  if (new Set(columns).size !== columns.length) {
    throw new SchemaValidationError(`Index columns repeat a column: ${columns.join(', ')}`);
  }
  return Object.freeze({
    columns: Object.freeze([...columns]),
    kwargs: Object.freeze({ ...kwargs }),
  });
}

/** Equal when both the columns (in order) and the options are equal. */
export function indexSpecsEqual(a: IndexSpec, b: IndexSpec): boolean {
  if (!sameList(a.columns, b.columns)) return false;
  const keys = Object.keys(a.kwargs);
  return (
    keys.length === Object.keys(b.kwargs).length &&
    keys.every((k) => Object.hasOwn(b.kwargs, k) && a.kwargs[k] === b.kwargs[k])
  );
}

/** `Array.isArray` without widening to `any[]`. */
export function isList(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}

/** Element-wise equality of two lists of strings. */
export function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
