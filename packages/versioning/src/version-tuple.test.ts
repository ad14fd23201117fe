import { describe, expect, it } from 'vitest';
import { VersionParseError } from './errors.ts';
import { VersionTuple, checkCompatibility } from './version-tuple.ts';

const v = (s: string) => VersionTuple.fromString(s);

describe('VersionTuple', () => {
  it('formats as text and parses back to an equal version (P-VER-01)', () => {
    const original = new VersionTuple(1, 2, 3);
    expect(original.toString()).toBe('1.2.3');
    const parsed = v('1.2.3');
    expect([parsed.major, parsed.minor, parsed.patch]).toEqual([1, 2, 3]);
    expect(parsed.equals(original)).toBe(true);
    expect(JSON.stringify({ version: parsed })).toBe('{"version":"1.2.3"}');
  });

  it('accepts white space around a part and leading zeros', () => {
    expect(v(' 2 .0.0').toString()).toBe('2.0.0');
    expect(v('01.002.3').toString()).toBe('1.2.3');
  });

  it.each([
    ['1.2', 'three numbers'],
    ['1.2.3.4', 'three numbers'],
    ['', 'non-negative integer'],
    ['1.x.0', 'non-negative integer'],
    ['a.b', 'non-negative integer'],
    ['1.-2.3', 'non-negative integer'],
    ['1.+2.3', 'non-negative integer'],
    ['1.2.3.', 'non-negative integer'],
    ['1..3', 'non-negative integer'],
    ['1.2.1e3', 'non-negative integer'],
    ['1.2.99999999999999999999', 'too large'],
  ])('rejects %j with an error naming the string', (input, reason) => {
    const attempt = () => v(input);
    expect(attempt).toThrow(VersionParseError);
    expect(attempt).toThrow(JSON.stringify(input));
    expect(attempt).toThrow(reason);
    try {
      attempt();
    } catch (error) {
      expect(VersionParseError.is(error)).toBe(true);
      expect((error as VersionParseError).input).toBe(input);
    }
  });

  it('rejects a value that is not a string', () => {
    expect(() => VersionTuple.fromString(7 as unknown as string)).toThrow(VersionParseError);
  });

  it.each([
    [-1, 0, 0],
    [1, 0.5, 0],
    [1, 0, Number.NaN],
    [1, 0, Number.MAX_SAFE_INTEGER + 1],
  ])('rejects the parts (%d, %d, %d) in the constructor', (major, minor, patch) => {
    expect(() => new VersionTuple(major, minor, patch)).toThrow(VersionParseError);
  });

  it('is immutable', () => {
    const version = v('1.0.0');
    expect(() => {
      (version as { major: number }).major = 2;
    }).toThrow(TypeError);
  });

  it('orders lexicographically on major, minor, patch', () => {
    const sorted = ['2.0.0', '1.10.0', '1.2.3', '1.2.0', '0.9.9']
      .map(v)
      .sort((a, b) => a.compare(b));
    expect(sorted.map(String)).toEqual(['0.9.9', '1.2.0', '1.2.3', '1.10.0', '2.0.0']);
    expect(v('1.2.3').compare(v('1.2.3'))).toBe(0);
  });

  it('is not equal when any part differs', () => {
    expect(v('1.0.0').equals(v('1.0.1'))).toBe(false);
    expect(v('1.0.0').equals(v('1.1.0'))).toBe(false);
    expect(v('1.0.0').equals(v('2.0.0'))).toBe(false);
  });

  it.each([
    ['1.0.0', '1.0.0', false, true],
    ['1.0.0', '1.0.0', true, true],
    ['1.0.0', '1.0.1', false, true],
    ['1.0.0', '1.0.1', true, true],
    ['1.0.0', '1.1.0', false, false],
    ['1.0.0', '1.1.0', true, false],
    ['1.1.0', '1.0.0', false, true],
    ['1.1.0', '1.0.0', true, false],
    ['1.0.0', '2.0.0', false, false],
    ['1.0.0', '2.0.0', true, false],
  ])(
    'code %s with registry %s (update %s) is compatible: %s',
    (code, registry, update, expected) => {
      expect(v(code).checkCompatibility(v(registry), update)).toBe(expected);
      expect(checkCompatibility(v(registry), v(code), update)).toBe(expected);
    },
  );
});
