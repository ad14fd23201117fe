import { isTuple } from './tuple.ts';

/**
 * Structural equality in the spirit of Python's `==` on containers: primitives by value (NaN
 * equals NaN so that copies compare equal), arrays element-wise (a tuple never equals a list),
 * `Map`/`Set` by content, `Date` by time, and objects with the same prototype by their own
 * enumerable properties. An object with an `equals(other)` method decides for itself.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  return equalValues(a, b, new Map());
}

function equalValues(a: unknown, b: unknown, seen: Map<object, object>): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (seen.get(a) === b) return true;
  seen.set(a, b);
  const custom = (a as { equals?: unknown }).equals;
  if (typeof custom === 'function') return (custom as (o: unknown) => boolean).call(a, b) === true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || isTuple(a) !== isTuple(b)) return false;
    return a.length === b.length && a.every((item, i) => equalValues(item, b[i], seen));
  }
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Date) return a.getTime() === (b as Date).getTime();
  if (a instanceof Map) {
    const other = b as Map<unknown, unknown>;
    if (a.size !== other.size) return false;
    for (const [k, v] of a as Map<unknown, unknown>) {
      if (!other.has(k) || !equalValues(v, other.get(k), seen)) return false;
    }
    return true;
  }
  if (a instanceof Set) {
    const other = b as Set<unknown>;
    if (a.size !== other.size) return false;
    for (const v of a as Set<unknown>) {
      if (other.has(v)) continue;
      if (![...other].some((w) => equalValues(v, w, seen))) return false;
    }
    return true;
  }
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  const recordA = a as Record<string, unknown>;
  const recordB = b as Record<string, unknown>;
  return keysA.every((k) => Object.hasOwn(recordB, k) && equalValues(recordA[k], recordB[k], seen));
}
