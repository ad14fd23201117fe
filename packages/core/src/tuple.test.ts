import { describe, expect, it } from 'vitest';
import { isTuple, toTuple, tuple } from './tuple.ts';

describe('tuple', () => {
  it('is a frozen, branded array distinct from a list', () => {
    const t = tuple('a', 'b', 1);
    expect(isTuple(t)).toBe(true);
    expect(isTuple(['a', 'b', 1])).toBe(false);
    expect(isTuple(Object.freeze(['a']))).toBe(false);
    expect(Object.isFrozen(t)).toBe(true);
    expect(t).toEqual(['a', 'b', 1]);
    expect(JSON.stringify(t)).toBe('["a","b",1]');
    expect(isTuple(toTuple(new Set([1])))).toBe(true);
  });
});
