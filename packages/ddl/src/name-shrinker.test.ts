import { blake2b } from '@noble/hashes/blake2.js';
import { describe, expect, it } from 'vitest';
import { SchemaValidationError } from './errors.ts';
import { NameShrinker } from './name-shrinker.ts';

describe('NameShrinker', () => {
  it('leaves a name that fits unchanged', () => {
    expect(new NameShrinker(63).shrink('a'.repeat(63))).toBe('a'.repeat(63));
  });

  it('shortens a long name to a prefix, underscore and 4-byte BLAKE2b digest', () => {
    const shrinker = new NameShrinker(63);
    const long = `dataset_location_trash_fkey_${'x'.repeat(60)}`;
    const short = shrinker.shrink(long);
    expect(short).toHaveLength(63);
    expect(short.slice(0, 54)).toBe(long.slice(0, 54));
    expect(short[54]).toBe('_');
    // A 4-byte digest is not the first bytes of a longer one: the size changes the output.
    const digest4 = Buffer.from(blake2b(Buffer.from(long), { dkLen: 4 })).toString('hex');
    const digest64 = Buffer.from(blake2b(Buffer.from(long)))
      .toString('hex')
      .slice(0, 8);
    expect(short.slice(55)).toBe(digest4);
    expect(digest4).not.toBe(digest64);
    expect(shrinker.expand(short)).toBe(long);
    expect(shrinker.expand('unknown')).toBe('unknown');
    expect([...shrinker]).toEqual([[long, short]]);
  });

  it('is deterministic and merges what another shrinker made', () => {
    const long = 'n'.repeat(80);
    const a = new NameShrinker(63);
    const b = new NameShrinker(63);
    expect(a.shrink(long)).toBe(b.shrink(long));
    const c = new NameShrinker(63);
    c.update(a);
    expect(c.expand(a.shrink(long))).toBe(long);
  });

  it('rejects non-ASCII names and impossible sizes', () => {
    expect(() => new NameShrinker(63).shrink('é'.repeat(70))).toThrow(SchemaValidationError);
    expect(() => new NameShrinker(9, 4)).toThrow(SchemaValidationError);
    expect(() => new NameShrinker(63, 0)).toThrow(SchemaValidationError);
  });
});
