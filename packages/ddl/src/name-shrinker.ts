import { blake2b } from '@noble/hashes/blake2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { SchemaValidationError } from './errors.ts';

/**
 * Shortens generated names (constraints, indexes, sequences) to an engine's identifier limit
 * the way daf_butler does, so both produce the same names: a name longer than `maxLength`
 * keeps its first `maxLength - 2*hashSize - 1` characters, then `_` and the hex BLAKE2b digest
 * (of `hashSize` bytes) of the whole name. The mapping is remembered both ways.
 *
 * @example
 * ```ts
 * const shrinker = new NameShrinker(63);
 * shrinker.shrink('a'.repeat(70)); // 54 × 'a' + '_' + 8 hex digits
 * ```
 */
export class NameShrinker {
  /**
   * The engine's identifier limit, in characters: no name {@link NameShrinker.shrink} returns is
   * longer.
   */
  readonly maxLength: number;
  /** Digest size in bytes (default 4); a shortened name ends in `2 * hashSize` hex digits. */
  readonly hashSize: number;
  readonly #toShort = new Map<string, string>();
  readonly #toLong = new Map<string, string>();

  /** @throws {@link SchemaValidationError} when the sizes leave no room for a prefix. */
  constructor(maxLength: number, hashSize = 4) {
    if (
      !Number.isSafeInteger(maxLength) ||
      !Number.isSafeInteger(hashSize) ||
      hashSize < 1 ||
      maxLength <= 2 * hashSize + 1
    ) {
      throw new SchemaValidationError(
        `NameShrinker needs maxLength > 2 * hashSize + 1, got ${maxLength} and ${hashSize}`,
      );
    }
    this.maxLength = maxLength;
    this.hashSize = hashSize;
  }

  /**
   * `original` if it fits, else its shortened form.
   *
   * @throws {@link SchemaValidationError} for a non-ASCII name (daf_butler hashes ASCII bytes).
   */
  shrink(original: string): string {
    if (original.length <= this.maxLength) return original;
    const known = this.#toShort.get(original);
    if (known !== undefined) return known;
    if ([...original].some((c) => c.charCodeAt(0) > 0x7f)) {
      throw new SchemaValidationError(`Cannot shorten non-ASCII name ${JSON.stringify(original)}`);
    }
    const digest = blake2b(new TextEncoder().encode(original), { dkLen: this.hashSize });
    const short = `${original.slice(0, this.maxLength - 2 * this.hashSize - 1)}_${bytesToHex(digest)}`;
    this.#toShort.set(original, short);
    this.#toLong.set(short, original);
    return short;
  }

  /** The original of a shortened name, or `shrunk` itself when it is not one. */
  expand(shrunk: string): string {
    return this.#toLong.get(shrunk) ?? shrunk;
  }

  /** The (original, shortened) pairs made so far. */
  *[Symbol.iterator](): IterableIterator<[string, string]> {
    yield* this.#toShort;
  }

  /** Takes over the pairs another shrinker made. */
  update(other: NameShrinker): void {
    for (const [original, short] of other) {
      this.#toShort.set(original, short);
      this.#toLong.set(short, original);
    }
  }
}
