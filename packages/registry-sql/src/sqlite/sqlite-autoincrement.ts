// SQLite autoincrements only a single-column INTEGER PRIMARY KEY. daf_butler also allows an
// autoincrement column in a compound key with `origin` (`PRIMARY KEY (id, origin)`), and on
// SQLite emulates it with a one-column helper table `_autoinc_<table>`: each generated id is a
// new row of the helper, and the ids given explicitly for the database's own origin are
// recorded there too, so that later generated ids never repeat them. The same is done here.
import { primaryKeyColumns } from '@butler-ts/ddl';
import type { TableSpec } from '@butler-ts/ddl';
import { NotSupportedError } from '@butler-ts/registry-interfaces';
import type Sqlite from 'better-sqlite3';

/** An autoincrement column in a compound primary key, and the helper table generating it. */
export interface CompoundAutoincrement {
  /** The autoincrement column. */
  readonly column: string;
  /** The helper table: `_autoinc_<table>`, one INTEGER PRIMARY KEY column `id`. */
  readonly helper: string;
}

/**
 * The emulated autoincrement of `name`, or `null` when its spec has no autoincrement column
 * or that column is the whole primary key (SQLite's own INTEGER PRIMARY KEY does it).
 *
 * @throws `NotSupportedError` when the other primary key column is not `origin` alone (as
 *   in daf_butler: only then are the helper's ids unique).
 */
export function compoundAutoincrement(name: string, spec: TableSpec): CompoundAutoincrement | null {
  const auto = spec.fields.find((f) => f.autoincrement);
  const pk = primaryKeyColumns(spec);
  if (auto === undefined || pk.length <= 1) return null;
  const others = pk.filter((c) => c !== auto.name);
  if (others.length !== 1 || others[0] !== 'origin') {
    throw new NotSupportedError(
      `Table ${name}: on SQLite, an autoincrement column (${auto.name}) in a compound primary key needs "origin" as the only other key column, not (${pk.join(', ')})`,
    );
  }
  return { column: auto.name, helper: `_autoinc_${name}` };
}

/** The statement creating the helper table. */
export function helperTableSql(
  emulated: CompoundAutoincrement,
  quote: (name: string) => string,
  temporary: boolean,
): string {
  return `CREATE ${temporary ? 'TEMPORARY ' : ''}TABLE ${quote(emulated.helper)} (\n  "id" INTEGER PRIMARY KEY\n)`;
}

/**
 * Gives every row without a value in the autoincrement column a new id from the helper table,
 * and records in the helper the ids given for `origin` (the database's own). Runs inside the
 * caller's transaction, so the helper rows go away with a failed insert. Returns the rows,
 * new objects where an id was added.
 */
export function assignCompoundIds(
  client: Sqlite.Database,
  emulated: CompoundAutoincrement,
  quote: (name: string) => string,
  rows: readonly Record<string, unknown>[],
  origin: number,
): Record<string, unknown>[] {
  const helper = quote(emulated.helper);
  let generate: Sqlite.Statement | undefined;
  let reserve: Sqlite.Statement | undefined;
  return rows.map((row) => {
    const given = row[emulated.column];
    if (given === undefined || given === null) {
      generate ??= client.prepare(`INSERT INTO ${helper} DEFAULT VALUES`);
      const id = Number(generate.run().lastInsertRowid);
      return { ...row, [emulated.column]: id };
    }
    if (Number(row['origin']) === origin) {
      // An id taken already is the main table's primary key conflict to report, not this one.
      reserve ??= client.prepare(`INSERT OR IGNORE INTO ${helper} ("id") VALUES (?)`);
      reserve.run([typeof given === 'bigint' ? given : Number(given)]);
    }
    return row;
  });
}
