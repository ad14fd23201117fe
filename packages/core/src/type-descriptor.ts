import { InvalidValueError, TypeMismatchError } from './errors.ts';
import { isPlainObject, typeName } from './format.ts';
import { isTuple, toTuple } from './tuple.ts';

/**
 * A run-time stand-in for a Python type (a storage class's `pytype`), registered under the
 * Python full name it replaces (`dict`, `list`, `lsst.daf.butler.tests.MetricsExample`, ...).
 *
 * Python's `isinstance` becomes {@link TypeDescriptor.isInstance}; Python's subclass relation
 * becomes {@link TypeDescriptor.bases} (see {@link isSubtypeOf}). `object` is the universal
 * type: every type is its subtype and every value, `null` included, is its instance.
 */
export interface TypeDescriptor<T = unknown> {
  /** The Python full name, e.g. `dict` or `lsst.daf.butler.tests.MetricsExample`. */
  readonly name: string;
  /** The direct supertypes, other than `object`. */
  readonly bases: readonly TypeDescriptor[];
  /** Whether `value` is an instance of this type (a type guard). */
  isInstance(value: unknown): value is T;
  /**
   * Builds an instance, from named fields when given (Python `Type(**fields)`) or empty.
   * Used by {@link StorageClassDelegate.assemble}; types without it cannot be assembled.
   */
  readonly create?: ((fields?: Readonly<Record<string, unknown>>) => T) | undefined;
}

/** Options shared by {@link defineType} and {@link classType}. */
export interface TypeDescriptorOptions<T> {
  /** Direct supertypes (`object` is implied). */
  readonly bases?: readonly TypeDescriptor[];
  /** See {@link TypeDescriptor.create}. */
  readonly create?: (fields?: Readonly<Record<string, unknown>>) => T;
}

function checkName(name: unknown): string {
  if (typeof name !== 'string') {
    throw new TypeMismatchError(`A type name must be a string, got ${typeName(name)}`, {
      expected: 'str',
      actual: typeName(name),
    });
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(name)) {
    throw new InvalidValueError(`Invalid type name ${JSON.stringify(name)}`, name);
  }
  return name;
}

/**
 * Describes a type by a type guard: use it for structural types (plain objects, arrays,
 * primitives) where a constructor check does not apply.
 *
 * @throws {@link InvalidValueError} if `name` is not a dotted identifier.
 * @throws {@link TypeMismatchError} if `isInstance` is not a function.
 * @example
 * ```ts
 * const point = defineType('geom.Point', (v): v is { x: number; y: number } =>
 *   typeof v === 'object' && v !== null && 'x' in v && 'y' in v);
 * registry.registerType(point);
 * ```
 */
export function defineType<T>(
  name: string,
  isInstance: (value: unknown) => value is T,
  options: TypeDescriptorOptions<T> = {},
): TypeDescriptor<T> {
  checkName(name);
  if (typeof isInstance !== 'function') {
    throw new TypeMismatchError(`isInstance of type ${name} must be a function`, {
      expected: 'function',
      actual: typeName(isInstance),
    });
  }
  return Object.freeze({
    name,
    bases: Object.freeze([...(options.bases ?? [])]),
    isInstance,
    create: options.create,
  });
}

/**
 * Describes a class: `isInstance` is a constructor check (`value instanceof ctor`), so
 * subclasses are instances too. Declare the Python supertypes in `bases`; `create` is not
 * derived from the constructor because constructor signatures differ, so pass one if the
 * type must be assembled from components.
 *
 * @throws {@link InvalidValueError} if `name` is not a dotted identifier.
 * @throws {@link TypeMismatchError} if `ctor` is not a function.
 * @example
 * ```ts
 * registry.registerType(classType('my.pkg.Catalog', Catalog));
 * ```
 */
export function classType<T extends object>(
  name: string,
  ctor: abstract new (...args: never[]) => T,
  options: TypeDescriptorOptions<T> = {},
): TypeDescriptor<T> {
  if (typeof ctor !== 'function') {
    throw new TypeMismatchError(`The constructor of type ${name} must be a function`, {
      expected: 'function',
      actual: typeName(ctor),
    });
  }
  return defineType(name, (value: unknown): value is T => value instanceof ctor, options);
}

/**
 * Whether `sub` is `sup` or derives from it (Python `issubclass`). Types are identified by
 * name, so two descriptors registered under one name in different registries are the same
 * type; everything is a subtype of `object`.
 */
export function isSubtypeOf(sub: TypeDescriptor, sup: TypeDescriptor): boolean {
  if (sup.name === 'object') return true;
  const pending = [sub];
  const visited = new Set<string>();
  while (pending.length > 0) {
    const current = pending.pop()!;
    if (current.name === sup.name) return true;
    if (visited.has(current.name)) continue;
    visited.add(current.name);
    pending.push(...current.bases);
  }
  return false;
}

function noFields(type: string, fields?: Readonly<Record<string, unknown>>): void {
  if (fields !== undefined && Object.keys(fields).length > 0) {
    throw new TypeMismatchError(`${type}() takes no keyword arguments`, { expected: type });
  }
}

const objectType = defineType('object', (_value: unknown): _value is unknown => true);
const intType = defineType(
  'int',
  (v: unknown): v is number | bigint =>
    (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint',
);

/**
 * How Python's builtin types map to JavaScript values, each a type guard:
 *
 * | Python | JavaScript |
 * | --- | --- |
 * | `object` | any value, `null` and `undefined` included |
 * | `dict` | a plain object (prototype `Object.prototype` or `null`) |
 * | `list` | an array that is not a {@link Tuple} |
 * | `tuple` | a {@link Tuple} (see {@link tuple}) |
 * | `set` | a `Set` |
 * | `int` | an integral `number`, or a `bigint` |
 * | `float` | any `number` (JavaScript cannot tell `5.0` from `5`) |
 * | `str` / `bool` / `bytes` | `string` / `boolean` / `Uint8Array` |
 */
export const BUILTIN_TYPES = Object.freeze({
  /** Any value, `null` and `undefined` included: every type is its subtype. */
  object: objectType,
  /** A plain object; `create` copies the given fields into a new one. */
  dict: defineType('dict', isPlainObject, {
    create: (fields) => ({ ...fields }),
  }),
  /** An array that is not a {@link Tuple}; `create` makes an empty one and takes no fields. */
  list: defineType('list', (v: unknown): v is unknown[] => Array.isArray(v) && !isTuple(v), {
    create: (fields) => {
      noFields('list', fields);
      return [];
    },
  }),
  /** A {@link Tuple}; `create` makes an empty one and takes no fields. */
  tuple: defineType('tuple', isTuple, {
    create: (fields) => {
      noFields('tuple', fields);
      return toTuple([]);
    },
  }),
  /** A `Set`; `create` makes an empty one and takes no fields. */
  set: defineType('set', (v: unknown): v is Set<unknown> => v instanceof Set, {
    create: (fields) => {
      noFields('set', fields);
      return new Set();
    },
  }),
  /** An integral `number` or a `bigint`. */
  int: intType,
  /** Any `number`, integral ones included (JavaScript cannot tell `5.0` from `5`). */
  float: defineType('float', (v: unknown): v is number => typeof v === 'number'),
  /** A `string`. */
  str: defineType('str', (v: unknown): v is string => typeof v === 'string'),
  /** A `boolean`. */
  bool: defineType('bool', (v: unknown): v is boolean => typeof v === 'boolean'),
  /** A `Uint8Array` (a Node `Buffer` included). */
  bytes: defineType('bytes', (v: unknown): v is Uint8Array => v instanceof Uint8Array),
});
