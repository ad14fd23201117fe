// PostgreSQL's set-based deletes over several key columns: one statement per chunk, the table
// joined to `unnest` of the key arrays (the fastest raw path, DESIGN.md decision 8).
import { getField } from '@butler-ts/ddl';
import { param, sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import type { SqlTable } from '../sql-database.ts';
import { pgArrayParam, pgColumnValues } from './postgres-codec.ts';
import { pgType } from './postgres-ddl.ts';

/** Keys per delete statement (as rows per insert). */
export const KEYS_PER_DELETE = 10_000;

/**
 * The statements deleting the rows of `target` that match one of `rows` on `equal` (no nulls
 * there) and have `isNull` columns NULL, in chunks of {@link KEYS_PER_DELETE}.
 *
 * Each statement visits its keys in key order, so that concurrent deletes sharing keys lock
 * their rows in one order: the server sorts them (`ORDER BY` in the subquery, which is not
 * pulled up), strings by code point (`COLLATE "C"`, the order of `compareKeyValues` but for
 * characters beyond U+FFFF). The plans PostgreSQL makes for it follow that order: a nested
 * loop over the key's index, a hash join probing a hash of the table, a merge join. Only a
 * hash of the keys probed by a scan of the table (more keys than rows) visits rows in the
 * table's order instead, as it did when the keys were sorted in JavaScript; locking in key
 * order whatever the plan (`ORDER BY ... FOR UPDATE`, then delete by `ctid`) measured 1.5x
 * the server time. Sorting on the server measured cheaper than in JavaScript
 * (`bench/opaque`). Rows of more than one chunk must come sorted by the caller, so that the
 * chunks follow each other in key order too.
 */
export function deleteByKeysSql(
  target: SQL,
  table: SqlTable,
  equal: readonly string[],
  isNull: readonly string[],
  rows: readonly Record<string, unknown>[],
): SQL[] {
  const fields = equal.map((c) => getField(table.spec, c)!);
  const aliases = sql.join(
    fields.map((_, i) => sql.raw(`k${i}`)),
    sql`, `,
  );
  const order = sql.join(
    fields.map((f, i) =>
      sql.raw(f.dtype === 'string' || f.dtype === 'text' ? `k${i} COLLATE "C"` : `k${i}`),
    ),
    sql`, `,
  );
  const terms = [
    ...fields.map((f, i) => sql`t.${sql.identifier(f.name)} = k.${sql.raw(`k${i}`)}`),
    ...isNull.map((c) => sql`t.${sql.identifier(c)} IS NULL`),
  ];
  const statements: SQL[] = [];
  for (let start = 0; start < rows.length; start += KEYS_PER_DELETE) {
    const end = Math.min(start + KEYS_PER_DELETE, rows.length);
    const arrays = fields.map((f) => {
      const values = pgColumnValues(f, rows, start, end);
      return sql`CAST(${param(pgArrayParam(f, values))} AS ${sql.raw(pgType(f))}[])`;
    });
    statements.push(
      sql`DELETE FROM ${target} AS t USING (SELECT * FROM unnest(${sql.join(arrays, sql`, `)}) AS u(${aliases}) ORDER BY ${order}) AS k WHERE ${sql.join(terms, sql` AND `)}`,
    );
  }
  return statements;
}
