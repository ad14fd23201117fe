import { InvalidValueError, LookupError, TypeMismatchError } from './errors.ts';
import { isPlainObject, typeName } from './format.ts';
import { consoleLogger } from './log.ts';
import type { Logger } from './log.ts';
import { StorageClassDelegate } from './storage-class-delegate.ts';
import type { StorageClassDelegateClass } from './storage-class-delegate.ts';
import { BUILTIN_TYPES } from './type-descriptor.ts';
import type { TypeDescriptor } from './type-descriptor.ts';
import { toTuple } from './tuple.ts';

/** A conversion function named in a storage class's `converters` (Python: a callable). */
export type Converter = (value: unknown) => unknown;

/** The name under which the base {@link StorageClassDelegate} is registered. */
export const BASE_DELEGATE_NAME = 'lsst.daf.butler.StorageClassDelegate';

/** Options of {@link TypeRegistry}. */
export interface TypeRegistryOptions {
  /**
   * Seed the builtin types ({@link BUILTIN_TYPES}), their converters (`dict`, `list`,
   * `tuple`, `set`, `int`, `float`, `str`) and the base delegate. Default true.
   */
  readonly builtins?: boolean;
  /** Where warnings about dropped converters and converter failures go. */
  readonly logger?: Logger;
}

/** Options of the `register*` methods. */
export interface RegisterOptions {
  /** Replace an existing, different entry of the same name instead of throwing. */
  readonly replace?: boolean;
}

// Python names builtins without a module (`dict`), but accepts `builtins.dict` too.
function normalize(name: string): string {
  return name.startsWith('builtins.') ? name.slice('builtins.'.length) : name;
}

function checkName(name: unknown, what: string): string {
  if (typeof name !== 'string' || name === '') {
    throw new TypeMismatchError(`A ${what} name must be a non-empty string`, {
      expected: 'str',
      actual: typeName(name),
    });
  }
  return normalize(name);
}

function toInt(value: unknown): number | bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) return Number.parseInt(value);
  throw new InvalidValueError(`invalid literal for int(): ${String(value)}`, value);
}

function toFloat(value: unknown): number {
  const result = typeof value === 'string' ? Number(value.trim()) : Number(value);
  if (typeof value === 'string' && (value.trim() === '' || Number.isNaN(result))) {
    throw new InvalidValueError(`could not convert string to float: '${value}'`, value);
  }
  return result;
}

function toDict(value: unknown): Record<string, unknown> {
  if (value instanceof Map) return Object.fromEntries(value as Map<string, unknown>);
  if (isPlainObject(value)) return { ...value };
  if (Array.isArray(value)) return Object.fromEntries(value as [string, unknown][]);
  throw new TypeMismatchError(`cannot convert a ${typeName(value)} to dict`, {
    expected: 'dict',
    actual: typeName(value),
  });
}

function iterable(value: unknown, target: string): Iterable<unknown> {
  if (typeof value === 'object' && value !== null && Symbol.iterator in value) {
    return value as Iterable<unknown>;
  }
  if (typeof value === 'string') return value;
  throw new TypeMismatchError(`'${typeName(value)}' object is not iterable`, {
    expected: target,
    actual: typeName(value),
  });
}

const BUILTIN_CONVERTERS: Readonly<Record<string, Converter>> = Object.freeze({
  dict: toDict,
  list: (v: unknown) => Array.from(iterable(v, 'list')),
  tuple: (v: unknown) => toTuple(iterable(v, 'tuple')),
  set: (v: unknown) => new Set(iterable(v, 'set')),
  int: toInt,
  float: toFloat,
  str: (v: unknown) => String(v),
});

/**
 * The names a storage class may refer to: Python types, conversion functions and delegate
 * classes. JavaScript cannot import a Python dotted path, so each one is registered here
 * under the name configuration files use, and storage classes resolve their names through
 * their registry when first needed.
 *
 * A registry made with default options knows the builtin types (see {@link BUILTIN_TYPES}),
 * builtin converters named like the Python callables (`tuple` turns any iterable into a
 * {@link Tuple}, `dict`, `list`, `set`, `int`, `float`, `str`) and the base delegate
 * ({@link BASE_DELEGATE_NAME}). {@link TypeRegistry.shared} is the process-wide instance that
 * storage classes use when given no registry.
 *
 * @example
 * ```ts
 * const registry = new TypeRegistry();
 * registry
 *   .registerType(classType('my.pkg.Catalog', Catalog))
 *   .registerConverter('my.pkg.Catalog.fromRows', (rows) => Catalog.fromRows(rows as Row[]))
 *   .registerDelegate('my.pkg.CatalogDelegate', CatalogDelegate);
 * const factory = new StorageClassFactory({ registry });
 * factory.addFromConfig(`
 * storageClasses:
 *   Catalog:
 *     pytype: my.pkg.Catalog
 *     delegate: my.pkg.CatalogDelegate
 *     converters:
 *       list: my.pkg.Catalog.fromRows
 * `);
 * ```
 */
export class TypeRegistry {
  static #shared: TypeRegistry | undefined;

  /** Receives warnings (dropped converters) and errors (failed conversions). */
  readonly logger: Logger;
  readonly #types = new Map<string, TypeDescriptor>();
  readonly #converters = new Map<string, Converter>();
  readonly #delegates = new Map<string, StorageClassDelegateClass>();

  constructor(options: TypeRegistryOptions = {}) {
    this.logger = options.logger ?? consoleLogger;
    if (options.builtins ?? true) {
      for (const type of Object.values(BUILTIN_TYPES)) this.registerType(type);
      for (const [name, fn] of Object.entries(BUILTIN_CONVERTERS)) {
        this.registerConverter(name, fn);
      }
      this.registerDelegate(BASE_DELEGATE_NAME, StorageClassDelegate);
    }
  }

  /** The process-wide registry (with builtins) used when no registry is passed. */
  static get shared(): TypeRegistry {
    TypeRegistry.#shared ??= new TypeRegistry();
    return TypeRegistry.#shared;
  }

  /**
   * Registers a type under its `name`. Registering the same descriptor again is a no-op.
   *
   * @throws {@link InvalidValueError} if another descriptor has that name and `replace` is not set.
   * @throws {@link TypeMismatchError} if `type` is not a descriptor.
   */
  registerType(type: TypeDescriptor, options: RegisterOptions = {}): this {
    if (typeof type !== 'object' || type === null || typeof type.isInstance !== 'function') {
      throw new TypeMismatchError('registerType needs a TypeDescriptor', {
        expected: 'TypeDescriptor',
        actual: typeName(type),
      });
    }
    this.#add(this.#types, checkName(type.name, 'type'), type, 'type', options);
    return this;
  }

  /**
   * Registers a conversion function under a name (e.g. `my.pkg.Model.fromDict`).
   *
   * @throws {@link InvalidValueError} if another function has that name and `replace` is not set.
   * @throws {@link TypeMismatchError} if `fn` is not a function.
   */
  registerConverter(name: string, fn: Converter, options: RegisterOptions = {}): this {
    if (typeof fn !== 'function') {
      throw new TypeMismatchError(`Converter ${String(name)} is not callable`, {
        expected: 'function',
        actual: typeName(fn),
      });
    }
    this.#add(this.#converters, checkName(name, 'converter'), fn, 'converter', options);
    return this;
  }

  /**
   * Registers a delegate class under a name (e.g. `my.pkg.ImageDelegate`).
   *
   * @throws {@link InvalidValueError} if another class has that name and `replace` is not set.
   * @throws {@link TypeMismatchError} if `cls` is not a {@link StorageClassDelegate} subclass
   *   (a constructor check on its prototype chain).
   */
  registerDelegate(
    name: string,
    cls: StorageClassDelegateClass,
    options: RegisterOptions = {},
  ): this {
    if (
      typeof cls !== 'function' ||
      !(cls.prototype instanceof StorageClassDelegate || cls === StorageClassDelegate)
    ) {
      throw new TypeMismatchError(`Delegate ${String(name)} is not a StorageClassDelegate class`, {
        expected: 'StorageClassDelegate',
        actual: typeName(cls),
      });
    }
    this.#add(this.#delegates, checkName(name, 'delegate'), cls, 'delegate', options);
    return this;
  }

  /** The type registered under `name` (`builtins.` prefix optional), or `undefined`. */
  findType(name: string): TypeDescriptor | undefined {
    return this.#types.get(normalize(name));
  }

  /**
   * The type registered under `name`.
   *
   * @throws {@link LookupError} (kind `type`) if there is none.
   */
  getType(name: string): TypeDescriptor {
    return this.#get(this.#types, name, 'type');
  }

  /** The converter registered under `name`, or `undefined`. */
  findConverter(name: string): Converter | undefined {
    return this.#converters.get(normalize(name));
  }

  /**
   * The converter registered under `name`.
   *
   * @throws {@link LookupError} (kind `converter`) if there is none.
   */
  getConverter(name: string): Converter {
    return this.#get(this.#converters, name, 'converter');
  }

  /** The delegate class registered under `name`, or `undefined`. */
  findDelegate(name: string): StorageClassDelegateClass | undefined {
    return this.#delegates.get(normalize(name));
  }

  /**
   * The delegate class registered under `name`.
   *
   * @throws {@link LookupError} (kind `delegate`) if there is none.
   */
  getDelegate(name: string): StorageClassDelegateClass {
    return this.#get(this.#delegates, name, 'delegate');
  }

  /** The registered type names, in registration order. */
  typeNames(): string[] {
    return [...this.#types.keys()];
  }

  #add<T>(
    map: Map<string, T>,
    name: string,
    value: T,
    kind: string,
    options: RegisterOptions,
  ): void {
    const existing = map.get(name);
    if (existing !== undefined && existing !== value && options.replace !== true) {
      throw new InvalidValueError(
        `A different ${kind} is already registered as ${JSON.stringify(name)}`,
        name,
      );
    }
    map.set(name, value);
  }

  #get<T>(map: Map<string, T>, name: string, kind: string): T {
    const found = typeof name === 'string' ? map.get(normalize(name)) : undefined;
    if (found === undefined) {
      throw new LookupError(`No ${kind} registered as ${JSON.stringify(name)}`, {
        kind,
        key: String(name),
      });
    }
    return found;
  }
}
