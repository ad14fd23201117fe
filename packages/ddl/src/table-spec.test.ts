import { describe, expect, it } from 'vitest';
import { SchemaValidationError } from './errors.ts';
import { indexSpec, indexSpecsEqual } from './index-spec.ts';
import { foreignKeySpec, foreignKeySpecsEqual } from './foreign-key-spec.ts';
import type { ForeignKeySpecInit } from './foreign-key-spec.ts';
import {
  getField,
  primaryKeyColumns,
  tableSpec,
  tableSpecsEqual,
  withForeignKey,
} from './table-spec.ts';
import type { TableSpecInit } from './table-spec.ts';

// Schema S of spec/conformance.md (F5).
const b = tableSpec({
  fields: [
    { name: 'id', dtype: 'bigint', primaryKey: true, autoincrement: true },
    { name: 'name', dtype: 'string', length: 16, nullable: false },
    { name: 'value', dtype: 'smallint' },
  ],
  unique: [['name']],
});
const c = tableSpec({
  fields: [
    { name: 'id', dtype: 'bigint', primaryKey: true, autoincrement: true },
    { name: 'b_id', dtype: 'bigint' },
  ],
  foreignKeys: [{ table: 'b', source: ['b_id'], target: ['id'], onDelete: 'SET NULL' }],
});

describe('tableSpec', () => {
  it('keeps every option, normalised and frozen', () => {
    expect(b.unique).toEqual([['name']]);
    expect(b.recycleIds).toBe(true);
    expect(b.doc).toBeNull();
    expect(c.foreignKeys).toEqual([
      { table: 'b', source: ['b_id'], target: ['id'], onDelete: 'SET NULL', addIndex: true },
    ]);
    expect(
      Object.isFrozen(c) && Object.isFrozen(c.fields) && Object.isFrozen(c.foreignKeys[0]),
    ).toBe(true);
    expect(getField(b, 'name')?.length).toBe(16);
    expect(getField(b, 'missing')).toBeUndefined();
    expect(primaryKeyColumns(b)).toEqual(['id']);
  });

  it('accepts indexes as specs or column lists, and drops repeats', () => {
    const spec = tableSpec({
      fields: [
        { name: 'a', dtype: 'integer' },
        { name: 'b', dtype: 'integer' },
      ],
      indexes: [['a', 'b'], indexSpec(['a', 'b']), indexSpec(['b'], { using: 'gist' })],
      unique: [['a'], ['a']],
      recycleIds: false,
      doc: 'two columns',
    });
    expect(spec.indexes).toEqual([
      { columns: ['a', 'b'], kwargs: {} },
      { columns: ['b'], kwargs: { using: 'gist' } },
    ]);
    expect(spec.unique).toEqual([['a']]);
    expect(spec.recycleIds).toBe(false);
  });

  it.each<[string, unknown, RegExp]>([
    ['no fields', { fields: [] }, /at least one field/],
    ['no fields array', {}, /needs a `fields` array/],
    [
      'a duplicate field',
      {
        fields: [
          { name: 'a', dtype: 'integer' },
          { name: 'a', dtype: 'text' },
        ],
      },
      /Duplicate field "a"/,
    ],
    [
      'two autoincrement fields',
      {
        fields: [
          { name: 'a', dtype: 'integer', primaryKey: true, autoincrement: true },
          { name: 'b', dtype: 'integer', primaryKey: true, autoincrement: true },
        ],
      },
      /Only one autoincrement field per table, got a, b/,
    ],
    [
      'a unique constraint on a missing column',
      { fields: [{ name: 'a', dtype: 'integer' }], unique: [['z']] },
      /"z", which is not a field/,
    ],
    [
      'an empty unique constraint',
      { fields: [{ name: 'a', dtype: 'integer' }], unique: [[]] },
      /at least one column/,
    ],
    [
      'a repeated column',
      { fields: [{ name: 'a', dtype: 'integer' }], unique: [['a', 'a']] },
      /repeats a column/,
    ],
    [
      'an index on a missing column',
      { fields: [{ name: 'a', dtype: 'integer' }], indexes: [['q']] },
      /"q", which is not a field/,
    ],
    [
      'a foreign key from a missing column',
      {
        fields: [{ name: 'a', dtype: 'integer' }],
        foreignKeys: [{ table: 't', source: ['x'], target: ['id'] }],
      },
      /foreign key to t.*"x"/,
    ],
    [
      'an unknown option',
      { fields: [{ name: 'a', dtype: 'integer' }], primaryKey: ['a'] },
      /Unknown table spec option "primaryKey"/,
    ],
    [
      'a non-boolean recycleIds',
      { fields: [{ name: 'a', dtype: 'integer' }], recycleIds: 'no' },
      /recycleIds must be a boolean/,
    ],
    [
      'an exclusion on a missing column',
      { fields: [{ name: 'a', dtype: 'integer' }], exclusion: [['t']] },
      /"t", which is not a field/,
    ],
  ])('rejects %s', (_label, init, message) => {
    expect(() => tableSpec(init as TableSpecInit)).toThrow(SchemaValidationError);
    expect(() => tableSpec(init as TableSpecInit)).toThrow(message);
  });

  it('compares by field names, constraint sets, foreign keys in order, recycleIds and doc', () => {
    const base = {
      fields: [
        { name: 'a', dtype: 'integer' },
        { name: 'b', dtype: 'integer' },
      ],
      unique: [['a'], ['b']],
    } as const;
    const same = tableSpec({
      fields: [
        { name: 'b', dtype: 'text' },
        { name: 'a', dtype: 'bigint' },
      ],
      unique: [['b'], ['a']],
    });
    expect(tableSpecsEqual(tableSpec(base), same)).toBe(true);
    expect(tableSpecsEqual(tableSpec(base), tableSpec({ ...base, doc: 'x' }))).toBe(false);
    expect(tableSpecsEqual(tableSpec(base), tableSpec({ ...base, recycleIds: false }))).toBe(false);
    expect(tableSpecsEqual(tableSpec(base), tableSpec({ ...base, unique: [['a']] }))).toBe(false);
    expect(tableSpecsEqual(tableSpec(base), tableSpec({ ...base, indexes: [['a']] }))).toBe(false);
    const fk1: ForeignKeySpecInit = { table: 't', source: ['a'], target: ['id'] };
    const fk2: ForeignKeySpecInit = { table: 'u', source: ['b'], target: ['id'] };
    const ordered = withForeignKey(withForeignKey(tableSpec(base), fk1), fk2);
    const reversed = withForeignKey(withForeignKey(tableSpec(base), fk2), fk1);
    expect(tableSpecsEqual(ordered, reversed)).toBe(false);
    expect(
      tableSpecsEqual(ordered, withForeignKey(withForeignKey(tableSpec(base), fk1), fk2)),
    ).toBe(true);
  });
});

describe('indexSpec', () => {
  it('is equal only with the same columns and options', () => {
    expect(indexSpecsEqual(indexSpec(['a', 'b']), indexSpec(['a', 'b']))).toBe(true);
    expect(indexSpecsEqual(indexSpec(['a', 'b']), indexSpec(['b', 'a']))).toBe(false);
    expect(indexSpecsEqual(indexSpec(['a'], { using: 'gist' }), indexSpec(['a']))).toBe(false);
    expect(
      indexSpecsEqual(indexSpec(['a'], { using: 'gist' }), indexSpec(['a'], { using: 'btree' })),
    ).toBe(false);
  });

  it.each([[[]], [['a', 'a']], [['bad name']]])('rejects the columns %j', (columns) => {
    expect(() => indexSpec(columns)).toThrow(SchemaValidationError);
  });
});

describe('foreignKeySpec', () => {
  it('defaults onDelete to null and addIndex to true', () => {
    expect(foreignKeySpec({ table: 'a', source: ['a_name'], target: ['name'] })).toEqual({
      table: 'a',
      source: ['a_name'],
      target: ['name'],
      onDelete: null,
      addIndex: true,
    });
  });

  it('compares all five members', () => {
    const fk = foreignKeySpec({ table: 'a', source: ['x'], target: ['y'] });
    expect(
      foreignKeySpecsEqual(fk, foreignKeySpec({ table: 'a', source: ['x'], target: ['y'] })),
    ).toBe(true);
    expect(
      foreignKeySpecsEqual(
        fk,
        foreignKeySpec({ table: 'a', source: ['x'], target: ['y'], onDelete: 'CASCADE' }),
      ),
    ).toBe(false);
    expect(
      foreignKeySpecsEqual(
        fk,
        foreignKeySpec({ table: 'a', source: ['x'], target: ['y'], addIndex: false }),
      ),
    ).toBe(false);
  });

  it.each<[string, unknown, RegExp]>([
    [
      'unequal column counts',
      { table: 'a', source: ['x', 'y'], target: ['z'] },
      /2 source columns but 1 target/,
    ],
    [
      'no source columns',
      { table: 'a', source: [], target: ['z'] },
      /source needs at least one column/,
    ],
    ['a bad target table', { table: 'a b', source: ['x'], target: ['z'] }, /"a b"/],
    [
      'an unknown onDelete',
      { table: 'a', source: ['x'], target: ['z'], onDelete: 'RESTRICT' },
      /onDelete must be CASCADE, SET NULL or null/,
    ],
  ])('rejects %s', (_label, init, message) => {
    expect(() => foreignKeySpec(init as ForeignKeySpecInit)).toThrow(SchemaValidationError);
    expect(() => foreignKeySpec(init as ForeignKeySpecInit)).toThrow(message);
  });
});
