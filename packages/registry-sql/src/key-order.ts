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

/** Whether every value of `column` in `rows` is a string, or every one a number other than NaN. */
function plainColumn(rows: readonly Readonly<Record<string, unknown>>[], column: string): boolean {
  const first = typeof rows[0]![column];
  if (first !== 'string' && first !== 'number') return false;
  for (const row of rows) {
    const value = row[column];
    // NaN is the one number `<` cannot order.
    if (typeof value !== first || value !== value) return false;
  }
  return true;
}

type Row = Readonly<Record<string, unknown>>;

/**
 * The comparator of rows by `columns` in the order of {@link compareKeyValues}. Columns whose
 * values are all strings or all numbers (checked once per column, not per comparison)
 * compare with `<` directly, which is the same order; one or two such columns, the common
 * keys, get a comparator without a loop.
 */
function rowComparator(
  rows: readonly Row[],
  columns: readonly string[],
): (p: Row, q: Row) => number {
  const plain = columns.map((column) => plainColumn(rows, column));
  if (plain.every(Boolean)) {
    if (columns.length === 1) {
      const c0 = columns[0]!;
      return (p, q) => {
        const a = p[c0] as string;
        const b = q[c0] as string;
        return a < b ? -1 : a > b ? 1 : 0;
      };
    }
    if (columns.length === 2) {
      const [c0, c1] = columns as [string, string];
      return (p, q) => {
        let a = p[c0] as string;
        let b = q[c0] as string;
        if (a !== b) return a < b ? -1 : 1;
        a = p[c1] as string;
        b = q[c1] as string;
        return a < b ? -1 : a > b ? 1 : 0;
      };
    }
  }
  return (p, q) => {
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i]!;
      const a = p[column];
      const b = q[column];
      if (a === b) continue;
      if (plain[i] === true) return (a as string) < (b as string) ? -1 : 1;
      const order = compareKeyValues(a, b);
      if (order !== 0) return order;
    }
    return 0;
  };
}

/**
 * `rows` sorted by `columns` (a new array; stable, so rows with equal keys keep their order),
 * in the order of {@link compareKeyValues}. Rows already in order are only copied.
 */
export function sortByColumns<R extends Row>(rows: readonly R[], columns: readonly string[]): R[] {
  const sorted = [...rows];
  if (columns.length === 0 || sorted.length < 2) return sorted;
  const compare = rowComparator(sorted, columns);
  let inOrder = true;
  for (let i = 1; i < sorted.length && inOrder; i++)
    inOrder = compare(sorted[i - 1]!, sorted[i]!) <= 0;
  return inOrder ? sorted : sorted.sort(compare);
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
