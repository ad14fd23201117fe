// The transaction context (transaction-context.ts) is enabled only while a transaction runs,
// so that code between transactions pays no promise hooks; what it tells a database about
// the current transaction is unchanged.
import { tableSpec } from '@butler-ts/ddl';
import type { Database, TableHandle } from '@butler-ts/registry-interfaces';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresDatabase } from '../src/postgres/index.ts';
import { SqliteDatabase } from '../src/sqlite/index.ts';
import { runningTransactions } from '../src/transaction-context.ts';
import { dropSchemas, freshSchema, pgAvailable, pgUrl } from './postgres-harness.ts';

const available = await pgAvailable();
const spec = tableSpec({ fields: [{ name: 'id', dtype: 'integer', primaryKey: true }] });
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 5));

const engines: [string, () => Promise<Database>][] = [
  ['SQLite', () => SqliteDatabase.fromUri('sqlite://')],
];
const schemas: string[] = [];
if (available) {
  engines.push([
    'PostgreSQL',
    () => PostgresDatabase.fromUri(pgUrl, { namespace: freshSchema('butler_txctx') }),
  ]);
}
afterAll(async () => {
  await dropSchemas(schemas);
});

describe.each(engines)('%s: the transaction context', (engine, open) => {
  async function make(): Promise<[Database, TableHandle<typeof spec>]> {
    const db = await open();
    if (engine === 'PostgreSQL') schemas.push((db as PostgresDatabase).namespace);
    let table!: TableHandle<typeof spec>;
    await db.declareStaticTables({ create: true }, (context) => {
      table = context.addTable('t', spec);
    });
    return [db, table];
  }

  it(
    'runs while transactions run and stops when the last one ends, failed or not',
    { timeout: 60_000 },
    async () => {
      const [db, table] = await make();
      try {
        expect(runningTransactions()).toBe(0);
        await db.transaction(async () => {
          expect(runningTransactions()).toBe(1);
          expect(db.isInTransaction()).toBe(true);
          await db.transaction(
            async () => {
              expect(runningTransactions()).toBe(2);
              await db.insert(table, [{ id: 1 }]);
            },
            { savepoint: true },
          );
          expect(runningTransactions()).toBe(1);
        });
        expect(runningTransactions()).toBe(0);
        expect(db.isInTransaction()).toBe(false);
        await expect(
          db.transaction(async () => {
            await db.insert(table, [{ id: 2 }]);
            throw new Error('rolled back');
          }),
        ).rejects.toThrow('rolled back');
        expect(runningTransactions()).toBe(0);
        // A write outside a transaction runs one of its own.
        await db.insert(table, [{ id: 3 }]);
        expect(runningTransactions()).toBe(0);
        expect((await db.fetch(table, { orderBy: ['id'] })).map((r) => r.id)).toEqual([1, 3]);
      } finally {
        await db.close();
      }
    },
  );

  it(
    'keeps concurrent transactions apart, and work one left behind sees no transaction',
    { timeout: 60_000 },
    async () => {
      const [db, table] = await make();
      try {
        let late: Promise<boolean> | undefined;
        let ended!: () => void;
        const end = new Promise<void>((resolve) => (ended = resolve));
        const seen: boolean[] = [];
        await Promise.all([
          db.transaction(async () => {
            // Started inside a savepoint, whose state is a copy of the transaction's.
            await db.transaction(
              async () => {
                late = (async () => {
                  await end;
                  await tick();
                  return db.isInTransaction();
                })();
                await db.insert(table, [{ id: 12 }]);
              },
              { savepoint: true },
            );
            await db.insert(table, [{ id: 10 }]);
            seen.push(db.isInTransaction());
          }),
          (async () => {
            seen.push(db.isInTransaction());
            await db.insert(table, [{ id: 11 }]);
            seen.push(db.isInTransaction());
          })(),
        ]);
        expect(runningTransactions()).toBe(0);
        ended();
        // Awaited after the transaction ended: it is not inside it any more.
        expect(await late).toBe(false);
        expect(seen.sort()).toEqual([false, false, true]);
        expect(await db.count(table)).toBe(3);
      } finally {
        await db.close();
      }
    },
  );
});
