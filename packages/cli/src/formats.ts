import { encodeBase64 } from '@butler-ts/ddl';
import type { ColumnType, FieldSpec } from '@butler-ts/ddl';
import type { Row } from '@butler-ts/registry-interfaces';

/** The output formats of `opaque dump`. */
export const DUMP_FORMATS = ['table', 'json', 'jsonl', 'csv'] as const;

/** One of {@link DUMP_FORMATS}. */
export type DumpFormat = (typeof DUMP_FORMATS)[number];

/**
 * Turns pages of rows into text, page by page, so nothing but the current page is held.
 * Call `rows` for every page, then `end` once.
 */
export interface RowFormatter {
  /** The text for one page (the first call may also carry a header). */
  rows(rows: readonly Row[]): string;
  /** The text after the last page (a footer, or the header of an empty result). */
  end(): string;
}

/**
 * A value as JSON and CSV write it: bytes as base64, dates in ISO 8601 (UTC), integers
 * beyond 2^53 and non-finite floats as strings, anything else with a `toString` as its text.
 */
export function plainValue(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    default:
      if (value instanceof Uint8Array) return encodeBase64(value);
      if (value instanceof Date) return value.toISOString();
      // TaiTime and other value classes: their own text.
      return (value as { toString(): string }).toString();
  }
}

function objectOf(row: Row, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) out[name] = plainValue(row[name]);
  return out;
}

// One JSON array, written as it goes: `[`, then rows separated by commas, then `]`.
function jsonFormatter(names: readonly string[]): RowFormatter {
  let first = true;
  return {
    rows(rows) {
      let text = '';
      for (const row of rows) {
        text += `${first ? '[\n' : ',\n'}${JSON.stringify(objectOf(row, names))}`;
        first = false;
      }
      return text;
    },
    end: () => (first ? '[]\n' : '\n]\n'),
  };
}

function jsonLinesFormatter(names: readonly string[]): RowFormatter {
  return {
    rows(rows) {
      let text = '';
      for (const row of rows) text += `${JSON.stringify(objectOf(row, names))}\n`;
      return text;
    },
    end: () => '',
  };
}

function csvField(value: unknown): string {
  const plain = plainValue(value);
  if (plain === null) return '';
  const text = String(plain);
  // An empty string is quoted, so that it differs from NULL (an empty field).
  return text === '' || /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvFormatter(names: readonly string[]): RowFormatter {
  let header = `${names.map(csvField).join(',')}\n`;
  return {
    rows(rows) {
      let text = header;
      header = '';
      for (const row of rows) text += `${names.map((n) => csvField(row[n])).join(',')}\n`;
      return text;
    },
    end() {
      const text = header;
      header = '';
      return text;
    },
  };
}

const NUMERIC: ReadonlySet<ColumnType> = new Set(['smallint', 'integer', 'bigint', 'float']);
const MAX_WIDTH = 60;
// Widths every value of a type fits in, so that later pages never need more.
const TYPE_WIDTHS: Partial<Record<ColumnType, number>> = {
  smallint: 6,
  integer: 11,
  bigint: 17,
  boolean: 5,
  uuid: 36,
  timestamp: 24,
};

function cellText(value: unknown): string {
  const plain = plainValue(value);
  if (plain === null) return 'NULL';
  // Control characters would break the layout: show them escaped.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return String(plain).replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}

// Numbers are never cut (a float may overflow its column instead); other text is, with `…`.
function fit(text: string, width: number, numeric: boolean): string {
  if (numeric) return text.padStart(width);
  if (text.length > width) return `${text.slice(0, width - 1)}…`;
  return text.padEnd(width);
}

/**
 * A fixed-width text table. Widths come from the column types where they bound the values
 * (integers, booleans, UUIDs, timestamps), else from the header and the first page (at most
 * {@link MAX_WIDTH} characters); longer text on later pages is cut with `…`.
 */
function tableFormatter(fields: readonly FieldSpec[]): RowFormatter {
  const names = fields.map((f) => f.name);
  const right = fields.map((f) => NUMERIC.has(f.dtype));
  let widths: number[] | null = null;
  let count = 0;
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => fit(cell, widths![i]!, right[i]!))
      .join('  ')
      .trimEnd() + '\n';
  const header = () => line(names) + widths!.map((w) => '-'.repeat(w)).join('  ') + '\n';
  return {
    rows(rows) {
      const cells = rows.map((row) => names.map((n) => cellText(row[n])));
      let text = '';
      if (widths === null) {
        widths = fields.map((f) => Math.max(f.name.length, TYPE_WIDTHS[f.dtype] ?? 0));
        for (const row of cells)
          for (let i = 0; i < row.length; i++)
            widths[i] = Math.max(widths[i]!, Math.min(MAX_WIDTH, row[i]!.length));
        text += header();
      }
      for (const row of cells) text += line(row);
      count += rows.length;
      return text;
    },
    end() {
      let text = '';
      if (widths === null) {
        widths = fields.map((f) => Math.max(f.name.length, TYPE_WIDTHS[f.dtype] ?? 0));
        text += header();
      }
      return `${text}(${count} ${count === 1 ? 'row' : 'rows'})\n`;
    },
  };
}

/**
 * A formatter for `format`:
 * - `json`: one JSON array, one row object per line, keys in column order;
 * - `jsonl`: JSON Lines, one row object per line and nothing else;
 * - `csv`: RFC 4180 quoting with a header line and LF line ends; NULL is an empty field,
 *   an empty string `""`;
 * - `table`: a fixed-width text table for people, with a row count at the end.
 *
 * Bytes are base64 and timestamps ISO 8601 (UTC) in every format.
 */
export function createFormatter(format: DumpFormat, fields: readonly FieldSpec[]): RowFormatter {
  const names = fields.map((f) => f.name);
  switch (format) {
    case 'json':
      return jsonFormatter(names);
    case 'jsonl':
      return jsonLinesFormatter(names);
    case 'csv':
      return csvFormatter(names);
    case 'table':
      return tableFormatter(fields);
  }
}
