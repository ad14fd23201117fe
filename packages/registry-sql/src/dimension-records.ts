// Reading and writing the records of dimension elements: a record is its table's row, with
// the dimension key named as daf_butler names the field (`id`, `name`) and its timespan as a
// TaiTimespan (one INT8RANGE column on PostgreSQL, two columns joined on SQLite).
import type { DimensionElement, DimensionRecordValues } from '@butler-ts/core';
import type { TaiTime, TaiTimespan } from '@butler-ts/ddl';
import { InvalidArgumentError } from '@butler-ts/registry-interfaces';
import type { Row } from '@butler-ts/registry-interfaces';
import { elementColumns } from './dimension-tables.ts';
import { checkTimespan, timespanColumns, timespanOfColumns } from './timespans.ts';

/**
 * A record's timespan: `[begin, end)` of TAI times (nanoseconds as `bigint`), `null` ends
 * unbounded, or `TaiTimespan.EMPTY`; read back the same on SQLite and PostgreSQL. A record
 * without one has `timespan: null`.
 */
export type RecordTimespan = TaiTimespan;

/** The record of a table row. */
export function recordOfRow(element: DimensionElement, row: Row): DimensionRecordValues {
  const record: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) {
    if (name === 'timespan_begin' || name === 'timespan_end') continue;
    record[name] = value;
  }
  if (element.temporal !== null && 'timespan_begin' in row) {
    record['timespan'] = timespanOfColumns(
      row['timespan_begin'] as TaiTime | null,
      row['timespan_end'] as TaiTime | null,
    );
  } else if (element.temporal !== null) {
    record['timespan'] = row['timespan'] ?? null;
  }
  return Object.freeze(record);
}

/**
 * The table row of a record, with its fields checked against the element's columns.
 *
 * @throws {@link InvalidArgumentError} for a field the element does not have, a missing key
 *   or implied value, or a timespan that is not a `TaiTimespan`, `{begin, end}` of `TaiTime`
 *   or `null` (begin not after end), or `null`.
 */
export function rowOfRecord(
  element: DimensionElement,
  record: Readonly<Record<string, unknown>>,
  dialect: 'sqlite' | 'postgresql',
): Row {
  const columns = elementColumns(element);
  const known = new Set([
    ...columns.required.map((c) => c.column),
    ...columns.implied,
    ...columns.other,
    ...(columns.temporal ? ['timespan'] : []),
  ]);
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw new InvalidArgumentError(`A record of ${element.name} must be an object`);
  }
  for (const name of Object.keys(record)) {
    if (!known.has(name)) {
      throw new InvalidArgumentError(
        `Element ${element.name} has no field ${JSON.stringify(name)} (fields: ${[...known].join(', ')})`,
      );
    }
  }
  for (const name of [...columns.required.map((c) => c.column), ...columns.implied]) {
    if (record[name] === undefined || record[name] === null) {
      throw new InvalidArgumentError(`A record of ${element.name} needs a value for ${name}`);
    }
  }
  const row: Row = { ...record };
  if (columns.temporal) {
    const timespan = checkTimespan(
      record['timespan'],
      `The timespan of a record of ${element.name}`,
    );
    if (dialect === 'postgresql') {
      row['timespan'] = timespan;
    } else {
      delete row['timespan'];
      const { begin, end } = timespanColumns(timespan);
      row['timespan_begin'] = begin;
      row['timespan_end'] = end;
    }
  }
  return row;
}

/** The table constraints of `where` (dimension names of the element's key mapped to columns). */
export function whereOfRecord(
  element: DimensionElement,
  where: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(where)) {
    const column = element.isDimension && name === element.name ? element.keys[0]!.name : name;
    result[column] = value;
  }
  return result;
}
