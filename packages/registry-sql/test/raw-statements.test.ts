// SqliteDatabase.readPrepared and PostgresDatabase.queryRaw: raw, parameterised read
// statements of each engine, alone and inside a caller's transaction.
import { InvalidArgumentError } from '@butler-ts/registry-interfaces';
import { rejection } from '@butler-ts/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { places } from './datasets-harness.ts';
import { PostgresDatabase } from '../src/postgres/index.ts';
import { SqliteDatabase } from '../src/sqlite/index.ts';
import { pgAvailable } from './postgres-harness.ts';

const pgUp = await pgAvailable();
const all = places(pgUp, 'butler-raw');
afterAll(async () => {
  for (const place of all) await place.cleanup();
});

describe.each(all.filter((p) => p.name !== 'PostgreSQL'))('readPrepared on $name', (place) => {
  it('reads rows as arrays, alone and inside a transaction, refusing writes', async () => {
    const m = await place.fresh();
    expect(m.db).toBeInstanceOf(SqliteDatabase);
    const db = m.db as SqliteDatabase;
    await m.collections.registerRun('r1');
    const text = 'SELECT collection_id, name FROM "collection" WHERE name = ?';
    const key = (await m.collections.find('r1')).key;
    expect(await db.readPrepared((prepare) => prepare(text).get('r1'))).toEqual([key, 'r1']);
    expect(await db.readPrepared((prepare) => prepare(text).get('r2'))).toBeUndefined();
    // Inside the caller's transaction: its own uncommitted writes, and no wait on the lock.
    const seen = await db.transaction(async () => {
      await m.collections.registerRun('r2');
      return db.readPrepared((prepare) => prepare(text).all('r2'));
    });
    expect(seen).toEqual([[(await m.collections.find('r2')).key, 'r2']]);
    // Reads through the generic path are unaffected.
    expect((await m.collections.find('r1')).name).toBe('r1');
    const write = await rejection(
      db.readPrepared((prepare) => prepare('DELETE FROM "collection"').all()),
    );
    expect(InvalidArgumentError.is(write)).toBe(true);
    const failed = await rejection(
      db.readPrepared(() => {
        throw new Error('body failed');
      }),
    );
    expect((failed as Error).message).toBe('body failed');
    // The lock was released and nothing was removed.
    expect(
      await db.readPrepared((prepare) => prepare('SELECT count(*) FROM "collection"').get()),
    ).toEqual([2]);
  });

  it('plucks the first column, and the same statement gives arrays again afterwards', async () => {
    const m = await place.fresh();
    const db = m.db as SqliteDatabase;
    await m.collections.registerRun('r1');
    await m.collections.registerRun('r2');
    const text = 'SELECT name, collection_id FROM "collection" ORDER BY name';
    const [one, every] = await db.readPrepared((prepare) => {
      const names = prepare(text, { pluck: true });
      return [names.get(), names.all()];
    });
    expect(one).toBe('r1');
    expect(every).toEqual(['r1', 'r2']);
    const rows = await db.readPrepared((prepare) => prepare(text).all());
    expect(rows.map((row) => row[0])).toEqual(['r1', 'r2']);
    expect(rows[0]).toHaveLength(2);
  });
});

describe.skipIf(!pgUp)('queryRaw on PostgreSQL', () => {
  it('reads rows as arrays, alone and inside a transaction', async () => {
    const place = all.find((p) => p.name === 'PostgreSQL')!;
    const m = await place.fresh();
    expect(m.db).toBeInstanceOf(PostgresDatabase);
    const db = m.db as PostgresDatabase;
    await m.collections.registerRun('r1');
    const text = `SELECT collection_id, collection_id::int4, name FROM "${db.namespace}"."collection" WHERE name = ANY($1)`;
    const key = (await m.collections.find('r1')).key;
    expect(await db.queryRaw(text, [['r1', 'r9']])).toEqual([[String(key), key, 'r1']]);
    const seen = await db.transaction(async () => {
      await m.collections.registerRun('r2');
      return db.queryRaw(text, [['r2']]);
    });
    expect(seen.map((row) => row[2])).toEqual(['r2']);
    expect(await db.queryRaw(text, [['r3']])).toEqual([]);
  });
});
