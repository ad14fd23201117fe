import { TaiTime } from './tai-time.ts';

/**
 * A half-open span of TAI times, `[begin, end)`, as daf_butler's `Timespan` stores it: a
 * `null` bound is unbounded, and {@link TaiTimespan.EMPTY} holds no time at all. This is the
 * value of a `timeNsecTai` column declared with `range: true`.
 *
 * Stored bounds are nanoseconds in [{@link TaiTime.EPOCH}, {@link TaiTime.MAX}], as daf_butler
 * stores them, and the ends of that range mean "unbounded": a begin at `EPOCH` or an end at
 * `MAX` is read back as `null` (daf_butler makes the same identification), so
 * {@link TaiTimespan.of} normalises them to `null` up front.
 *
 * @example
 * ```ts
 * const night = TaiTimespan.of(TaiTime.fromIso('2025-01-01T00:00:00'), null);
 * night.end; // null: unbounded
 * TaiTimespan.of(TaiTime.EPOCH, TaiTime.EPOCH).isEmpty; // true
 * ```
 */
export class TaiTimespan {
  /** The first time in the span, or `null` when unbounded (always `null` when empty). */
  readonly begin: TaiTime | null;
  /** The first time after the span, or `null` when unbounded (always `null` when empty). */
  readonly end: TaiTime | null;
  /** Whether the span holds no time. */
  readonly isEmpty: boolean;

  /** The empty span. */
  static readonly EMPTY: TaiTimespan = new TaiTimespan(null, null, true);

  private constructor(begin: TaiTime | null, end: TaiTime | null, isEmpty: boolean) {
    this.begin = begin;
    this.end = end;
    this.isEmpty = isEmpty;
    Object.freeze(this);
  }

  /**
   * The span `[begin, end)`; `null` for an unbounded end. `begin === end` is
   * {@link TaiTimespan.EMPTY}; a begin at or before `EPOCH` is unbounded, and so is an end at
   * or after `MAX` (the range a column stores).
   *
   * @throws TypeError naming the bound that is neither a {@link TaiTime} nor `null`.
   * @throws RangeError when `begin` is after `end`.
   */
  static of(begin: TaiTime | null, end: TaiTime | null): TaiTimespan {
    for (const [name, value] of [
      ['begin', begin],
      ['end', end],
    ] as const) {
      if (value !== null && !(value instanceof TaiTime))
        throw new TypeError(`A timespan's ${name} is a TaiTime or null, not ${String(value)}`);
    }
    const lower = begin === null || begin.nsec <= 0n ? null : begin;
    const upper = end === null || end.nsec >= TaiTime.MAX.nsec ? null : end;
    const lowerNsec = lower?.nsec ?? 0n;
    const upperNsec = upper?.nsec ?? TaiTime.MAX.nsec;
    if (lowerNsec > upperNsec)
      throw new RangeError(
        `A timespan's begin (${String(begin)}) is after its end (${String(end)})`,
      );
    if (lowerNsec === upperNsec) return TaiTimespan.EMPTY;
    return new TaiTimespan(lower, upper, false);
  }

  /** Whether both spans are empty, or have the same bounds. */
  equals(other: TaiTimespan): boolean {
    if (!(other instanceof TaiTimespan)) return false;
    if (this.isEmpty || other.isEmpty) return this.isEmpty === other.isEmpty;
    const same = (a: TaiTime | null, b: TaiTime | null) =>
      a === null || b === null ? a === b : a.nsec === b.nsec;
    return same(this.begin, other.begin) && same(this.end, other.end);
  }

  /** `[begin, end)` in TAI ISO form, `-∞`/`+∞` for unbounded ends, or `empty`. */
  toString(): string {
    if (this.isEmpty) return 'empty';
    return `[${this.begin?.toIso() ?? '-∞'}, ${this.end?.toIso() ?? '+∞'}) TAI`;
  }
}
