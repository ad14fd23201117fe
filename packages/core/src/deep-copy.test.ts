import { describe, expect, it } from 'vitest';
import { deepCopy } from './deep-copy.ts';
import { deepEqual } from './deep-equal.ts';
import { TypeMismatchError } from './errors.ts';
import { isTuple, tuple } from './tuple.ts';

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

describe('deepCopy', () => {
  it('copies nested containers and class instances', () => {
    const original = {
      p: new Point(1, [2, 3]),
      m: new Map([['k', [1]]]),
      s: new Set([1]),
      d: new Date(5),
    };
    const copy = deepCopy(original);
    expect(copy).not.toBe(original);
    expect(copy.p).toBeInstanceOf(Point);
    expect(copy.p.norm()).toBe(1);
    expect(copy.p.y.z).not.toBe(original.p.y.z);
    expect(copy.m.get('k')).toEqual([1]);
    expect(copy.m.get('k')).not.toBe(original.m.get('k'));
    expect(copy.s).toEqual(new Set([1]));
    expect(copy.d.getTime()).toBe(5);
    expect(deepEqual(copy, original)).toBe(true);
  });

  it('keeps shared and cyclic references and frozenness', () => {
    const shared = [1];
    const cyclic: Record<string, unknown> = { a: shared, b: shared };
    cyclic['self'] = cyclic;
    const copy = deepCopy(cyclic);
    expect(copy['a']).toBe(copy['b']);
    expect(copy['self']).toBe(copy);
    expect(Object.isFrozen(deepCopy(Object.freeze({ a: 1 })))).toBe(true);
    expect(isTuple(deepCopy(tuple(1, [2])))).toBe(true);
  });

  it('copies typed arrays and shares functions', () => {
    const fn = () => 1;
    const bytes = new Uint8Array([1, 2]);
    const copy = deepCopy({ fn, bytes });
    expect(copy.fn).toBe(fn);
    expect(copy.bytes).not.toBe(bytes);
    expect([...copy.bytes]).toEqual([1, 2]);
  });

  it('refuses weak collections and promises', () => {
    expect(() => deepCopy(new WeakSet())).toThrow(TypeMismatchError);
    expect(() => deepCopy([Promise.resolve()])).toThrow(/Cannot deep copy a Promise/);
  });
});
