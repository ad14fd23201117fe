import { ColumnValueError } from './errors.ts';
import { TaiTime } from './tai-time.ts';
import { TaiTimespan } from './tai-timespan.ts';
import { parseUuid } from './uuid.ts';

/**
 * The logical column types. Each maps to SQL per engine in `registry-sql`:
 *
 * | type | value | SQLite | PostgreSQL |
 * |---|---|---|---|
 * | `string` | string (length ≤ `length`) | VARCHAR(n) ≤ 32, else TEXT | VARCHAR(n) ≤ 32, else TEXT |
 * | `text` | string | TEXT | TEXT |
 * | `smallint` | integer in ±2^15 | SMALLINT | SMALLINT |
 * | `integer` | integer in ±2^31 | INTEGER | INTEGER |
 * | `bigint` | safe integer (a `bigint` in range is accepted) | BIGINT | BIGINT |
 * | `float` | number, not NaN (`-0` stored as `0`) | FLOAT | DOUBLE PRECISION |
 * | `boolean` | boolean | BOOLEAN (0/1) | BOOLEAN |
 * | `binary` | `Uint8Array` | BLOB | BYTEA |
 * | `base64Bytes` | `Uint8Array` | TEXT (base64) | TEXT (base64) |
 * | `uuid` | canonical UUID string (any UUID form accepted) | CHAR(32) hex | UUID |
 * | `timestamp` | `Date` in years 1–9999 UTC | DATETIME | TIMESTAMP |
 * | `timeNsecTai` | {@link TaiTime} | BIGINT ns | BIGINT ns |
 * | `timeNsecTai`, `range: true` | {@link TaiTimespan} | not supported | INT8RANGE of ns |
 *
 * Strings (`string`, `text`, and every string compared with a column or used as a prefix) must
 * be well-formed Unicode without NUL characters; see {@link textProblem}.
 */
export const COLUMN_TYPES = [
  'string',
  'text',
  'smallint',
  'integer',
  'bigint',
  'float',
  'boolean',
  'binary',
  'base64Bytes',
  'uuid',
  'timestamp',
  'timeNsecTai',
] as const;

/** One of {@link COLUMN_TYPES}. */
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** The TypeScript value of each column type, as rows carry it. */
export interface ColumnValueTypes {
  /**
   * At most the column's `length` characters (code points), when it has one; well-formed
   * Unicode without NUL (see {@link textProblem}). On SQLite a column of at most 32 characters
   * also refuses the empty string (daf_butler's length CHECK); PostgreSQL stores it.
   */
  string: string;
  /** Unbounded text; well-formed Unicode without NUL (see {@link textProblem}). */
  text: string;
  /** An integer in [-2^15, 2^15 - 1]. */
  smallint: number;
  /** An integer in [-2^31, 2^31 - 1]. */
  integer: number;
  /**
   * A safe integer (within ±(2^53 - 1)), read back as a `number`; a `bigint` in that range is
   * accepted on write. Larger values are refused rather than rounded.
   */
  bigint: number;
  /**
   * A double; NaN is refused because not every engine stores it faithfully. `-0` is stored
   * and read back as `0` on every engine (SQLite's REAL storage cannot keep the sign of zero).
   */
  float: number;
  /** Stored as 0/1 by SQLite, read back as `true`/`false`. */
  boolean: boolean;
  /** Raw bytes, stored as BLOB (SQLite) or BYTEA (PostgreSQL). */
  binary: Uint8Array;
  /** Raw bytes, stored as base64 text (see {@link encodeBase64}). */
  base64Bytes: Uint8Array;
  /**
   * A UUID in canonical form (lowercase, hyphenated); any form {@link parseUuid} accepts is
   * normalised on write.
   */
  uuid: string;
  /**
   * A valid `Date` from {@link MIN_TIMESTAMP} to {@link MAX_TIMESTAMP} (years 1 to 9999 UTC),
   * stored as its UTC time without a zone and read back to the millisecond.
   */
  timestamp: Date;
  /** A TAI time, stored as integer nanoseconds clamped to [`TaiTime.EPOCH`, `TaiTime.MAX`]. */
  timeNsecTai: TaiTime;
}

/** The value type of column type `T`. */
export type ColumnValue<T extends ColumnType> = ColumnValueTypes[T];

/**
 * The earliest instant a `timestamp` column stores: 0001-01-01T00:00:00.000Z. Together with
 * {@link MAX_TIMESTAMP} this is the range (years 1 to 9999, UTC) that every engine stores and
 * reads back exactly, to the millisecond; anything outside is a `ColumnValueError` before SQL.
 */
export const MIN_TIMESTAMP: Date = new Date('0001-01-01T00:00:00.000Z');

/** The latest instant a `timestamp` column stores: 9999-12-31T23:59:59.999Z (see {@link MIN_TIMESTAMP}). */
export const MAX_TIMESTAMP: Date = new Date('9999-12-31T23:59:59.999Z');

/** Whether `value` names a column type. */
export function isColumnType(value: unknown): value is ColumnType {
  return typeof value === 'string' && (COLUMN_TYPES as readonly string[]).includes(value);
}

/** Integer column types: the only ones that may autoincrement. */
export const INTEGER_TYPES: ReadonlySet<ColumnType> = new Set(['smallint', 'integer', 'bigint']);

/** The column facts a value check needs. */
export interface ValueCheckField {
  /** The column name, used in error messages. */
  readonly name: string;
  /** The column type the value must have. */
  readonly dtype: ColumnType;
  /** The maximum length of a `string` column in characters; `null` for no limit. */
  readonly length: number | null;
  /** Whether the column holds a span of its type (a {@link TaiTimespan}) rather than a value. */
  readonly range?: boolean | undefined;
}

type Check = (value: unknown, field: ValueCheckField) => unknown;

// Each check returns the canonical value, or REJECT with a reason set in `reason`.
const REJECT: unique symbol = Symbol('reject');
let reason = '';
function reject(why: string): typeof REJECT {
  reason = why;
  return REJECT;
}

function integerIn(min: number, max: number, label: string): Check {
  return (value) => {
    if (typeof value === 'bigint' && value >= BigInt(min) && value <= BigInt(max))
      return Number(value);
    if (typeof value !== 'number' || !Number.isInteger(value))
      return reject(`expected an integer (${label})`);
    if (value < min || value > max) return reject(`out of range for ${label}`);
    // -0 is the integer 0 (engines read it back as 0).
    return value === 0 ? 0 : value;
  };
}

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Why `text` cannot be stored exactly by every engine, or `null` when it can: a lone UTF-16
 * surrogate (not well-formed Unicode; engines store U+FFFD instead) or a NUL character
 * (PostgreSQL refuses it, SQLite mishandles it in comparisons and length checks).
 */
export function textProblem(text: string): string | null {
  if (text.includes('\0'))
    return 'contains a NUL character (U+0000), which not every engine stores';
  if (LONE_SURROGATE.test(text))
    return 'is not well-formed Unicode (a lone UTF-16 surrogate), which no engine stores exactly';
  return null;
}

function checkText(value: string): string | typeof REJECT {
  const problem = textProblem(value);
  return problem === null ? value : reject(`the string ${problem}`);
}

function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

const checks: Record<ColumnType, Check> = {
  string: (value, field) => {
    if (typeof value !== 'string') return reject('expected a string');
    if (field.length !== null && value.length > field.length && codePoints(value) > field.length) {
      return reject(`longer than ${field.length} characters`);
    }
    return checkText(value);
  },
  text: (value) => (typeof value === 'string' ? checkText(value) : reject('expected a string')),
  smallint: integerIn(-32768, 32767, 'smallint'),
  integer: integerIn(-2147483648, 2147483647, 'integer'),
  bigint: integerIn(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'bigint, within ±2^53'),
  float: (value) => {
    if (typeof value !== 'number') return reject('expected a number');
    if (Number.isNaN(value)) return reject('NaN is not stored faithfully by every engine');
    // -0 becomes 0: SQLite's REAL storage drops the sign of zero, so no engine keeps it.
    return value === 0 ? 0 : value;
  },
  boolean: (value) => (typeof value === 'boolean' ? value : reject('expected a boolean')),
  binary: (value) => (value instanceof Uint8Array ? value : reject('expected a Uint8Array')),
  base64Bytes: (value) => (value instanceof Uint8Array ? value : reject('expected a Uint8Array')),
  uuid: (value) =>
    parseUuid(value) ?? reject('expected a UUID (string, 16 bytes or 128-bit integer)'),
  timestamp: (value) => {
    if (!(value instanceof Date)) return reject('expected a Date');
    const ms = value.getTime();
    if (Number.isNaN(ms)) return reject('invalid Date');
    if (ms < MIN_TIMESTAMP.getTime() || ms > MAX_TIMESTAMP.getTime())
      return reject(
        `outside the range every engine stores exactly (${MIN_TIMESTAMP.toISOString()} to ${MAX_TIMESTAMP.toISOString()})`,
      );
    return value;
  },
  timeNsecTai: (value) => (value instanceof TaiTime ? value : reject('expected a TaiTime')),
};

/**
 * Checks one non-null value against its column and returns it in canonical form (a UUID in
 * its hyphenated lowercase form, a `bigint` in range as a `number`).
 *
 * @throws {@link ColumnValueError} naming the table, column and value.
 */
export function normalizeColumnValue(
  table: string,
  field: ValueCheckField,
  value: unknown,
): unknown {
  const result =
    field.range === true
      ? value instanceof TaiTimespan
        ? value
        : reject('expected a TaiTimespan')
      : checks[field.dtype](value, field);
  if (result === REJECT) throw new ColumnValueError(table, field.name, value, reason);
  return result;
}

/** Standard base64 (RFC 4648, padded), as `base64Bytes` columns store bytes. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** The bytes of a base64 string stored by a `base64Bytes` column. */
export function decodeBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}
