import { ColumnValueError } from './errors.ts';
import { TaiTime } from './tai-time.ts';
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
 * | `float` | number, not NaN | FLOAT | DOUBLE PRECISION |
 * | `boolean` | boolean | BOOLEAN (0/1) | BOOLEAN |
 * | `binary` | `Uint8Array` | BLOB | BYTEA |
 * | `base64Bytes` | `Uint8Array` | TEXT (base64) | TEXT (base64) |
 * | `uuid` | canonical UUID string (any UUID form accepted) | CHAR(32) hex | UUID |
 * | `timestamp` | valid `Date` | DATETIME | TIMESTAMP |
 * | `timeNsecTai` | {@link TaiTime} | BIGINT ns | BIGINT ns |
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
  /** At most the column's `length` characters (code points), when it has one. */
  string: string;
  /** Unbounded text. */
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
  /** A double; NaN is refused because not every engine stores it faithfully. */
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
  /** A valid `Date` (not `Invalid Date`), stored as its UTC time without a zone. */
  timestamp: Date;
  /** A TAI time, stored as integer nanoseconds clamped to [`TaiTime.EPOCH`, `TaiTime.MAX`]. */
  timeNsecTai: TaiTime;
}

/** The value type of column type `T`. */
export type ColumnValue<T extends ColumnType> = ColumnValueTypes[T];

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
    return value;
  };
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
    return value;
  },
  text: (value) => (typeof value === 'string' ? value : reject('expected a string')),
  smallint: integerIn(-32768, 32767, 'smallint'),
  integer: integerIn(-2147483648, 2147483647, 'integer'),
  bigint: integerIn(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'bigint, within ±2^53'),
  float: (value) => {
    if (typeof value !== 'number') return reject('expected a number');
    return Number.isNaN(value) ? reject('NaN is not stored faithfully by every engine') : value;
  },
  boolean: (value) => (typeof value === 'boolean' ? value : reject('expected a boolean')),
  binary: (value) => (value instanceof Uint8Array ? value : reject('expected a Uint8Array')),
  base64Bytes: (value) => (value instanceof Uint8Array ? value : reject('expected a Uint8Array')),
  uuid: (value) =>
    parseUuid(value) ?? reject('expected a UUID (string, 16 bytes or 128-bit integer)'),
  timestamp: (value) => {
    if (!(value instanceof Date)) return reject('expected a Date');
    return Number.isNaN(value.getTime()) ? reject('invalid Date') : value;
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
  const result = checks[field.dtype](value, field);
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
