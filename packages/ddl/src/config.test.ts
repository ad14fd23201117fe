import { describe, expect, it } from 'vitest';
import {
  CONFIG_COLUMN_TYPES,
  fieldSpecFromConfig,
  foreignKeySpecFromConfig,
  tableSpecFromConfig,
} from './config.ts';
import { SchemaValidationError } from './errors.ts';

describe('construction from config (P-DDL-07)', () => {
  it('makes an int primary key a non-nullable bigint', () => {
    const field = fieldSpecFromConfig({ name: 'id', type: 'int', primaryKey: true });
    expect(field.dtype).toBe('bigint');
    expect(field.nullable).toBe(false);
    expect(field.primaryKey).toBe(true);
  });

  it('rejects an unknown type word', () => {
    expect(() => fieldSpecFromConfig({ name: 'x', type: 'complex' })).toThrow(
      SchemaValidationError,
    );
    expect(() => fieldSpecFromConfig({ name: 'x', type: 'complex' })).toThrow(
      'Invalid field type string: "complex".',
    );
    expect(() => fieldSpecFromConfig({ name: 'x', type: 'region' })).toThrow(/"region"/);
  });

  it.each(['Foo', '123', '_', 'aB'])(
    'rejects the column name %j, which is not all lowercase',
    (name) => {
      expect(() => fieldSpecFromConfig({ name, type: 'string' })).toThrow(
        `Column name "${name}" is not all lowercase.`,
      );
    },
  );

  it('rejects both length and nbytes', () => {
    expect(() => fieldSpecFromConfig({ name: 'h', type: 'hash', length: 8, nbytes: 8 })).toThrow(
      'Both length and nbytes provided for field "h".',
    );
  });

  it.each(['name', 'type'])('names a missing %s key', (key) => {
    const config: Record<string, unknown> = { name: 'x', type: 'string' };
    delete config[key];
    expect(() => fieldSpecFromConfig(config)).toThrow(SchemaValidationError);
    expect(() => fieldSpecFromConfig(config)).toThrow(`Missing key '${key}' in column config`);
  });

  it('accepts every documented type word', () => {
    expect(Object.keys(CONFIG_COLUMN_TYPES).sort()).toEqual([
      'blob',
      'bool',
      'datetime',
      'float',
      'hash',
      'int',
      'string',
      'uuid',
    ]);
    expect(fieldSpecFromConfig({ name: 't', type: 'datetime' }).dtype).toBe('timeNsecTai');
    expect(fieldSpecFromConfig({ name: 'h', type: 'hash', nbytes: 8 }).dtype).toBe('base64Bytes');
    expect(fieldSpecFromConfig({ name: 'b', type: 'blob' }).dtype).toBe('binary');
    expect(fieldSpecFromConfig({ name: 'u', type: 'uuid' }).dtype).toBe('uuid');
  });

  it('strips the doc, applies defaults and keeps a primary key non-nullable', () => {
    const field = fieldSpecFromConfig(
      { name: 'n', type: 'string', doc: '  a name \n', primaryKey: true, nullable: true },
      { length: 8 },
    );
    expect(field.doc).toBe('a name');
    expect(field.length).toBe(8);
    expect(field.nullable).toBe(false);
  });

  it('rejects an unexpected key and a config that is not a mapping', () => {
    expect(() => fieldSpecFromConfig({ name: 'x', type: 'int', primary_key: true })).toThrow(
      /Unexpected key 'primary_key'/,
    );
    expect(() => fieldSpecFromConfig(['x'])).toThrow(/must be a mapping/);
  });

  it('builds a table with unique constraints and foreign keys', () => {
    const spec = tableSpecFromConfig({
      columns: [
        { name: 'id', type: 'int', primaryKey: true },
        { name: 'parent', type: 'int' },
      ],
      unique: [['parent']],
      foreignKeys: [{ table: 'parents', source: 'parent', target: 'id', onDelete: 'CASCADE' }],
      doc: ' children ',
    });
    expect(spec.fields.map((f) => f.name)).toEqual(['id', 'parent']);
    expect(spec.unique).toEqual([['parent']]);
    expect(spec.foreignKeys[0]).toMatchObject({
      table: 'parents',
      source: ['parent'],
      target: ['id'],
      onDelete: 'CASCADE',
    });
    expect(spec.doc).toBe('children');
  });

  it('rejects a table config without columns and a foreign key without a target', () => {
    expect(() => tableSpecFromConfig({ unique: [] })).toThrow(
      `Missing key 'columns' in table config`,
    );
    expect(() => foreignKeySpecFromConfig({ table: 't', source: 'a' })).toThrow(
      `Missing key 'target' in foreign key config`,
    );
    expect(() => foreignKeySpecFromConfig({ table: 't', source: 3, target: 'a' })).toThrow(
      /'source' in foreign key config/,
    );
  });
});
