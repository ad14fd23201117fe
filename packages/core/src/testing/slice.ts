import { InvalidValueError, TypeMismatchError } from '../errors.ts';
import { typeName } from '../format.ts';
import { isTuple, toTuple } from '../tuple.ts';

function checkBound(value: unknown, what: string): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeMismatchError(
      `slice ${what} must be an integer or null, got ${typeName(value)}`,
      {
        expected: 'int',
        actual: typeName(value),
      },
    );
  }
  return value;
}

/**
 * Python's `slice(start, stop, step)`: the value of the `slice` read parameter of the test
 * storage classes. Bounds may be negative (counted from the end) or null (open).
 */
export class Slice {
  /** The first index, negative counting from the end; `null` for the start of the sequence. */
  readonly start: number | null;
  /** The index to stop before, negative counting from the end; `null` for the end. */
  readonly stop: number | null;
  /** The stride, never 0, negative going backwards; `null` for 1. */
  readonly step: number | null;

  /**
   * @throws {@link index!TypeMismatchError | TypeMismatchError} for a bound that is not an integer
   *   or null (a type guard).
   * @throws {@link index!InvalidValueError | InvalidValueError} for a zero step.
   */
  constructor(start: number | null, stop: number | null, step: number | null = null) {
    this.start = checkBound(start, 'start');
    this.stop = checkBound(stop, 'stop');
    this.step = checkBound(step, 'step');
    if (this.step === 0) throw new InvalidValueError('slice step cannot be zero', step);
    Object.freeze(this);
  }

  /** The selected items as a new array, or a new tuple for a tuple (Python `seq[slice]`). */
  apply<T>(sequence: readonly T[]): T[] {
    const length = sequence.length;
    const step = this.step ?? 1;
    const lower = step > 0 ? 0 : -1;
    const upper = step > 0 ? length : length - 1;
    const clamp = (bound: number | null, missing: number): number => {
      if (bound === null) return missing;
      const value = bound < 0 ? bound + length : bound;
      return Math.min(Math.max(value, lower), upper);
    };
    const start = clamp(this.start, step > 0 ? lower : upper);
    const stop = clamp(this.stop, step > 0 ? upper : lower);
    const out: T[] = [];
    for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(sequence[i]!);
    return isTuple(sequence) ? (toTuple(out) as unknown as T[]) : out;
  }

  /** `slice(start, stop, step)`. */
  toString(): string {
    const show = (v: number | null): string => (v === null ? 'None' : String(v));
    return `slice(${show(this.start)}, ${show(this.stop)}, ${show(this.step)})`;
  }
}

/**
 * Makes a {@link Slice}; `slice(0, 4)` selects the first four items.
 *
 * @example
 * ```ts
 * await datastore.get(ref, { slice: slice(0, 4) });
 * ```
 */
export function slice(
  start: number | null,
  stop: number | null,
  step: number | null = null,
): Slice {
  return new Slice(start, stop, step);
}
