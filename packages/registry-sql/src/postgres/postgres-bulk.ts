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
 * there) and have `isNull` columns NULL, in chunks of {@link KEYS_PER_DELETE}, in the rows'
 * order (sorted by the caller, so concurrent deletes lock rows in one order).
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
      sql`DELETE FROM ${target} AS t USING unnest(${sql.join(arrays, sql`, `)}) AS k(${aliases}) WHERE ${sql.join(terms, sql` AND `)}`,
    );
  }
  return statements;
}
