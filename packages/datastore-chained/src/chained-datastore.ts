import { unlink } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Config, DimensionUniverse, RuntimeError } from '@butler-ts/core';
import type {
  ConfigInput,
  DatasetRef,
  DatasetType,
  Logger,
  LookupKey,
  StorageClassFactory,
} from '@butler-ts/core';
import {
  Constraints,
  DatasetNotFoundError,
  DatasetTypeNotSupportedError,
  Datastore,
  DatastoreClassRegistry,
  DatastoreLogicError,
  DatastoreNotSupportedError,
  DatastoreValidationError,
  GenericBaseDatastore,
  IngestPrepData,
  datastoreConfig,
} from '@butler-ts/datastore';
import type {
  ConfigSearchPath,
  DatasetRefURIs,
  DatastoreClass,
  DatastoreCreateOptions,
  DatastoreEntity,
  DatastoreOpaqueTable,
  DatastoreRecordData,
  LoadedDatastoreConfig,
  DatastoreTransaction,
  EmptyTrashOptions,
  FileDataset,
  GetOptions,
  IngestZipOptions,
  ManyURIsOptions,
  PutOptions,
  ResourcePath,
  RetrieveArtifactsOptions,
  TransferMode,
  TrashOptions,
  URIOptions,
  ValidateOptions,
} from '@butler-ts/datastore';
import type { DatasetIdRef, DatastoreRegistryBridgeManager } from '@butler-ts/registry-interfaces';
import { ChainedDatastoreConfigError } from './errors.ts';

/** Options of {@link ChainedDatastore.create} and the constructor. */
export interface ChainedDatastoreOptions {
  /** Where warnings go; default the console. Children built from configuration get it too. */
  readonly logger?: Logger;
  /** The storage class factory; default the shared one. */
  readonly storageClassFactory?: StorageClassFactory;
}

/** Options of {@link ChainedDatastore.create}. */
export interface ChainedDatastoreCreateOptions extends ChainedDatastoreOptions {
  /** The repository root, handed to every child (file datastores put `<butlerRoot>` there). */
  readonly butlerRoot?: string | null;
  /** Where children's `cls` names are looked up; default `DatastoreClassRegistry.shared`. */
  readonly registry?: DatastoreClassRegistry;
  /** Folders searched for children's default configuration files. */
  readonly searchPaths?: readonly ConfigSearchPath[];
  /**
   * Builds one child from its loaded configuration and the options the chain hands every
   * child; default `loaded.cls.createFromConfig(options)`. A caller that builds datastores
   * with more than those options carry (a Butler gives file datastores its storage classes and
   * the dimension records file templates read) passes its own builder, and hands it on when it
   * builds a chain inside the chain.
   */
  readonly createChild?: (
    loaded: LoadedDatastoreConfig,
    options: DatastoreCreateOptions,
  ) => Datastore | Promise<Datastore>;
}

// The ingest steps of a child. They are protected on Datastore: a chain is the one caller that
// runs other datastores' two ingest phases itself (all children prepare before any file moves).
interface IngestSteps {
  overrideTransferMode(datasets: readonly FileDataset[], transfer: TransferMode): TransferMode;
  prepIngest(datasets: readonly FileDataset[], transfer: TransferMode): Promise<IngestPrepData>;
  finishIngest(
    prep: IngestPrepData,
    options: { readonly transfer: TransferMode; readonly recordValidationInfo: boolean },
  ): Promise<void>;
}

function ingestSteps(datastore: Datastore): IngestSteps {
  return datastore as unknown as IngestSteps;
}

// One child's part of an ingest.
interface ChildIngest {
  readonly datastore: Datastore;
  readonly prep: IngestPrepData;
  readonly sources: readonly string[];
}

/** What a chain's `prepIngest` hands to its `finishIngest`: each accepting child's own prep. */
class ChainedIngestPrepData extends IngestPrepData {
  readonly children: readonly ChildIngest[];

  constructor(children: readonly ChildIngest[]) {
    super(children.flatMap((child) => [...child.prep.refs.values()]));
    this.children = children;
  }
}

function isIterable(value: unknown): value is Iterable<DatasetRef> {
  return typeof value === 'object' && value !== null && Symbol.iterator in value;
}

function isMapping(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sourcePath(path: string): string {
  return path.startsWith('file:') ? fileURLToPath(path) : path;
}

/**
 * daf_butler's `ChainedDatastore`: an ordered list of child datastores, built from the
 * configuration's `datastores` list (each child a datastore configuration whose `cls` is looked
 * up in `DatastoreClassRegistry`), used as one datastore.
 *
 * - `put` goes to every child that accepts the dataset: the chain's own `constraints`, the
 *   child's entry in `datastore_constraints` (one `{constraints: …}` per child, optional) and the
 *   child's own constraints must all accept it. None accepting is a
 *   `DatasetTypeNotSupportedError`. A put is atomic across the children: if one child fails
 *   midway, what the others wrote is undone before the error propagates.
 * - `get` reads from the first child (in configuration order) that has the dataset; `getURIs`
 *   prefers the first permanent child that has it, then an ephemeral one, then a prediction
 *   (from a permanent child first).
 * - `exists`, `knows` and their bulk forms ask each child until one says yes.
 * - `trash`, `emptyTrash`, `forget` and `remove` reach every child; `ingest` goes to the children
 *   that support the transfer mode (and accept the datasets).
 * - Ephemeral children are a cache in front of permanent ones: an `InMemoryDatastore` listed
 *   before a `FileDatastore` serves reads of what this process wrote without touching files, and
 *   the file datastore still has everything once the process (and its memory) is gone.
 * - The name is daf_butler's `ChainedDatastore[<child name>,<child name>,…]`; `names` lists the
 *   children's names and `roots` merges their roots; it is ephemeral only if every child is.
 * - `transaction` opens a transaction in every child around the chain's own, so a failing block
 *   undoes what it did in every child (and rolls back the registry transaction of file
 *   datastores). Unlike daf_butler, the chain registers no undo action of its own: each child
 *   undoes its own writes, exactly once.
 *
 * Loading this module registers the class under `ChainedDatastore` and
 * `lsst.daf.butler.datastores.chainedDatastore.ChainedDatastore`.
 *
 * @example
 * ```ts
 * const chain = await Datastore.fromConfig(
 *   {
 *     datastore: {
 *       cls: 'ChainedDatastore',
 *       datastores: [{ cls: 'InMemoryDatastore' }, { cls: 'FileDatastore', root: '<butlerRoot>' }],
 *     },
 *   },
 *   registry.bridges,
 *   '/data/repo',
 * );
 * await chain.put(value, ref); // in memory and in a file
 * ```
 */
export class ChainedDatastore extends GenericBaseDatastore {
  /** The default configuration file, relative to {@link ChainedDatastore.configDirectory}. */
  static override readonly defaultConfigFile: string = 'datastores/chainedDatastore.yaml';
  /** The `configs/` folder shipped in this package. */
  static override readonly configDirectory: URL = new URL('../configs/', import.meta.url);
  /** The configuration key of the list of child configurations. */
  static override readonly containerKey: string = 'datastores';

  /** The children, in configuration order (the order reads try them in). */
  readonly datastores: readonly Datastore[];
  /**
   * The chain's per-child constraints from `datastore_constraints`, one per child (`null` where
   * the configuration gives none).
   */
  readonly datastoreConstraints: readonly (Constraints | null)[];

  /**
   * Wraps datastores that are already built. Most callers use `Datastore.fromConfig` or
   * {@link ChainedDatastore.create}, which build the children from `config.datastores`.
   *
   * @param config the chain's configuration (its `datastore` section or itself): `constraints`
   *   and `datastore_constraints` are read here; `datastores` describes `children`.
   * @param children the child datastores, in order; at least one.
   * @throws {@link ChainedDatastoreConfigError} for no children, or a `datastore_constraints`
   *   list that is not one entry per child.
   * @throws `ConstraintsValidationError` for invalid constraints.
   */
  constructor(
    config: ConfigInput,
    bridgeManager: DatastoreRegistryBridgeManager | null,
    children: readonly Datastore[],
    options: ChainedDatastoreOptions = {},
  ) {
    if (children.length === 0) {
      throw new ChainedDatastoreConfigError(
        'A ChainedDatastore needs at least one child datastore in datastores',
        'datastores',
      );
    }
    super(config, bridgeManager, {
      name: `ChainedDatastore[${children.map((child) => child.name).join(',')}]`,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.storageClassFactory === undefined
        ? {}
        : { storageClassFactory: options.storageClassFactory }),
    });
    this.datastores = Object.freeze([...children]);
    const universe = bridgeManager?.universe;
    const overrides = this.config.get('datastore_constraints');
    if (overrides === undefined || overrides === null) {
      this.datastoreConstraints = Object.freeze(children.map(() => null));
    } else {
      if (!Array.isArray(overrides) || overrides.length !== children.length) {
        throw new ChainedDatastoreConfigError(
          `datastore_constraints must have one entry per child datastore (${children.length}), got ${
            Array.isArray(overrides) ? String(overrides.length) : JSON.stringify(overrides)
          }`,
          'datastore_constraints',
        );
      }
      this.datastoreConstraints = Object.freeze(
        (overrides as unknown[]).map((entry, index) => {
          if (entry !== null && !isMapping(entry)) {
            throw new ChainedDatastoreConfigError(
              `datastore_constraints[${index}] must be a mapping with a constraints key`,
              `datastore_constraints[${index}]`,
            );
          }
          const constraints = entry?.['constraints'];
          return constraints === undefined || constraints === null
            ? null
            : new Constraints(constraints as ConfigInput, {
                universe: universe instanceof DimensionUniverse ? universe : null,
              });
        }),
      );
    }
  }

  /**
   * A chain whose children are built from `config.datastores`, in order, each with
   * `Datastore.fromConfig` (so each is merged with its class defaults and may itself be a
   * chain) on the same bridge manager and repository root.
   *
   * @throws {@link ChainedDatastoreConfigError} when `datastores` is missing, not a list, empty,
   *   or holds something other than a configuration mapping or a YAML file path (daf_butler's
   *   `!include` of a child's file).
   * @throws `UnknownDatastoreClassError` naming a child `cls` that is not registered.
   * @throws whatever a child's construction throws (e.g. `FileDatastoreConfigError`).
   */
  static async create(
    config: ConfigInput,
    bridgeManager: DatastoreRegistryBridgeManager,
    options: ChainedDatastoreCreateOptions = {},
  ): Promise<ChainedDatastore> {
    const section = datastoreConfig(config);
    const list = section.get(ChainedDatastore.containerKey);
    if (!Array.isArray(list)) {
      throw new ChainedDatastoreConfigError(
        `A ChainedDatastore configuration needs a datastores list, got ${
          list === undefined ? 'none' : JSON.stringify(list)
        }`,
        'datastores',
      );
    }
    if (list.length === 0) {
      throw new ChainedDatastoreConfigError(
        'A ChainedDatastore needs at least one child datastore in datastores, got an empty list',
        'datastores',
      );
    }
    // Every child configuration is loaded (and its class found) before any child is built, so
    // a bad child leaves nothing behind: no root made, no records table registered.
    const loaded: LoadedDatastoreConfig[] = [];
    for (const [index, child] of (list as unknown[]).entries()) {
      if (!isMapping(child) && typeof child !== 'string') {
        throw new ChainedDatastoreConfigError(
          `datastores[${index}] must be a datastore configuration (a mapping with cls, or the path of a YAML file), got ${JSON.stringify(child)}`,
          `datastores[${index}]`,
        );
      }
      loaded.push(
        await Datastore.loadConfig(child, {
          ...(options.registry === undefined ? {} : { registry: options.registry }),
          ...(options.searchPaths === undefined ? {} : { searchPaths: options.searchPaths }),
        }),
      );
    }
    const createChild =
      options.createChild ??
      ((child: LoadedDatastoreConfig, create: DatastoreCreateOptions) =>
        child.cls.createFromConfig(create));
    const children: Datastore[] = [];
    for (const child of loaded) {
      children.push(
        await createChild(child, {
          config: child.config,
          bridgeManager,
          butlerRoot: options.butlerRoot ?? null,
          ...(options.logger === undefined ? {} : { logger: options.logger }),
        }),
      );
    }
    return new ChainedDatastore(section, bridgeManager, children, options);
  }

  /** {@link ChainedDatastore.create} from a loaded configuration. */
  static override createFromConfig(options: DatastoreCreateOptions): Promise<ChainedDatastore> {
    return ChainedDatastore.create(options.config, options.bridgeManager, {
      butlerRoot: options.butlerRoot ?? null,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
  }

  /**
   * Sets each child's root-dependent options for a new repository at `root`: child `i` of class
   * `C` gets `<root>/C_i` (daf_butler's layout), through `C.setConfigRoot`. Child classes are
   * looked up in `DatastoreClassRegistry.shared` by the `cls` of `full`'s child.
   *
   * @throws `UnknownDatastoreClassError` for a child class that is not registered.
   */
  static override setConfigRoot(
    root: string,
    config: Config,
    full: Config,
    overwrite = true,
  ): Config {
    const prefix = config.has('datastore') ? ['datastore'] : [];
    const fullSection = datastoreConfig(full);
    const key = ChainedDatastore.containerKey;
    const children = config.get([...prefix, key]);
    const fullChildren = fullSection.get(key);
    if (!Array.isArray(children) || !Array.isArray(fullChildren)) return config;
    let result = config;
    const count = Math.min(children.length, fullChildren.length);
    for (let index = 0; index < count; index++) {
      const fullChild = datastoreConfig(fullChildren[index] as ConfigInput);
      const clsValue = fullChild.get('cls');
      const cls =
        typeof clsValue === 'string'
          ? DatastoreClassRegistry.shared.get(clsValue)
          : (clsValue as DatastoreClass);
      const shortName = cls.name;
      const child = new Config(children[index] as ConfigInput);
      const updated = cls.setConfigRoot(
        `${root}/${shortName}_${index}`,
        child,
        fullChild,
        overwrite,
      );
      result = result.with([...prefix, key, index], updated.data);
    }
    return result;
  }

  /** True only if every child is ephemeral. */
  override get isEphemeral(): boolean {
    return this.datastores.every((child) => child.isEphemeral);
  }

  /** The children's names, in order. */
  override get names(): readonly string[] {
    return this.datastores.map((child) => child.name);
  }

  /** The children's roots, merged (child name → root, `null` for children without one). */
  override get roots(): Map<string, ResourcePath | null> {
    const roots = new Map<string, ResourcePath | null>();
    for (const child of this.datastores) for (const [k, v] of child.roots) roots.set(k, v);
    return roots;
  }

  /** The children, comma-separated (daf_butler's `str()` of a chain). */
  override toString(): string {
    return this.datastores.map(String).join(', ');
  }

  /**
   * Runs `body` in a transaction of the chain nested inside a transaction of every child, so
   * everything the block does through the chain is undone in every child when it throws (file
   * datastores also roll back their registry transaction). Nested and concurrent transactions
   * behave as in `Datastore.transaction`.
   */
  override transaction<T>(body: (transaction: DatastoreTransaction) => T | Promise<T>): Promise<T> {
    const open = (index: number): Promise<T> => {
      const child = this.datastores[index];
      return child === undefined
        ? super.transaction(body)
        : child.transaction(() => open(index + 1));
    };
    return open(0);
  }

  /**
   * A chain of the children's clones on `bridgeManager`, with the same configuration. What the
   * clones share with the originals is up to each child class.
   */
  override clone(bridgeManager: DatastoreRegistryBridgeManager): ChainedDatastore {
    return new ChainedDatastore(
      this.config,
      bridgeManager,
      this.datastores.map((child) => child.clone(bridgeManager)),
      { logger: this.logger, storageClassFactory: this.storageClassFactory },
    );
  }

  /** Whether any child knows the dataset (no artifact check). */
  override async knows(ref: DatasetRef): Promise<boolean> {
    for (const child of this.datastores) if (await child.knows(ref)) return true;
    return false;
  }

  /** Whether each ref is known to any child; later children are asked only about the rest. */
  override async knowsThese(refs: Iterable<DatasetRef>): Promise<Map<DatasetRef, boolean>> {
    return this.#each([...refs], (child, pending) => child.knowsThese(pending));
  }

  /** Whether the dataset exists in any child. */
  override async exists(ref: DatasetRef): Promise<boolean> {
    for (const child of this.datastores) if (await child.exists(ref)) return true;
    return false;
  }

  /** Whether each ref exists in any child; later children are asked only about the rest. */
  override async mexists(
    refs: Iterable<DatasetRef>,
    artifactExistence?: Map<ResourcePath, boolean> | null,
  ): Promise<Map<DatasetRef, boolean>> {
    return this.#each([...refs], (child, pending) => child.mexists(pending, artifactExistence));
  }

  async #each(
    refs: readonly DatasetRef[],
    ask: (child: Datastore, pending: DatasetRef[]) => Promise<Map<DatasetRef, boolean>>,
  ): Promise<Map<DatasetRef, boolean>> {
    const result = new Map<DatasetRef, boolean>(refs.map((ref) => [ref, false]));
    let pending = [...refs];
    for (const child of this.datastores) {
      if (pending.length === 0) break;
      const answers = await ask(child, pending);
      for (const [ref, yes] of answers) if (yes) result.set(ref, true);
      pending = pending.filter((ref) => result.get(ref) !== true);
    }
    return result;
  }

  /**
   * Reads the dataset from the first child that has it (an ephemeral child listed first serves
   * it from memory). Errors other than "not found" (a bad storage class, unknown parameters)
   * come from that child and end the search.
   *
   * @throws `DatasetNotFoundError` naming the ref and the chain when no child has it.
   */
  override async get(ref: DatasetRef, options?: GetOptions): Promise<unknown> {
    for (const child of this.datastores) {
      try {
        return await child.get(ref, options);
      } catch (error) {
        if (!DatasetNotFoundError.is(error)) throw error;
      }
    }
    throw new DatasetNotFoundError(
      `Dataset ${ref.toString()} could not be found in any of the datastores of ${this.name}`,
      { datastore: this.name, ref },
    );
  }

  /**
   * Stores the dataset in every child that accepts it, as one transaction: if a child fails
   * (other than by refusing the dataset type), what the others wrote is undone and the child's
   * error propagates. Logs a warning when only ephemeral children stored it although a
   * permanent one was meant to.
   *
   * @throws `DatasetTypeNotSupportedError` when the chain's constraints, or every child,
   *   refuse it.
   */
  override async put(
    inMemoryDataset: unknown,
    ref: DatasetRef,
    options?: PutOptions,
  ): Promise<void> {
    await this.#put(ref, (child) =>
      child.put(inMemoryDataset, ref, options).then(() => new Map<string, DatasetRef>()),
    );
  }

  /**
   * {@link ChainedDatastore.put}, returning the merged records map of the children (one entry
   * per permanent child that stored it).
   */
  override async putNew(
    inMemoryDataset: unknown,
    ref: DatasetRef,
  ): Promise<Map<string, DatasetRef>> {
    return this.#put(ref, (child) => child.putNew(inMemoryDataset, ref));
  }

  async #put(
    ref: DatasetRef,
    store: (child: Datastore) => Promise<Map<string, DatasetRef>>,
  ): Promise<Map<string, DatasetRef>> {
    if (!this.constraints.isAcceptable(ref)) {
      throw new DatasetTypeNotSupportedError(
        `Dataset ${ref.toString()} has been rejected by this datastore via configuration.`,
        { datastore: this.name, refs: [ref] },
      );
    }
    return this.transaction(async () => {
      const stored = new Map<string, DatasetRef>();
      let accepted = 0;
      let permanentMeant = 0;
      let permanentStored = 0;
      for (const [index, child] of this.datastores.entries()) {
        if (!this.#childAccepts(index, ref)) continue;
        if (!child.isEphemeral) permanentMeant++;
        try {
          for (const [name, value] of await store(child)) stored.set(name, value);
        } catch (error) {
          if (DatasetTypeNotSupportedError.is(error)) continue;
          throw error;
        }
        accepted++;
        if (!child.isEphemeral) permanentStored++;
      }
      if (accepted === 0) {
        throw new DatasetTypeNotSupportedError(
          `None of the chained datastores supported ref ${ref.toString()}`,
          { datastore: this.name, refs: [ref] },
        );
      }
      if (permanentStored === 0 && permanentMeant > 0) {
        this.logger.warn(`Put of ${ref.toString()} only succeeded in ephemeral datastores`);
      }
      return stored;
    });
  }

  #childAccepts(index: number, ref: DatasetRef): boolean {
    const override = this.datastoreConstraints[index] ?? null;
    if (override !== null && !override.isAcceptable(ref)) return false;
    return this.datastores[index]!.constraints.isAcceptable(ref);
  }

  /**
   * The URIs from the first permanent child that has the dataset, else the first ephemeral
   * one; with `predict`, for a dataset no child has, the prediction of the first permanent
   * child, else of the first ephemeral one.
   *
   * @throws `DatasetNotFoundError` when no child has it and `predict` is not set.
   */
  override async getURIs(ref: DatasetRef, options: URIOptions = {}): Promise<DatasetRefURIs> {
    const predict = options.predict ?? false;
    let firstEphemeral: DatasetRefURIs | null = null;
    let predicted: DatasetRefURIs | null = null;
    let predictedEphemeral: DatasetRefURIs | null = null;
    for (const child of this.datastores) {
      if (await child.exists(ref)) {
        if (!child.isEphemeral) return child.getURIs(ref);
        firstEphemeral ??= await child.getURIs(ref);
      } else if (predict) {
        if (!child.isEphemeral) predicted ??= await child.getURIs(ref, { predict });
        else predictedEphemeral ??= await child.getURIs(ref, { predict });
      }
    }
    const found = firstEphemeral ?? predicted ?? predictedEphemeral;
    if (found !== null) return found;
    throw new DatasetNotFoundError(
      `Dataset ${ref.toString()} not in any datastore of ${this.name}`,
      {
        datastore: this.name,
        ref,
      },
    );
  }

  /**
   * The single URI of {@link ChainedDatastore.getURIs}.
   *
   * @throws `DatasetNotFoundError` when no child has it and `predict` is not set.
   * @throws `DatastoreLogicError` when the dataset is stored as one file per component.
   */
  override async getURI(ref: DatasetRef, options: URIOptions = {}): Promise<ResourcePath> {
    const uris = await this.getURIs(ref, options);
    if (uris.primaryURI === null || uris.componentURIs.size > 0) {
      throw new DatastoreLogicError(
        `Dataset (${ref.toString()}) includes distinct URIs for components. Use Datastore.getURIs() instead.`,
      );
    }
    return uris.primaryURI;
  }

  /**
   * The URIs of many datasets, with {@link ChainedDatastore.getURIs}'s preference: permanent
   * children are asked first, then ephemeral ones, each only about the refs still missing; with
   * `predict`, predictions are made only for refs no child has. (daf_butler's chain asks its
   * children in configuration order here, so an ephemeral child listed first wins; here bulk and
   * single lookups agree.)
   *
   * @throws `DatasetNotFoundError` listing the missing refs unless `predict` or `allowMissing`.
   */
  override async getManyURIs(
    refs: Iterable<DatasetRef>,
    options: ManyURIsOptions = {},
  ): Promise<Map<DatasetRef, DatasetRefURIs>> {
    const list = [...refs];
    const result = new Map<DatasetRef, DatasetRefURIs>();
    const ordered = [
      ...this.datastores.filter((child) => !child.isEphemeral),
      ...this.datastores.filter((child) => child.isEphemeral),
    ];
    let missing = list;
    for (const predict of options.predict === true ? [false, true] : [false]) {
      for (const child of ordered) {
        if (missing.length === 0) break;
        let found: Map<DatasetRef, DatasetRefURIs>;
        try {
          found = await child.getManyURIs(missing, { predict, allowMissing: true });
        } catch (error) {
          if (DatastoreNotSupportedError.is(error)) continue;
          throw error;
        }
        for (const [ref, uris] of found) result.set(ref, uris);
        missing = missing.filter((ref) => !result.has(ref));
      }
    }
    if (missing.length > 0 && options.allowMissing !== true) {
      throw new DatasetNotFoundError(
        `Missing ${missing.length} refs from datastore ${this.name} out of ${list.length}: ${missing
          .slice(0, 5)
          .map(String)
          .join('; ')}${missing.length > 5 ? '; …' : ''}`,
        { datastore: this.name, missing, total: list.length },
      );
    }
    return result;
  }

  /**
   * Copies the artifacts of `refs` out of the permanent children (ephemeral ones have none):
   * each ref from the first permanent child that has it. Every ref is located before anything
   * is copied.
   *
   * @throws `DatasetNotFoundError` listing the refs no permanent child has, before copying.
   */
  override async retrieveArtifacts(
    refs: Iterable<DatasetRef>,
    destination: string | ResourcePath,
    options?: RetrieveArtifactsOptions,
  ): Promise<Map<ResourcePath, unknown>> {
    const list = [...refs];
    let pending = list;
    const groups: [Datastore, DatasetRef[]][] = [];
    for (const child of this.datastores) {
      if (child.isEphemeral || pending.length === 0) continue;
      const there = await child.mexists(pending);
      const mine = pending.filter((ref) => there.get(ref) === true);
      if (mine.length === 0) continue;
      groups.push([child, mine]);
      pending = pending.filter((ref) => there.get(ref) !== true);
    }
    if (pending.length > 0) {
      throw new DatasetNotFoundError(
        `Some datasets were not found in any permanent datastore of ${this.name}: ${pending
          .map(String)
          .join('; ')}`,
        { datastore: this.name, missing: pending, total: list.length },
      );
    }
    const result = new Map<ResourcePath, unknown>();
    for (const [child, mine] of groups) {
      for (const [k, v] of await child.retrieveArtifacts(mine, destination, options)) {
        result.set(k, v);
      }
    }
    return result;
  }

  /**
   * Ingests the zip into every permanent child that supports zip ingest.
   *
   * @throws `DatastoreNotSupportedError` when no child does.
   */
  override async ingestZip(
    zipPath: string | ResourcePath,
    options?: IngestZipOptions,
  ): Promise<void> {
    let done = 0;
    await this.transaction(async () => {
      for (const child of this.datastores) {
        if (child.isEphemeral) continue;
        try {
          await child.ingestZip(zipPath, options);
        } catch (error) {
          if (DatastoreNotSupportedError.is(error)) continue;
          throw error;
        }
        done++;
      }
    });
    if (done === 0) {
      throw new DatastoreNotSupportedError(`No datastore of ${this.name} can ingest a zip`, {
        datastore: this.name,
        operation: 'ingestZip',
      });
    }
  }

  /**
   * `'auto'` becomes the one mode the children resolve it to (children that keep `'auto'` do
   * not count); other modes are kept.
   *
   * @throws `RuntimeError` when children resolve `'auto'` to different modes.
   */
  protected override overrideTransferMode(
    datasets: readonly FileDataset[],
    transfer: TransferMode,
  ): TransferMode {
    if (transfer !== 'auto') return transfer;
    const modes = new Set(
      this.datastores.map((child) => ingestSteps(child).overrideTransferMode(datasets, transfer)),
    );
    modes.delete('auto');
    if (modes.size === 0) return transfer;
    if (modes.size === 1) return [...modes][0]!;
    throw new RuntimeError(
      `Chained datastore does not support different transfer modes from 'auto' in each child datastore (wanted ${[
        ...modes,
      ]
        .map(String)
        .join(', ')})`,
    );
  }

  /**
   * Prepares the ingest in every child that supports the transfer mode, with the datasets the
   * chain's constraints and the child's `datastore_constraints` entry accept (a file is kept
   * when any of its refs is accepted).
   *
   * @throws `DatastoreNotSupportedError` for `transfer` null (in place), or when no child
   *   supports the mode.
   */
  protected override async prepIngest(
    datasets: readonly FileDataset[],
    transfer: TransferMode,
  ): Promise<IngestPrepData> {
    if (transfer === null) {
      throw new DatastoreNotSupportedError('ChainedDatastore does not support transfer=None.', {
        datastore: this.name,
        operation: 'ingest',
      });
    }
    const accepts = (constraints: Constraints, dataset: FileDataset) =>
      dataset.refs.some((ref) => constraints.isAcceptable(ref));
    const forChain = datasets.filter((dataset) => accepts(this.constraints, dataset));
    const children: ChildIngest[] = [];
    let supported = false;
    for (const [index, child] of this.datastores.entries()) {
      const override = this.datastoreConstraints[index] ?? null;
      const forChild =
        override === null ? forChain : forChain.filter((dataset) => accepts(override, dataset));
      let prep: IngestPrepData;
      try {
        prep = await ingestSteps(child).prepIngest(forChild, transfer);
      } catch (error) {
        if (DatastoreNotSupportedError.is(error)) {
          this.logger.debug(
            `Skipping ingest into ${child.name}: transfer ${transfer} not supported`,
          );
          continue;
        }
        throw error;
      }
      supported = true;
      if (forChild.length > 0) {
        children.push({
          datastore: child,
          prep,
          sources: transfer === 'move' ? forChild.map((dataset) => sourcePath(dataset.path)) : [],
        });
      }
    }
    if (!supported) {
      throw new DatastoreNotSupportedError(
        `No child datastore of ${this.name} supports transfer mode ${transfer}.`,
        { datastore: this.name, operation: 'ingest' },
      );
    }
    return new ChainedIngestPrepData(children);
  }

  /**
   * Completes each child's ingest, as one transaction across the children. A `move` into more
   * than one child copies, then deletes the sources once every child has its copy.
   */
  protected override async finishIngest(
    prep: IngestPrepData,
    options: { readonly transfer: TransferMode; readonly recordValidationInfo: boolean },
  ): Promise<void> {
    const children = (prep as ChainedIngestPrepData).children;
    const transfer = options.transfer === 'move' && children.length > 1 ? 'copy' : options.transfer;
    await this.transaction(async () => {
      for (const child of children) {
        await ingestSteps(child.datastore).finishIngest(child.prep, { ...options, transfer });
      }
    });
    if (transfer !== options.transfer) {
      const sources = new Set(children.flatMap((child) => child.sources));
      for (const source of sources) await unlink(source);
    }
  }

  /** Drops the records of `refs` in every child; artifacts stay. Unknown refs are ignored. */
  override async forget(refs: Iterable<DatasetRef>): Promise<void> {
    const list = [...refs];
    for (const child of this.datastores) await child.forget(list);
  }

  /**
   * Marks datasets for deletion in every child, as one transaction. A single ref is checked:
   * children that do not have it are skipped, and when none has it the chain fails (or, with
   * `ignoreErrors`, logs one warning). Refs given as an iterable are not checked.
   *
   * @throws `DatasetNotFoundError` for a single ref no child has, unless `ignoreErrors`.
   */
  override async trash(
    refOrRefs: DatasetRef | Iterable<DatasetRef>,
    options: TrashOptions = {},
  ): Promise<void> {
    const ignoreErrors = options.ignoreErrors ?? false;
    if (isIterable(refOrRefs)) {
      const refs = [...refOrRefs];
      await this.transaction(async () => {
        for (const child of this.datastores) await child.trash(refs, { ignoreErrors });
      });
      return;
    }
    const ref = refOrRefs;
    let trashed = 0;
    await this.transaction(async () => {
      for (const child of this.datastores) {
        try {
          await child.trash(ref, { ignoreErrors: false });
        } catch (error) {
          if (DatasetNotFoundError.is(error)) continue;
          throw error;
        }
        trashed++;
      }
    });
    if (trashed > 0) return;
    const error = new DatasetNotFoundError(
      `Could not mark for removal from any child datastore of ${this.name}: ${ref.toString()}`,
      { datastore: this.name, ref },
    );
    if (!ignoreErrors) throw error;
    this.logger.warn(error.message);
  }

  /**
   * Empties the trash of every child (only the `refs` given, if any); returns every artifact
   * removed. Not undoable, so never run inside a chain transaction of its own.
   */
  override async emptyTrash(options: EmptyTrashOptions = {}): Promise<Set<ResourcePath>> {
    const refs = options.refs === null || options.refs === undefined ? null : [...options.refs];
    const removed = new Set<ResourcePath>();
    for (const child of this.datastores) {
      for (const uri of await child.emptyTrash({ ...options, refs })) removed.add(uri);
    }
    return removed;
  }

  /**
   * Checks the entities against every child's configuration.
   *
   * @throws `DatastoreValidationError` naming each child that failed, with its problems.
   */
  override validateConfiguration(
    entities: Iterable<DatastoreEntity>,
    options: ValidateOptions = {},
  ): void {
    const list = [...entities];
    this.#validateChildren(options.logFailures ?? false, (child) =>
      child.validateConfiguration(list, options),
    );
  }

  /**
   * Checks one lookup key against every child.
   *
   * @throws `DatastoreValidationError` naming each child that failed.
   */
  override validateKey(lookupKey: LookupKey, entity: DatastoreEntity): void {
    this.#validateChildren(false, (child) => child.validateKey(lookupKey, entity));
  }

  #validateChildren(logFailures: boolean, check: (child: Datastore) => void): void {
    const failures: string[] = [];
    for (const child of this.datastores) {
      try {
        check(child);
      } catch (error) {
        if (!DatastoreValidationError.is(error)) throw error;
        if (logFailures) this.logger.error(`Datastore ${child.name} failed validation`);
        failures.push(`Datastore ${child.name}: ${error.message}`);
      }
    }
    if (failures.length > 0) throw new DatastoreValidationError(failures.join(';\n'), failures);
  }

  /** The lookup keys of every child, of the chain's constraints and of `datastore_constraints`. */
  override getLookupKeys(): readonly LookupKey[] {
    const keys = new Map<string, LookupKey>();
    const all = [
      ...this.datastores.flatMap((child) => child.getLookupKeys()),
      ...this.constraints.getLookupKeys(),
      ...this.datastoreConstraints.flatMap((constraints) => constraints?.getLookupKeys() ?? []),
    ];
    for (const key of all) keys.set(key.hashKey, key);
    return [...keys.values()];
  }

  /** Whether any child needs expanded data IDs for this transfer. */
  override needsExpandedDataIds(transfer?: TransferMode, entity?: DatastoreEntity): boolean {
    return this.datastores.some((child) => child.needsExpandedDataIds(transfer, entity));
  }

  /** Hands the records to every child (each takes those under its own name). */
  override async importRecords(data: ReadonlyMap<string, DatastoreRecordData>): Promise<void> {
    for (const child of this.datastores) await child.importRecords(data);
  }

  /**
   * The children's records of `refs`, merged by datastore name.
   *
   * @throws `DatastoreValidationError` when two children export under the same name.
   */
  override async exportRecords(
    refs: Iterable<DatasetIdRef>,
  ): Promise<Map<string, DatastoreRecordData>> {
    const list = [...refs];
    return this.#mergeRecords((child) => child.exportRecords(list));
  }

  /** The children's predicted records of `refs`, merged by datastore name. */
  override async exportPredictedRecords(
    refs: Iterable<DatasetRef>,
  ): Promise<Map<string, DatastoreRecordData>> {
    const list = [...refs];
    return this.#mergeRecords((child) => child.exportPredictedRecords(list));
  }

  async #mergeRecords(
    records: (child: Datastore) => Promise<Map<string, DatastoreRecordData>>,
  ): Promise<Map<string, DatastoreRecordData>> {
    const merged = new Map<string, DatastoreRecordData>();
    for (const child of this.datastores) {
      for (const [name, data] of await records(child)) {
        if (merged.has(name)) {
          throw new DatastoreValidationError(
            `Two datastores of ${this.name} export records under the same name ${name}`,
          );
        }
        merged.set(name, data);
      }
    }
    return merged;
  }

  /** The opaque tables of every child. */
  override getOpaqueTableDefinitions(): Map<string, DatastoreOpaqueTable> {
    const tables = new Map<string, DatastoreOpaqueTable>();
    for (const child of this.datastores) {
      for (const [name, table] of child.getOpaqueTableDefinitions()) tables.set(name, table);
    }
    return tables;
  }

  /** Hands the method to every child. */
  override setRetrieveDatasetTypeMethod(
    method: ((name: string) => DatasetType | null) | null,
  ): void {
    for (const child of this.datastores) child.setRetrieveDatasetTypeMethod(method);
  }

  /** Sets trust mode in every child. */
  override setTrustMode(mode: boolean): void {
    for (const child of this.datastores) child.setTrustMode(mode);
  }
}

DatastoreClassRegistry.shared.registerDefault(
  ChainedDatastore,
  'ChainedDatastore',
  'lsst.daf.butler.datastores.chainedDatastore.ChainedDatastore',
);
