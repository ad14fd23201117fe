const NS_PER_SECOND = 1_000_000_000n;
const NS_PER_DAY = 86_400n * NS_PER_SECOND;
const ISO = /^(-?\d{4,})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

function daysFromCivil(year: number, month: number, day: number): bigint {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return BigInt(Math.round(date.getTime() / 86_400_000));
}

/**
 * A time on the TAI scale, held as integer nanoseconds since 1970-01-01T00:00:00 TAI.
 *
 * TAI has no leap seconds, so a TAI calendar label maps to nanoseconds with plain day
 * arithmetic. butler-ts takes TAI directly instead of converting from UTC (which needs a
 * leap-second table); this is the value type of `timeNsecTai` columns.
 *
 * @example
 * ```ts
 * const t = TaiTime.fromIso('2030-01-01T12:00:00.123456789');
 * t.toIso(); // '2030-01-01T12:00:00.123456789'
 * ```
 */
export class TaiTime {
  /** Nanoseconds since 1970-01-01T00:00:00 TAI (negative before it). */
  readonly nsec: bigint;

  /** The epoch, 1970-01-01T00:00:00 TAI: the smallest value a column stores. */
  static readonly EPOCH = new TaiTime(0n);
  /** 2100-01-01T00:00:00 TAI: the largest value a column stores. */
  static readonly MAX = new TaiTime(daysFromCivil(2100, 1, 1) * NS_PER_DAY);

  constructor(nsec: bigint) {
    if (typeof nsec !== 'bigint') throw new TypeError('TaiTime takes nanoseconds as a bigint');
    this.nsec = nsec;
    Object.freeze(this);
  }

  /**
   * Parses `YYYY-MM-DDTHH:MM:SS[.fffffffff]` read as a TAI label (no zone suffix).
   *
   * @throws TypeError naming the string when it is not of that form.
   */
  static fromIso(text: string): TaiTime {
    const match = ISO.exec(text);
    if (match === null)
      throw new TypeError(
        `Not a TAI time (YYYY-MM-DDTHH:MM:SS[.fffffffff]): ${JSON.stringify(text)}`,
      );
    const [, y, mo, d, h, mi, s, frac = ''] = match as unknown as string[];
    const [month, day, hour, minute, second] = [mo, d, h, mi, s].map(Number) as [
      number,
      number,
      number,
      number,
      number,
    ];
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
      throw new TypeError(`Not a valid TAI time: ${JSON.stringify(text)}`);
    }
    const days = daysFromCivil(Number(y), month, day);
    const seconds = BigInt(hour * 3600 + minute * 60 + second);
    const nanos = BigInt(frac.padEnd(9, '0') || '0');
    return new TaiTime(days * NS_PER_DAY + seconds * NS_PER_SECOND + nanos);
  }

  /** `YYYY-MM-DDTHH:MM:SS.fffffffff`, nanoseconds always shown. */
  toIso(): string {
    let days = this.nsec / NS_PER_DAY;
    let rest = this.nsec % NS_PER_DAY;
    if (rest < 0n) {
      rest += NS_PER_DAY;
      days -= 1n;
    }
    const date = new Date(Number(days) * 86_400_000).toISOString().slice(0, 10);
    const secondsOfDay = Number(rest / NS_PER_SECOND);
    const nanos = (rest % NS_PER_SECOND).toString().padStart(9, '0');
    const hh = String(Math.floor(secondsOfDay / 3600)).padStart(2, '0');
    const mm = String(Math.floor((secondsOfDay % 3600) / 60)).padStart(2, '0');
    const ss = String(secondsOfDay % 60).padStart(2, '0');
    return `${date}T${hh}:${mm}:${ss}.${nanos}`;
  }

  /** The value a column stores: clamped to [{@link TaiTime.EPOCH}, {@link TaiTime.MAX}]. */
  toStoredNsec(): bigint {
    if (this.nsec < 0n) return 0n;
    return this.nsec > TaiTime.MAX.nsec ? TaiTime.MAX.nsec : this.nsec;
  }

  /** Whether two times differ by less than `precisionNsec` (Python's `times_equal`). */
  equals(other: TaiTime, precisionNsec = 1n): boolean {
    const diff = this.nsec - other.nsec;
    return (diff < 0n ? -diff : diff) < precisionNsec;
  }

  /** `YYYY-MM-DDTHH:MM:SS.fffffffff TAI`: {@link TaiTime.toIso} with the scale named. */
  toString(): string {
    return `${this.toIso()} TAI`;
  }
}
