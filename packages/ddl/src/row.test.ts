import { describe, expect, it } from 'vitest';
import { ColumnValueError, UnknownColumnError } from './errors.ts';
import { rowChecker } from './row.ts';
import { tableSpec } from './table-spec.ts';

const spec = tableSpec({
  fields: [
    { name: 'id', dtype: 'bigint', primaryKey: true, autoincrement: true },
    { name: 'name', dtype: 'string', length: 16, nullable: false },
    { name: 'value', dtype: 'smallint' },
    { name: 'ref', dtype: 'uuid' },
    { name: 'created', dtype: 'timestamp', nullable: false, default: 'CURRENT_TIMESTAMP' },
  ],
});

describe('rowChecker', () => {
  const check = rowChecker('b', spec);

  it('is compiled once per spec and table', () => {
    expect(rowChecker('b', spec)).toBe(check);
    expect(rowChecker('other', spec)).not.toBe(check);
  });

  it('returns a new row with canonical values, dropping undefined and keeping null', () => {
    const row = { name: 'x', value: null, ref: '0F1E2D3C4B5A69788796A5B4C3D2E1F0', id: undefined };
    expect(check(row, 'insert')).toEqual({
      name: 'x',
      value: null,
      ref: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
    });
    expect(row.ref).toBe('0F1E2D3C4B5A69788796A5B4C3D2E1F0');
  });

  it('lets an insert leave out autoincrement and defaulted columns, but not a full row', () => {
    expect(check({ name: 'x', id: null }, 'insert')).toEqual({ name: 'x' });
    expect(() => check({ name: 'x' }, 'full')).toThrow(/b\.id: NOT NULL column is missing/);
  });

  it('rejects an unknown column, naming it and the table', () => {
    expect(() => check({ name: 'x', nmae: 'y' }, 'insert')).toThrow(UnknownColumnError);
    expect(() => check({ name: 'x', nmae: 'y' }, 'partial')).toThrow(
      /Table b has no column "nmae"/,
    );
  });

  it('rejects a missing NOT NULL column and a null in one', () => {
    expect(() => check({ value: 1 }, 'insert')).toThrow(/b\.name: NOT NULL column is missing/);
    expect(() => check({ name: null }, 'partial')).toThrow(/b\.name: column is NOT NULL/);
  });

  it('rejects wrong types and too-long strings', () => {
    expect(() => check({ name: 'x', value: 'big' }, 'insert')).toThrow(ColumnValueError);
    expect(() => check({ name: 'x'.repeat(17) }, 'insert')).toThrow(
      /b\.name: longer than 16 characters/,
    );
  });

  it('rejects something that is not a row object', () => {
    for (const bad of [null, 'row', 5, ['x']]) {
      expect(() => check(bad, 'insert')).toThrow(/a row must be an object/);
    }
  });

  it('accepts any subset in partial mode', () => {
    expect(check({ value: 3 }, 'partial')).toEqual({ value: 3 });
    expect(check({}, 'partial')).toEqual({});
  });
});
