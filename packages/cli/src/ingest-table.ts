import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCsv } from './csv.ts';
import { errorText } from './connect.ts';
import { IngestTableError } from './errors.ts';

/** One row of an ingest table: a dataset and the file that holds it. */
export interface IngestRow {
  /** The dataset ID, as written in the table. */
  readonly id: string;
  /** The file, absolute (relative paths are resolved against the table's folder). */
  readonly path: string;
  /** The formatter that reads the file, or `null` for the datastore's configured one. */
  readonly formatter: string | null;
  /** The row's number in the table (1 is the first row after a CSV header), for messages. */
  readonly line: number;
}

function absolutePath(file: string, path: string): string {
  if (path.startsWith('file:')) return fileURLToPath(path);
  return isAbsolute(path) ? path : resolve(dirname(file), path);
}

function rowOf(file: string, line: number, values: Readonly<Record<string, unknown>>): IngestRow {
  const id = values['id'] ?? values['dataset_id'];
  const path = values['path'] ?? values['file'];
  const formatter = values['formatter'] ?? null;
  if (typeof id !== 'string' || id === '')
    throw new IngestTableError(file, `${file}, row ${line}: no dataset id (column "id")`);
  if (typeof path !== 'string' || path === '')
    throw new IngestTableError(file, `${file}, row ${line}: no file (column "path")`);
  if (formatter !== null && typeof formatter !== 'string')
    throw new IngestTableError(file, `${file}, row ${line}: "formatter" is not a string`);
  return {
    id,
    path: absolutePath(file, path),
    formatter: formatter === '' ? null : formatter,
    line,
  };
}

/**
 * Reads the table of `datastore ingest --from`: CSV (`.csv`, a header line naming the
 * columns) or JSON Lines (`.jsonl`/`.ndjson`, one object per line). Columns: `id` (or
 * `dataset_id`), `path` (or `file`; relative to the table's folder, or a `file:` URI), and
 * optionally `formatter`. Other columns are ignored.
 *
 * @throws {@link IngestTableError} naming the file and row for an unknown format, a missing
 *   column or value, or a line that does not parse.
 */
export function readIngestTable(file: string): IngestRow[] {
  const absolute = resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new IngestTableError(absolute, `Cannot read ${absolute}: ${errorText(error)}`, {
      cause: error,
    });
  }
  const lower = absolute.toLowerCase();
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) {
    const rows: IngestRow[] = [];
    text.split('\n').forEach((raw, index) => {
      if (raw.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch (error) {
        throw new IngestTableError(
          absolute,
          `${absolute}, line ${index + 1}: not JSON (${errorText(error)})`,
        );
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw new IngestTableError(absolute, `${absolute}, line ${index + 1}: not a JSON object`);
      rows.push(rowOf(absolute, index + 1, value as Record<string, unknown>));
    });
    return rows;
  }
  if (lower.endsWith('.csv')) {
    let cells: (string | null)[][];
    try {
      cells = parseCsv(text);
    } catch (error) {
      throw new IngestTableError(absolute, `${absolute}: ${errorText(error)}`);
    }
    const [header, ...body] = cells;
    const names = (header ?? []).map((name) => (name ?? '').trim());
    if (
      !names.some((n) => n === 'id' || n === 'dataset_id') ||
      !names.some((n) => n === 'path' || n === 'file')
    )
      throw new IngestTableError(
        absolute,
        `${absolute}: the header must name the columns "id" and "path" (found ${JSON.stringify(names.join(','))})`,
      );
    return body
      .map((cellsOfRow, index) => ({ cellsOfRow, line: index + 1 }))
      .filter(({ cellsOfRow }) => cellsOfRow.some((c) => c !== null && c.trim() !== ''))
      .map(({ cellsOfRow, line }) =>
        rowOf(
          absolute,
          line,
          Object.fromEntries(names.map((name, i) => [name, cellsOfRow[i]?.trim() ?? null])),
        ),
      );
  }
  throw new IngestTableError(
    absolute,
    `${absolute}: unknown table format; give a .csv (with a header line) or a .jsonl file`,
  );
}
