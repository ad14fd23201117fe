const HEX32 = /^[0-9a-f]{32}$/;
const MAX_UUID = (1n << 128n) - 1n;

/** 1 for the code units of lowercase hex digits (below 128). */
const HEX_DIGIT = new Uint8Array(128);
for (const digit of '0123456789abcdef') HEX_DIGIT[digit.charCodeAt(0)] = 1;
const HYPHEN = 45;

/**
 * Whether `text` is a canonical UUID (lowercase, hyphenated). A table lookup per code unit:
 * cheaper than the equivalent regular expression, on the path of every UUID written or
 * fetched (`bench/opaque`).
 */
function isCanonicalUuid(text: string): boolean {
  if (text.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = text.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== HYPHEN) return false;
    } else if (c > 127 || HEX_DIGIT[c] === 0) return false;
  }
  return true;
}

function fromHex32(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Parses a UUID from any form Python's `uuid.UUID` accepts, and returns it in canonical form
 * (lowercase, hyphenated), or `undefined` when `value` is not a UUID.
 *
 * Accepted: a string with or without hyphens, braces or a `urn:uuid:` prefix; 16 bytes; a
 * non-negative integer (`bigint`, or a safe-integer `number`) below 2^128.
 *
 * @example
 * ```ts
 * parseUuid('{6BA7B810-9DAD-11D1-80B4-00C04FD430C8}'); // '6ba7b810-9dad-11d1-80b4-00c04fd430c8'
 * parseUuid('not a uuid'); // undefined
 * ```
 */
export function parseUuid(value: unknown): string | undefined {
  if (typeof value === 'string') {
    // Fast path: already canonical (what randomUUID() and every read return).
    if (isCanonicalUuid(value)) return value;
    let text = value.trim().toLowerCase();
    if (text.startsWith('urn:uuid:')) text = text.slice('urn:uuid:'.length);
    if (text.startsWith('{') && text.endsWith('}')) text = text.slice(1, -1);
    text = text.replaceAll('-', '');
    return HEX32.test(text) ? fromHex32(text) : undefined;
  }
  if (value instanceof Uint8Array) {
    if (value.length !== 16) return undefined;
    return fromHex32(Buffer.from(value.buffer, value.byteOffset, 16).toString('hex'));
  }
  let big: bigint | undefined;
  if (typeof value === 'bigint') big = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) big = BigInt(value);
  if (big === undefined || big < 0n || big > MAX_UUID) return undefined;
  return fromHex32(big.toString(16).padStart(32, '0'));
}

/** The 32 lowercase hex digits, without hyphens, that SQLite stores for a canonical UUID. */
export function uuidToHex32(canonical: string): string {
  return canonical.replaceAll('-', '');
}

/** A random (version 4) UUID in canonical form. */
export function randomUuid(): string {
  return crypto.randomUUID();
}
