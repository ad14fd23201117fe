import { describe, expect, it } from 'vitest';
import { InvalidValueError, TypeMismatchError } from '../errors.ts';
import { isTuple, tuple } from '../tuple.ts';
import { Slice, slice } from './slice.ts';

const data = [0, 1, 2, 3, 4, 5];

describe('Slice', () => {
  it.each([
    [slice(0, 4), [0, 1, 2, 3]],
    [slice(2, null), [2, 3, 4, 5]],
    [slice(null, -2), [0, 1, 2, 3]],
    [slice(-3, null), [3, 4, 5]],
    [slice(null, null, 2), [0, 2, 4]],
    [slice(null, null, -1), [5, 4, 3, 2, 1, 0]],
    [slice(4, 1, -2), [4, 2]],
    [slice(10, 20), []],
    [slice(-100, 2), [0, 1]],
  ])('%s selects like Python', (range, expected) => {
    expect(range.apply(data)).toEqual(expected);
  });

  it('keeps tuples as tuples and does not touch its input', () => {
    const sliced = slice(0, 2).apply(tuple('a', 'b', 'c'));
    expect(isTuple(sliced)).toBe(true);
    expect(sliced).toEqual(['a', 'b']);
    expect(data).toHaveLength(6);
  });

  it('prints like Python', () => {
    expect(String(slice(0, 4))).toBe('slice(0, 4, None)');
  });

  it('rejects a zero step and non-integer bounds', () => {
    expect(() => slice(0, 4, 0)).toThrow(InvalidValueError);
    expect(() => new Slice(0.5, 4)).toThrow(TypeMismatchError);
    expect(() => new Slice(0, '4' as unknown as number)).toThrow(TypeMismatchError);
  });
});
