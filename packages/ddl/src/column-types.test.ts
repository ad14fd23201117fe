import { describe, expect, it } from 'vitest';
import {
  COLUMN_TYPES,
  decodeBase64,
  encodeBase64,
  isColumnType,
  normalizeColumnValue,
} from './column-types.ts';
import type { ColumnType } from './column-types.ts';
import { ColumnValueError } from './errors.ts';
import { rowChecker } from './row.ts';
import { tableSpec } from './table-spec.ts';
import { TaiTime } from './tai-time.ts';
import { parseUuid, uuidToHex32 } from './uuid.ts';

const field = (dtype: ColumnType, length: number | null = null) => ({ name: 'col', dtype, length });
const check = (dtype: ColumnType, value: unknown, length: number | null = null) =>
  normalizeColumnValue('t', field(dtype, length), value);

describe('column types', () => {
  it('lists every type and recognises only those', () => {
    expect(COLUMN_TYPES).toHaveLength(12);
    expect(isColumnType('uuid')).toBe(true);
    expect(isColumnType('region')).toBe(false);
    expect(isColumnType(3)).toBe(false);
  });

  it.each<[ColumnType, unknown, unknown]>([
    ['string', 'abc', 'abc'],
    ['text', 'x'.repeat(100_000), 'x'.repeat(100_000)],
    ['smallint', -32768, -32768],
    ['integer', 2147483647, 2147483647],
    ['bigint', Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
    ['bigint', 42n, 42],
    ['float', 1.5, 1.5],
    ['float', Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY],
    ['boolean', false, false],
    ['binary', new Uint8Array([1, 2]), new Uint8Array([1, 2])],
    ['base64Bytes', Buffer.from('hi'), Buffer.from('hi')],
    ['uuid', 'C8B5A2E0-1234-4ABC-8DEF-0123456789AB', 'c8b5a2e0-1234-4abc-8def-0123456789ab'],
    ['timestamp', new Date(0), new Date(0)],
  ])('accepts a %s value %o', (dtype, value, expected) => {
    expect(check(dtype, value)).toEqual(expected);
  });

  it.each<[ColumnType, unknown, RegExp]>([
    ['string', 5, /expected a string/],
    ['text', null, /expected a string/],
    ['smallint', 32768, /out of range for smallint/],
    ['integer', 1.5, /expected an integer/],
    ['integer', '1', /expected an integer/],
    ['bigint', Number.MAX_SAFE_INTEGER + 2, /out of range/],
    ['bigint', 2n ** 60n, /expected an integer/],
    ['float', Number.NaN, /NaN/],
    ['float', '1.5', /expected a number/],
    ['boolean', 1, /expected a boolean/],
    ['binary', [1, 2], /expected a Uint8Array/],
    ['base64Bytes', 'aGk=', /expected a Uint8Array/],
    ['uuid', 1.5, /expected a UUID/],
    ['uuid', 'not-a-uuid', /expected a UUID/],
    ['timestamp', '2020-01-01', /expected a Date/],
    ['timestamp', new Date(Number.NaN), /invalid Date/],
    ['timeNsecTai', 5n, /expected a TaiTime/],
  ])('rejects a %s value %o with an error naming the column', (dtype, value, message) => {
    expect(() => check(dtype, value)).toThrow(ColumnValueError);
    expect(() => check(dtype, value)).toThrow(message);
    expect(() => check(dtype, value)).toThrow(/t\.col/);
  });

  it('rejects a string longer than its column, counting characters not UTF-16 units', () => {
    expect(check('string', 'abcd', 4)).toBe('abcd');
    expect(check('string', '😀😀😀😀', 4)).toBe('😀😀😀😀');
    expect(() => check('string', 'abcde', 4)).toThrow(/longer than 4 characters/);
    try {
      check('string', 'abcde', 4);
    } catch (error) {
      expect(ColumnValueError.is(error)).toBe(true);
      expect((error as ColumnValueError).column).toBe('col');
      expect((error as ColumnValueError).value).toBe('abcde');
    }
  });

  it('round-trips bytes through base64', () => {
    const bytes = new Uint8Array([0, 255, 1, 2, 3]);
    expect(encodeBase64(bytes)).toBe('AP8BAgM=');
    expect(decodeBase64(encodeBase64(bytes))).toEqual(bytes);
  });
});

describe('uuid column values (P-DDL-06)', () => {
  const canonical = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
  const hex = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';

  it('reads the same UUID from every accepted form', () => {
    const forms: unknown[] = [
      canonical,
      canonical.toUpperCase(),
      hex,
      `{${canonical}}`,
      `urn:uuid:${canonical}`,
      Buffer.from(hex, 'hex'),
      BigInt(`0x${hex}`),
    ];
    for (const form of forms) expect(check('uuid', form)).toBe(canonical);
    expect(parseUuid(255)).toBe('00000000-0000-0000-0000-0000000000ff');
    expect(uuidToHex32(canonical)).toBe(hex);
  });

  it('returns only a canonical string unchanged', () => {
    // Each is 36 characters long, like a canonical UUID.
    expect(parseUuid('0f1e2d3c4-b5a-6978-8796-a5b4c3d2e1f0')).toBe(canonical);
    expect(parseUuid('0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0')).toBe(canonical);
    expect(parseUuid('0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1fg')).toBeUndefined();
    expect(parseUuid('0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f\u00e9')).toBeUndefined();
    expect(parseUuid('0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f-')).toBeUndefined();
  });

  it('rejects other types and out-of-range values', () => {
    for (const bad of [1.5, -1n, 2n ** 128n, new Uint8Array(15), {}, true, null]) {
      expect(parseUuid(bad)).toBeUndefined();
    }
    expect(() => check('uuid', 1.5)).toThrow(ColumnValueError);
  });
});

describe('TaiTime (timeNsecTai columns)', () => {
  it('writes null as null (P-DDL-03)', () => {
    // Null never reaches the column conversion: the row check passes it through for a
    // nullable column. (Reading NULL back is asserted by the registry-sql suites.)
    const check = rowChecker('t', tableSpec({ fields: [{ name: 'at', dtype: 'timeNsecTai' }] }));
    expect(check({ at: null }, 'insert')).toEqual({ at: null });
    expect(() => normalizeColumnValue('t', field('timeNsecTai'), null)).toThrow(
      /expected a TaiTime/,
    );
  });

  it('clamps a time before the epoch to 0, which reads back as the epoch (P-DDL-04)', () => {
    const stored = TaiTime.fromIso('1950-01-01T00:00:00').toStoredNsec();
    expect(stored).toBe(0n);
    expect(new TaiTime(stored).toIso()).toBe('1970-01-01T00:00:00.000000000');
  });

  it('clamps a time after 2100 to the maximum', () => {
    expect(TaiTime.fromIso('2101-01-01T00:00:00').toStoredNsec()).toBe(
      TaiTime.fromIso('2100-01-01T00:00:00').nsec,
    );
    expect(TaiTime.MAX.toIso()).toBe('2100-01-01T00:00:00.000000000');
  });

  it.each([
    '1970-01-01T12:00:00.123',
    '1999-12-31T23:59:59.999999999',
    '2000-01-01T12:00:00.000000001',
    '2030-01-01T12:00:00.123456789',
    '2075-08-17T00:03:45',
    '2099-12-31T23:00:50',
  ])('round-trips %s within 1 ns (P-DDL-05)', (iso) => {
    const time = TaiTime.fromIso(iso);
    const back = new TaiTime(time.toStoredNsec());
    expect(back.equals(time)).toBe(true);
    expect(back.toIso().startsWith(iso)).toBe(true);
  });

  it('counts nanoseconds from the epoch with plain day arithmetic', () => {
    expect(TaiTime.fromIso('1970-01-02T00:00:00.000000001').nsec).toBe(86_400_000_000_001n);
    expect(TaiTime.fromIso('1969-12-31T23:59:59').nsec).toBe(-1_000_000_000n);
    expect(TaiTime.fromIso('1969-12-31T23:59:59').toIso()).toBe('1969-12-31T23:59:59.000000000');
  });

  it('compares within a precision', () => {
    const a = new TaiTime(1000n);
    expect(a.equals(new TaiTime(1000n))).toBe(true);
    expect(a.equals(new TaiTime(1001n))).toBe(false);
    expect(a.equals(new TaiTime(1001n), 2n)).toBe(true);
  });

  it.each([
    '2020-13-01T00:00:00',
    '2020-01-01',
    '2020-01-01T25:00:00',
    '2020-01-01T00:00:00Z',
    'x',
  ])('rejects the text %j', (text) => {
    expect(() => TaiTime.fromIso(text)).toThrow(TypeError);
    expect(() => TaiTime.fromIso(text)).toThrow(JSON.stringify(text));
  });

  it('rejects nanoseconds that are not a bigint', () => {
    expect(() => new TaiTime(5 as unknown as bigint)).toThrow(TypeError);
  });
});
