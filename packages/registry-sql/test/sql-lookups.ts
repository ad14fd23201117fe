// Helpers of the tests of SqlDatabase's prepared lookups (fetchEqual, fetchIn).
import { tableSpec } from '@butler-ts/ddl';
import type { Database } from '@butler-ts/registry-interfaces';
import { rejection } from '@butler-ts/testkit';
import { expect } from 'vitest';
import { SqlDatabase } from '../src/sql-database.ts';

/** A record table of two key columns, as a FileDatastore keeps it. */
export const records = tableSpec({
  fields: [
    { name: 'dataset_id', dtype: 'uuid', primaryKey: true },
    { name: 'component', dtype: 'string', length: 32, primaryKey: true },
    { name: 'path', dtype: 'string', length: 256, nullable: false },
    { name: 'file_size', dtype: 'bigint' },
  ],
});

/** A UUID made from a small number, in canonical form. */
export const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** `db` as the SqlDatabase it is. */
export function sqlDb(db: Database): SqlDatabase {
  if (!(db instanceof SqlDatabase)) throw new Error('not a SqlDatabase');
  return db;
}

/** Every batch of a stream. */
export async function all<T>(batches: AsyncIterable<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const batch of batches) out.push(batch);
  return out;
}

/** Expects `promise` to reject with a `cls` error whose message matches `pattern`. */
export async function fails(
  promise: Promise<unknown>,
  cls: { is(error: unknown): boolean },
  pattern: RegExp,
): Promise<void> {
  const error = await rejection(promise);
  expect(cls.is(error), String(error)).toBe(true);
  expect((error as Error).message).toMatch(pattern);
}
