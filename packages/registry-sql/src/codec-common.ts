// Value conversions both dialects' codecs share.

/** A conversion of one column value, to or from the driver. */
export type Convert = (value: unknown) => unknown;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/**
 * `YYYY-MM-DD HH:MM:SS.fff` in UTC (with `micro`, six fraction digits as daf_butler's SQLite
 * DATETIME text has), so no session time zone ever shifts a stored time.
 */
export function formatUtcTimestamp(date: Date, micro = false): string {
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.` +
    `${pad(date.getUTCMilliseconds(), 3)}${micro ? '000' : ''}`
  );
}

/** The Date of a UTC timestamp written by {@link formatUtcTimestamp} (or any ISO-like text without a zone). */
export function parseUtcTimestamp(text: string): Date {
  return new Date(`${text.replace(' ', 'T')}Z`);
}

/** Bytes as a Buffer for the drivers, without copying. */
export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A driver's Buffer as a plain Uint8Array view, without copying. */
export function toUint8Array(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
