// How canonical column values (see @butler-ts/ddl) are stored by SQLite and read back.
import { TaiTime, decodeBase64, encodeBase64 } from '@butler-ts/ddl';
import type { ColumnType, FieldSpec } from '@butler-ts/ddl';
import { formatUtcTimestamp, parseUtcTimestamp, toBuffer, toUint8Array } from '../codec-common.ts';
import type { Convert } from '../codec-common.ts';

function hex32ToUuid(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const encoders: Partial<Record<ColumnType, Convert>> = {
  uuid: (v) => (v as string).replaceAll('-', ''),
  boolean: (v) => (v ? 1 : 0),
  base64Bytes: (v) => encodeBase64(v as Uint8Array),
  binary: (v) => toBuffer(v as Uint8Array),
  timestamp: (v) => formatUtcTimestamp(v as Date, true),
  timeNsecTai: (v) => (v as TaiTime).toStoredNsec(),
};

const toNumber: Convert = (v) => (typeof v === 'bigint' ? Number(v) : v);

const decoders: Partial<Record<ColumnType, Convert>> = {
  uuid: (v) => hex32ToUuid(v as string),
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

/** A decoder for a column of `field`, or `null` when the driver value is already right. */
export function sqliteDecoder(field: FieldSpec | null, safeIntegers: boolean): Convert | null {
  if (field === null) return safeIntegers ? toNumber : null;
  const decode = decoders[field.dtype];
  if (decode === undefined || (!safeIntegers && decode === toNumber)) return null;
  return decode;
}
