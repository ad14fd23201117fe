// SQLite's set-based deletes over several key columns: one prepared single-row statement,
// looped inside the write's transaction (the fastest path on better-sqlite3, faster than a
// JSON table of the keys: bench/opaque, "delete 10k by (dataset_id, component)").
import { getField } from '@butler-ts/ddl';
import type BetterSqlite3 from 'better-sqlite3';
import type { TableSpec } from '@butler-ts/ddl';
import type { SqlTable } from '../sql-database.ts';
import { encodeSqlite } from './sqlite-codec.ts';
import { quote } from './sqlite-ddl.ts';

/** The text of the delete of one row by `equal` (bound) with `isNull` columns NULL. */
export function deleteRowText(
  table: string,
  equal: readonly string[],
  isNull: readonly string[],
): string {
  const terms = [
    ...equal.map((c) => `${quote(c)} = ?`),
    ...isNull.map((c) => `${quote(c)} IS NULL`),
  ];
  return `DELETE FROM ${quote(table)} WHERE ${terms.join(' AND ')}`;
}

/** Runs `statement` (from {@link deleteRowText}) once per row; the number of rows deleted. */
export function deleteRowsLooped(
  statement: BetterSqlite3.Statement,
  table: SqlTable,
  equal: readonly string[],
  rows: readonly Record<string, unknown>[],
): number {
  const fields = equal.map((c) => getField(table.spec, c)!);
  let deleted = 0;
  if (fields.length === 2) {
    const [f0, f1] = fields as [(typeof fields)[0], (typeof fields)[0]];
    for (const row of rows)
      deleted += statement.run(
        encodeSqlite(f0, row[f0.name]),
        encodeSqlite(f1, row[f1.name]),
      ).changes;
    return deleted;
  }
  for (const row of rows)
    deleted += statement.run(fields.map((f) => encodeSqlite(f, row[f.name]))).changes;
  return deleted;
}

/** The label under which a paged read returns each row's row id (removed before yielding). */
export const ROWID_LABEL = '__butler_rowid__';

/**
 * The name by which SQLite reaches the row id of a table of `spec` (a column named `rowid`,
 * `_rowid_` or `oid` hides that name), or `null` when every name is taken or a column is
 * called like {@link ROWID_LABEL}: such a table is read in one piece.
 */
export function rowidName(spec: TableSpec): string | null {
  const names = new Set(spec.fields.map((f) => f.name.toLowerCase()));
  if (names.has(ROWID_LABEL)) return null;
  return ['_rowid_', 'rowid', 'oid'].find((n) => !names.has(n)) ?? null;
}
