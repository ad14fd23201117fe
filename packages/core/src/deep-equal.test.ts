import { describe, expect, it } from 'vitest';
import { deepEqual } from './deep-equal.ts';
import { tuple } from './tuple.ts';

class Point {
  x: number;
  y: { z: number[] };
  constructor(x: number, z: number[]) {
    this.x = x;
    this.y = { z };
  }
  norm(): number {
    return this.x;
  }
}

describe('deepEqual', () => {
  it('compares structures', () => {
    expect(deepEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(deepEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(deepEqual([1, 2], tuple(1, 2))).toBe(false);
    expect(deepEqual(new Map([[1, 'a']]), new Map([[1, 'a']]))).toBe(true);
    expect(deepEqual(new Set([{ a: 1 }]), new Set([{ a: 1 }]))).toBe(true);
    expect(deepEqual(new Set([1]), new Set([2]))).toBe(false);
    expect(deepEqual(NaN, NaN)).toBe(true);
    expect(deepEqual(new Point(1, []), { x: 1, y: { z: [] } })).toBe(false);
    expect(deepEqual(new Date(1), new Date(1))).toBe(true);
  });

  it('defers to an equals method', () => {
    const always = { equals: () => true };
    expect(deepEqual(always, 42)).toBe(false);
    expect(deepEqual(always, {})).toBe(true);
  });
});
