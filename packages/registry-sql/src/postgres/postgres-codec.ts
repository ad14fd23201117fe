// How canonical column values are bound for PostgreSQL (through `pg`) and read back.
import { TaiTime, decodeBase64, encodeBase64 } from '@butler-ts/ddl';
import type { ColumnType, FieldSpec } from '@butler-ts/ddl';

type Convert = (value: unknown) => unknown;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** A TIMESTAMP literal in UTC, so the session time zone never shifts it. */
export function formatTimestamp(date: Date): string {
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${pad(date.getUTCMilliseconds(), 3)}`
  );
}

const encoders: Partial<Record<ColumnType, Convert>> = {
  base64Bytes: (v) => encodeBase64(v as Uint8Array),
  binary: (v) => {
    const bytes = v as Uint8Array;
    return Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  },
  timestamp: (v) => formatTimestamp(v as Date),
  timeNsecTai: (v) => (v as TaiTime).toStoredNsec().toString(),
};

const toNumber: Convert = (v) => (typeof v === 'number' ? v : Number(v));

const decoders: Partial<Record<ColumnType, Convert>> = {
  base64Bytes: (v) => decodeBase64(v as string),
  binary: (v) => {
    const buffer = v as Buffer;
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  },
  timestamp: (v) => (v instanceof Date ? v : new Date(`${(v as string).replace(' ', 'T')}Z`)),
  timeNsecTai: (v) => new TaiTime(BigInt(v as string)),
  bigint: toNumber,
};

/** The value `pg` binds for a canonical, non-null value of `field`. */
export function encodePg(field: FieldSpec, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const encode = encoders[field.dtype];
  return encode === undefined ? value : encode(value);
}

/** A decoder for a column of `field`, or for an untyped (count) column. */
export function pgDecoder(field: FieldSpec | null): Convert | null {
  if (field === null) return (v) => (typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v);
  return decoders[field.dtype] ?? null;
}
