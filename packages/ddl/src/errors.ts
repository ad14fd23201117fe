import { ButlerError } from '@butler-ts/versioning';

/** A table, field, key or index specification (or the config it came from) is invalid. */
export class SchemaValidationError extends ButlerError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/ddl:SchemaValidationError');
  override readonly name: string = 'SchemaValidationError';
}

/** A table, column, index or constraint name is not a safe SQL identifier. */
export class InvalidIdentifierError extends SchemaValidationError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/ddl:InvalidIdentifierError');
  override readonly name = 'InvalidIdentifierError';
  /** The rejected name. */
  readonly identifier: string;

  constructor(identifier: string, what: string, reason: string) {
    super(`Invalid ${what} name ${JSON.stringify(identifier)}: ${reason}`);
    this.identifier = identifier;
  }
}

/** A row names a column its table does not have. */
export class UnknownColumnError extends ButlerError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/ddl:UnknownColumnError');
  override readonly name = 'UnknownColumnError';
  /** The table the row was checked against. */
  readonly table: string;
  /** The key of the row that is not a column of `table`. */
  readonly column: string;

  constructor(table: string, column: string, known: readonly string[]) {
    super(`Table ${table} has no column ${JSON.stringify(column)} (columns: ${known.join(', ')})`);
    this.table = table;
    this.column = column;
  }
}

/**
 * A value does not fit its column: wrong type, out of range, too long, or missing where the
 * column is NOT NULL. Python raises `TypeError` or lets the database fail; butler-ts checks
 * before any SQL runs.
 */
export class ColumnValueError extends ButlerError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/ddl:ColumnValueError');
  override readonly name = 'ColumnValueError';
  /** The table the row was checked against. */
  readonly table: string;
  /** The column whose value was rejected; `'*'` when the row itself is not an object. */
  readonly column: string;
  /** The rejected value. */
  readonly value: unknown;

  constructor(table: string, column: string, value: unknown, reason: string) {
    super(`Bad value for ${table}.${column}: ${reason} (got ${describe(value)})`);
    this.table = table;
    this.column = column;
    this.value = value;
  }
}

/** A short, safe rendering of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') {
    return value.length > 40 ? `a string of length ${value.length}` : JSON.stringify(value);
  }
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (value instanceof Date)
    return `Date ${Number.isNaN(value.getTime()) ? 'Invalid' : value.toISOString()}`;
  if (Array.isArray(value)) return 'an array';
  return `a ${(value as { constructor?: { name?: string } }).constructor?.name ?? 'object'}`;
}
