import { describe, expect, it } from 'vitest';
import { InvalidIdentifierError, SchemaValidationError } from './errors.ts';
import { fieldSpec, fieldSpecsEqual, isStringType } from './field-spec.ts';
import type { FieldSpecInit } from './field-spec.ts';
import { tableSpec, withField } from './table-spec.ts';

describe('fieldSpec', () => {
  it('makes a primary key non-nullable, even when nullable is asked for (P-DDL-01)', () => {
    expect(fieldSpec({ name: 'id', dtype: 'bigint', primaryKey: true }).nullable).toBe(false);
    expect(
      fieldSpec({ name: 'id', dtype: 'bigint', primaryKey: true, nullable: true }).nullable,
    ).toBe(false);
  });

  it('fills defaults and freezes the result', () => {
    const field = fieldSpec({ name: 'value', dtype: 'string', length: 16 });
    expect(field).toEqual({
      name: 'value',
      dtype: 'string',
      length: 16,
      nbytes: null,
      primaryKey: false,
      autoincrement: false,
      nullable: true,
      default: null,
      doc: null,
    });
    expect(Object.isFrozen(field)).toBe(true);
  });

  it('treats specs with the same name as equal, and one table holds one of them (P-DDL-02)', () => {
    const a = fieldSpec({ name: 'x', dtype: 'integer' });
    const b = fieldSpec({ name: 'x', dtype: 'string', length: 8 });
    expect(fieldSpecsEqual(a, b)).toBe(true);
    expect(fieldSpecsEqual(a, fieldSpec({ name: 'y', dtype: 'integer' }))).toBe(false);
    const spec = withField(
      withField(tableSpec({ fields: [{ name: 'id', dtype: 'integer', primaryKey: true }] }), a),
      b,
    );
    expect(spec.fields.map((f) => f.name)).toEqual(['id', 'x']);
    expect(spec.fields[1]?.dtype).toBe('string');
  });

  it('keeps the position of a replaced field', () => {
    const spec = tableSpec({
      fields: [
        { name: 'a', dtype: 'integer' },
        { name: 'b', dtype: 'integer' },
      ],
    });
    expect(
      withField(spec, { name: 'a', dtype: 'text' }).fields.map((f) => `${f.name}:${f.dtype}`),
    ).toEqual(['a:text', 'b:integer']);
  });

  it('tells short strings from long ones', () => {
    expect(isStringType(fieldSpec({ name: 's', dtype: 'string', length: 32 }))).toBe(true);
    expect(isStringType(fieldSpec({ name: 's', dtype: 'string', length: 33 }))).toBe(false);
    expect(isStringType(fieldSpec({ name: 's', dtype: 'string' }))).toBe(false);
    expect(isStringType(fieldSpec({ name: 's', dtype: 'text' }))).toBe(false);
  });

  it.each<[string, unknown, RegExp]>([
    ['a name with a space', { name: 'bad name', dtype: 'integer' }, /"bad name"/],
    ['a quote in the name', { name: 'x"; DROP TABLE a; --', dtype: 'integer' }, /DROP TABLE/],
    ['an empty name', { name: '', dtype: 'integer' }, /must not be empty/],
    ['a name starting with a digit', { name: '1x', dtype: 'integer' }, /"1x"/],
    ['a 64-character name', { name: 'a'.repeat(64), dtype: 'integer' }, /longer than 63/],
    ['a name that is not a string', { name: 7, dtype: 'integer' }, /must be a string/],
  ])('rejects %s', (_label, init, message) => {
    expect(() => fieldSpec(init as FieldSpecInit)).toThrow(InvalidIdentifierError);
    expect(() => fieldSpec(init as FieldSpecInit)).toThrow(message);
  });

  it.each<[string, unknown, RegExp]>([
    ['an unknown type', { name: 'x', dtype: 'complex' }, /"x".*unknown column type "complex"/],
    [
      'a length on an integer',
      { name: 'n', dtype: 'integer', length: 4 },
      /"n".*only string columns take a length/,
    ],
    [
      'a length on text',
      { name: 't', dtype: 'text', length: 4 },
      /only string columns take a length, not text/,
    ],
    [
      'a zero length',
      { name: 's', dtype: 'string', length: 0 },
      /length must be a positive integer/,
    ],
    [
      'a fractional length',
      { name: 's', dtype: 'string', length: 1.5 },
      /length must be a positive integer/,
    ],
    [
      'nbytes on a string',
      { name: 's', dtype: 'string', nbytes: 8 },
      /only binary and base64Bytes columns take nbytes/,
    ],
    [
      'autoincrement on a string',
      { name: 's', dtype: 'string', primaryKey: true, autoincrement: true },
      /autoincrement needs an integer type/,
    ],
    [
      'autoincrement off the primary key',
      { name: 'n', dtype: 'bigint', autoincrement: true },
      /only allowed on a primary key/,
    ],
    [
      'a flag that is not a boolean',
      { name: 'n', dtype: 'bigint', nullable: 'no' },
      /nullable must be a boolean/,
    ],
    [
      'a default that is an object',
      { name: 'n', dtype: 'bigint', default: {} },
      /default must be a SQL literal/,
    ],
    ['a doc that is not a string', { name: 'n', dtype: 'bigint', doc: 5 }, /doc must be a string/],
    [
      'an unknown option',
      { name: 'n', dtype: 'bigint', primary_key: true },
      /unknown option "primary_key"/,
    ],
    ['something that is not an object', null, /must be an object/],
  ])('rejects %s', (_label, init, message) => {
    expect(() => fieldSpec(init as FieldSpecInit)).toThrow(SchemaValidationError);
    expect(() => fieldSpec(init as FieldSpecInit)).toThrow(message);
  });

  it('accepts sizes where they belong', () => {
    expect(fieldSpec({ name: 'h', dtype: 'base64Bytes', nbytes: 32 }).nbytes).toBe(32);
    expect(fieldSpec({ name: 'b', dtype: 'binary', nbytes: 16 }).nbytes).toBe(16);
    expect(fieldSpec({ name: 'ts', dtype: 'text', default: "'(,)'" }).default).toBe("'(,)'");
  });
});
