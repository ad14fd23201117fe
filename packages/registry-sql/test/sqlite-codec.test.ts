// How SQLite stores canonical UUIDs: 32 lowercase hex digits, daf_butler's form.
import { getField, tableSpec } from '@butler-ts/ddl';
import { describe, expect, it } from 'vitest';
import { encodeSqlite, sqliteUuidFromStored } from '../src/sqlite/sqlite-codec.ts';

const field = getField(
  tableSpec({ fields: [{ name: 'id', dtype: 'uuid', primaryKey: true }] }),
  'id',
)!;

describe('encodeSqlite', () => {
  it('stores a canonical UUID as its 32 hex digits, and reads them back', () => {
    const id = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
    expect(encodeSqlite(field, id)).toBe('6ba7b8109dad11d180b400c04fd430c8');
    expect(sqliteUuidFromStored(encodeSqlite(field, id) as string)).toBe(id);
  });

  it('drops the hyphens of a UUID of another length', () => {
    expect(encodeSqlite(field, '6ba7b8109dad11d180b400c04fd430c8')).toBe(
      '6ba7b8109dad11d180b400c04fd430c8',
    );
    expect(encodeSqlite(field, '6ba7b810-9dad11d180b400c04fd430c8')).toBe(
      '6ba7b8109dad11d180b400c04fd430c8',
    );
  });
});
