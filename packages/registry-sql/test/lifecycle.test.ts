// Closing a database releases everything it made (issue 10, finding 13). An enabled
// AsyncLocalStorage left behind by a closed database makes every later promise of the process
// pay for it; so does a lock map that only grows. Each test runs a few hundred
// open / transaction / close cycles and compares the number of live storages before and after
// (an exact count read from a fresh async resource, never a time), and the file-lock map.
import { executionAsyncResource } from 'node:async_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableSpec } from '@butler-ts/ddl';
import type { TableHandle } from '@butler-ts/registry-interfaces';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresDatabase } from '../src/postgres/index.ts';
import { SqliteDatabase } from '../src/sqlite/index.ts';
import { openFileLocks } from '../src/sqlite/sqlite-database.ts';
import { dropSchemas, freshSchema, pgAvailable, pgUrl } from './postgres-harness.ts';

const available = await pgAvailable();
const spec = tableSpec({ fields: [{ name: 'id', dtype: 'integer', primaryKey: true }] });

/**
 * The number of enabled AsyncLocalStorage instances: on Node 20 and 22 each one stamps its own
 * `kResourceStore` symbol on every async resource created while it is enabled (which is exactly
 * the per-promise cost the finding is about).
 */
function liveStorages(): Promise<number> {
  // A fresh Immediate is a fresh resource (a continuation after `await` may run on an older one).
  return new Promise((resolve) =>
    setImmediate(() =>
      resolve(
        Object.getOwnPropertySymbols(executionAsyncResource()).filter(
          (s) => s.description === 'kResourceStore',
        ).length,
      ),
    ),
  );
}

/** One cycle: open, declare, write in a transaction (nested, so a savepoint too), close. */
async function cycle(open: () => Promise<SqliteDatabase | PostgresDatabase>, create: boolean) {
  const db = await open();
  try {
    let table!: TableHandle<typeof spec>;
    await db.declareStaticTables({ create }, (context) => {
      table = context.addTable('probe', spec);
    });
    await db.transaction(async () => {
      await db.transaction(() => db.ensure(table, [{ id: 1 }]), { savepoint: true });
    });
    expect(await db.count(table)).toBe(1);
  } finally {
    await db.close();
  }
}

/** Runs `cycles` cycles after one warm-up, returning the storages added by them. */
async function storagesAddedBy(cycles: number, run: (i: number) => Promise<void>) {
  await run(-1);
  const before = await liveStorages();
  for (let i = 0; i < cycles; i++) await run(i);
  const after = await liveStorages();
  return after - before;
}

describe('closing a database releases what it made', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'butler-lifecycle-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the probe counts enabled storages (so the tests below can fail)', async () => {
    const { AsyncLocalStorage } = await import('node:async_hooks');
    const before = await liveStorages();
    const storage = new AsyncLocalStorage<number>();
    storage.run(1, () => undefined);
    expect(await liveStorages()).toBe(before + 1);
    storage.disable();
    expect(await liveStorages()).toBe(before);
  });

  it('leaves no storage behind after 300 cycles on sqlite:// (memory)', async () => {
    const added = await storagesAddedBy(300, () =>
      cycle(() => SqliteDatabase.fromUri('sqlite://'), true),
    );
    expect(added).toBe(0);
  }, 120_000);

  it('leaves no storage and no file lock behind after 300 cycles on new SQLite files', async () => {
    const locks = openFileLocks();
    const added = await storagesAddedBy(300, (i) =>
      cycle(() => SqliteDatabase.fromFile(join(dir, `cycle-${i + 1}.sqlite3`)), true),
    );
    expect(added).toBe(0);
    expect(openFileLocks()).toBe(locks);
  }, 180_000);

  it('keeps one file lock per open file, shared by its databases, until the last closes', async () => {
    const file = join(dir, 'shared.sqlite3');
    const locks = openFileLocks();
    const a = await SqliteDatabase.fromFile(file);
    const b = await SqliteDatabase.fromFile(file);
    const view = a.clone({ writeable: false });
    expect(openFileLocks()).toBe(locks + 1);
    await a.close();
    await view.close();
    expect(openFileLocks()).toBe(locks + 1);
    await b.close();
    expect(openFileLocks()).toBe(locks);
  });

  describe.skipIf(!available)('on PostgreSQL', () => {
    const namespace = freshSchema('butler_lifecycle');
    afterAll(() => dropSchemas([namespace]));

    it('leaves no storage behind after 200 cycles on one schema', async () => {
      await cycle(() => PostgresDatabase.fromUri(pgUrl, { namespace, poolSize: 2 }), true);
      const added = await storagesAddedBy(200, () =>
        cycle(() => PostgresDatabase.fromUri(pgUrl, { namespace, poolSize: 2 }), false),
      );
      expect(added).toBe(0);
    }, 300_000);
  });
});
