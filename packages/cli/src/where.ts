import { TaiTime, getField, normalizeColumnValue, parseUuid } from '@butler-ts/ddl';
import type { FieldSpec, TableSpec } from '@butler-ts/ddl';
import { and, col, eq, inList, literal } from '@butler-ts/registry-interfaces';
import type { Expr } from '@butler-ts/registry-interfaces';
import { WhereClauseError } from './errors.ts';

const TRUE_WORDS: ReadonlySet<string> = new Set(['true', 't', '1', 'yes', 'y', 'on']);
const FALSE_WORDS: ReadonlySet<string> = new Set(['false', 'f', '0', 'no', 'n', 'off']);
const INTEGER = /^[+-]?\d+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// An ISO date or date-time without a zone: read as UTC, the zone butler-ts stores.
const ZONELESS = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/;

type Parsed = { readonly value: unknown } | { readonly error: string };

function parseText(field: FieldSpec, text: string): Parsed {
  switch (field.dtype) {
    case 'string':
    case 'text':
      return { value: text };
    case 'smallint':
    case 'integer':
    case 'bigint':
      return INTEGER.test(text) ? { value: Number(text) } : { error: 'expected an integer' };
    case 'float': {
      const value = Number(text);
      return text.trim() === '' || Number.isNaN(value) ? { error: 'expected a number' } : { value };
    }
    case 'boolean': {
      const word = text.toLowerCase();
      if (TRUE_WORDS.has(word)) return { value: true };
      if (FALSE_WORDS.has(word)) return { value: false };
      return { error: 'expected a boolean (true/false, 1/0, yes/no)' };
    }
    case 'uuid': {
      const value = parseUuid(text);
      return value === undefined ? { error: 'expected a UUID' } : { value };
    }
    case 'binary':
    case 'base64Bytes':
      return BASE64.test(text)
        ? { value: new Uint8Array(Buffer.from(text, 'base64')) }
        : { error: 'expected base64 bytes' };
    case 'timestamp': {
      const iso = ZONELESS.test(text) ? `${text.replace(' ', 'T')}Z` : text;
      const value = new Date(iso);
      return Number.isNaN(value.getTime())
        ? { error: 'expected an ISO 8601 date-time (UTC unless a zone is given)' }
        : { value };
    }
    case 'timeNsecTai':
      return INTEGER.test(text)
        ? { value: new TaiTime(BigInt(text)) }
        : { error: 'expected TAI nanoseconds (an integer)' };
  }
}

/**
 * Turns `--where column=value` clauses into a condition on `spec`: each value is parsed as its
 * column's type (integers, floats, booleans as true/false/1/0/yes/no, UUIDs in any usual form,
 * bytes as base64, timestamps as ISO 8601 read as UTC when no zone is given). Clauses on
 * different columns must all hold; repeating a column matches any of its values. A value
 * is text from the first `=` on, so it may itself contain `=`.
 *
 * @throws {@link WhereClauseError} for a clause without `=`, an unknown column (naming it
 *   and the table's columns) or a value its column cannot hold.
 * @example
 * ```ts
 * parseWhere('file_records', spec, ['component=image', 'size=42']);
 * ```
 */
export function parseWhere(table: string, spec: TableSpec, clauses: readonly string[]): Expr {
  const values = new Map<string, unknown[]>();
  for (const clause of clauses) {
    const at = clause.indexOf('=');
    if (at <= 0)
      throw new WhereClauseError(
        clause,
        null,
        `Bad --where ${JSON.stringify(clause)}: expected column=value`,
      );
    const column = clause.slice(0, at).trim();
    const text = clause.slice(at + 1);
    const field = getField(spec, column);
    if (field === undefined)
      throw new WhereClauseError(
        clause,
        column,
        `Unknown column ${JSON.stringify(column)} in --where: table ${table} has columns ${spec.fields.map((f) => f.name).join(', ')}`,
      );
    const parsed = parseText(field, text);
    if ('error' in parsed)
      throw new WhereClauseError(
        clause,
        column,
        `Bad value ${JSON.stringify(text)} for column ${column} (${field.dtype}) in --where: ${parsed.error}`,
      );
    try {
      normalizeColumnValue(table, field, parsed.value);
    } catch (error) {
      throw new WhereClauseError(
        clause,
        column,
        `Bad value ${JSON.stringify(text)} for column ${column} (${field.dtype}) in --where: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const list = values.get(column) ?? [];
    list.push(parsed.value);
    values.set(column, list);
  }
  // Built from expressions rather than a column → value mapping, so that a column named
  // `kind` is never mistaken for an expression.
  const terms = [...values].map(([column, list]) =>
    list.length === 1 ? eq(col(column), list[0]) : inList(col(column), list),
  );
  return terms.length === 0 ? literal(true) : and(...terms);
}
