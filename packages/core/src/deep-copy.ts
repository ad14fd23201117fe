import { TypeMismatchError } from './errors.ts';
import { typeName } from './format.ts';
import { isTuple, toTuple } from './tuple.ts';

/**
 * A deep copy in the spirit of Python's `copy.deepcopy`: primitives and functions are shared;
 * arrays, tuples, plain objects, `Map`, `Set`, `Date`, typed arrays and class instances are
 * copied recursively (class instances keep their prototype, frozen objects stay frozen);
 * shared and cyclic references are preserved.
 *
 * Class instances are copied through their own properties, so a class that keeps state in
 * `#private` fields cannot be copied this way; give its delegate a `copy()` override.
 *
 * @throws {@link TypeMismatchError} for values that cannot be copied (`WeakMap`, `WeakSet`,
 *   `Promise`, `WeakRef`).
 */
export function deepCopy<T>(value: T): T {
  return copyValue(value, new Map()) as T;
}

function copyValue(value: unknown, memo: Map<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const known = memo.get(value);
  if (known !== undefined) return known;
  if (
    value instanceof WeakMap ||
    value instanceof WeakSet ||
    value instanceof Promise ||
    value instanceof WeakRef
  ) {
    throw new TypeMismatchError(`Cannot deep copy a ${typeName(value)}`, {
      actual: typeName(value),
    });
  }
  if (isTuple(value)) {
    // A tuple is frozen on creation, so its items are copied first (it cannot contain itself).
    const result = toTuple(value.map((item) => copyValue(item, memo)));
    memo.set(value, result);
    return result;
  }
  if (Array.isArray(value)) {
    const result: unknown[] = [];
    memo.set(value, result);
    for (const item of value) result.push(copyValue(item, memo));
    return finish(value, result);
  }
  if (value instanceof Map) {
    const result = new Map<unknown, unknown>();
    memo.set(value, result);
    for (const [k, v] of value) result.set(copyValue(k, memo), copyValue(v, memo));
    return result;
  }
  if (value instanceof Set) {
    const result = new Set<unknown>();
    memo.set(value, result);
    for (const v of value) result.add(copyValue(v, memo));
    return result;
  }
  if (value instanceof Date) return new Date(value.getTime());
  if (ArrayBuffer.isView(value)) {
    const view = value as unknown as { slice(): unknown };
    return typeof view.slice === 'function' ? view.slice() : value;
  }
  if (value instanceof ArrayBuffer) return value.slice(0);
  const result: object = Object.create(Object.getPrototypeOf(value) as object | null) as object;
  memo.set(value, result);
  for (const key of Reflect.ownKeys(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key)!;
    if ('value' in descriptor) descriptor.value = copyValue(descriptor.value, memo);
    Object.defineProperty(result, key, descriptor);
  }
  return finish(value, result);
}

function finish(source: object, copy: object): object {
  if (Object.isFrozen(source)) Object.freeze(copy);
  else if (!Object.isExtensible(source)) Object.preventExtensions(copy);
  return copy;
}
