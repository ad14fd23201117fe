import { createHash, randomFillSync } from 'node:crypto';
import type { DataCoordinate } from './data-coordinate.ts';
import { InvalidValueError, TypeMismatchError } from './errors.ts';
import { typeName } from './format.ts';

/** A dataset ID: a UUID in canonical form (lowercase, hyphenated). */
export type DatasetId = string;

/**
 * How {@link DatasetRef} makes an ID when none is given (Python `DatasetIdGenEnum`):
 * `UNIQUE` a time-ordered random UUIDv7; `DATAID_TYPE` a UUIDv5 of the dataset type name and
 * data ID; `DATAID_TYPE_RUN` the same plus the run.
 */
export const DatasetIdGenEnum = Object.freeze({
  /** A new random, time-ordered UUIDv7 every time: the default. */
  UNIQUE: 'UNIQUE',
  /** A UUIDv5 of the dataset type name and data ID: the same in every run. */
  DATAID_TYPE: 'DATAID_TYPE',
  /** A UUIDv5 of the dataset type name, data ID and run: reproducible within one run. */
  DATAID_TYPE_RUN: 'DATAID_TYPE_RUN',
} as const);

/** One of the {@link DatasetIdGenEnum} values. */
export type DatasetIdGenEnum = (typeof DatasetIdGenEnum)[keyof typeof DatasetIdGenEnum];

/** The UUIDv5 namespace of reproducible dataset IDs (daf_butler's). */
export const DATASET_ID_NAMESPACE = '840b31d9-05cd-5161-b2c8-00d32b280d0f';

const CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BARE = /^[0-9a-f]{32}$/;

function format(bytes: Uint8Array): DatasetId {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Checks and normalises a dataset ID: a UUID string, hyphenated or as 32 hex digits, in any
 * case; returns the canonical form.
 *
 * @throws {@link TypeMismatchError} if `value` is not a string.
 * @throws {@link InvalidValueError} if it is not a UUID.
 */
export function parseDatasetId(value: unknown): DatasetId {
  if (typeof value !== 'string') {
    throw new TypeMismatchError(`A dataset ID must be a UUID string, got ${typeName(value)}`, {
      expected: 'UUID',
      actual: typeName(value),
    });
  }
  // Already canonical (every ID this package makes): no copies.
  if (CANONICAL.test(value)) return value;
  const text = value.trim().toLowerCase();
  if (CANONICAL.test(text)) return text;
  if (BARE.test(text)) return format(Buffer.from(text, 'hex'));
  throw new InvalidValueError(`Invalid dataset ID ${JSON.stringify(value)}: not a UUID`, value);
}

/** Whether `value` is a UUID string (see {@link parseDatasetId}); a type guard. */
export function isDatasetId(value: unknown): value is DatasetId {
  return (
    typeof value === 'string' &&
    (CANONICAL.test(value.trim().toLowerCase()) || BARE.test(value.trim().toLowerCase()))
  );
}

// UUIDv7 generation is on the path of every new DatasetRef, so it avoids a system call, a
// BigInt and a hex round trip per ID: random bytes come from a pool refilled in blocks (as
// crypto.randomUUID does), the 14 characters of the millisecond timestamp are rendered once
// per millisecond, and the ID is written into a scratch buffer and read out as one flat
// string (a concatenation would leave a tree of string pieces in every ref).
const RANDOM_BYTES_PER_ID = 10;
const POOL_SIZE = RANDOM_BYTES_PER_ID * 1638;
const randomPool = Buffer.alloc(POOL_SIZE);
let poolOffset = POOL_SIZE;
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const scratch = Buffer.from('00000000-0000-7000-8000-000000000000', 'latin1');
let scratchTime = -1;

function writeHexByte(offset: number, byte: number): void {
  scratch[offset] = HEX_DIGITS[byte >> 4]!;
  scratch[offset + 1] = HEX_DIGITS[byte & 0x0f]!;
}

/** A new UUIDv7 (RFC 9562): a 48-bit millisecond timestamp followed by random bits. */
export function uuid7(now: number = Date.now()): DatasetId {
  const time = Math.floor(now);
  if (!Number.isSafeInteger(time) || time < 0) return uuid7Slow(time);
  if (time !== scratchTime) {
    // The low 48 bits of the timestamp as 12 hex digits, in 'tttttttt-tttt-'.
    const hex = (time % 2 ** 48).toString(16).padStart(12, '0');
    scratch.write(hex.slice(0, 8), 0, 'latin1');
    scratch.write(hex.slice(8, 12), 9, 'latin1');
    scratchTime = time;
  }
  if (poolOffset + RANDOM_BYTES_PER_ID > POOL_SIZE) {
    randomFillSync(randomPool);
    poolOffset = 0;
  }
  const pool = randomPool;
  const at = poolOffset;
  poolOffset += RANDOM_BYTES_PER_ID;
  writeHexByte(14, 0x70 | (pool[at]! & 0x0f));
  writeHexByte(16, pool[at + 1]!);
  writeHexByte(19, 0x80 | (pool[at + 2]! & 0x3f));
  writeHexByte(21, pool[at + 3]!);
  for (let i = 0; i < 6; i++) writeHexByte(24 + 2 * i, pool[at + 4 + i]!);
  return scratch.toString('latin1', 0, 36);
}

// Timestamps outside the safe non-negative integers keep their low 48 bits (two's complement),
// and NaN or infinities fail in BigInt() as before.
function uuid7Slow(time: number): DatasetId {
  const bytes = new Uint8Array(16);
  randomFillSync(bytes);
  let rest = BigInt(time);
  for (let i = 5; i >= 0; i--) {
    bytes[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return format(bytes);
}

/**
 * The UUIDv5 (RFC 9562, SHA-1) of `name` in `namespace`, as Python's `uuid.uuid5`.
 *
 * @throws {@link InvalidValueError} / {@link TypeMismatchError} if `namespace` is not a UUID.
 */
export function uuid5(namespace: string, name: string): DatasetId {
  const ns = Buffer.from(parseDatasetId(namespace).replaceAll('-', ''), 'hex');
  const digest = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const bytes = new Uint8Array(digest.subarray(0, 16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return format(bytes);
}

/**
 * Makes the ID of a new dataset. `UNIQUE` gives a new UUIDv7; the other modes give the
 * UUIDv5 of `dataset_type=<name>[,run=<run>],<dim>=<value>,...` (required values, sorted by
 * dimension name) in {@link DATASET_ID_NAMESPACE}, so the same inputs give the same ID.
 *
 * @throws {@link InvalidValueError} for an unknown mode.
 */
export function makeDatasetId(
  run: string,
  datasetTypeName: string,
  dataId: DataCoordinate,
  mode: DatasetIdGenEnum = DatasetIdGenEnum.UNIQUE,
): DatasetId {
  if (mode === DatasetIdGenEnum.UNIQUE) return uuid7();
  if (mode !== DatasetIdGenEnum.DATAID_TYPE && mode !== DatasetIdGenEnum.DATAID_TYPE_RUN) {
    throw new InvalidValueError(`Unknown dataset ID generation mode ${String(mode)}`, mode);
  }
  const items: [string, string][] = [['dataset_type', datasetTypeName]];
  if (mode === DatasetIdGenEnum.DATAID_TYPE_RUN) items.push(['run', run]);
  const required = [...dataId.required].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [name, value] of required) items.push([name, String(value)]);
  return uuid5(DATASET_ID_NAMESPACE, items.map(([k, v]) => `${k}=${v}`).join(','));
}
