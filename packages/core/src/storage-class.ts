import { InvalidValueError, TypeMismatchError, UnknownParameterError } from './errors.ts';
import { isPlainObject, typeName } from './format.ts';
import { LookupKey } from './lookup-key.ts';
import type { StorageClassDelegate, StorageClassDelegateClass } from './storage-class-delegate.ts';
import { isSubtypeOf } from './type-descriptor.ts';
import type { TypeDescriptor } from './type-descriptor.ts';
import { BASE_DELEGATE_NAME, TypeRegistry } from './type-registry.ts';
import type { Converter } from './type-registry.ts';

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
