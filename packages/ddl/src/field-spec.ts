import { INTEGER_TYPES, isColumnType } from './column-types.ts';
import type { ColumnType } from './column-types.ts';
import { SchemaValidationError } from './errors.ts';
import { validateIdentifier } from './identifier.ts';

/** A server-side default, written into the DDL verbatim (not quoted or converted). */
export type ServerDefault = string | number | boolean;

/** The options of one column, as written in code or config. */
export interface FieldSpecInit<N extends string = string, T extends ColumnType = ColumnType> {
  /** Column name: a plain identifier (see `validateIdentifier`). */
  readonly name: N;
  /** Logical column type. */
  readonly dtype: T;
  /** Maximum length of a `string` column; only `string` takes one. */
  readonly length?: number | null;
  /** Natural size of a `binary` or `base64Bytes` column; documentation only, the DDL ignores it. */
  readonly nbytes?: number | null;
  /** Part of the primary key; forces `nullable` to false. */
  readonly primaryKey?: boolean;
  /** The database fills the value when a row omits it; integer primary keys only. */
  readonly autoincrement?: boolean;
  /** Whether NULL is allowed; default true, always false for a primary key. */
  readonly nullable?: boolean;
  /** SQL server default, written into the DDL verbatim. */
  readonly default?: ServerDefault | null;
  /** Column comment. */
  readonly doc?: string | null;
}

/**
 * The literal value of flag `K` in init `I`: absent or `undefined` gives `Default`, a
 * non-literal `boolean` stays `boolean`. Type-level machinery of {@link FieldSpecOf}.
 *
 * @internal
 */
export type Flag<I, K extends string, Default extends boolean> = I extends {
  readonly [P in K]?: infer X;
}
  ? [X] extends [true]
    ? true
    : [X] extends [false]
      ? false
      : [X] extends [undefined]
        ? Default
        : boolean
  : Default;

/**
 * The literal server default of init `I`, or `null` when it has none. Type-level machinery of
 * {@link FieldSpecOf}.
 *
 * @internal
 */
export type DefaultOf<I> = I extends { readonly default?: infer X }
  ? [X] extends [ServerDefault]
    ? X
    : [X] extends [null | undefined]
      ? null
      : ServerDefault | null
  : null;

/** The normalised spec that {@link fieldSpec} makes from `I`, with its literal types kept. */
export interface FieldSpecOf<I extends FieldSpecInit> extends FieldSpec<I['name'], I['dtype']> {
  /** `I.primaryKey` as a literal; `false` when absent. */
  readonly primaryKey: Flag<I, 'primaryKey', false>;
  /** `I.autoincrement` as a literal; `false` when absent. */
  readonly autoincrement: Flag<I, 'autoincrement', false>;
  /** `false` for a primary key, else `I.nullable` as a literal; `true` when absent. */
  readonly nullable: Flag<I, 'primaryKey', false> extends true ? false : Flag<I, 'nullable', true>;
  /** `I.default` as a literal; `null` when absent. */
  readonly default: DefaultOf<I>;
}

/**
 * One column of a table: a frozen, normalised {@link FieldSpecInit}.
 *
 * Two specs are the same field when their names are equal ({@link fieldSpecsEqual}), as in
 * daf_butler.
 */
export interface FieldSpec<N extends string = string, T extends ColumnType = ColumnType> {
  /** Column name, a validated identifier; it alone identifies the field. */
  readonly name: N;
  /** Logical column type; see {@link COLUMN_TYPES} for its SQL on each engine. */
  readonly dtype: T;
  /**
   * Maximum length in characters of a `string` column; `null` for no limit (always for other
   * types).
   */
  readonly length: number | null;
  /**
   * Natural size in bytes of a `binary` or `base64Bytes` column, for documentation; `null` when not
   * given.
   */
  readonly nbytes: number | null;
  /** Whether the column is part of the primary key. */
  readonly primaryKey: boolean;
  /** Whether the database fills the value when an insert omits it (integer primary keys only). */
  readonly autoincrement: boolean;
  /** Whether NULL is allowed; always false for a primary key. */
  readonly nullable: boolean;
  /** SQL server default written into the DDL verbatim; `null` for none. */
  readonly default: ServerDefault | null;
  /** Column comment; `null` for none. */
  readonly doc: string | null;
}

const FIELD_OPTIONS: ReadonlySet<string> = new Set([
  'name',
  'dtype',
  'length',
  'nbytes',
  'primaryKey',
  'autoincrement',
  'nullable',
  'default',
  'doc',
]);

function fail(name: unknown, message: string): never {
  throw new SchemaValidationError(`Field ${JSON.stringify(name)}: ${message}`);
}

function optionalSize(init: FieldSpecInit, key: 'length' | 'nbytes'): number | null {
  const value = init[key];
  if (value === undefined || value === null) return null;
  if (!Number.isSafeInteger(value) || value <= 0)
    fail(init.name, `${key} must be a positive integer, got ${String(value)}`);
  return value;
}

function optionalFlag(
  init: FieldSpecInit,
  key: 'primaryKey' | 'autoincrement' | 'nullable',
  fallback: boolean,
): boolean {
  const value = init[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean')
    fail(init.name, `${key} must be a boolean, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * Makes a validated, frozen field spec.
 *
 * A primary key is never nullable, whatever `nullable` says. Python lets `fromConfig` keep a
 * nullable primary key; butler-ts does not (see `fieldSpecFromConfig`).
 *
 * @throws {@link SchemaValidationError} for a bad name or type, a `length` on a type other than
 *   `string`, `nbytes` on a type other than `binary`/`base64Bytes`, both sizes at once,
 *   `autoincrement` on a non-integer or non-primary-key column, or a bad default or doc.
 * @example
 * ```ts
 * const id = fieldSpec({ name: 'id', dtype: 'bigint', primaryKey: true, autoincrement: true });
 * id.nullable; // false
 * ```
 */
export function fieldSpec<const I extends FieldSpecInit>(init: I): FieldSpecOf<I> {
  if (typeof init !== 'object' || init === null) {
    throw new SchemaValidationError(`A field spec must be an object, got ${String(init)}`);
  }
  validateIdentifier(init.name, 'column');
  if (!isColumnType(init.dtype))
    fail(init.name, `unknown column type ${JSON.stringify(init.dtype)}`);
  const length = optionalSize(init, 'length');
  const nbytes = optionalSize(init, 'nbytes');
  if (length !== null && init.dtype !== 'string')
    fail(init.name, `only string columns take a length, not ${init.dtype}`);
  if (nbytes !== null && init.dtype !== 'binary' && init.dtype !== 'base64Bytes') {
    fail(init.name, `only binary and base64Bytes columns take nbytes, not ${init.dtype}`);
  }
  const primaryKey = optionalFlag(init, 'primaryKey', false);
  const autoincrement = optionalFlag(init, 'autoincrement', false);
  const nullable = primaryKey ? false : optionalFlag(init, 'nullable', true);
  if (autoincrement && !INTEGER_TYPES.has(init.dtype))
    fail(init.name, `autoincrement needs an integer type, not ${init.dtype}`);
  if (autoincrement && !primaryKey)
    fail(init.name, 'autoincrement is only allowed on a primary key column');
  const serverDefault = init.default ?? null;
  if (serverDefault !== null && !['string', 'number', 'boolean'].includes(typeof serverDefault)) {
    fail(init.name, 'default must be a SQL literal given as a string, number or boolean');
  }
  const doc = init.doc ?? null;
  if (doc !== null && typeof doc !== 'string') fail(init.name, 'doc must be a string');
  for (const key of Object.keys(init)) {
    if (!FIELD_OPTIONS.has(key)) fail(init.name, `unknown option ${JSON.stringify(key)}`);
  }
  return Object.freeze({
    name: init.name,
    dtype: init.dtype,
    length,
    nbytes,
    primaryKey,
    autoincrement,
    nullable,
    default: serverDefault,
    doc,
  }) as unknown as FieldSpecOf<I>;
}

/** Field identity is the name: specs with equal names are equal, whatever their types. */
export function fieldSpecsEqual(a: FieldSpec, b: FieldSpec): boolean {
  return a.name === b.name;
}

/**
 * Whether the column is a short string: `string` with a length of at most 32. Longer strings
 * become unsized TEXT in the DDL; SQLite gives short ones a length CHECK.
 */
export function isStringType(field: FieldSpec): boolean {
  return (
    field.dtype === 'string' && field.length !== null && field.length > 0 && field.length <= 32
  );
}
