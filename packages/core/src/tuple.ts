const TUPLE: unique symbol = Symbol.for('@butler-ts/core:tuple');

/**
 * An immutable sequence, the JavaScript stand-in for a Python `tuple`: a frozen array carrying
 * a non-enumerable brand, so that storage classes can tell it from a `list` (a plain array).
 * It compares element-wise with arrays in test matchers and serialises as a JSON array.
 */
export type Tuple<T = unknown> = readonly T[] & {
  /**
   * The non-enumerable brand {@link isTuple} reads; only {@link tuple} and {@link toTuple} set it.
   */
  readonly [TUPLE]: true;
};

/**
 * Makes a {@link Tuple} of the given items.
 *
 * @example
 * ```ts
 * const t = tuple('a', 'b', 1);
 * isTuple(t); // true
 * isTuple(['a', 'b', 1]); // false: a plain array is a list
 * ```
 */
export function tuple<T extends unknown[]>(...items: T): Tuple<T[number]> {
  return toTuple(items);
}

/** Makes a {@link Tuple} from any iterable (Python `tuple(iterable)`). */
export function toTuple<T>(items: Iterable<T>): Tuple<T> {
  const array = Array.from(items);
  Object.defineProperty(array, TUPLE, { value: true, enumerable: false });
  return Object.freeze(array) as unknown as Tuple<T>;
}

/**
 * Whether `value` is a {@link Tuple} made by {@link tuple} or {@link toTuple}: a type guard
 * that reads the brand, so it recognises tuples made by another copy of this package.
 */
export function isTuple(value: unknown): value is Tuple {
  return Array.isArray(value) && (value as { [TUPLE]?: unknown })[TUPLE] === true;
}
