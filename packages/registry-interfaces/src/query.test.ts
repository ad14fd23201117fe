import { describe, expect, it } from 'vitest';
import { and, col, eq, inList, isExpr, literal, or, whereOf } from './query.ts';

describe('query expressions', () => {
  it('turns a mapping into ANDed equalities, IS NULL for null and IN for arrays', () => {
    expect(whereOf({ a: 1, b: null, c: [1, 2] })).toEqual({
      kind: 'and',
      items: [
        { kind: 'compare', op: '=', left: col('a'), right: { kind: 'value', value: 1 } },
        { kind: 'isNull', expr: col('b'), negate: false },
        inList(col('c'), [1, 2]),
      ],
    });
    expect(whereOf({})).toEqual(literal(true));
    expect(whereOf(undefined)).toEqual(literal(true));
  });

  it('passes an expression through, and collapses single-item AND/OR', () => {
    const e = eq(col('t', 'x'), 5);
    expect(whereOf(e)).toBe(e);
    expect(and(e)).toBe(e);
    expect(or(e)).toBe(e);
    expect(whereOf({ x: 5 })).toEqual(eq(col('x'), 5));
  });

  it('does not mistake a row with a `kind` column for an expression', () => {
    expect(isExpr({ kind: 'value', value: 1 })).toBe(true);
    expect(isExpr({ kind: 'value', value: 1, other: 2 })).toBe(false);
    expect(isExpr({ kind: 'dataset' })).toBe(false);
    expect(isExpr(null)).toBe(false);
    expect(whereOf({ kind: 'dataset' })).toEqual(eq(col('kind'), 'dataset'));
  });
});
