import { NotImplementedError } from '@butler-ts/versioning';
import { deepCopy } from './deep-copy.ts';
import {
  InvalidValueError,
  LookupError,
  MissingAttributeError,
  TypeMismatchError,
  UnknownParameterError,
} from './errors.ts';
import { isPlainObject, typeName } from './format.ts';
import { consoleLogger } from './log.ts';
import type { Logger } from './log.ts';
import { LookupKey } from './lookup-key.ts';
import { BUILTIN_TYPES, isSubtypeOf } from './type-descriptor.ts';
import type { TypeDescriptor } from './type-descriptor.ts';
import { toTuple } from './tuple.ts';

// A storage class, its delegate and the type registry that resolves both by name refer to
// each other (a storage class builds its delegate and resolves names through a registry; a
// delegate works on its storage class; a registry holds delegate classes, with the base one
// registered by default), so they live in one module: in three, they imported each other in
// a ring. Sections: the delegate, the registry, the storage class.

// ---- StorageClassDelegate ----

/** One component taken out of a composite by {@link StorageClassDelegate.disassemble}. */
export interface DatasetComponent {
  /** The component name. */
  readonly name: string;
  /** The storage class of the component. */
  readonly storageClass: StorageClass;
  /** The component value. */
  readonly component: unknown;
}

/** Read parameters as datastores pass them: parameter name → value. */
export type ReadParameters = Readonly<Record<string, unknown>>;

/**
 * The static side of a delegate class, as registered with
 * {@link TypeRegistry.registerDelegate} and returned by {@link StorageClass.delegateClass}.
 */
export interface StorageClassDelegateClass {
  new (storageClass: StorageClass): StorageClassDelegate;
  /** See {@link StorageClassDelegate.selectResponsibleComponent}. */
  selectResponsibleComponent(
    derivedComponent: string,
    fromComponents: ReadonlySet<string | null>,
  ): string;
}

// Properties found on these prototypes are language built-ins, not attributes of a composite:
// `length` of an array or `toString` of an object is never a component.
const BUILTIN_PROTOTYPES: ReadonlySet<unknown> = new Set([
  Object.prototype,
  Array.prototype,
  Map.prototype,
  Set.prototype,
  Function.prototype,
]);

function hasAttribute(target: object, name: string): boolean {
  // An array's own properties are its indices and length: built-ins too.
  const start = Array.isArray(target) ? (Object.getPrototypeOf(target) as object | null) : target;
  for (
    let level: object | null = start;
    level !== null && !BUILTIN_PROTOTYPES.has(level);
    level = Object.getPrototypeOf(level) as object | null
  ) {
    if (Object.hasOwn(level, name)) return true;
  }
  return false;
}

function capitalize(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

// Member comments name errors and helpers in code spans rather than {@link}: delegates in other
// modules and packages inherit these comments, and their typedoc cannot resolve such links.
/**
 * Knows how to take a storage class's values apart and put them together again: read a
 * component, apply read parameters, attach provenance, assemble and disassemble composites.
 *
 * This base class works for dict-like composites and classes exposing components as
 * properties or getters; register subclasses by name with
 * {@link TypeRegistry.registerDelegate} and name them in a storage class's `delegate`.
 *
 * @example
 * ```ts
 * class ImageDelegate extends StorageClassDelegate {
 *   override handleParameters(value: unknown, parameters?: ReadParameters | null) {
 *     const bbox = this.storageClass.filterParameters(parameters ?? null, ['bbox'])['bbox'];
 *     return bbox === undefined ? value : (value as Image).crop(bbox);
 *   }
 * }
 * registry.registerDelegate('my.pkg.ImageDelegate', ImageDelegate);
 * ```
 */
export class StorageClassDelegate {
  /** The storage class this delegate works for. */
  readonly storageClass: StorageClass;

  /** @throws `TypeMismatchError` if `storageClass` is missing. */
  constructor(storageClass: StorageClass) {
    if (storageClass === null || storageClass === undefined) {
      throw new TypeMismatchError('A StorageClassDelegate needs a storage class', {
        expected: 'StorageClass',
        actual: typeName(storageClass),
      });
    }
    this.storageClass = storageClass;
  }

  /**
   * Whether the delegate can store `value` as it is, without `coerceType`. The base answers
   * `false`, so datastores always coerce (a no-op for a value of the right type).
   */
  canAccept(_value: unknown): boolean {
    return false;
  }

  /**
   * Reads a component from a composite: a `Map` entry (a constructor check) or an own key of a
   * plain object (a type guard), standing in for Python's `in`; otherwise a property of that
   * name (built-in members of objects and arrays do not count), then a `get_<name>()` method,
   * then `get<Name>()`.
   *
   * @throws `MissingAttributeError` if none of these exists.
   */
  getComponent(composite: unknown, componentName: string): unknown {
    if (composite instanceof Map) {
      if (composite.has(componentName)) return composite.get(componentName) as unknown;
    } else if (isPlainObject(composite)) {
      if (Object.hasOwn(composite, componentName)) return composite[componentName];
    } else if (
      (typeof composite === 'object' || typeof composite === 'function') &&
      composite !== null
    ) {
      const target = composite as Record<string, unknown>;
      if (hasAttribute(target, componentName)) return target[componentName];
      for (const getter of [`get_${componentName}`, `get${capitalize(componentName)}`]) {
        const method = target[getter];
        if (typeof method === 'function' && hasAttribute(target, getter)) {
          return (method as () => unknown).call(composite);
        }
      }
    }
    throw new MissingAttributeError(
      `Unable to get component ${componentName} from a ${typeName(composite)}`,
      componentName,
    );
  }

  /**
   * Applies read parameters to a value and returns the (possibly new) result. The base
   * accepts none, so that parameters are never silently ignored.
   *
   * @throws `InvalidValueError` if any parameter is given.
   */
  handleParameters(value: unknown, parameters?: ReadParameters | null): unknown {
    if (parameters !== null && parameters !== undefined && Object.keys(parameters).length > 0) {
      throw new InvalidValueError(
        `Parameters (${Object.keys(parameters).join(', ')}) provided to default implementation.`,
        parameters,
      );
    }
    return value;
  }

  /** Attaches provenance to a value being stored. The base returns `value` unchanged. */
  addProvenance(value: unknown, _ref: object, _provenance?: object | null): unknown {
    return value;
  }

  /**
   * Builds a composite from its components: first `pytype.create(components)`; if that
   * throws or yields nothing, an empty instance with each non-null component set through its
   * property, a `set_<name>()` method or a `set<Name>()` method.
   *
   * @throws `InvalidValueError` for names that are not components of the storage class,
   *   or components that could not be set.
   * @throws `TypeMismatchError` if the type has no `create`.
   */
  assemble(components: Readonly<Record<string, unknown>>, pytype?: TypeDescriptor): unknown {
    const known = this.storageClass.components;
    const unknown = Object.keys(components).filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new InvalidValueError(
        `Unrecognized components (${unknown.join(', ')}) for StorageClass ${this.storageClass.name}`,
        unknown,
      );
    }
    const type = pytype ?? this.storageClass.pytype;
    const create = type.create;
    if (create === undefined) {
      throw new TypeMismatchError(`Type ${type.name} cannot be constructed from components`, {
        expected: type.name,
      });
    }
    let result: unknown;
    try {
      result = create(components);
    } catch {
      result = undefined;
    }
    if (result) return result;
    const target = create() as Record<string, unknown>;
    const failed: string[] = [];
    for (const [name, value] of Object.entries(components)) {
      if (value === null || value === undefined) continue;
      if (!setComponent(target, name, value)) failed.push(name);
    }
    if (failed.length > 0) {
      throw new InvalidValueError(
        `Unhandled components during assembly (${failed.join(', ')})`,
        failed,
      );
    }
    return target;
  }

  /**
   * Splits a composite into its read/write components (all of them, or `subset`), skipping
   * components whose value is null.
   *
   * @param override read the components from this object instead of `composite` (which is
   *   still type-checked).
   * @throws `TypeMismatchError` if the storage class is not a composite or `composite`
   *   is not an instance of its type (`StorageClass.validateInstance()`).
   * @throws `InvalidValueError` if `subset` names non-components or a component
   *   cannot be found.
   */
  disassemble(
    composite: unknown,
    subset?: Iterable<string> | null,
    override?: unknown,
  ): Record<string, DatasetComponent> {
    const storageClass = this.storageClass;
    if (!storageClass.isComposite()) {
      throw new TypeMismatchError(
        `Can not disassemble something that is not a composite (storage class=${storageClass.name})`,
      );
    }
    if (!storageClass.validateInstance(composite)) {
      throw new TypeMismatchError(
        `Unexpected type mismatch between parent and StorageClass (${typeName(composite)} != ${storageClass.pytypeName})`,
        { expected: storageClass.pytypeName, actual: typeName(composite) },
      );
    }
    const components = storageClass.components;
    let requested = new Set(components.keys());
    if (subset !== null && subset !== undefined) {
      const wanted = new Set(subset);
      const extra = [...wanted].filter((name) => !requested.has(name));
      if (extra.length > 0) {
        throw new InvalidValueError(
          `Requested subset is not a subset of supported components: ${extra.join(', ')}`,
          extra,
        );
      }
      requested = wanted;
    }
    const source = override ?? composite;
    const result: Record<string, DatasetComponent> = {};
    const missing: string[] = [];
    for (const name of requested) {
      let value: unknown;
      try {
        value = this.getComponent(source, name);
      } catch (error) {
        if (MissingAttributeError.is(error)) {
          missing.push(name);
          continue;
        }
        throw error;
      }
      if (value !== null && value !== undefined) {
        result[name] = Object.freeze({
          name,
          storageClass: components.get(name)!,
          component: value,
        });
      }
    }
    if (missing.length > 0) {
      throw new InvalidValueError(
        `Unhandled components during disassembly (${missing.join(', ')})`,
        missing,
      );
    }
    return result;
  }

  /**
   * Chooses, from the components on offer, the one from which a derived component is computed.
   *
   * @throws `NotImplementedError` in the base class, which supports no derived components.
   */
  static selectResponsibleComponent(
    _derivedComponent: string,
    _fromComponents: ReadonlySet<string | null>,
  ): string {
    throw new NotImplementedError('This delegate does not support derived components');
  }

  /**
   * A deep copy of `value` (see `deepCopy()`).
   *
   * @throws `NotImplementedError` if the value cannot be deep-copied.
   */
  copy(value: unknown): unknown {
    try {
      return deepCopy(value);
    } catch (error) {
      throw new NotImplementedError(
        `Unable to deep copy the supplied type (${typeName(value)}) using default methods (${
          error instanceof Error ? error.message : String(error)
        })`,
        { cause: error },
      );
    }
  }
}

function setComponent(target: Record<string, unknown>, name: string, value: unknown): boolean {
  try {
    if (hasAttribute(target, name)) {
      target[name] = value;
      return true;
    }
    for (const setter of [`set_${name}`, `set${capitalize(name)}`]) {
      const method = target[setter];
      if (typeof method === 'function' && hasAttribute(target, setter)) {
        (method as (v: unknown) => unknown).call(target, value);
        return true;
      }
    }
    if (Object.isExtensible(target)) {
      target[name] = value;
      return true;
    }
  } catch {
    return false;
  }
  return false;
}

// ---- TypeRegistry ----

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

// ---- StorageClass ----

/** Components of a storage class, by component name. */
export type StorageClassMap =
  Readonly<Record<string, StorageClass>> | ReadonlyMap<string, StorageClass>;

/** Read parameter names, or a parameter mapping whose keys are the names. */
export type ParameterNames =
  Iterable<string> | Readonly<Record<string, unknown>> | ReadonlyMap<string, unknown>;

/** Options of the {@link StorageClass} constructor. */
export interface StorageClassOptions {
  /**
   * The native type: a descriptor, or a registered type name resolved on first use of
   * {@link StorageClass.pytype}. Default `object` (any value).
   */
  readonly pytype?: TypeDescriptor | string | null;
  /**
   * Read/write components. Passing this at all (even empty) gives the storage class the
   * base delegate when no `delegate` is named; exactly one component is an error.
   */
  readonly components?: StorageClassMap | null;
  /** Read-only components computed from the composite. */
  readonly derivedComponents?: StorageClassMap | null;
  /** Names of the read parameters it understands. */
  readonly parameters?: Iterable<string> | null;
  /** The registered name of its delegate class. */
  readonly delegate?: string | null;
  /** Source type name → registered converter function name. */
  readonly converters?: Readonly<Record<string, string>> | ReadonlyMap<string, string> | null;
  /** Where names are resolved; default {@link TypeRegistry.shared}. */
  readonly registry?: TypeRegistry;
}

function componentMap(value: StorageClassMap | null | undefined, owner: string, what: string) {
  const result = new Map<string, StorageClass>();
  if (value === null || value === undefined) return result;
  const entries =
    value instanceof Map
      ? [...(value as ReadonlyMap<string, StorageClass>)]
      : isPlainObject(value)
        ? Object.entries(value as Record<string, StorageClass>)
        : undefined;
  if (entries === undefined) {
    throw new TypeMismatchError(`${what} of StorageClass ${owner} must be a mapping`, {
      expected: 'dict',
      actual: typeName(value),
    });
  }
  for (const [name, storageClass] of entries) {
    if (!(storageClass instanceof StorageClass)) {
      throw new TypeMismatchError(
        `Component ${name} of StorageClass ${owner} must be a StorageClass, got ${typeName(storageClass)}`,
        { expected: 'StorageClass', actual: typeName(storageClass) },
      );
    }
    result.set(name, storageClass);
  }
  return result;
}

function parameterNames(value: unknown, what: string): Set<string> {
  let names: unknown[];
  if (value instanceof Map) names = [...(value as Map<unknown, unknown>).keys()];
  else if (isPlainObject(value)) names = Object.keys(value);
  else if (
    typeof value === 'object' &&
    value !== null &&
    Symbol.iterator in value &&
    typeof value !== 'string'
  ) {
    names = [...(value as Iterable<unknown>)];
  } else {
    throw new TypeMismatchError(`${what} must be a collection of names, got ${typeName(value)}`, {
      expected: 'set',
      actual: typeName(value),
    });
  }
  for (const name of names) {
    if (typeof name !== 'string') {
      throw new TypeMismatchError(`A parameter name must be a string, got ${typeName(name)}`, {
        expected: 'str',
        actual: typeName(name),
      });
    }
  }
  return new Set(names as string[]);
}

interface ResolvedConverter {
  readonly type: TypeDescriptor;
  readonly name: string;
  readonly fn: Converter;
}

/**
 * How a kind of dataset is held in memory: its native type (`pytype`), its components,
 * derived components and read parameters, its delegate, and the converters that turn other
 * types into it.
 *
 * Names (the pytype, delegate class and converters) are resolved lazily through a
 * {@link TypeRegistry}, so a storage class can be defined before its types are registered.
 * Converters that cannot be resolved are dropped with a warning the first time they are
 * needed. Equality compares the name, delegate name, pytype name, read/write components and
 * parameters; converters and derived components are not compared.
 *
 * @example
 * ```ts
 * const sc = new StorageClass('Thing', { pytype: 'dict', parameters: ['columns'] });
 * sc.validateInstance({ a: 1 }); // true
 * sc.validateParameters({ rows: 2 }); // throws UnknownParameterError
 * ```
 */
export class StorageClass {
  /** The storage class name. */
  readonly name: string;
  /** Where the pytype, delegate and converter names are resolved. */
  readonly registry: TypeRegistry;
  readonly #pytypeName: string;
  #pytype: TypeDescriptor | null;
  readonly #components: ReadonlyMap<string, StorageClass>;
  readonly #derivedComponents: ReadonlyMap<string, StorageClass>;
  readonly #parameters: ReadonlySet<string>;
  readonly #delegateName: string | null;
  #delegateClass: StorageClassDelegateClass | undefined;
  readonly #converters: Map<string, string>;
  #resolvedConverters: ResolvedConverter[] | undefined;

  /**
   * Components must be StorageClass instances (a constructor check); names are checked with
   * `typeof` guards.
   *
   * @throws {@link TypeMismatchError} for a name, pytype, delegate or converter entry that is
   *   not a string (or descriptor), a component that is not a StorageClass, or parameters
   *   given as a bare string.
   * @throws {@link InvalidValueError} for exactly one read/write component.
   */
  constructor(name = '', options: StorageClassOptions = {}) {
    if (typeof name !== 'string') {
      throw new TypeMismatchError(`A StorageClass name must be a string, got ${typeName(name)}`, {
        expected: 'str',
        actual: typeName(name),
      });
    }
    this.name = name;
    const registry = options.registry ?? TypeRegistry.shared;
    if (!(registry instanceof TypeRegistry)) {
      throw new TypeMismatchError('registry must be a TypeRegistry', {
        expected: 'TypeRegistry',
        actual: typeName(registry),
      });
    }
    this.registry = registry;

    const pytype = options.pytype ?? 'object';
    if (typeof pytype === 'string') {
      this.#pytypeName = pytype.startsWith('builtins.') ? pytype.slice(9) : pytype;
      this.#pytype = null;
    } else if (typeof pytype === 'object' && typeof pytype.isInstance === 'function') {
      this.#pytypeName = pytype.name;
      this.#pytype = pytype;
    } else {
      throw new TypeMismatchError(
        `The pytype of StorageClass ${name} must be a type name or descriptor, got ${typeName(pytype)}`,
        { expected: 'TypeDescriptor', actual: typeName(pytype) },
      );
    }

    this.#components = componentMap(options.components, name, 'components');
    if (this.#components.size === 1) {
      throw new InvalidValueError(
        `Composite storage class ${name} cannot have exactly one component (${[...this.#components.keys()][0]}); a composite needs at least two, or make it a derived component`,
        [...this.#components.keys()],
      );
    }
    this.#derivedComponents = componentMap(options.derivedComponents, name, 'derivedComponents');
    this.#parameters =
      options.parameters === null || options.parameters === undefined
        ? new Set()
        : parameterNames(options.parameters, `parameters of StorageClass ${name}`);

    const delegate = options.delegate ?? null;
    if (delegate !== null && (typeof delegate !== 'string' || delegate === '')) {
      throw new TypeMismatchError(`The delegate of StorageClass ${name} must be a name`, {
        expected: 'str',
        actual: typeName(delegate),
      });
    }
    const hasComponentsArgument = options.components !== null && options.components !== undefined;
    this.#delegateName = delegate ?? (hasComponentsArgument ? BASE_DELEGATE_NAME : null);

    this.#converters = new Map();
    const converters = options.converters ?? null;
    if (converters !== null) {
      const entries =
        converters instanceof Map
          ? [...(converters as ReadonlyMap<string, string>)]
          : isPlainObject(converters)
            ? Object.entries(converters)
            : undefined;
      if (entries === undefined) {
        throw new TypeMismatchError(`converters of StorageClass ${name} must be a mapping`, {
          expected: 'dict',
          actual: typeName(converters),
        });
      }
      for (const [source, fn] of entries) {
        if (typeof fn !== 'string') {
          throw new TypeMismatchError(
            `Converter for ${source} in StorageClass ${name} must be a function name, got ${typeName(fn)}`,
            { expected: 'str', actual: typeName(fn) },
          );
        }
        this.#converters.set(source, fn);
      }
    }
  }

  /** The full name of the native type, without resolving it. */
  get pytypeName(): string {
    return this.#pytypeName;
  }

  /**
   * The native type, resolved through the registry on first use.
   *
   * @throws {@link LookupError} if no type is registered under {@link StorageClass.pytypeName}.
   */
  get pytype(): TypeDescriptor {
    this.#pytype ??= this.registry.getType(this.#pytypeName);
    return this.#pytype;
  }

  /** The read/write components (a fresh map). */
  get components(): ReadonlyMap<string, StorageClass> {
    return new Map(this.#components);
  }

  /** The derived (read-only) components (a fresh map). */
  get derivedComponents(): ReadonlyMap<string, StorageClass> {
    return new Map(this.#derivedComponents);
  }

  /** The storage class's own read parameters (a copy). */
  get parameters(): Set<string> {
    return new Set(this.#parameters);
  }

  /** Source type name → converter function name, as currently held (a copy). */
  get converters(): ReadonlyMap<string, string> {
    return new Map(this.#converters);
  }

  /** The registered name of the delegate class, or `null` for none. */
  get delegateName(): string | null {
    return this.#delegateName;
  }

  /**
   * The delegate class, resolved on first use, or `null` if there is none.
   *
   * @throws {@link LookupError} if the named delegate is not registered.
   */
  get delegateClass(): StorageClassDelegateClass | null {
    if (this.#delegateName === null) return null;
    this.#delegateClass ??= this.registry.getDelegate(this.#delegateName);
    return this.#delegateClass;
  }

  /** Read/write and derived components together; read/write win on a clash (a fresh map). */
  allComponents(): ReadonlyMap<string, StorageClass> {
    return new Map([...this.#derivedComponents, ...this.#components]);
  }

  /**
   * A new delegate bound to this storage class.
   *
   * @throws {@link TypeMismatchError} if the storage class has no delegate.
   * @throws {@link LookupError} if the named delegate is not registered.
   */
  delegate(): StorageClassDelegate {
    const cls = this.delegateClass;
    if (cls === null) {
      throw new TypeMismatchError(
        `No delegate class is associated with StorageClass ${this.name}`,
        {
          expected: 'StorageClassDelegate',
        },
      );
    }
    return new cls(this);
  }

  /** Whether it has at least one read/write component. */
  isComposite(): boolean {
    return this.#components.size > 0;
  }

  /** Its own parameters and, recursively, those of its read/write components. */
  knownParameters(): Set<string> {
    const known = new Set(this.#parameters);
    for (const component of this.#components.values()) {
      for (const name of component.knownParameters()) known.add(name);
    }
    return known;
  }

  /**
   * Checks that every parameter name is known; `null` or empty always passes.
   *
   * @throws {@link UnknownParameterError} naming the unknown parameters.
   * @throws {@link TypeMismatchError} if `parameters` is not a collection of names or a mapping.
   */
  validateParameters(parameters?: ParameterNames | null): void {
    if (parameters === null || parameters === undefined) return;
    const names = parameterNames(parameters, 'parameters');
    if (names.size === 0) return;
    const known = this.knownParameters();
    const unknown = [...names].filter((name) => !known.has(name));
    if (unknown.length > 0) throw new UnknownParameterError(this.name, unknown);
  }

  /**
   * The entries of `parameters` whose names are in `subset` (default: the known parameters).
   *
   * @throws {@link InvalidValueError} if `subset` is empty or names unknown parameters.
   */
  filterParameters(
    parameters: Readonly<Record<string, unknown>> | null | undefined,
    subset?: Iterable<string> | null,
  ): Record<string, unknown> {
    if (parameters === null || parameters === undefined) return {};
    const known = this.knownParameters();
    let wanted = known;
    if (subset !== null && subset !== undefined) {
      wanted = parameterNames(subset, 'subset');
      if (wanted.size === 0) {
        throw new InvalidValueError('Specified parameter subset can not be empty', subset);
      }
      const outside = [...wanted].filter((name) => !known.has(name));
      if (outside.length > 0) {
        throw new InvalidValueError(
          `Requested parameter subset is not known to StorageClass ${this.name}: ${outside.join(', ')}`,
          outside,
        );
      }
    }
    return Object.fromEntries(Object.entries(parameters).filter(([name]) => wanted.has(name)));
  }

  /**
   * Whether `value` is an instance of the native type (Python `isinstance`): the pytype's
   * {@link TypeDescriptor.isInstance}, a type guard for builtins and {@link defineType}
   * descriptors, a constructor check for {@link classType} descriptors.
   *
   * @throws {@link LookupError} if the pytype is not registered.
   */
  validateInstance(value: unknown): boolean {
    return this.pytype.isInstance(value);
  }

  /**
   * Whether the native type is `type`: by identity once resolved, otherwise by full name;
   * with `compareTypes`, names that differ are resolved and compared by identity (a type
   * that cannot be resolved is not a match).
   */
  isType(type: TypeDescriptor | string, compareTypes = false): boolean {
    const wantedName = typeof type === 'string' ? type.replace(/^builtins\./, '') : type.name;
    if (this.#pytype !== null) {
      return typeof type === 'string' ? this.#pytype.name === wantedName : this.#pytype === type;
    }
    if (this.#pytypeName === wantedName) return true;
    if (!compareTypes) return false;
    try {
      const wanted = typeof type === 'string' ? this.registry.getType(type) : type;
      return this.pytype === wanted;
    } catch {
      return false;
    }
  }

  /**
   * Whether values of `other` can be turned into this storage class: same name, `other`'s
   * native type is a subtype of this one's, or a converter accepts it. False when either
   * native type cannot be resolved.
   */
  canConvert(other: StorageClass): boolean {
    if (other.name === this.name) return true;
    let mine: TypeDescriptor;
    let theirs: TypeDescriptor;
    try {
      mine = this.pytype;
      theirs = other.pytype;
    } catch {
      return false;
    }
    if (isSubtypeOf(theirs, mine)) return true;
    return this.#resolveConverters().some(({ type }) => isSubtypeOf(theirs, type));
  }

  /**
   * Returns `value` as this storage class's native type: `null`/`undefined` and instances
   * unchanged (same object), otherwise through the first converter (in definition order)
   * whose source type accepts it. A converter's own error is logged and rethrown.
   *
   * @throws {@link TypeMismatchError} if no converter applies.
   * @throws {@link LookupError} if the pytype is not registered.
   */
  coerceType(value: unknown): unknown {
    if (value === null || value === undefined) return value;
    if (this.validateInstance(value)) return value;
    for (const { type, name, fn } of this.#resolveConverters()) {
      if (!type.isInstance(value)) continue;
      try {
        return fn(value);
      } catch (error) {
        this.registry.logger.error(
          `Converter ${name} failed to convert a ${typeName(value)} for StorageClass ${this.name}: ${
            error instanceof Error ? error.message : String(error)
          }`,
        );
        throw error;
      }
    }
    throw new TypeMismatchError(
      `Type does not match and no valid converter found to convert '${typeName(value)}' to '${this.#pytypeName}'`,
      { expected: this.#pytypeName, actual: typeName(value) },
    );
  }

  /** The lookup keys of this storage class: its name. */
  lookupNames(): readonly LookupKey[] {
    return [new LookupKey({ name: this.name })];
  }

  /**
   * Same name, delegate name, pytype name, parameters and read/write components (compared
   * recursively). Converters and derived components are ignored. `other` must be a
   * StorageClass (a constructor check).
   */
  equals(other: unknown): boolean {
    if (other === this) return true;
    if (!(other instanceof StorageClass)) return false;
    if (
      other.name !== this.name ||
      other.#delegateName !== this.#delegateName ||
      other.#pytypeName !== this.#pytypeName ||
      other.#parameters.size !== this.#parameters.size ||
      [...this.#parameters].some((name) => !other.#parameters.has(name)) ||
      other.#components.size !== this.#components.size
    ) {
      return false;
    }
    for (const [name, component] of this.#components) {
      const theirs = other.#components.get(name);
      if (theirs === undefined || !component.equals(theirs)) return false;
    }
    return true;
  }

  /**
   * A description of the definition, for messages: name, pytype, components, parameters
   * and delegate.
   */
  describe(): string {
    const parts = [`name='${this.name}'`, `pytype=${this.#pytypeName}`];
    if (this.#components.size > 0) {
      parts.push(
        `components={${[...this.#components].map(([k, v]) => `${k}: ${v.name}`).join(', ')}}`,
      );
    }
    if (this.#derivedComponents.size > 0) {
      parts.push(
        `derivedComponents={${[...this.#derivedComponents].map(([k, v]) => `${k}: ${v.name}`).join(', ')}}`,
      );
    }
    if (this.#parameters.size > 0) parts.push(`parameters={${[...this.#parameters].join(', ')}}`);
    if (this.#delegateName !== null) parts.push(`delegate=${this.#delegateName}`);
    return `StorageClass(${parts.join(', ')})`;
  }

  /** The name. */
  toString(): string {
    return this.name;
  }

  #resolveConverters(): ResolvedConverter[] {
    if (this.#resolvedConverters !== undefined) return this.#resolvedConverters;
    const resolved: ResolvedConverter[] = [];
    for (const [source, fnName] of [...this.#converters]) {
      const type = this.registry.findType(source);
      const fn = this.registry.findConverter(fnName);
      if (type === undefined || fn === undefined) {
        this.registry.logger.warn(
          `StorageClass ${this.name}: dropping converter from ${source} (${fnName}): ${
            type === undefined ? `type ${source}` : `function ${fnName}`
          } is not registered`,
        );
        this.#converters.delete(source);
        continue;
      }
      resolved.push({ type, name: fnName, fn });
    }
    this.#resolvedConverters = resolved;
    return resolved;
  }
}
