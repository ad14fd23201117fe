// daf_butler's two database forms of a timespan: one INT8RANGE column of TAI nanoseconds on
// PostgreSQL (NULL bounds unbounded, `empty` for the empty span) and two BIGINT columns on
// SQLite (unbounded bounds stored as the epoch and 2100-01-01, the empty span as begin ≥ end).
// Both read back as the same `TaiTimespan`.
import { TaiTime, TaiTimespan } from '@butler-ts/ddl';
import { InvalidArgumentError } from '@butler-ts/registry-interfaces';

/** The text of `span` as an INT8RANGE literal, built from its bigint bounds. */
export function int8RangeLiteral(span: TaiTimespan): string {
  if (span.isEmpty) return 'empty';
  return `[${span.begin?.nsec.toString() ?? ''},${span.end?.nsec.toString() ?? ''})`;
}

// PostgreSQL's canonical INT8RANGE text: `[a,b)`, `(` for an unbounded lower end, `)` always.
const INT8RANGE = /^(?:\[(-?\d+)|\(()),(-?\d*)\)$/;

/**
 * The span of PostgreSQL's text of an INT8RANGE (canonical, so `[a,b)`, `(,b)`, `[a,)`, `(,)`
 * or `empty`).
 *
 * @throws {@link InvalidArgumentError} for any other text.
 */
export function parseInt8Range(text: string): TaiTimespan {
  if (text === 'empty') return TaiTimespan.EMPTY;
  const match = INT8RANGE.exec(text);
  if (match === null)
    throw new InvalidArgumentError(`Not an INT8RANGE of TAI nanoseconds: ${JSON.stringify(text)}`);
  const bound = (digits: string) => (digits === '' ? null : new TaiTime(BigInt(digits)));
  return TaiTimespan.of(bound(match[1] ?? match[2] ?? ''), bound(match[3]!));
}

/** The two SQLite columns of a span (`null` for both when there is none), as daf_butler writes them. */
export function timespanColumns(span: TaiTimespan | null): {
  begin: TaiTime | null;
  end: TaiTime | null;
} {
  if (span === null) return { begin: null, end: null };
  if (span.isEmpty) return { begin: TaiTime.MAX, end: TaiTime.EPOCH };
  return { begin: span.begin ?? TaiTime.EPOCH, end: span.end ?? TaiTime.MAX };
}

/** The span of the two SQLite columns: none when both are NULL, empty when begin ≥ end. */
export function timespanOfColumns(
  begin: TaiTime | null | undefined,
  end: TaiTime | null | undefined,
): TaiTimespan | null {
  if ((begin ?? null) === null && (end ?? null) === null) return null;
  if (begin != null && end != null && begin.nsec >= end.nsec) return TaiTimespan.EMPTY;
  return TaiTimespan.of(begin ?? null, end ?? null);
}

/**
 * `value` as a span to store: a `TaiTimespan`, or `{begin, end}` of `TaiTime`s or `null`s
 * (checked by `TaiTimespan.of`); `null` or `undefined` for none.
 *
 * @throws {@link InvalidArgumentError} naming `what` for anything else, or a begin after its end.
 */
export function checkTimespan(value: unknown, what: string): TaiTimespan | null {
  if (value === null || value === undefined) return null;
  if (value instanceof TaiTimespan) return value;
  if (typeof value === 'object' && !Array.isArray(value)) {
    const { begin, end, ...rest } = value as { begin?: unknown; end?: unknown };
    if (begin !== undefined && end !== undefined && Object.keys(rest).length === 0) {
      try {
        return TaiTimespan.of(begin as TaiTime | null, end as TaiTime | null);
      } catch (error) {
        if (error instanceof TypeError || error instanceof RangeError)
          throw new InvalidArgumentError(`${what}: ${error.message}`, { cause: error });
        throw error;
      }
    }
  }
  throw new InvalidArgumentError(
    `${what} is a TaiTimespan, {begin, end} of TaiTime or null, or null; not ${describe(value)}`,
  );
}

function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
