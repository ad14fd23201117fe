// SQLite's set-based deletes over several key columns: one prepared single-row statement,
// looped inside the write's transaction (the fastest path on better-sqlite3, faster than a
// JSON table of the keys: bench/opaque, "delete 10k by (dataset_id, component)").
import { getField } from '@butler-ts/ddl';
import type BetterSqlite3 from 'better-sqlite3';
import type { TableSpec } from '@butler-ts/ddl';
import type { SqlTable } from '../sql-database.ts';
import { sqliteEncoder } from './sqlite-codec.ts';
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

/**
 * Runs `statement` once per row with the row's encoded values of `columns` as its parameters;
 * the number of rows changed. The encoders are looked up once per column and one parameter
 * array is reused (the driver binds it before `run` returns).
 */
export function runPerRow(
  statement: BetterSqlite3.Statement,
  table: SqlTable,
  columns: readonly string[],
  rows: readonly Record<string, unknown>[],
): number {
  const width = columns.length;
  const encoders = columns.map((c) => sqliteEncoder(getField(table.spec, c)!));
  const params = new Array<unknown>(width);
  let changed = 0;
  for (const row of rows) {
    for (let i = 0; i < width; i++) {
      const value = row[columns[i]!];
      const encode = encoders[i];
      params[i] =
        value === null || value === undefined ? null : encode == null ? value : encode(value);
    }
    changed += statement.run(params).changes;
  }
  return changed;
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
