import { describe, expect, it } from 'vitest';
import { isPlainObject, pyRepr, typeName } from './format.ts';
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

describe('format helpers', () => {
  it('names values with Python type names', () => {
    expect(
      [null, 'a', true, 1, 1.5, 2n, [], tuple(), {}, new Set(), new Point(1, [])].map(typeName),
    ).toEqual([
      'NoneType',
      'str',
      'bool',
      'int',
      'float',
      'int',
      'list',
      'tuple',
      'dict',
      'set',
      'Point',
    ]);
  });

  it('renders values like Python repr', () => {
    expect(pyRepr({ a: "it's", b: [1, null, true], c: tuple(1) })).toBe(
      "{'a': 'it\\'s', 'b': [1, None, True], 'c': (1,)}",
    );
    expect(pyRepr(new Point(1, []))).toBe('<Point object>');
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(pyRepr(cyclic)).toBe('[...]');
  });

  it('recognises plain objects only', () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject(Object.create(null))).toBe(true);
    expect(isPlainObject(new Point(1, []))).toBe(false);
    expect(isPlainObject([])).toBe(false);
  });
});
