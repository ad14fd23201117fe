import { describe, expect, it } from 'vitest';
import { cartesianProduct, chunked } from '../src/chunks.ts';

describe('chunked', () => {
  it('splits into slices of at most the size', () => {
    expect(chunked([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunked([], 2)).toEqual([]);
  });
});

describe('cartesianProduct', () => {
  it('varies the last list fastest', () => {
    expect([
      ...cartesianProduct<string | number>([
        ['a', 'b'],
        [1, 2, 3],
      ]),
    ]).toEqual([
      ['a', 1],
      ['a', 2],
      ['a', 3],
      ['b', 1],
      ['b', 2],
      ['b', 3],
    ]);
  });

  it('gives nothing when any list is empty', () => {
    expect([...cartesianProduct([[1], [], [2]])]).toEqual([]);
  });

  it('gives one empty combination for no lists', () => {
    expect([...cartesianProduct([])]).toEqual([[]]);
  });
});
