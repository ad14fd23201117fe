// The write order of PostgreSQL's bulk writes (key-order.ts): the fast comparators for
// columns of plain strings or numbers give exactly the order of compareKeyValues, for any key
// width, and the sort is stable.
import { describe, expect, it } from 'vitest';
import { compareKeyValues, sortByColumns } from '../src/key-order.ts';

type R = Record<string, unknown>;

/** The reference order: compareKeyValues column by column, then the input position. */
function reference(rows: readonly R[], columns: readonly string[]): R[] {
  return rows
    .map((row, index) => ({ row, index }))
    .sort((p, q) => {
      for (const column of columns) {
        const order = compareKeyValues(p.row[column], q.row[column]);
        if (order !== 0) return order;
      }
      return p.index - q.index;
    })
    .map((x) => x.row);
}

/** Deterministic pseudo-random integers (xorshift). */
function randoms(seed: number): () => number {
  let state = seed;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return Math.abs(state);
  };
}

const rows = (count: number, make: (next: () => number, i: number) => R): R[] => {
  const next = randoms(count * 7 + 3);
  return Array.from({ length: count }, (_, i) => make(next, i));
};

const strings = ['image', 'mask', 'variance', '__NULL_STRING__', 'Image', 'é', '\u{1F600}', ''];

describe('sortByColumns', () => {
  const cases: [string, string[], R[]][] = [
    [
      'one string column',
      ['a'],
      rows(500, (next, i) => ({ a: strings[next() % strings.length], i })),
    ],
    [
      'two string columns (a UUID and a component)',
      ['id', 'component'],
      rows(600, (next, i) => ({
        id: `0000000${next() % 9}-0000-7000-8000-00000000000${next() % 4}`,
        component: strings[next() % 4],
        i,
      })),
    ],
    [
      'three columns: number, string, number',
      ['n', 's', 'm'],
      rows(600, (next, i) => ({
        n: next() % 5,
        s: strings[next() % 3],
        m: (next() % 7) - 3,
        i,
      })),
    ],
    [
      'numbers where strings compare differently (10 < 9 as text)',
      ['n', 'k'],
      rows(300, (next, i) => ({ n: [9, 10, 100, -1, 2.5][next() % 5], k: next() % 3, i })),
    ],
    [
      'nulls among strings, bigints and bytes (the generic comparison)',
      ['v', 'w', 'b'],
      rows(400, (next, i) => ({
        v: [null, 'x', 'a', 'b'][next() % 4],
        w: [3n, 10n, null, -2n][next() % 4],
        b: [new Uint8Array([1, 2]), new Uint8Array([1]), new Uint8Array([0, 9])][next() % 3],
        i,
      })),
    ],
    [
      'NaN among numbers',
      ['v'],
      rows(100, (next, i) => ({ v: [Number.NaN, 1, 2, 0][next() % 4], i })),
    ],
  ];
  it.each(cases)('orders %s as compareKeyValues does, stably', (_, columns, given) => {
    const before = [...given];
    const sorted = sortByColumns(given, columns);
    expect(sorted.map((r) => r['i'])).toEqual(reference(given, columns).map((r) => r['i']));
    expect(given).toEqual(before);
    expect(sorted).not.toBe(given);
  });

  it('returns a copy of rows already in order', () => {
    const given = [
      { a: 'x', b: 1 },
      { a: 'x', b: 2 },
      { a: 'y', b: 0 },
    ];
    const sorted = sortByColumns(given, ['a', 'b']);
    expect(sorted).toEqual(given);
    expect(sorted).not.toBe(given);
  });
});
