import { Config } from './config.ts';
import type { ConfigInput } from './config.ts';
import {
  LookupError,
  StorageClassConflictError,
  TypeMismatchError,
  ValidationError,
} from './errors.ts';
import { isPlainObject, typeName } from './format.ts';
import { StorageClass } from './storage-class.ts';
import type { TypeDescriptor } from './type-descriptor.ts';
import { TypeRegistry } from './storage-class.ts';

/**
 * The storage classes every factory starts with (the builtin-typed subset of daf_butler's
 * default `storageClasses.yaml`): `int`, `StructuredDataDict` (dict) and
 * `StructuredDataList` (list).
 */
export const DEFAULT_STORAGE_CLASSES_YAML = `storageClasses:
  int:
    pytype: int
  StructuredDataDict:
    pytype: dict
  StructuredDataList:
    pytype: list
`;

/** Options of the {@link StorageClassFactory} constructor. */
export interface StorageClassFactoryOptions {
  /** Where storage classes resolve type, delegate and converter names; default shared. */
  readonly registry?: TypeRegistry;
  /** Seed {@link DEFAULT_STORAGE_CLASSES_YAML} (also on {@link StorageClassFactory.reset}); default true. */
  readonly defaults?: boolean;
  /** More definitions to add after the defaults (YAML text, mapping or Config). */
  readonly config?: ConfigInput | string;
}

interface Entry {
  readonly pytype?: string;
  readonly inheritsFrom?: string;
  readonly components?: Readonly<Record<string, string>>;
  readonly derivedComponents?: Readonly<Record<string, string>>;
  readonly parameters?: readonly string[];
  readonly delegate?: string;
  readonly converters?: Readonly<Record<string, string>>;
}

function checkEntry(name: string, raw: unknown, sources: readonly string[]): Entry {
  const fail = (what: string): never => {
    throw new ValidationError(`Invalid definition of storage class ${name}: ${what}`, sources);
  };
  if (!isPlainObject(raw)) return fail(`expected a mapping, got ${typeName(raw)}`);
  for (const key of ['pytype', 'inheritsFrom', 'delegate'] as const) {
    if (raw[key] !== undefined && raw[key] !== null && typeof raw[key] !== 'string') {
      fail(`${key} must be a string, got ${typeName(raw[key])}`);
    }
  }
  for (const key of ['components', 'derivedComponents', 'converters'] as const) {
    const value = raw[key];
    if (value === undefined || value === null) continue;
    if (!isPlainObject(value) || !Object.values(value).every((v) => typeof v === 'string')) {
      fail(`${key} must map names to strings`);
    }
  }
  const parameters = raw['parameters'];
  if (
    parameters !== undefined &&
    parameters !== null &&
    (!Array.isArray(parameters) || !parameters.every((p) => typeof p === 'string'))
  ) {
    fail('parameters must be a list of strings');
  }
  if (
    (raw['pytype'] === undefined || raw['pytype'] === null) &&
    (raw['inheritsFrom'] === undefined || raw['inheritsFrom'] === null)
  ) {
    fail('it needs a pytype or inheritsFrom');
  }
  const entry: Record<string, unknown> = {};
  for (const key of [
    'pytype',
    'inheritsFrom',
    'components',
    'derivedComponents',
    'parameters',
    'delegate',
    'converters',
  ]) {
    if (raw[key] !== undefined && raw[key] !== null) entry[key] = raw[key];
  }
  return entry;
}

/**
 * The registry of storage classes by name, filled from configuration
 * (`storageClasses:` sections) or by {@link StorageClassFactory.registerStorageClass}.
 *
 * Pass a factory explicitly where one is needed; {@link StorageClassFactory.shared} is the
 * process-wide instance for parity with daf_butler's singleton, and the default of
 * {@link DatasetType} for resolving storage class names.
 *
 * Configuration entries take `pytype`, `inheritsFrom`, `components` and `derivedComponents`
 * (component → storage class name), `parameters` (list), `delegate` and `converters`
 * (source type name → converter name); other keys are ignored. Entries may refer to each
 * other in any order. A child of `inheritsFrom` starts from its base's pytype, components,
 * derived components, parameters, delegate and converters and adds or overrides its own.
 * Every configured storage class has a delegate (the base one unless it names another).
 *
 * @example
 * ```ts
 * const factory = new StorageClassFactory({ registry });
 * factory.addFromConfig(`
 * storageClasses:
 *   ThingOne: { pytype: dict, parameters: [param1, param2] }
 *   ThingTwo: { inheritsFrom: ThingOne, parameters: [param3] }
 * `);
 * factory.getStorageClass('ThingTwo').parameters; // Set {param1, param2, param3}
 * ```
 */
export class StorageClassFactory {
  static #shared: StorageClassFactory | undefined;

  /** Where the storage classes made by this factory resolve their names. */
  readonly registry: TypeRegistry;
  readonly #defaults: boolean;
  readonly #storageClasses = new Map<string, StorageClass>();
  #sources: string[] = [];

  /**
   * @throws {@link ValidationError} or {@link LookupError} if `config` is invalid (see
   *   {@link StorageClassFactory.addFromConfig}).
   */
  constructor(options: StorageClassFactoryOptions = {}) {
    this.registry = options.registry ?? TypeRegistry.shared;
    if (!(this.registry instanceof TypeRegistry)) {
      throw new TypeMismatchError('registry must be a TypeRegistry', {
        expected: 'TypeRegistry',
        actual: typeName(this.registry),
      });
    }
    this.#defaults = options.defaults ?? true;
    this.#seed();
    if (options.config !== undefined && options.config !== null) {
      this.addFromConfig(options.config);
    }
  }

  /** The process-wide factory (shared registry, default storage classes). */
  static get shared(): StorageClassFactory {
    StorageClassFactory.#shared ??= new StorageClassFactory();
    return StorageClassFactory.#shared;
  }

  /**
   * Adds the definitions of a `storageClasses` section (or of a bare mapping of definitions).
   * A string is parsed as YAML.
   *
   * @throws {@link ValidationError} for malformed YAML or an entry of the wrong shape (the
   *   message names the storage class and the sources read).
   * @throws {@link LookupError} (kind `storage class`) if an entry refers to a storage class
   *   that is neither in the config nor registered.
   * @throws {@link StorageClassConflictError} if an entry redefines a registered storage
   *   class differently.
   */
  addFromConfig(config: ConfigInput | string): void {
    const loaded =
      typeof config === 'string'
        ? Config.fromYaml(config, { source: 'YAML text' })
        : config instanceof Config
          ? config
          : new Config(config);
    const sources = loaded.sources;
    const raw = loaded.get(['storageClasses']);
    if (raw !== undefined && raw !== null && !isPlainObject(raw)) {
      throw new ValidationError(
        `The storageClasses section must be a mapping, got ${typeName(raw)}`,
        sources,
      );
    }
    const section = loaded.section(['storageClasses']) ?? (raw === null ? new Config() : loaded);
    for (const source of sources) if (!this.#sources.includes(source)) this.#sources.push(source);
    const pending = new Map<string, unknown>(Object.entries(section.data));
    const inProgress = new Set<string>();

    const resolve = (name: string, context: string): StorageClass => {
      if (pending.has(name)) return process(name);
      if (inProgress.has(name)) {
        throw new ValidationError(`Storage class ${name} refers to itself (${context})`, sources);
      }
      const found = this.#storageClasses.get(name);
      if (found === undefined) {
        throw new LookupError(
          `Storage class ${name} (${context}) is not defined in the configuration nor registered${
            sources.length > 0 ? ` (read from ${sources.join(', ')})` : ''
          }`,
          { kind: 'storage class', key: name },
        );
      }
      return found;
    };

    const process = (name: string): StorageClass => {
      const raw = pending.get(name);
      pending.delete(name);
      inProgress.add(name);
      const entry = checkEntry(name, raw, sources);
      let pytype: string | undefined;
      const components = new Map<string, StorageClass>();
      const derivedComponents = new Map<string, StorageClass>();
      const parameters = new Set<string>();
      let delegate: string | null = null;
      const converters = new Map<string, string>();
      if (entry.inheritsFrom !== undefined) {
        const base = resolve(entry.inheritsFrom, `base of ${name}`);
        pytype = base.pytypeName;
        for (const [k, v] of base.components) components.set(k, v);
        for (const [k, v] of base.derivedComponents) derivedComponents.set(k, v);
        for (const p of base.parameters) parameters.add(p);
        delegate = base.delegateName;
        for (const [k, v] of base.converters) converters.set(k, v);
      }
      if (entry.pytype !== undefined) pytype = entry.pytype;
      for (const [k, v] of Object.entries(entry.components ?? {})) {
        components.set(k, resolve(v, `component ${k} of ${name}`));
      }
      for (const [k, v] of Object.entries(entry.derivedComponents ?? {})) {
        derivedComponents.set(k, resolve(v, `derived component ${k} of ${name}`));
      }
      for (const p of entry.parameters ?? []) parameters.add(p);
      if (entry.delegate !== undefined) delegate = entry.delegate;
      for (const [k, v] of Object.entries(entry.converters ?? {})) converters.set(k, v);
      let storageClass: StorageClass;
      try {
        storageClass = new StorageClass(name, {
          pytype: pytype ?? null,
          components,
          derivedComponents,
          parameters,
          delegate,
          converters,
          registry: this.registry,
        });
      } catch (error) {
        throw new ValidationError(
          `Invalid definition of storage class ${name}: ${error instanceof Error ? error.message : String(error)}`,
          sources,
          { cause: error },
        );
      } finally {
        inProgress.delete(name);
      }
      this.registerStorageClass(
        storageClass,
        sources.length > 0 ? `(read from ${sources.join(', ')})` : undefined,
      );
      return this.#storageClasses.get(name)!;
    };

    while (pending.size > 0) {
      process(pending.keys().next().value!);
    }
  }

  /**
   * Registers a storage class. Registering an equal definition again keeps the existing one.
   *
   * @param message appended to the conflict error message.
   * @throws {@link StorageClassConflictError} (an InvalidValue error) if a different
   *   definition is registered under the same name; the message shows both definitions.
   * @throws {@link TypeMismatchError} if `storageClass` is not a StorageClass (a constructor
   *   check).
   */
  registerStorageClass(storageClass: StorageClass, message?: string): void {
    if (!(storageClass instanceof StorageClass)) {
      throw new TypeMismatchError('registerStorageClass needs a StorageClass', {
        expected: 'StorageClass',
        actual: typeName(storageClass),
      });
    }
    const existing = this.#storageClasses.get(storageClass.name);
    if (existing === undefined) {
      this.#storageClasses.set(storageClass.name, storageClass);
      return;
    }
    if (!existing.equals(storageClass)) {
      throw new StorageClassConflictError(
        `New definition for StorageClass ${storageClass.name} (${storageClass.describe()}) differs from current definition (${existing.describe()})${
          message === undefined || message === '' ? '' : `: ${message}`
        }`,
        storageClass.name,
      );
    }
  }

  /**
   * The storage class called `name`.
   *
   * @throws {@link LookupError} (kind `storage class`) if there is none.
   */
  getStorageClass(name: string): StorageClass {
    const found = this.#storageClasses.get(name);
    if (found === undefined) {
      throw new LookupError(`Unable to find a StorageClass associated with "${name}"`, {
        kind: 'storage class',
        key: String(name),
      });
    }
    return found;
  }

  /**
   * The first registered storage class whose native type is `pytype` (compared by name;
   * with `compareTypes`, a second pass compares resolved types).
   *
   * @throws {@link LookupError} (kind `storage class`) if none matches.
   */
  findStorageClass(pytype: TypeDescriptor | string, compareTypes = false): StorageClass {
    for (const storageClass of this.#storageClasses.values()) {
      if (storageClass.isType(pytype)) return storageClass;
    }
    if (compareTypes) {
      for (const storageClass of this.#storageClasses.values()) {
        if (storageClass.isType(pytype, true)) return storageClass;
      }
    }
    const name = typeof pytype === 'string' ? pytype : pytype.name;
    throw new LookupError(`Unable to find a StorageClass associated with type ${name}`, {
      kind: 'storage class',
      key: name,
    });
  }

  /**
   * Whether a storage class of that name is registered; for a StorageClass (a constructor
   * check), whether an equal definition is registered under its name.
   */
  has(storageClassOrName: StorageClass | string): boolean {
    if (typeof storageClassOrName === 'string') return this.#storageClasses.has(storageClassOrName);
    if (storageClassOrName instanceof StorageClass) {
      return this.#storageClasses.get(storageClassOrName.name)?.equals(storageClassOrName) === true;
    }
    return false;
  }

  /** The registered names, in registration order. */
  names(): string[] {
    return [...this.#storageClasses.keys()];
  }

  /** Removes one storage class (meant for tests). Unknown names are ignored. */
  unregister(name: string): void {
    this.#storageClasses.delete(name);
  }

  /** Clears everything and re-seeds the defaults (if enabled). */
  reset(): void {
    this.#storageClasses.clear();
    this.#sources = [];
    this.#seed();
  }

  /** A summary: the number of storage classes, their names and the configuration sources. */
  toString(): string {
    const sources = this.#sources.length > 0 ? this.#sources.join(', ') : '(none)';
    return `StorageClassFactory: ${this.#storageClasses.size} storage classes (${this.names().join(', ')}); sources: ${sources}`;
  }

  #seed(): void {
    if (this.#defaults) {
      this.addFromConfig(Config.fromYaml(DEFAULT_STORAGE_CLASSES_YAML, { source: 'defaults' }));
    }
  }
}
