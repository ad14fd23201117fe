// How SQLite stores canonical UUIDs: 32 lowercase hex digits, daf_butler's form.
import { getField, tableSpec } from '@butler-ts/ddl';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { encodeSqlite, sqliteUuidTextSql } from '../src/sqlite/sqlite-codec.ts';

const field = getField(
  tableSpec({ fields: [{ name: 'id', dtype: 'uuid', primaryKey: true }] }),
  'id',
)!;

describe('encodeSqlite', () => {
  it('stores a canonical UUID as its 32 hex digits, and reads them back', () => {
    const id = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
    expect(encodeSqlite(field, id)).toBe('6ba7b8109dad11d180b400c04fd430c8');
    // Read back as findDatasets reads it: the canonical text made by SQLite.
    const db = new Database(':memory:');
    try {
      const text = db
        .prepare(`SELECT ${sqliteUuidTextSql('v.x')} FROM (SELECT ? AS x) AS v`)
        .pluck()
        .get(encodeSqlite(field, id));
      expect(text).toBe(id);
    } finally {
      db.close();
    }
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
