// One total order over rows by some of their columns, the same in every process: the order in
// which the bulk writes of a PostgreSQL database visit rows, so that two writers touching the
// same keys take their row locks in the same order and cannot deadlock each other.
import { primaryKeyColumns } from '@butler-ts/ddl';
import type { TableSpec } from '@butler-ts/ddl';

/**
 * Compares two encoded or canonical values of one column: nulls first, then numbers and
 * bigints numerically, strings by UTF-16 code unit, byte arrays bytewise, dates by time; other
 * values by their text. Only consistency matters (every writer sorts the same way), not
 * agreement with the engine's collation.
 */
export function compareKeyValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (
    (typeof a === 'number' || typeof a === 'bigint') &&
    (typeof b === 'number' || typeof b === 'bigint')
  )
    return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b);
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  const p = nsecOf(a);
  const q = nsecOf(b);
  if (p !== undefined && q !== undefined) return p < q ? -1 : p > q ? 1 : 0;
  // Booleans and anything else: their JSON text.
  const x = JSON.stringify(a) ?? '';
  const y = JSON.stringify(b) ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The nanoseconds of a TAI time (`{ nsec: bigint }`), or `undefined`. */
function nsecOf(value: unknown): bigint | undefined {
  if (typeof value !== 'object' || value === null || !('nsec' in value)) return undefined;
  const nsec = value.nsec;
  return typeof nsec === 'bigint' ? nsec : undefined;
}

/**
 * `rows` sorted by `columns` (a new array; stable, so rows with equal keys keep their order).
 * One string column, the common case of a UUID or name key, sorts without a comparator call
 * per column.
 */
export function sortByColumns<R extends Readonly<Record<string, unknown>>>(
  rows: readonly R[],
  columns: readonly string[],
): R[] {
  const sorted = [...rows];
  if (columns.length === 0 || sorted.length < 2) return sorted;
  if (columns.length === 1) {
    const column = columns[0]!;
    if (sorted.every((row) => typeof row[column] === 'string')) {
      return sorted.sort((p, q) => {
        const a = p[column] as string;
        const b = q[column] as string;
        return a < b ? -1 : a > b ? 1 : 0;
      });
    }
  }
  return sorted.sort((p, q) => {
    for (const column of columns) {
      const order = compareKeyValues(p[column], q[column]);
      if (order !== 0) return order;
    }
    return 0;
  });
}

/**
 * The columns whose values order a bulk write of `columns` into a table of `spec`: the
 * primary key when every one of its columns is written, else the first unique constraint that
 * is; `[]` when the rows carry no key (an autoincrement insert takes new keys and conflicts
 * with nobody).
 */
export function writeOrderColumns(spec: TableSpec, columns: readonly string[]): string[] {
  const written = new Set(columns);
  const pk = primaryKeyColumns(spec);
  if (pk.length > 0 && pk.every((c) => written.has(c))) return [...pk];
  for (const unique of spec.unique ?? []) {
    if (unique.length > 0 && unique.every((c) => written.has(c))) return [...unique];
  }
  return [];
}
