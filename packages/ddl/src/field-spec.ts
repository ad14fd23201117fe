import { INTEGER_TYPES, isColumnType, normalizeColumnValue, textProblem } from './column-types.ts';
import type { ColumnType } from './column-types.ts';
import { ColumnValueError, SchemaValidationError } from './errors.ts';
import { validateColumnName } from './identifier.ts';
import { TaiTime } from './tai-time.ts';

/**
 * A server-side default, written into the DDL as SQL. Only these are accepted (anything else
 * is a {@link SchemaValidationError}, so no default can carry other SQL):
 *
 * - a number or a numeric string for a numeric column: an integer in the column's range for
 *   `smallint`, `integer`, `bigint` and `timeNsecTai` (a string for nanoseconds beyond 2^53),
 *   a finite number for `float`;
 * - `true`/`false`, or the strings `TRUE`/`FALSE` (any case), for a `boolean` column;
 * - a single-quoted SQL string literal (`'abc'`, quotes inside doubled) for a `string` or
 *   `text` column, whose text is a valid value of the column (not empty in a short string,
 *   since SQLite's length CHECK would refuse every row using it);
 * - `CURRENT_TIMESTAMP` (any case) for a `timestamp` column, the only server expression
 *   daf_butler's schemas use here (its `now()` default).
 */
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
  /** SQL server default: a literal of the column's type or `CURRENT_TIMESTAMP` (see {@link ServerDefault}). */
  readonly default?: ServerDefault | null;
  /** Column comment. */
  readonly doc?: string | null;
  /**
   * The column holds a half-open span of TAI times (a `TaiTimespan`), not one time;
   * `timeNsecTai` only, never a key and without a default. PostgreSQL stores it as one
   * INT8RANGE column, as daf_butler does; SQLite has no range type (daf_butler uses two
   * `timeNsecTai` columns there), so its DDL refuses such a field.
   */
  readonly range?: boolean | undefined;
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
  /** `true` when `I.range` is, absent otherwise. */
  readonly range: Flag<I, 'range', false> extends true ? true : undefined;
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
  /** SQL server default, validated as {@link ServerDefault} describes; `null` for none. */
  readonly default: ServerDefault | null;
  /** Column comment; `null` for none. */
  readonly doc: string | null;
  /** `true` for a span of TAI times (see {@link FieldSpecInit.range}); absent otherwise. */
  readonly range?: true | undefined;
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
  'range',
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

const INTEGER_RANGES: Partial<Record<ColumnType, readonly [bigint, bigint]>> = {
  smallint: [-32768n, 32767n],
  integer: [-2147483648n, 2147483647n],
  bigint: [BigInt(Number.MIN_SAFE_INTEGER), BigInt(Number.MAX_SAFE_INTEGER)],
  timeNsecTai: [0n, TaiTime.MAX.nsec],
};
const INTEGER_TEXT = /^-?\d{1,20}$/;
const FLOAT_TEXT = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d{1,3})?$/;
const STRING_LITERAL = /^'((?:[^']|'')*)'$/s;

// Why `value` is not an accepted default of a `dtype` column, or null when it is.
function badDefault(
  name: string,
  dtype: ColumnType,
  length: number | null,
  value: unknown,
): string | null {
  const range = INTEGER_RANGES[dtype];
  if (range !== undefined) {
    let n: bigint;
    if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
    else if (typeof value === 'string' && INTEGER_TEXT.test(value)) n = BigInt(value);
    else return `a ${dtype} default must be an integer`;
    return n < range[0] || n > range[1] ? `out of range for ${dtype}` : null;
  }
  switch (dtype) {
    case 'float':
      if (typeof value === 'number') return Number.isFinite(value) ? null : 'must be finite';
      return typeof value === 'string' && FLOAT_TEXT.test(value) && Number.isFinite(Number(value))
        ? null
        : 'a float default must be a finite number';
    case 'boolean':
      return typeof value === 'boolean' ||
        (typeof value === 'string' && /^(?:true|false)$/i.test(value))
        ? null
        : 'a boolean default must be true, false, TRUE or FALSE';
    case 'string':
    case 'text': {
      const match = typeof value === 'string' ? STRING_LITERAL.exec(value) : null;
      if (match === null)
        return "a string default must be a single-quoted SQL literal, e.g. 'abc' (quotes inside doubled)";
      const text = match[1]!.replaceAll("''", "'");
      try {
        normalizeColumnValue('(default)', { name, dtype, length }, text);
      } catch (error) {
        if (ColumnValueError.is(error)) return error.message;
        throw error;
      }
      return dtype === 'string' && length !== null && length <= 32 && text === ''
        ? "an empty default of a short string column would fail SQLite's length CHECK"
        : null;
    }
    case 'timestamp':
      return typeof value === 'string' && /^current_timestamp$/i.test(value)
        ? null
        : 'a timestamp default must be CURRENT_TIMESTAMP';
    default:
      return `${dtype} columns take no server default`;
  }
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
  validateColumnName(init.name, 'column');
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
  if (serverDefault !== null) {
    const why = badDefault(init.name, init.dtype, length, serverDefault);
    if (why !== null) fail(init.name, `bad default ${JSON.stringify(serverDefault)}: ${why}`);
  }
  const doc = init.doc ?? null;
  if (doc !== null && typeof doc !== 'string') fail(init.name, 'doc must be a string');
  const docProblem = doc === null ? null : textProblem(doc);
  if (docProblem !== null) fail(init.name, `doc ${docProblem}`);
  for (const key of Object.keys(init)) {
    if (!FIELD_OPTIONS.has(key)) fail(init.name, `unknown option ${JSON.stringify(key)}`);
  }
  const range = init.range ?? false;
  if (typeof range !== 'boolean')
    fail(init.name, `range must be a boolean, got ${JSON.stringify(range)}`);
  if (range && (init.dtype !== 'timeNsecTai' || primaryKey || serverDefault !== null))
    fail(
      init.name,
      'range is only allowed on a timeNsecTai column that is no key and has no default',
    );
  return Object.freeze({
    ...(range ? { range: true } : {}),
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
