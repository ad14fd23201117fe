// Harnesses that give the testkit suites fresh SQLite databases: a temp file, or memory.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseHarness } from '@butler-ts/testkit';
import type { Database } from '@butler-ts/registry-interfaces';
import type { SqlExecutor } from '../src/sql-database.ts';
import { SqliteDatabase } from '../src/sqlite/index.ts';

/** A SQLite database whose first existence check of each table reports it absent (P-DB-08). */
class StaleSqliteDatabase extends SqliteDatabase {
  readonly #fooled = new Set<string>();

  protected override inspectColumns(x: SqlExecutor, name: string): Promise<string[] | null> {
    if (!this.#fooled.has(name)) {
      this.#fooled.add(name);
      return Promise.resolve(null);
    }
    return super.inspectColumns(x, name);
  }
}

/** Fresh temp files; read-only views open the file read-only after making it read-only on disk. */
export function sqliteFileHarness(): DatabaseHarness & { readonly dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'butler-sqlite-'));
  const opened: Database[] = [];
  const readOnlyFiles: string[] = [];
  let n = 0;
  const track = <T extends Database>(db: T): T => {
    opened.push(db);
    return db;
  };
  const fileOf = (db: Database) => (db as SqliteDatabase).filename!;
  return {
    dir,
    make: async (options = {}) =>
      track(await SqliteDatabase.fromFile(join(dir, `db${n++}.sqlite3`), options)),
    readOnly: async (db) => {
      const file = fileOf(db);
      chmodSync(file, 0o444);
      readOnlyFiles.push(file);
      return track(await SqliteDatabase.fromFile(file, { writeable: false }));
    },
    connect: async (db) => track(await SqliteDatabase.fromFile(fileOf(db))),
    staleConnection: async (db) => track(await StaleSqliteDatabase.fromFile(fileOf(db))),
    cleanup: async () => {
      for (const db of opened) await db.close();
      for (const file of readOnlyFiles) chmodSync(file, 0o644);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Fresh in-memory databases; other connections share the memory connection (clones). */
export function sqliteMemoryHarness(): DatabaseHarness {
  const opened: Database[] = [];
  const track = <T extends Database>(db: T): T => {
    opened.push(db);
    return db;
  };
  return {
    make: async (options = {}) => track(await SqliteDatabase.fromUri('sqlite://', options)),
    readOnly: (db) => Promise.resolve(track((db as SqliteDatabase).clone({ writeable: false }))),
    connect: (db) => Promise.resolve(track((db as SqliteDatabase).clone())),
    // A clone whose first existence check is fooled: same connection, same memory.
    staleConnection: (db) =>
      Promise.resolve(track((db as SqliteDatabase).cloneAs(StaleSqliteDatabase))),
    cleanup: async () => {
      for (const db of opened.reverse()) await db.close();
    },
  };
}
