import { chmodSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableSpec } from '@butler-ts/ddl';
import {
  InvalidArgumentError,
  NotSupportedError,
  ReadOnlyDatabaseError,
} from '@butler-ts/registry-interfaces';
import type { Database } from '@butler-ts/registry-interfaces';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteDatabase } from '../src/sqlite/index.ts';

const spec = tableSpec({ fields: [{ name: 'x', dtype: 'integer', primaryKey: true }] });

async function createAndDrop(db: SqliteDatabase): Promise<void> {
  await db.declareStaticTables({ create: true }, () => undefined);
  const table = await db.ensureTableExists('probe', spec);
  await db.insert(table, [{ x: 1 }]);
  expect(await db.count(table)).toBe(1);
}

describe('SqliteDatabase connections', () => {
  let dir: string;
  let file: string;
  const opened: Database[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'butler-sqlite-conn-'));
    file = join(dir, 'registry.sqlite3');
    writeFileSync(file, '');
  });
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.close();
    chmodSync(file, 0o644);
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens a file by name and by URI, writeable, origin 0 (P-SQLITE-01)', async () => {
    const byName = await SqliteDatabase.fromFile(file);
    const byUri = await SqliteDatabase.fromUri(`sqlite:///${file}`);
    opened.push(byName, byUri);
    for (const db of [byName, byUri]) {
      expect(db.filename).toBe(realpathSync(file));
      expect(db.origin).toBe(0);
      expect(db.isWriteable()).toBe(true);
    }
    await createAndDrop(byName);
    expect(byUri.toString()).toBe(`SQLite3@${realpathSync(file)}`);
    expect(byUri.describe()).toBe(`SqliteDatabase("sqlite:///${realpathSync(file)}")`);
  });

  it('opens a read-only file read-only, and refuses to create tables (P-SQLITE-02)', async () => {
    chmodSync(file, 0o444);
    const byName = await SqliteDatabase.fromFile(file, { writeable: false });
    const byUri = await SqliteDatabase.fromUri(`sqlite:///${file}`, { writeable: false });
    opened.push(byName, byUri);
    for (const db of [byName, byUri]) {
      expect(db.filename).toBe(realpathSync(file));
      expect(db.origin).toBe(0);
      expect(db.isWriteable()).toBe(false);
      await expect(db.declareStaticTables({ create: true }, () => undefined)).rejects.toThrow(
        ReadOnlyDatabaseError,
      );
    }
    await byName.declareStaticTables({ create: false }, () => undefined);
    await expect(byName.ensureTableExists('probe', spec)).rejects.toThrow(ReadOnlyDatabaseError);
  });

  it('refuses SQLite URIs inside URLs and read-only memory (P-SQLITE-03)', async () => {
    await expect(SqliteDatabase.fromUri(`sqlite:///file:${file}?uri=true`)).rejects.toThrow(
      NotSupportedError,
    );
    await expect(SqliteDatabase.fromUri('sqlite:///:memory:?uri=true')).rejects.toThrow(
      NotSupportedError,
    );
    await expect(SqliteDatabase.fromFile(null, { writeable: false })).rejects.toThrow(
      NotSupportedError,
    );
    await expect(SqliteDatabase.fromUri('sqlite://', { writeable: false })).rejects.toThrow(
      NotSupportedError,
    );
  });

  it('opens memory with no filename or sqlite:// (P-SQLITE-04)', async () => {
    const byNull = await SqliteDatabase.fromFile(null);
    const byUri = await SqliteDatabase.fromUri('sqlite://');
    opened.push(byNull, byUri);
    for (const db of [byNull, byUri]) {
      expect(db.filename).toBeNull();
      expect(db.origin).toBe(0);
      expect(db.isWriteable()).toBe(true);
      expect(db.toString()).toBe('SQLite3@:memory:');
      await createAndDrop(db);
    }
  });

  it.each(['postgresql://x/y', 'sqlite:/x', 'sqlite:///a.db?mode=ro', 'mysql://x'])(
    'rejects the URI %s',
    async (uri) => {
      await expect(SqliteDatabase.fromUri(uri)).rejects.toThrow(InvalidArgumentError);
    },
  );

  it('refuses a namespace SQLite does not have', async () => {
    await expect(SqliteDatabase.fromUri('sqlite://', { namespace: 'other' })).rejects.toThrow(
      NotSupportedError,
    );
  });

  it('serialises concurrent transactions on one file in one process', async () => {
    const a = await SqliteDatabase.fromFile(file);
    const b = await SqliteDatabase.fromFile(file);
    opened.push(a, b);
    await a.declareStaticTables({ create: true }, () => undefined);
    await b.declareStaticTables({ create: false }, () => undefined);
    const ta = await a.ensureTableExists('probe', spec);
    const tb = await b.ensureTableExists('probe', spec);
    const writes = Array.from({ length: 20 }, (_, i) =>
      (i % 2 === 0 ? a : b).transaction(async () => {
        const db = i % 2 === 0 ? a : b;
        const table = i % 2 === 0 ? ta : tb;
        await new Promise((r) => setTimeout(r, 1));
        await db.insert(table, [{ x: i }]);
      }),
    );
    await Promise.all(writes);
    expect(await a.count(ta)).toBe(20);
  });
});
