// How canonical column values (see @butler-ts/ddl) are stored by SQLite and read back.
import { TaiTime, decodeBase64, encodeBase64, isStringType } from '@butler-ts/ddl';
import type { ColumnType, FieldSpec } from '@butler-ts/ddl';
import { formatUtcTimestamp, parseUtcTimestamp, toBuffer, toUint8Array } from '../codec-common.ts';
import type { Convert } from '../codec-common.ts';
import { sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';

/**
 * A canonical UUID's 32 hex digits: slices around its four hyphens, about half the cost of
 * `replaceAll` when the driver binds the result (`bench/opaque`, fetch by 10 000 ids).
 */
function uuidHex(value: unknown): string {
  const v = value as string;
  if (v.length !== 36) return v.replaceAll('-', '');
  return `${v.slice(0, 8)}${v.slice(9, 13)}${v.slice(14, 18)}${v.slice(19, 23)}${v.slice(24)}`;
}

const encoders: Partial<Record<ColumnType, Convert>> = {
  uuid: uuidHex,
  boolean: (v) => (v ? 1 : 0),
  base64Bytes: (v) => encodeBase64(v as Uint8Array),
  binary: (v) => toBuffer(v as Uint8Array),
  timestamp: (v) => formatUtcTimestamp(v as Date, true),
  timeNsecTai: (v) => (v as TaiTime).toStoredNsec(),
};

const toNumber: Convert = (v) => (typeof v === 'bigint' ? Number(v) : v);

// UUIDs are decoded in SQL (see sqliteDecodeInSql), not here.
const decoders: Partial<Record<ColumnType, Convert>> = {
  boolean: (v) => v !== 0 && v !== 0n,
  base64Bytes: (v) => decodeBase64(v as string),
  binary: (v) => toUint8Array(v as Buffer),
  timestamp: (v) => parseUtcTimestamp(v as string),
  timeNsecTai: (v) => new TaiTime(BigInt(v as number | bigint)),
  smallint: toNumber,
  integer: toNumber,
  bigint: toNumber,
  float: toNumber,
};

/** The driver value of a canonical, non-null value of `field`. */
export function encodeSqlite(field: FieldSpec, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const encode = encoders[field.dtype];
  return encode === undefined ? value : encode(value);
}

/**
 * The encoder of non-null values of `field`, or `null` when the driver takes them as they
 * are: looked up once per column, so a loop over rows makes no call for such columns.
 */
export function sqliteEncoder(field: FieldSpec): Convert | null {
  return encoders[field.dtype] ?? null;
}

/** A decoder for a column of `field`, or `null` when the driver value is already right. */
export function sqliteDecoder(field: FieldSpec | null, safeIntegers: boolean): Convert | null {
  if (field === null) return safeIntegers ? toNumber : null;
  const decode = decoders[field.dtype];
  if (decode === undefined || (!safeIntegers && decode === toNumber)) return null;
  return decode;
}

// The five groups of a UUID's 32 hex digits, as `substr` arguments (start from 1, length).
const UUID_GROUPS = ['1, 8', '9, 4', '13, 4', '17, 4', '21'];
const UUID_DASH = " || '-' || ";

/**
 * A stored UUID (32 hex digits, daf_butler's form) as its canonical text, built by SQLite
 * itself: one flat string per value. Slicing it in JavaScript is about three times slower
 * for many rows (`bench/opaque`, fetch all), and for rows kept by the caller its pieces cost
 * the garbage collector more than the expression costs SQLite (`bench/find-datasets`). Other
 * types decode after reading.
 */
export function sqliteDecodeInSql(field: FieldSpec, expr: SQL): SQL | null {
  if (field.dtype !== 'uuid') return null;
  return sql`(${sql.join(
    UUID_GROUPS.map((group) => sql`substr(${expr}, ${sql.raw(group)})`),
    sql.raw(UUID_DASH),
  )})`;
}

/**
 * {@link sqliteDecodeInSql} as SQL text, for statements written as text: `column` is an
 * already quoted column reference such as `t."dataset_id"`.
 */
export function sqliteUuidTextSql(column: string): string {
  return `(${UUID_GROUPS.map((group) => `substr(${column}, ${group})`).join(UUID_DASH)})`;
}

const refuseEmpty = (value: unknown): string | null =>
  value === ''
    ? 'the empty string fails the length CHECK SQLite gives string columns of at most 32 characters (as in daf_butler)'
    : null;

/**
 * SQLite's own rule on written values: a `string` column of at most 32 characters has
 * daf_butler's CHECK `length(col) >= 1`, so the empty string is refused before SQL.
 */
export function sqliteStoredValueCheck(
  field: FieldSpec,
): ((value: unknown) => string | null) | null {
  return isStringType(field) ? refuseEmpty : null;
}
