// How canonical column values are bound for PostgreSQL (through `pg`) and read back.
import { TaiTime, decodeBase64, encodeBase64 } from '@butler-ts/ddl';
import type { ColumnType, FieldSpec, TaiTimespan } from '@butler-ts/ddl';
import { formatUtcTimestamp, parseUtcTimestamp, toBuffer, toUint8Array } from '../codec-common.ts';
import type { Convert } from '../codec-common.ts';
import { int8RangeLiteral, parseInt8Range } from '../timespans.ts';

// A `range` field: a TaiTimespan bound as INT8RANGE literal text, parsed back from pg's text.
const encodeRange: Convert = (v) => int8RangeLiteral(v as TaiTimespan);
const decodeRange: Convert = (v) => parseInt8Range(v as string);

const encoders: Partial<Record<ColumnType, Convert>> = {
  base64Bytes: (v) => encodeBase64(v as Uint8Array),
  binary: (v) => toBuffer(v as Uint8Array),
  timestamp: (v) => formatUtcTimestamp(v as Date),
  timeNsecTai: (v) => (v as TaiTime).toStoredNsec().toString(),
};

const toNumber: Convert = (v) => (typeof v === 'number' ? v : Number(v));

const decoders: Partial<Record<ColumnType, Convert>> = {
  base64Bytes: (v) => decodeBase64(v as string),
  binary: (v) => toUint8Array(v as Buffer),
  timestamp: (v) => (v instanceof Date ? v : parseUtcTimestamp(v as string)),
  timeNsecTai: (v) => new TaiTime(BigInt(v as string)),
  bigint: toNumber,
};

/** The value `pg` binds for a canonical, non-null value of `field`. */
export function encodePg(field: FieldSpec, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const encode = field.range === true ? encodeRange : encoders[field.dtype];
  return encode === undefined ? value : encode(value);
}

/**
 * The encoded values of `column` in `rows[start..end)`: one loop per column, without a
 * closure call per cell.
 */
export function pgColumnValues(
  field: FieldSpec,
  rows: readonly Readonly<Record<string, unknown>>[],
  start: number,
  end: number,
): unknown[] {
  const name = field.name;
  const encode = field.range === true ? encodeRange : encoders[field.dtype];
  const out = new Array<unknown>(end - start);
  for (let i = start; i < end; i++) {
    const value = rows[i]![name];
    out[i - start] =
      value === null || value === undefined ? null : encode === undefined ? value : encode(value);
  }
  return out;
}

/** `"text"` as an element of an array literal: quoted, `"` and `\` escaped. */
function arrayElement(text: string): string {
  return /["\\]/.test(text) ? `"${text.replace(/["\\]/g, '\\$&')}"` : `"${text}"`;
}

/** A decoder for a column of `field`, or for an untyped (count) column. */
export function pgDecoder(field: FieldSpec | null): Convert | null {
  if (field === null) return (v) => (typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v);
  if (field.range === true) return decodeRange;
  return decoders[field.dtype] ?? null;
}

/**
 * The bound value of an array of encoded values of `field`. UUIDs (canonical, so hex digits
 * and hyphens) and safe integers never need quoting, so their array literal is built here;
 * `pg` would quote and escape every element (4 ms of a 10 000-id fetch, `bench/opaque`).
 * Strings are quoted here, escaped only when they hold `"` or `\` (`pg` runs two replaces on
 * each). Other types are left to `pg`.
 */
export function pgArrayParam(field: FieldSpec, values: readonly unknown[]): unknown {
  switch (field.dtype) {
    case 'uuid':
    case 'smallint':
    case 'integer':
    case 'bigint':
      return arrayLiteral(values, String);
    case 'string':
    case 'text':
      return arrayLiteral(values, arrayElement as (value: unknown) => string);
    default:
      return values;
  }
}

/** `{e1,e2,…}` with nulls as `NULL`: one growing string (cheaper than `map` and `join`). */
function arrayLiteral(values: readonly unknown[], element: (value: unknown) => string): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (i > 0) out += ',';
    out += value === null || value === undefined ? 'NULL' : element(value);
  }
  return `${out}}`;
}
