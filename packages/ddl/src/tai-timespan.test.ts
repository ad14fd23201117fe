import { describe, expect, expectTypeOf, it } from 'vitest';
import { normalizeColumnValue } from './column-types.ts';
import { ColumnValueError, SchemaValidationError } from './errors.ts';
import { fieldSpec } from './field-spec.ts';
import type { FieldSpecInit } from './field-spec.ts';
import { rowChecker } from './row.ts';
import type { RowOf } from './row.ts';
import { tableSpec } from './table-spec.ts';
import { TaiTime } from './tai-time.ts';
import { TaiTimespan } from './tai-timespan.ts';

const a = TaiTime.fromIso('2025-01-01T00:00:37');
const b = TaiTime.fromIso('2025-01-02T00:00:37.000000001');

describe('TaiTimespan', () => {
  it('keeps bounds as bigint nanoseconds, null ends unbounded', () => {
    const span = TaiTimespan.of(a, b);
    expect(span.begin?.nsec).toBe(1735689637000000000n);
    expect(span.end?.nsec).toBe(1735776037000000001n);
    expect(span.isEmpty).toBe(false);
    expect(TaiTimespan.of(null, b).begin).toBeNull();
    expect(TaiTimespan.of(a, null).end).toBeNull();
    expect(Object.isFrozen(span)).toBe(true);
  });

  it('normalises the stored extremes to unbounded and equal bounds to EMPTY', () => {
    expect(TaiTimespan.of(TaiTime.EPOCH, b)).toEqual(TaiTimespan.of(null, b));
    expect(TaiTimespan.of(new TaiTime(-5n), b)).toEqual(TaiTimespan.of(null, b));
    expect(TaiTimespan.of(a, TaiTime.MAX)).toEqual(TaiTimespan.of(a, null));
    expect(TaiTimespan.of(a, a)).toBe(TaiTimespan.EMPTY);
    expect(TaiTimespan.of(TaiTime.EPOCH, TaiTime.EPOCH)).toBe(TaiTimespan.EMPTY);
    expect(TaiTimespan.EMPTY.isEmpty).toBe(true);
    expect(TaiTimespan.EMPTY.begin).toBeNull();
  });

  it('refuses a begin after its end, and bounds that are not TaiTime or null', () => {
    expect(() => TaiTimespan.of(b, a)).toThrow(RangeError);
    expect(() => TaiTimespan.of(b, a)).toThrow(/begin .* is after its end/);
    expect(() => TaiTimespan.of(TaiTime.MAX, null)).not.toThrow();
    expect(() => TaiTimespan.of(new TaiTime(TaiTime.MAX.nsec + 1n), null)).toThrow(RangeError);
    expect(() => TaiTimespan.of(1 as unknown as TaiTime, null)).toThrow(/begin is a TaiTime/);
    expect(() => TaiTimespan.of(null, 5n as unknown as TaiTime)).toThrow(/end is a TaiTime/);
  });

  it('compares by bounds; every empty span is equal', () => {
    expect(TaiTimespan.of(a, b).equals(TaiTimespan.of(a, b))).toBe(true);
    expect(TaiTimespan.of(a, b).equals(TaiTimespan.of(a, null))).toBe(false);
    expect(TaiTimespan.of(null, b).equals(TaiTimespan.of(null, b))).toBe(true);
    expect(TaiTimespan.of(a, a).equals(TaiTimespan.EMPTY)).toBe(true);
    expect(TaiTimespan.EMPTY.equals(TaiTimespan.of(null, null))).toBe(false);
    expect(TaiTimespan.of(a, b).equals(a as unknown as TaiTimespan)).toBe(false);
    expect(String(TaiTimespan.of(null, b))).toBe('[-∞, 2025-01-02T00:00:37.000000001) TAI');
    expect(String(TaiTimespan.EMPTY)).toBe('empty');
  });
});

describe('range fields', () => {
  it('are timeNsecTai columns holding a TaiTimespan', () => {
    const field = fieldSpec({ name: 'timespan', dtype: 'timeNsecTai', range: true });
    expect(field.range).toBe(true);
    expect('range' in fieldSpec({ name: 't', dtype: 'timeNsecTai' })).toBe(false);
    expect(normalizeColumnValue('t', field, TaiTimespan.EMPTY)).toBe(TaiTimespan.EMPTY);
    expect(() => normalizeColumnValue('t', field, a)).toThrow(ColumnValueError);
    expect(() => normalizeColumnValue('t', field, { begin: a, end: b })).toThrow(
      /expected a TaiTimespan/,
    );
    const spec = tableSpec({
      fields: [
        { name: 'id', dtype: 'bigint', primaryKey: true },
        { name: 'timespan', dtype: 'timeNsecTai', range: true },
      ],
    } as const);
    expectTypeOf<RowOf<typeof spec>['timespan']>().toEqualTypeOf<TaiTimespan | null | undefined>();
    const check = rowChecker('spans', spec);
    expect(check({ id: 1, timespan: TaiTimespan.of(a, b) }, 'insert')).toEqual({
      id: 1,
      timespan: TaiTimespan.of(a, b),
    });
    expect(() => check({ id: 1, timespan: a }, 'insert')).toThrow(ColumnValueError);
  });

  it('are refused on other types, on keys, with a default, or as a non-boolean', () => {
    for (const init of [
      { name: 'x', dtype: 'bigint', range: true },
      { name: 'x', dtype: 'timeNsecTai', range: true, primaryKey: true },
      { name: 'x', dtype: 'timeNsecTai', range: true, default: 0 },
      { name: 'x', dtype: 'timeNsecTai', range: 'yes' },
    ]) {
      expect(() => fieldSpec(init as FieldSpecInit), JSON.stringify(init)).toThrow(
        SchemaValidationError,
      );
    }
  });
});
