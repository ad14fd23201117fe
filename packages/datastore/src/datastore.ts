import { AsyncLocalStorage } from 'node:async_hooks';
import {
  Config,
  DimensionUniverse,
  InvalidValueError,
  LookupError,
  RuntimeError,
  StorageClassFactory,
  TypeMismatchError,
  consoleLogger,
} from '@butler-ts/core';
import type {
  ConfigInput,
  DatasetProvenance,
  DatasetRef,
  DatasetType,
  Logger,
  LookupKey,
  ReadParameters,
  StorageClass,
} from '@butler-ts/core';
import type { DatasetIdRef, DatastoreRegistryBridgeManager } from '@butler-ts/registry-interfaces';
import { Constraints } from './constraints.ts';
import { datastoreConfig, readConfigFile } from './datastore-config.ts';
import type { ConfigSearchPath, DatastoreConfig } from './datastore-config.ts';
import { DatastoreTransaction } from './datastore-transaction.ts';
import type { DatasetRefURIs } from './dataset-ref-uris.ts';
import {
  DatasetNotFoundError,
  DatasetTypeNotSupportedError,
  DatastoreNotSupportedError,
  UnknownDatastoreClassError,
} from './errors.ts';
import type { FileDataset, IngestPrepData, TransferMode } from './ingest.ts';
import type { DatastoreOpaqueTable } from './opaque-table.ts';
import type { DatastoreRecordData } from './record-data.ts';
import type { ResourcePath } from './resource-path.ts';

/** Anything a datastore's configuration can be validated against. */
export type DatastoreEntity = DatasetRef | DatasetType | StorageClass;

/** What `createFromConfig` receives. */
export interface DatastoreCreateOptions {
  /** The merged `datastore` section (frozen). */
  readonly config: DatastoreConfig;
  /** Hands out registry bridges; carries the dimension universe. */
  readonly bridgeManager: DatastoreRegistryBridgeManager;
  /** The repository root, for datastores that keep files relative to it. */
  readonly butlerRoot?: string | null;
  /** Where warnings go (failing undo actions, ignored errors). */
  readonly logger?: Logger;
}

/**
 * The static side of a datastore class, as {@link DatastoreClassRegistry} holds it and
 * {@link Datastore.fromConfig} uses it (Python's classmethods and class attributes).
 */
export interface DatastoreClass<D extends Datastore = Datastore> {
  /** Instances are datastores of type `D`. */
  readonly prototype: D;
  /** The class name, for messages. */
  readonly name: string;
  /** The file of class defaults, relative to a configuration search path, or `null`. */
  readonly defaultConfigFile: string | null;
  /** The folder shipped with the class where `defaultConfigFile` lives, or `null`. */
  readonly configDirectory: URL | null;
  /** The key of a list of child datastore configurations (chained datastores), or `null`. */
  readonly containerKey: string | null;
  /** Builds a datastore: the real constructor entry point. */
  createFromConfig(options: DatastoreCreateOptions): D | Promise<D>;
  /** Writes the root-dependent options of a new repository at `root` into `config`. */
  setConfigRoot(root: string, config: Config, full: Config, overwrite?: boolean): Config;
}

// The registry of datastore classes lives beside Datastore: Datastore.fromConfig looks classes
// up in it, and it holds DatastoreClass values, whose instances are Datastores. (In two files
// the two imported each other.)

/** Options of {@link DatastoreClassRegistry.register}. */
export interface RegisterDatastoreOptions {
  /** Replace a different class already registered under the name; default false. */
  readonly replace?: boolean;
}

/**
 * Datastore classes by the names configurations give in `cls`.
 *
 * daf_butler imports the class named by a config's `cls` (`lsst.daf.butler.datastores.
 * inMemoryDatastore.InMemoryDatastore`); JavaScript cannot import by such a path, so each
 * datastore package registers its classes here when its module loads, under the Python path
 * (so daf_butler configurations work unchanged) and under a short name. A configuration may
 * also give the class itself as `cls`. Use {@link DatastoreClassRegistry.shared} (the
 * default of `Datastore.fromConfig`) or pass a registry of your own.
 *
 * @example
 * ```ts
 * DatastoreClassRegistry.shared
 *   .register('my.pkg.S3Datastore', S3Datastore)
 *   .register('S3Datastore', S3Datastore);
 * await Datastore.fromConfig({ datastore: { cls: 'S3Datastore', root: 's3://bucket' } }, bridges);
 * ```
 */
export class DatastoreClassRegistry {
  static #shared: DatastoreClassRegistry | undefined;
  readonly #classes = new Map<string, DatastoreClass>();

  /** The process-wide registry that datastore packages register into. */
  static get shared(): DatastoreClassRegistry {
    DatastoreClassRegistry.#shared ??= new DatastoreClassRegistry();
    return DatastoreClassRegistry.#shared;
  }

  /**
   * Registers `cls` under `name`. Registering the same class again is a no-op.
   *
   * @throws `TypeMismatchError` if `cls` has no static `createFromConfig` (a structural
   *   type guard; `Datastore.fromConfig` also checks that it extends `Datastore`).
   * @throws `InvalidValueError` for an empty name, or a name that holds another class
   *   (unless `replace`).
   */
  register(name: string, cls: DatastoreClass, options: RegisterDatastoreOptions = {}): this {
    if (typeof name !== 'string' || name === '') {
      throw new InvalidValueError('A datastore class name must be a non-empty string', name);
    }
    if (
      typeof cls !== 'function' ||
      typeof (cls as { createFromConfig?: unknown }).createFromConfig !== 'function'
    ) {
      throw new TypeMismatchError(`Datastore class ${name} must have a static createFromConfig`, {
        expected: 'Datastore class',
      });
    }
    const existing = this.#classes.get(name);
    if (existing !== undefined && existing !== cls && options.replace !== true) {
      throw new InvalidValueError(
        `Datastore class name ${name} is already registered to ${existing.name}`,
        name,
      );
    }
    this.#classes.set(name, cls);
    return this;
  }

  /** Registers `cls` under each name that is still free; taken names are left alone. */
  registerDefault(cls: DatastoreClass, ...names: string[]): this {
    for (const name of names) if (!this.#classes.has(name)) this.register(name, cls);
    return this;
  }

  /** The class registered under `name`, or `undefined`. */
  find(name: string): DatastoreClass | undefined {
    return this.#classes.get(name);
  }

  /**
   * The class registered under `name`.
   *
   * @throws {@link UnknownDatastoreClassError} naming it and the registered names.
   */
  get(name: string): DatastoreClass {
    const cls = this.#classes.get(name);
    if (cls === undefined) throw new UnknownDatastoreClassError(name, this.names());
    return cls;
  }

  /** Whether a class is registered under `name`. */
  has(name: string): boolean {
    return this.#classes.has(name);
  }

  /** The registered names, sorted. */
  names(): string[] {
    return [...this.#classes.keys()].sort();
  }

  /** Removes `name`; returns whether it was registered. */
  unregister(name: string): boolean {
    return this.#classes.delete(name);
  }
}

/** Options of {@link Datastore.fromConfig} and {@link Datastore.loadConfig}. */
export interface DatastoreLoadOptions {
  /** Where `cls` names are looked up; default {@link DatastoreClassRegistry.shared}. */
  readonly registry?: DatastoreClassRegistry;
  /**
   * Folders searched for `datastore.yaml` and the class's default file, highest priority
   * first; all rank above the folder shipped with the class.
   */
  readonly searchPaths?: readonly ConfigSearchPath[];
  /** Where the datastore sends warnings; default the console. */
  readonly logger?: Logger;
}

/** A configuration merged with its defaults, and the class it names. */
export interface LoadedDatastoreConfig {
  /** The merged `datastore` section. */
  readonly config: DatastoreConfig;
  /** The class it names. */
  readonly cls: DatastoreClass;
}

/** Options of the {@link Datastore} constructor. */
export interface DatastoreOptions {
  /** The datastore name; default `'ABCDataStore'`. */
  readonly name?: string;
  /** Where warnings go; default the console. */
  readonly logger?: Logger;
  /** The storage class factory; default `StorageClassFactory.shared`. */
  readonly storageClassFactory?: StorageClassFactory;
}

/** Options of {@link Datastore.get}. */
export interface GetOptions {
  /** Read parameters (e.g. a slice); the storage class must know each one. */
  readonly parameters?: ReadParameters | null;
  /** Read as this storage class (an instance or a name) instead of the ref's. */
  readonly storageClass?: StorageClass | string | null;
}

/** Options of {@link Datastore.put}. */
export interface PutOptions {
  /** Provenance to attach, if the storage class's delegate supports it. */
  readonly provenance?: DatasetProvenance | null;
}

/** Options of the URI methods. */
export interface URIOptions {
  /** Give a predicted URI (fragment `predicted`) for a dataset that is not stored. */
  readonly predict?: boolean;
}

/** Options of {@link Datastore.getManyURIs}. */
export interface ManyURIsOptions extends URIOptions {
  /** Leave out datasets that are not stored instead of failing. */
  readonly allowMissing?: boolean;
}

/** Options of {@link Datastore.trash}. */
export interface TrashOptions {
  /** Log instead of failing when a single ref is unknown. */
  readonly ignoreErrors?: boolean;
}

/** Options of {@link Datastore.emptyTrash}. */
export interface EmptyTrashOptions {
  /** Log instead of failing on errors while deleting. */
  readonly ignoreErrors?: boolean;
  /** Only these trashed datasets (others in the trash stay); `null` for all. */
  readonly refs?: Iterable<DatasetIdRef> | null;
  /** Report what would be removed without removing anything. */
  readonly dryRun?: boolean;
}

/** Options of {@link Datastore.ingest}. */
export interface IngestOptions {
  /** How files reach the datastore; default `null` (in place). */
  readonly transfer?: TransferMode;
  /** Record file sizes and checksums; default true. */
  readonly recordValidationInfo?: boolean;
}

/** Options of {@link Datastore.retrieveArtifacts}. */
export interface RetrieveArtifactsOptions {
  /** How artifacts are copied out; default `'auto'`. */
  readonly transfer?: TransferMode;
  /** Keep the artifacts' paths inside the datastore below `destination`; default true. */
  readonly preservePath?: boolean;
  /** Replace files already at the destination; default false. */
  readonly overwrite?: boolean;
  /** Write an index of what was retrieved; default true. */
  readonly writeIndex?: boolean;
  /** Prefix each file name with its dataset ID; default false. */
  readonly addPrefix?: boolean;
}

/** Options of {@link Datastore.ingestZip}. */
export interface IngestZipOptions {
  /** How the zip reaches the datastore; default `'auto'`. */
  readonly transfer?: TransferMode;
  /** Check everything without ingesting; default false. */
  readonly dryRun?: boolean;
}

/** Options of {@link Datastore.transferFrom}. */
export interface TransferFromOptions {
  /** How artifacts are copied; default `'auto'`. */
  readonly transfer?: TransferMode;
  /** A cache of artifact existence checks, filled as they are made. */
  readonly artifactExistence?: Map<ResourcePath, boolean>;
  /** Report what would be transferred without transferring; default false. */
  readonly dryRun?: boolean;
}

/** Options of {@link Datastore.export}. */
export interface ExportOptions {
  /** Where exported files go; `null` to export in place. */
  readonly directory?: string | ResourcePath | null;
  /** How files are exported; default `'auto'`. */
  readonly transfer?: TransferMode;
}

/** Options of {@link Datastore.validateConfiguration}. */
export interface ValidateOptions {
  /** Log each failure as it is found. */
  readonly logFailures?: boolean;
}

// The current transaction of each datastore, in the async call chain. One storage serves
// every datastore of the process: an enabled AsyncLocalStorage puts a promise hook on every
// promise of the process (Node 20 and 22), so one per datastore would add a hook per datastore
// that ever ran a transaction. Until some datastore runs one, the storage stays disabled and
// costs nothing. It is never disabled again: work a transaction started and did not await
// still finds that transaction after it ended (a late put is undone at once after a
// rollback). A `null` state marks code that runs outside any transaction of that datastore
// even inside one: undo actions.
const transactionScopes = new AsyncLocalStorage<
  ReadonlyMap<Datastore, DatastoreTransaction | null>
>();

/** Runs `fn` with `transaction` as the current one of `datastore` (others' are kept). */
function runInScope<T>(
  datastore: Datastore,
  transaction: DatastoreTransaction | null,
  fn: () => T,
): T {
  const next = new Map(transactionScopes.getStore());
  next.set(datastore, transaction);
  return transactionScopes.run(next, fn);
}

/**
 * Where datasets are stored: the abstract datastore every implementation extends
 * (daf_butler's `Datastore`).
 *
 * Subclasses implement the abstract members and a static `createFromConfig`, and register
 * themselves in {@link DatastoreClassRegistry} so {@link Datastore.fromConfig} can build them
 * from a configuration's `cls`. Everything else has a working default. Every operation that
 * may do I/O returns a Promise; configuration checks stay synchronous.
 *
 * {@link Datastore.transaction} keeps its undo log in an `AsyncLocalStorage`, so concurrent
 * transactions on one datastore never share a log.
 *
 * @example
 * ```ts
 * const datastore = await Datastore.fromConfig(
 *   { datastore: { cls: 'InMemoryDatastore' } },
 *   registry.bridges,
 * );
 * await datastore.transaction(async () => {
 *   await datastore.put(value, ref); // undone if the block throws
 * });
 * ```
 */
export abstract class Datastore {
  /** The file of class defaults (relative to a search path); none in the base. */
  static readonly defaultConfigFile: string | null = null;
  /** The folder shipped with the class where its default file lives; none in the base. */
  static readonly configDirectory: URL | null = null;
  /** The key of child datastore configurations (chained datastores); none in the base. */
  static readonly containerKey: string | null = null;

  /** The merged configuration (frozen). */
  readonly config: DatastoreConfig;
  /** The datastore name, unique per instance in most implementations. */
  readonly name: string;
  /** Which datasets this datastore accepts, from `config.constraints`. */
  readonly constraints: Constraints;
  /** Resolves storage class names. */
  readonly storageClassFactory: StorageClassFactory;
  /** Where warnings go. */
  readonly logger: Logger;

  /**
   * Reduces `config` to its `datastore` section, and reads the constraints with the bridge
   * manager's universe (used only if it is a core `DimensionUniverse`, a constructor check).
   *
   * @throws Fails with `ConstraintsValidationError` for invalid constraints.
   */
  protected constructor(
    config: ConfigInput,
    bridgeManager: DatastoreRegistryBridgeManager | null,
    options: DatastoreOptions = {},
  ) {
    this.config = datastoreConfig(config);
    this.name = options.name ?? 'ABCDataStore';
    this.logger = options.logger ?? consoleLogger;
    this.storageClassFactory = options.storageClassFactory ?? StorageClassFactory.shared;
    const universe = bridgeManager?.universe;
    this.constraints = new Constraints(this.config.section('constraints') ?? null, {
      universe: universe instanceof DimensionUniverse ? universe : null,
    });
  }

  /**
   * Merges a configuration with its defaults and finds the class it names, as
   * {@link Datastore.fromConfig} does before building.
   *
   * Layers, lowest priority first: `datastore.yaml` in each search path; the class's
   * `defaultConfigFile` in its own `configDirectory`, then in each search path; then the
   * input. Missing default files are skipped. `cls` is a registered name, or the class itself
   * (which must extend `Datastore`: a constructor check). Child configurations under the
   * class's `containerKey` are loaded the same way.
   *
   * @param input a configuration, a mapping, or the path of a YAML file.
   * @throws `LookupError` (kind `config key`) when no layer gives `cls`.
   * @throws Fails with `UnknownDatastoreClassError` for an unregistered class name.
   * @throws `TypeMismatchError` when `cls` is neither a name nor a Datastore subclass.
   */
  static async loadConfig(
    input: ConfigInput | string,
    options: DatastoreLoadOptions = {},
  ): Promise<LoadedDatastoreConfig> {
    const registry = options.registry ?? DatastoreClassRegistry.shared;
    const searchPaths = options.searchPaths ?? [];
    const external = datastoreConfig(
      typeof input === 'string' ? await Config.fromFile(input) : input,
    );
    // Search paths are given highest priority first; layers are applied lowest first.
    const lowestFirst = [...searchPaths].reverse();
    const layers: Config[] = [];
    for (const path of lowestFirst) {
      const found = await readConfigFile(path, 'datastore.yaml');
      if (found !== null) layers.push(found);
    }
    const clsValue = external.get('cls') ?? datastoreConfig(null, layers).get('cls');
    if (clsValue === undefined || clsValue === null) {
      throw new LookupError(
        `Mandatory keys (cls) missing from supplied configuration for datastore${
          external.sources.length > 0 ? ` (read from ${external.sources.join(', ')})` : ''
        }`,
        { kind: 'config key', key: 'cls' },
      );
    }
    const cls = Datastore.#resolveClass(clsValue, registry);
    if (cls.defaultConfigFile !== null) {
      const classDirs: (string | URL)[] = cls.configDirectory === null ? [] : [cls.configDirectory];
      for (const path of [...classDirs, ...lowestFirst]) {
        const found = await readConfigFile(path, cls.defaultConfigFile);
        if (found !== null) layers.push(found);
      }
    }
    let config = datastoreConfig(external, layers);
    const key = cls.containerKey;
    const children = key === null ? undefined : config.get(key);
    if (key !== null && Array.isArray(children)) {
      const loaded: unknown[] = [];
      for (const child of children as unknown[]) {
        // Anything but a mapping or a file path is left as it is, for the container class to
        // report with its position in the list.
        const loadable =
          typeof child === 'string' ||
          (typeof child === 'object' && child !== null && !Array.isArray(child));
        loaded.push(
          loadable
            ? (await Datastore.loadConfig(child as ConfigInput, options)).config.data
            : child,
        );
      }
      config = config.with(key, loaded);
    }
    return { config, cls };
  }

  /**
   * Builds the datastore a configuration describes: {@link Datastore.loadConfig}, then the
   * class's `createFromConfig`. Classes are found by `cls` in the registry (datastore
   * packages register theirs when loaded: import `@butler-ts/datastore-memory` for
   * `InMemoryDatastore`).
   *
   * @param config a configuration (its `datastore` section is used), a mapping, or a YAML
   *   file path.
   * @param bridgeManager the registry's bridge manager (`registry.bridges`).
   * @param butlerRoot the repository root, for datastores with files.
   * @throws as {@link Datastore.loadConfig}, and whatever the class's constructor throws
   *   (e.g. `ConstraintsValidationError`).
   * @example
   * ```ts
   * import '@butler-ts/datastore-memory';
   * const datastore = await Datastore.fromConfig(
   *   { datastore: { cls: 'InMemoryDatastore', constraints: { accept: ['calexp'] } } },
   *   registry.bridges,
   * );
   * ```
   */
  static async fromConfig(
    config: ConfigInput | string,
    bridgeManager: DatastoreRegistryBridgeManager,
    butlerRoot: string | null = null,
    options: DatastoreLoadOptions = {},
  ): Promise<Datastore> {
    const loaded = await Datastore.loadConfig(config, options);
    return loaded.cls.createFromConfig({
      config: loaded.config,
      bridgeManager,
      butlerRoot,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
  }

  /**
   * Builds a datastore of this class. Every concrete class overrides it.
   *
   * @throws Fails with {@link DatastoreNotSupportedError} in the base class.
   */
  static createFromConfig(_options: DatastoreCreateOptions): Datastore | Promise<Datastore> {
    throw new DatastoreNotSupportedError(`${this.name} does not implement createFromConfig`, {
      operation: 'createFromConfig',
    });
  }

  /**
   * Returns `config` with the options that depend on a new repository's root set (copying
   * repository-specific values from `full`; with `overwrite` false, values already in
   * `config` are kept). Configs are immutable, so the result is a new Config. The base has
   * no root-dependent options and returns `config`; datastores with files override it.
   */
  static setConfigRoot(_root: string, config: Config, _full: Config, _overwrite = true): Config {
    return config;
  }

  static #resolveClass(value: unknown, registry: DatastoreClassRegistry): DatastoreClass {
    const cls = typeof value === 'string' ? registry.get(value) : value;
    if (typeof cls !== 'function' || !(cls.prototype instanceof Datastore)) {
      throw new TypeMismatchError(
        `Datastore class ${typeof value === 'string' ? value : String((cls as { name?: unknown } | null)?.name ?? cls)} is not a Datastore`,
        { expected: 'Datastore' },
      );
    }
    return cls as unknown as DatastoreClass;
  }

  /** Whether datasets vanish with the process. False in the base. */
  get isEphemeral(): boolean {
    return false;
  }

  /** The names of the datastores inside this one: `[name]` unless chained. */
  get names(): readonly string[] {
    return [this.name];
  }

  /** The root of each datastore inside this one (`null`: no root). */
  get roots(): Map<string, ResourcePath | null> {
    return new Map([[this.name, null]]);
  }

  /**
   * The transaction of the current async call on this datastore, or `null` outside
   * {@link Datastore.transaction}. Operations register their undo actions in it.
   */
  get currentTransaction(): DatastoreTransaction | null {
    return transactionScopes.getStore()?.get(this) ?? null;
  }

  /**
   * Runs `body` in a transaction: undo actions registered while it runs (by `put`, `trash`
   * and the like, in any async call it starts) are run newest first if it throws, and the
   * error is rethrown; if it succeeds they join the enclosing transaction, if any.
   *
   * The log lives in an `AsyncLocalStorage`, so concurrent `transaction` calls on one
   * datastore never see each other's actions. Unlike daf_butler, a failure that propagates
   * through an outer transaction undoes the outer block too, and the current transaction
   * always returns to the enclosing one (daf_butler leaves it pointing at a failed one).
   * Undo actions run outside any transaction of this datastore.
   *
   * @example
   * ```ts
   * await datastore.transaction(async () => {
   *   await datastore.put(a, refA);
   *   await datastore.transaction(async () => datastore.put(b, refB));
   *   throw new Error('both puts are undone');
   * });
   * ```
   */
  async transaction<T>(body: (transaction: DatastoreTransaction) => T | Promise<T>): Promise<T> {
    const current = this.currentTransaction;
    // Nothing may join a transaction that has rolled back: open a new outermost one instead.
    const parent = current === null || current.state === 'rolledBack' ? null : current;
    const transaction = new DatastoreTransaction(parent, { logger: this.logger });
    let result: T;
    try {
      result = await runInScope(this, transaction, () => body(transaction));
    } catch (error) {
      // Undo actions run outside any transaction, so what they do is not logged again. (Not
      // `exit()`: on Node 20 a `run()` inside it restores the outer store after an await.)
      await runInScope(this, null, () => transaction.rollback());
      throw error;
    }
    transaction.commit();
    return result;
  }

  /** An independent datastore with another bridge manager (stored state may be shared). */
  abstract clone(bridgeManager: DatastoreRegistryBridgeManager): Datastore;

  /** Whether the datastore knows the dataset (without checking artifacts). */
  abstract knows(ref: DatasetRef): Promise<boolean>;

  /** Whether the dataset is in the datastore. */
  abstract exists(ref: DatasetRef): Promise<boolean>;

  /**
   * Reads a dataset, or a part of it per `parameters`, as the ref's storage class (or
   * `options.storageClass`, which must be compatible).
   *
   * @throws Fails with {@link DatasetNotFoundError} if the dataset is not stored.
   */
  abstract get(ref: DatasetRef, options?: GetOptions): Promise<unknown>;

  /**
   * Stores a dataset.
   *
   * @throws Fails with {@link DatasetTypeNotSupportedError} if the constraints reject it.
   */
  abstract put(inMemoryDataset: unknown, ref: DatasetRef, options?: PutOptions): Promise<void>;

  /**
   * Stores a dataset and returns datastore name → the ref with its datastore records, for
   * non-ephemeral datastores only (ephemeral ones return an empty map).
   */
  abstract putNew(inMemoryDataset: unknown, ref: DatasetRef): Promise<Map<string, DatasetRef>>;

  /**
   * The URIs of a dataset (primary and/or per component).
   *
   * @throws Fails with {@link DatasetNotFoundError} if it is not stored and `predict` is not set.
   */
  abstract getURIs(ref: DatasetRef, options?: URIOptions): Promise<DatasetRefURIs>;

  /**
   * The single URI of a dataset.
   *
   * @throws Fails with {@link DatasetNotFoundError} if it is not stored and `predict` is not set.
   */
  abstract getURI(ref: DatasetRef, options?: URIOptions): Promise<ResourcePath>;

  /** Copies the artifacts of `refs` to `destination`; returns the artifacts written. */
  abstract retrieveArtifacts(
    refs: Iterable<DatasetRef>,
    destination: string | ResourcePath,
    options?: RetrieveArtifactsOptions,
  ): Promise<Map<ResourcePath, unknown>>;

  /** Ingests the datasets of an indexed zip file. */
  abstract ingestZip(zipPath: string | ResourcePath, options?: IngestZipOptions): Promise<void>;

  /**
   * Deletes a dataset now (irreversibly).
   *
   * @throws Fails with {@link DatasetNotFoundError} if it is not stored.
   */
  abstract remove(ref: DatasetRef): Promise<void>;

  /** Drops all records of the datasets without deleting artifacts; unknown refs are ignored. */
  abstract forget(refs: Iterable<DatasetRef>): Promise<void>;

  /**
   * Marks datasets for deletion by {@link Datastore.emptyTrash}.
   *
   * @throws Fails with {@link DatasetNotFoundError} for a single unknown ref unless `ignoreErrors`.
   */
  abstract trash(
    refOrRefs: DatasetRef | Iterable<DatasetRef>,
    options?: TrashOptions,
  ): Promise<void>;

  /** Deletes trashed datasets; returns the URIs of the artifacts removed (may be empty). */
  abstract emptyTrash(options?: EmptyTrashOptions): Promise<Set<ResourcePath>>;

  /** Copies one dataset from another datastore into this one. */
  abstract transfer(inputDatastore: Datastore, ref: DatasetRef): Promise<void>;

  /**
   * Checks that the configuration can handle the entities.
   *
   * @throws Fails with {@link DatastoreValidationError} listing the problems.
   */
  abstract validateConfiguration(
    entities: Iterable<DatastoreEntity>,
    options?: ValidateOptions,
  ): void;

  /**
   * Checks one lookup key against an entity.
   *
   * @throws Fails with {@link DatastoreValidationError} if the combination is bad.
   */
  abstract validateKey(lookupKey: LookupKey, entity: DatastoreEntity): void;

  /** The lookup keys the configuration uses. */
  abstract getLookupKeys(): readonly LookupKey[];

  /**
   * Loads records exported by {@link Datastore.exportRecords}, keyed by datastore name (other
   * names are ignored), and records the datasets in the bridge.
   */
  abstract importRecords(data: ReadonlyMap<string, DatastoreRecordData>): Promise<void>;

  /** The records of `refs`, keyed by datastore name; unknown refs are ignored. */
  abstract exportRecords(refs: Iterable<DatasetIdRef>): Promise<Map<string, DatastoreRecordData>>;

  /** The opaque tables the datastore keeps records in, by table name (may be empty). */
  abstract getOpaqueTableDefinitions(): Map<string, DatastoreOpaqueTable>;

  /** Whether each ref is known ({@link Datastore.knows}), keyed by the refs given. */
  async knowsThese(refs: Iterable<DatasetRef>): Promise<Map<DatasetRef, boolean>> {
    const result = new Map<DatasetRef, boolean>();
    for (const ref of refs) result.set(ref, await this.knows(ref));
    return result;
  }

  /**
   * Whether each ref exists ({@link Datastore.exists}), keyed by the refs given.
   * `artifactExistence` (a cache of artifact checks) is ignored by the base.
   */
  async mexists(
    refs: Iterable<DatasetRef>,
    _artifactExistence?: Map<ResourcePath, boolean> | null,
  ): Promise<Map<DatasetRef, boolean>> {
    const result = new Map<DatasetRef, boolean>();
    for (const ref of refs) result.set(ref, await this.exists(ref));
    return result;
  }

  /**
   * The URIs of many datasets, keyed by the refs given.
   *
   * @throws Fails with {@link DatasetNotFoundError} listing the missing refs (with the count asked for)
   *   if some are not stored, unless `predict` or `allowMissing`.
   */
  async getManyURIs(
    refs: Iterable<DatasetRef>,
    options: ManyURIsOptions = {},
  ): Promise<Map<DatasetRef, DatasetRefURIs>> {
    const predict = options.predict ?? false;
    const result = new Map<DatasetRef, DatasetRefURIs>();
    const missing: DatasetRef[] = [];
    let total = 0;
    for (const ref of refs) {
      total++;
      try {
        result.set(ref, await this.getURIs(ref, { predict }));
      } catch (error) {
        if (!DatasetNotFoundError.is(error)) throw error;
        missing.push(ref);
      }
    }
    if (missing.length > 0 && !(options.allowMissing ?? false)) {
      throw new DatasetNotFoundError(
        `Missing ${missing.length} refs from datastore out of ${total} and predict=${predict ? 'True' : 'False'}: ${missing
          .slice(0, 5)
          .map(String)
          .join('; ')}${missing.length > 5 ? '; …' : ''}`,
        { datastore: this.name, missing, total },
      );
    }
    return result;
  }

  /**
   * Ingests existing files: {@link Datastore.prepIngest}, a check that every ref was accepted,
   * then {@link Datastore.finishIngest}.
   *
   * @throws Fails with {@link DatasetTypeNotSupportedError} listing `<dataset type> (<n> dataset(s))`
   *   groups the datastore refused.
   * @throws Fails with {@link DatastoreNotSupportedError} from the base `prepIngest`.
   */
  async ingest(datasets: Iterable<FileDataset>, options: IngestOptions = {}): Promise<void> {
    const list = [...datasets];
    const transfer = this.overrideTransferMode(list, options.transfer ?? null);
    const prep = await this.prepIngest(list, transfer);
    const refused = new Map<string, DatasetRef[]>();
    for (const ref of list.flatMap((dataset) => dataset.refs)) {
      if (prep.refs.has(ref.id)) continue;
      const name = ref.datasetType.name;
      refused.set(name, [...(refused.get(name) ?? []), ref]);
    }
    if (refused.size > 0) {
      throw new DatasetTypeNotSupportedError(
        `DatasetType(s) not supported in ingest: ${[...refused]
          .map(([name, refs]) => `${name} (${refs.length} dataset(s))`)
          .join(', ')}`,
        { datastore: this.name, refs: [...refused.values()].flat() },
      );
    }
    await this.finishIngest(prep, {
      transfer,
      recordValidationInfo: options.recordValidationInfo ?? true,
    });
  }

  /**
   * The transfer mode to use for `datasets`: `transfer` itself, except `'auto'`, which a
   * datastore must resolve.
   *
   * @throws `RuntimeError` for `'auto'` in the base.
   */
  protected overrideTransferMode(
    _datasets: readonly FileDataset[],
    transfer: TransferMode,
  ): TransferMode {
    if (transfer === 'auto') throw new RuntimeError('auto is not allowed without specialization.');
    return transfer;
  }

  /**
   * Checks and prepares an ingest; returns the refs it will ingest.
   *
   * @throws Fails with {@link DatastoreNotSupportedError} in the base.
   */
  protected prepIngest(
    _datasets: readonly FileDataset[],
    _transfer: TransferMode,
  ): Promise<IngestPrepData> {
    return Promise.reject(this.#ingestNotSupported());
  }

  /**
   * Completes an ingest prepared by {@link Datastore.prepIngest}.
   *
   * @throws Fails with {@link DatastoreNotSupportedError} in the base.
   */
  protected finishIngest(
    _prep: IngestPrepData,
    _options: { readonly transfer: TransferMode; readonly recordValidationInfo: boolean },
  ): Promise<void> {
    return Promise.reject(this.#ingestNotSupported());
  }

  /**
   * Copies datasets from another datastore; returns the accepted and rejected refs.
   *
   * @throws Fails with {@link DatastoreNotSupportedError} in the base.
   */
  transferFrom(
    _source: Datastore,
    _refs: Iterable<DatasetRef>,
    _options: TransferFromOptions = {},
  ): Promise<[Set<DatasetRef>, Set<DatasetRef>]> {
    return Promise.reject(
      new DatastoreNotSupportedError(`Datastore ${this.name} does not support transferFrom`, {
        datastore: this.name,
        operation: 'transferFrom',
      }),
    );
  }

  /**
   * Exports datasets as files for another repository.
   *
   * @throws Fails with {@link DatastoreNotSupportedError} in the base.
   */
  export(_refs: Iterable<DatasetRef>, options: ExportOptions = {}): Promise<FileDataset[]> {
    return Promise.reject(
      new DatastoreNotSupportedError(
        `Transfer mode ${String(options.transfer ?? 'auto')} not supported.`,
        {
          datastore: this.name,
          operation: 'export',
        },
      ),
    );
  }

  /** Whether ingest or export needs data IDs with implied values. True in the base. */
  needsExpandedDataIds(_transfer?: TransferMode, _entity?: DatastoreEntity): boolean {
    return true;
  }

  /** The records of `datasetIds` as table rows: none in the base. */
  exportTable(
    _datasetIds: Iterable<string>,
  ): Promise<readonly Readonly<Record<string, unknown>>[]> {
    return Promise.resolve([]);
  }

  /** Loads rows from {@link Datastore.exportTable}: a no-op in the base. */
  importTable(_rows: readonly Readonly<Record<string, unknown>>[]): Promise<void> {
    return Promise.resolve();
  }

  /**
   * The records the datastore would write for `refs`, keyed by datastore name.
   *
   * @throws Fails with {@link DatastoreNotSupportedError} in the base.
   */
  exportPredictedRecords(_refs: Iterable<DatasetRef>): Promise<Map<string, DatastoreRecordData>> {
    return Promise.reject(
      new DatastoreNotSupportedError(`Datastore ${this.name} cannot predict records`, {
        datastore: this.name,
        operation: 'exportPredictedRecords',
      }),
    );
  }

  /** Sets how the datastore finds a dataset type by name: a no-op in the base. */
  setRetrieveDatasetTypeMethod(_method: ((name: string) => DatasetType | null) | null): void {}

  /**
   * What a transfer needs to know about the files of `datasetIds`.
   *
   * @throws Fails with {@link DatastoreNotSupportedError} in the base.
   */
  getFileInfoForTransfer(_datasetIds: Iterable<string>): Promise<unknown> {
    return Promise.reject(
      new DatastoreNotSupportedError(`Datastore ${this.name} has no file information`, {
        datastore: this.name,
        operation: 'getFileInfoForTransfer',
      }),
    );
  }

  /** Files of `refs` found without datastore records: none in the base. */
  locateMissingFilesForTransfer(
    _refs: Iterable<DatasetRef>,
    _artifactExistence?: Map<ResourcePath, boolean>,
  ): Promise<Map<DatasetRef, unknown>> {
    return Promise.resolve(new Map<DatasetRef, unknown>());
  }

  /**
   * What a client outside the process needs to read `ref` itself.
   *
   * @throws Fails with {@link DatastoreNotSupportedError} in the base.
   */
  prepareGetForExternalClient(_ref: DatasetRef): Promise<unknown> {
    return Promise.reject(
      new DatastoreNotSupportedError(`Datastore ${this.name} cannot prepare external reads`, {
        datastore: this.name,
        operation: 'prepareGetForExternalClient',
      }),
    );
  }

  /** Sets whether reads trust artifacts without records: a no-op in the base. */
  setTrustMode(_mode: boolean): void {}

  /** The name. */
  toString(): string {
    return this.name;
  }

  #ingestNotSupported(): DatastoreNotSupportedError {
    return new DatastoreNotSupportedError(
      `Datastore ${this.name} does not support direct file-based ingest.`,
      { datastore: this.name, operation: 'ingest' },
    );
  }
}
