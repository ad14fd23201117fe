// Values and names every engine stores exactly, or refuses before any SQL (issue 10).
import { describe, expect, it } from 'vitest';
import { normalizeColumnValue } from './column-types.ts';
import type { ColumnType } from './column-types.ts';
import { ColumnValueError, InvalidIdentifierError, SchemaValidationError } from './errors.ts';
import { fieldSpec } from './field-spec.ts';
import type { FieldSpecInit } from './field-spec.ts';
import { foreignKeySpec } from './foreign-key-spec.ts';
import { tableSpec } from './table-spec.ts';

const check = (dtype: ColumnType, value: unknown, length: number | null = null) =>
  normalizeColumnValue('t', { name: 'col', dtype, length }, value);
const rejection = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return new Error('no error');
};

describe('timestamps', () => {
  it.each([
    ['year 1, first millisecond', '0001-01-01T00:00:00.000Z'],
    ['year 9999, last millisecond', '9999-12-31T23:59:59.999Z'],
    ['the Unix epoch', '1970-01-01T00:00:00.000Z'],
  ])('accepts %s', (_label, iso) => {
    const date = new Date(iso);
    expect(check('timestamp', date)).toBe(date);
  });

  it.each([
    ['the last millisecond of year 0', new Date('0000-12-31T23:59:59.999Z')],
    ['year 10000', new Date('+010000-01-01T00:00:00.000Z')],
    ['the earliest JS date', new Date(-8.64e15)],
    ['the latest JS date', new Date(8.64e15)],
  ])('refuses %s, naming the range', (_label, date) => {
    const error = rejection(() => check('timestamp', date));
    expect(ColumnValueError.is(error), String(error)).toBe(true);
    expect(String(error)).toMatch(/0001-01-01T00:00:00\.000Z to 9999-12-31T23:59:59\.999Z/);
  });
});

describe('strings', () => {
  it.each([
    ['a lone high surrogate', 'a\uD800b'],
    ['a lone low surrogate', '\uDC00'.repeat(3)],
    ['a reversed pair', '\uDC00\uD800'],
  ])('refuses %s in string and text values', (_label, text) => {
    for (const dtype of ['string', 'text'] as const) {
      const error = rejection(() => check(dtype, text, dtype === 'string' ? 16 : null));
      expect(ColumnValueError.is(error), String(error)).toBe(true);
      expect(String(error)).toMatch(/well-formed Unicode/);
    }
  });

  it('refuses NUL characters in string and text values', () => {
    for (const dtype of ['string', 'text'] as const) {
      const error = rejection(() => check(dtype, 'ab\0c', dtype === 'string' ? 16 : null));
      expect(ColumnValueError.is(error), String(error)).toBe(true);
      expect(String(error)).toMatch(/NUL/);
    }
  });

  it('accepts surrogate pairs and other characters', () => {
    expect(check('string', 'a😀b', 3)).toBe('a😀b');
    expect(check('text', '\u0001\uFFFF\u{10FFFF}')).toBe('\u0001\uFFFF\u{10FFFF}');
  });
});

describe('negative zero', () => {
  it('stores -0 as 0 on every engine', () => {
    expect(Object.is(check('float', -0), 0)).toBe(true);
    expect(check('float', -1.5)).toBe(-1.5);
  });

  it.each(['smallint', 'integer', 'bigint'] as const)(
    'makes -0 the integer 0 in a %s column',
    (dtype) => {
      expect(Object.is(check(dtype, -0), 0)).toBe(true);
    },
  );
});

describe('identifiers engines reserve or fold', () => {
  it.each(['ctid', 'xmin', 'xmax', 'cmin', 'cmax', 'tableoid', 'XMIN', 'TableOid'])(
    'refuses the PostgreSQL system column name %s',
    (name) => {
      const error = rejection(() => fieldSpec({ name, dtype: 'integer' }));
      expect(InvalidIdentifierError.is(error), String(error)).toBe(true);
      expect(String(error)).toContain(name);
      expect(String(error)).toMatch(/system column/);
    },
  );

  it('refuses two columns that differ only in case', () => {
    const error = rejection(() =>
      tableSpec({
        fields: [
          { name: 'Value', dtype: 'integer' },
          { name: 'value', dtype: 'integer' },
        ],
      }),
    );
    expect(InvalidIdentifierError.is(error), String(error)).toBe(true);
    expect(String(error)).toMatch(/"value".*only in case.*"Value"/);
  });

  it('refuses a foreign key to a sqlite_ table', () => {
    const error = rejection(() =>
      foreignKeySpec({ table: 'SQLITE_master', source: ['a'], target: ['b'] }),
    );
    expect(InvalidIdentifierError.is(error), String(error)).toBe(true);
    expect(String(error)).toMatch(/reserved by SQLite/);
  });
});

describe('server defaults', () => {
  it.each<[string, FieldSpecInit]>([
    [
      'SQL after a closing parenthesis',
      { name: 'n', dtype: 'integer', default: '0); DROP TABLE canary; --' },
    ],
    ['a second statement', { name: 'n', dtype: 'bigint', default: '0; DROP TABLE canary' }],
    ['an unquoted string', { name: 's', dtype: 'text', default: 'abc' }],
    [
      'a string literal with a stray quote',
      { name: 's', dtype: 'text', default: "'a'); DROP TABLE canary; --'" },
    ],
    ['a function call', { name: 's', dtype: 'text', default: "lower('A')" }],
    ['an integer out of range', { name: 'n', dtype: 'smallint', default: 40000 }],
    ['a fraction for an integer', { name: 'n', dtype: 'integer', default: 1.5 }],
    ['a non-finite float', { name: 'f', dtype: 'float', default: Number.POSITIVE_INFINITY }],
    ['a number for a boolean', { name: 'b', dtype: 'boolean', default: 1 }],
    ['a boolean for an integer', { name: 'n', dtype: 'integer', default: true }],
    ['now() spelled as a string for text', { name: 's', dtype: 'text', default: 'now()' }],
    [
      'a literal too long for its string column',
      { name: 's', dtype: 'string', length: 2, default: "'abc'" },
    ],
    [
      'an empty literal for a short string',
      { name: 's', dtype: 'string', length: 8, default: "''" },
    ],
    ['a NUL inside a string literal', { name: 's', dtype: 'text', default: "'a\0b'" }],
    [
      'a default on a uuid column',
      { name: 'u', dtype: 'uuid', default: "'00000000-0000-0000-0000-000000000000'" },
    ],
    [
      'an expression for a timestamp',
      { name: 't', dtype: 'timestamp', default: "datetime('now')" },
    ],
  ])('refuses %s', (_label, init) => {
    const error = rejection(() => fieldSpec(init));
    expect(SchemaValidationError.is(error), String(error)).toBe(true);
    expect(String(error)).toMatch(/default/);
  });

  it.each<FieldSpecInit>([
    { name: 'n', dtype: 'integer', default: 0 },
    { name: 'n', dtype: 'bigint', default: '-9007199254740991' },
    { name: 't', dtype: 'timeNsecTai', default: '4102444800000000000' },
    { name: 'f', dtype: 'float', default: '-1.5e3' },
    { name: 'b', dtype: 'boolean', default: 'FALSE' },
    { name: 'b', dtype: 'boolean', default: true },
    { name: 's', dtype: 'text', default: "'(,)'" },
    { name: 's', dtype: 'string', length: 8, default: "'it''s'" },
    { name: 't', dtype: 'timestamp', default: 'CURRENT_TIMESTAMP' },
  ])('accepts the literal default %j', (init) => {
    expect(fieldSpec(init).default).toBe(init.default);
  });
});
