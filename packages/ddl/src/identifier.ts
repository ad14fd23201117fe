import { InvalidIdentifierError } from './errors.ts';

/** The longest name any supported engine keeps unshortened (PostgreSQL's limit). */
export const MAX_IDENTIFIER_LENGTH = 63;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Column names PostgreSQL reserves for the system columns every table has; a table cannot
 * declare them. Refused on every engine, so that a spec that works on one works on all.
 */
export const RESERVED_COLUMN_NAMES: ReadonlySet<string> = new Set([
  'ctid',
  'xmin',
  'xmax',
  'cmin',
  'cmax',
  'tableoid',
]);

/**
 * Checks that `name` is a plain SQL identifier: ASCII letters, digits and `_`, not starting
 * with a digit, at most 63 characters. Names are still quoted in SQL; this rule keeps them
 * portable and makes hostile names fail early with a clear error.
 *
 * @param what what the name is for, used in the message (`"table"`, `"column"`, …)
 * @throws {@link InvalidIdentifierError} naming the culprit.
 */
export function validateIdentifier(name: unknown, what = 'identifier'): string {
  if (typeof name !== 'string') {
    throw new InvalidIdentifierError(String(name), what, 'must be a string');
  }
  if (name.length === 0) throw new InvalidIdentifierError(name, what, 'must not be empty');
  if (name.length > MAX_IDENTIFIER_LENGTH) {
    throw new InvalidIdentifierError(name, what, `longer than ${MAX_IDENTIFIER_LENGTH} characters`);
  }
  if (!IDENTIFIER.test(name)) {
    throw new InvalidIdentifierError(
      name,
      what,
      'use ASCII letters, digits and underscores, not starting with a digit',
    );
  }
  return name;
}

/**
 * Checks a table name: a plain identifier ({@link validateIdentifier}) that does not start
 * with `sqlite_` in any case, a prefix SQLite reserves for its own tables. The rule holds on
 * every engine, so that a schema that works on one works on all.
 *
 * Table names are also unique regardless of case within one database (SQLite folds them,
 * PostgreSQL would keep two tables): the `Database` checks that against the tables it knows.
 *
 * @param what what the name is for, used in the message; default `"table"`
 * @throws {@link InvalidIdentifierError} naming the table and the rule.
 */
export function validateTableName(name: unknown, what = 'table'): string {
  const checked = validateIdentifier(name, what);
  if (checked.toLowerCase().startsWith('sqlite_')) {
    throw new InvalidIdentifierError(
      checked,
      what,
      'names starting with "sqlite_" (in any case) are reserved by SQLite',
    );
  }
  return checked;
}

/**
 * Checks a column name: a plain identifier ({@link validateIdentifier}) other than the
 * names of PostgreSQL's system columns ({@link RESERVED_COLUMN_NAMES}, in any case). The rule
 * holds on every engine, so that a spec that works on one works on all.
 *
 * @param what what the name is for, used in the message; default `"column"`
 * @throws {@link InvalidIdentifierError} naming the column and the rule.
 */
export function validateColumnName(name: unknown, what = 'column'): string {
  const checked = validateIdentifier(name, what);
  if (RESERVED_COLUMN_NAMES.has(checked.toLowerCase())) {
    throw new InvalidIdentifierError(
      checked,
      what,
      `PostgreSQL reserves it for a system column (reserved in any case: ${[...RESERVED_COLUMN_NAMES].join(', ')})`,
    );
  }
  return checked;
}

/**
 * The first name in `existing` that equals `name` when case is ignored but is spelled
 * differently, or `undefined`. SQLite treats such names as one; butler-ts refuses them on
 * every engine.
 */
export function caseVariantOf(name: string, existing: Iterable<string>): string | undefined {
  const folded = name.toLowerCase();
  for (const other of existing) if (other !== name && other.toLowerCase() === folded) return other;
  return undefined;
}
