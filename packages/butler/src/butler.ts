import {
  DataCoordinate,
  DatasetIdGenEnum,
  DatasetRef,
  DatasetType,
  StorageClassFactory,
  TypeRegistry,
  consoleLogger,
} from '@butler-ts/core';
import type { DataIdMapping, Logger, ReadParameters, StorageClass } from '@butler-ts/core';
import { Datastore } from '@butler-ts/datastore';
import type { LoadedDatastoreConfig, ResourcePath } from '@butler-ts/datastore';
import { ChainedDatastore } from '@butler-ts/datastore-chained';
import { FileDatastore } from '@butler-ts/datastore-file';
// Loaded for its side effect: it registers InMemoryDatastore for configurations naming it.
import '@butler-ts/datastore-memory';
import { CollectionType, InvalidArgumentError } from '@butler-ts/registry-interfaces';
import { openRegistry } from '@butler-ts/registry-sql';
import type { Registry } from '@butler-ts/registry-sql';
import { loadButlerConfig } from './butler-config.ts';
import type { ButlerRepoConfig } from './butler-config.ts';
import {
  DatasetNotFoundInCollectionsError,
  NoDefaultCollectionError,
  ReadOnlyButlerError,
} from './errors.ts';

// File templates read record fields (`detector.full_name`) from the expanded data ID.
function recordOf(element: string, ref: DatasetRef): Readonly<Record<string, unknown>> | null {
  const dataId = ref.dataId;
  if (!dataId.hasRecords() || !dataId.elements.includes(element)) return null;
  return dataId.record(element);
}

/** A data ID as the Butler takes it: a `DataCoordinate` or a plain mapping. */
export type ButlerDataId = DataCoordinate | DataIdMapping;

/** A dataset type given by name, as a `DatasetType`, or a resolved `DatasetRef`. */
export type DatasetTypeOrRef = string | DatasetType | DatasetRef;

/** Options of {@link Butler.fromRepo}. */
export interface ButlerOptions {
  /** The default run of {@link Butler.put} (and the default collection when `collections` is absent). */
  readonly run?: string | null;
  /** The default collections searched, in order (default `[run]` when a run is given). */
  readonly collections?: string | readonly string[] | null;
  /**
   * Open for writing; default: writeable when a `run` is given (as daf_butler). A read-only
   * Butler opens its registry read-only and refuses every write.
   */
  readonly writeable?: boolean;
  /**
   * Where the Python types of storage classes are looked up (default the shared one); the
   * repository's `storageClasses` are added to a factory over it.
   */
  readonly typeRegistry?: TypeRegistry;
  /** Where warnings go (default the console). */
  readonly logger?: Logger;
}

/** Options of the reading methods ({@link Butler.get}, {@link Butler.findDataset}, …). */
export interface FindOptions {
  /** The collections searched, in order (CHAINED expanded); default the Butler's. */
  readonly collections?: string | readonly string[] | null;
}

/** Options of {@link Butler.get}. */
export interface ButlerGetOptions extends FindOptions {
  /** Read parameters the storage class knows (e.g. `{ slice: … }`). */
  readonly parameters?: ReadParameters | null;
  /** Read as this storage class (instance or name) instead of the dataset type's. */
  readonly storageClass?: StorageClass | string | null;
}

/** Options of {@link Butler.put}. */
export interface ButlerPutOptions {
  /** The run to put into; default the Butler's. */
  readonly run?: string | null;
  /**
   * How the new dataset's id is made (default `UNIQUE`, a random UUIDv7, as daf_butler's
   * `Butler.put`); `DATAID_TYPE_RUN` gives daf_butler's reproducible UUIDv5.
   */
  readonly idGenerationMode?: DatasetIdGenEnum;
}

/** Options of {@link Butler.getURI}. */
export interface ButlerURIOptions extends FindOptions {
  /**
   * Give the URI the dataset would have in `run` when it is not stored (fragment
   * `#predicted`); the dataset need not be registered.
   */
  readonly predict?: boolean;
  /** The run of a predicted URI; default the Butler's. */
  readonly run?: string | null;
}

/** Options of {@link Butler.removeRuns}. */
export interface RemoveRunsOptions {
  /** Also remove the datasets' artifacts from the datastore (default `true`). */
  readonly unstore?: boolean;
}

/** Options of {@link Butler.pruneDatasets}. */
export interface PruneDatasetsOptions {
  /** TAGGED collections to remove the datasets from. */
  readonly tags?: readonly string[];
  /** Remove the datasets' artifacts from the datastore (default `false`; `purge` implies it). */
  readonly unstore?: boolean;
  /** Remove the datasets from the registry altogether, with their artifacts (default `false`). */
  readonly purge?: boolean;
}

function asList(value: string | readonly string[] | null | undefined): string[] | null {
  if (value === undefined || value === null) return null;
  const list = typeof value === 'string' ? [value] : [...value];
  for (const name of list) {
    if (typeof name !== 'string' || name === '')
      throw new InvalidArgumentError(
        `A collection name is a non-empty string, got ${JSON.stringify(name)}`,
      );
  }
  return list;
}

function plainDataId(dataId: ButlerDataId | undefined): Record<string, unknown> {
  if (dataId === undefined) return {};
  if (dataId instanceof DataCoordinate) return dataId.toJSON();
  return { ...dataId };
}

/**
 * A data repository of daf_butler's layout: its registry (dataset types, collections,
 * dimensions, datasets) and its datastore, behind daf_butler's `Butler` calls: find a dataset
 * by dataset type, data ID and collections, read it, write one, locate its file, remove runs.
 *
 * @example
 * ```ts
 * const butler = await Butler.fromRepo('/data/repo', { collections: ['interop/chain'] });
 * const value = await butler.get('interop_dict', { instrument: 'DummyCam', detector: 1 });
 * await butler.close();
 * ```
 */
export class Butler {
  /** The registry: its database and managers (`datasets`, `collections`, `dimensions`, …). */
  readonly registry: Registry;
  /** The datastore built from the repository's `datastore` configuration. */
  readonly datastore: Datastore;
  /** Storage classes: daf_butler's defaults plus the repository's `storageClasses`. */
  readonly storageClassFactory: StorageClassFactory;
  /** The repository's configuration, as read. */
  readonly repo: ButlerRepoConfig;
  /** The default run, or `null`. */
  readonly run: string | null;
  /** The default collections, in search order. */
  readonly collections: readonly string[];
  /** Whether this Butler may write. */
  readonly isWriteable: boolean;

  private constructor(init: {
    registry: Registry;
    datastore: Datastore;
    storageClassFactory: StorageClassFactory;
    repo: ButlerRepoConfig;
    run: string | null;
    collections: readonly string[];
    writeable: boolean;
  }) {
    this.registry = init.registry;
    this.datastore = init.datastore;
    this.storageClassFactory = init.storageClassFactory;
    this.repo = init.repo;
    this.run = init.run;
    this.collections = Object.freeze([...init.collections]);
    this.isWriteable = init.writeable;
  }

  /**
   * Opens the repository at `location` (its folder or its `butler.yaml`, a path or a `file:`
   * URI): the registry of `registry.db` (and `registry.namespace`), then the datastore of the
   * `datastore` section with the folder as `<butlerRoot>`: a `FileDatastore`, an
   * `InMemoryDatastore`, a `ChainedDatastore` of those (its children, and chains in it, built
   * the same way), or another class registered in `DatastoreClassRegistry`.
   *
   * @throws `ButlerConfigError` for a missing or unusable `butler.yaml`; the registry's
   *   errors (`DatabaseOpenError`, `IncompatibleVersionError`, …) when it cannot be opened;
   *   the datastore's (`UnknownDatastoreClassError`, `ChainedDatastoreConfigError`, …) when it
   *   cannot be built (the registry is closed again).
   * @example
   * ```ts
   * const butler = await Butler.fromRepo('/data/repo', { run: 'u/me/run1' }); // writeable
   * ```
   */
  static async fromRepo(location: string, options: ButlerOptions = {}): Promise<Butler> {
    const repo = await loadButlerConfig(location);
    const run = options.run ?? null;
    if (run !== null && (typeof run !== 'string' || run === ''))
      throw new InvalidArgumentError(
        `A run name is a non-empty string, got ${JSON.stringify(run)}`,
      );
    const collections = asList(options.collections) ?? (run === null ? [] : [run]);
    const writeable = options.writeable ?? run !== null;
    const logger = options.logger ?? consoleLogger;
    const storageClassFactory = new StorageClassFactory({
      registry: options.typeRegistry ?? TypeRegistry.shared,
    });
    if (repo.storageClasses !== undefined)
      storageClassFactory.addFromConfig({ storageClasses: repo.storageClasses.data });
    const registry = await openRegistry(repo.db, {
      writeable,
      ...(repo.namespace === null ? {} : { namespace: repo.namespace }),
    });
    // File datastores get this Butler's storage classes and the dimension records their
    // templates read, also as children of a chain (and of a chain in a chain).
    const build = async (loaded: LoadedDatastoreConfig): Promise<Datastore> => {
      if (loaded.cls === FileDatastore)
        return FileDatastore.create(loaded.config, registry.bridges, {
          butlerRoot: repo.root,
          logger,
          storageClassFactory,
          dimensionRecords: recordOf,
        });
      if (loaded.cls === ChainedDatastore)
        return ChainedDatastore.create(loaded.config, registry.bridges, {
          butlerRoot: repo.root,
          logger,
          storageClassFactory,
          createChild: build,
        });
      return loaded.cls.createFromConfig({
        config: loaded.config,
        bridgeManager: registry.bridges,
        butlerRoot: repo.root,
        logger,
      });
    };
    try {
      const datastore = await build(await Datastore.loadConfig(repo.datastore));
      return new Butler({
        registry,
        datastore,
        storageClassFactory,
        repo,
        run,
        collections,
        writeable,
      });
    } catch (error) {
      await registry.close();
      throw error;
    }
  }

  #collections(options: FindOptions): string[] {
    const list = asList(options.collections) ?? [...this.collections];
    if (list.length === 0) {
      throw new NoDefaultCollectionError(
        'No collections to search: pass collections, or give the Butler default collections or a run',
      );
    }
    return list;
  }

  #run(run: string | null | undefined, operation: string): string {
    const name = run ?? this.run;
    if (name === null) {
      throw new NoDefaultCollectionError(
        `${operation} needs a run: pass { run }, or give the Butler a default run`,
      );
    }
    return name;
  }

  // One registry transaction around a datastore transaction: a failure rolls back the rows
  // and undoes the datastore's writes.
  #transaction<T>(body: () => Promise<T>): Promise<T> {
    return this.registry.db.transaction(() => this.datastore.transaction(body));
  }

  #checkWriteable(operation: string): void {
    if (!this.isWriteable) throw new ReadOnlyButlerError(operation, this.repo.root);
  }

  // A ref whose dataset type resolves storage classes through this Butler's factory.
  #bind(ref: DatasetRef): DatasetRef {
    const source = ref.datasetType;
    if (source.factory === this.storageClassFactory) return ref;
    const [parentName, component] = source.nameAndComponent();
    const parentType = component === null ? source : source.makeCompositeDatasetType();
    const parent = new DatasetType(parentName, parentType.dimensions, parentType.storageClassName, {
      universe: parentType.dimensions.universe,
      isCalibration: parentType.isCalibration(),
      factory: this.storageClassFactory,
    });
    const type = component === null ? parent : parent.makeComponentDatasetType(component);
    return new DatasetRef(type, ref.dataId, ref.run, { id: ref.id, conform: false });
  }

  async #registeredType(name: string): Promise<[DatasetType, string | null]> {
    const [parent, component] = DatasetType.splitDatasetTypeName(name);
    return [await this.registry.datasets.findDatasetType(parent), component];
  }

  /**
   * The first dataset of `datasetType` with `dataId` in the collections (searched in order,
   * CHAINED collections expanded), or `null`. A component dataset type (`type.component`)
   * gives the component ref of its parent's dataset.
   *
   * @throws `MissingDatasetTypeError` naming an unregistered dataset type,
   *   `MissingCollectionError` naming an unknown collection, `DataIdError` for a data ID
   *   that does not fit the dataset type, {@link NoDefaultCollectionError}.
   */
  async findDataset(
    datasetType: string | DatasetType,
    dataId: ButlerDataId = {},
    options: FindOptions = {},
  ): Promise<DatasetRef | null> {
    const collections = this.#collections(options);
    const name = typeof datasetType === 'string' ? datasetType : datasetType.name;
    const [parent, component] = await this.#registeredType(name);
    const ref = await this.registry.datasets.find(parent, dataId, collections);
    if (ref === null) return null;
    const bound = this.#bind(ref);
    return component === null ? bound : bound.makeComponentRef(component);
  }

  async #resolve(
    datasetTypeOrRef: DatasetTypeOrRef,
    dataId: ButlerDataId | undefined,
    options: FindOptions,
  ): Promise<DatasetRef> {
    if (datasetTypeOrRef instanceof DatasetRef) return this.#bind(datasetTypeOrRef);
    const ref = await this.findDataset(datasetTypeOrRef, dataId, options);
    if (ref === null) {
      throw new DatasetNotFoundInCollectionsError(
        typeof datasetTypeOrRef === 'string' ? datasetTypeOrRef : datasetTypeOrRef.name,
        plainDataId(dataId),
        this.#collections(options),
      );
    }
    return ref;
  }

  /**
   * Reads a dataset: the first of `datasetType` with `dataId` in the collections, or the
   * dataset of a resolved `DatasetRef`.
   *
   * @throws {@link DatasetNotFoundInCollectionsError} naming the type, data ID and
   *   collections when none is found; the errors of {@link Butler.findDataset}; the
   *   datastore's `DatasetNotFoundError` when the dataset is registered but not stored.
   * @example
   * ```ts
   * await butler.get('interop_list', { instrument: 'DummyCam', physical_filter: 'd-r' }, {
   *   collections: ['interop/run1'],
   *   parameters: { slice: slice(0, 2) },
   * });
   * ```
   */
  async get(
    datasetTypeOrRef: DatasetTypeOrRef,
    dataId?: ButlerDataId,
    options: ButlerGetOptions = {},
  ): Promise<unknown> {
    const ref = await this.#resolve(datasetTypeOrRef, dataId, options);
    return this.datastore.get(ref, {
      parameters: options.parameters ?? null,
      storageClass: options.storageClass ?? null,
    });
  }

  /**
   * The URI of a dataset's artifact (of a dataset found as {@link Butler.get} finds it); with
   * `predict`, the URI it would have in `run` when it is not registered or not stored.
   *
   * @throws as {@link Butler.get}; `DatastoreNotSupportedError`-family errors of the
   *   datastore for a disassembled composite (use `datastore.getURIs`).
   */
  async getURI(
    datasetTypeOrRef: DatasetTypeOrRef,
    dataId?: ButlerDataId,
    options: ButlerURIOptions = {},
  ): Promise<ResourcePath> {
    if (options.predict === true && !(datasetTypeOrRef instanceof DatasetRef)) {
      const found = await this.findDataset(datasetTypeOrRef, dataId, {
        collections: asList(options.collections) ?? [this.#run(options.run, 'getURI(predict)')],
      });
      const ref =
        found ??
        (await this.#newRef(
          datasetTypeOrRef,
          dataId,
          this.#run(options.run, 'getURI(predict)'),
          DatasetIdGenEnum.UNIQUE,
        ));
      return this.datastore.getURI(ref, { predict: true });
    }
    const ref = await this.#resolve(datasetTypeOrRef, dataId, options);
    return this.datastore.getURI(ref, { predict: options.predict ?? false });
  }

  /**
   * Whether the dataset is registered in the collections and its artifact is in the
   * datastore.
   *
   * @throws `MissingDatasetTypeError`, `MissingCollectionError`, `DataIdError`.
   */
  async exists(
    datasetTypeOrRef: DatasetTypeOrRef,
    dataId?: ButlerDataId,
    options: FindOptions = {},
  ): Promise<boolean> {
    const ref =
      datasetTypeOrRef instanceof DatasetRef
        ? this.#bind(datasetTypeOrRef)
        : await this.findDataset(datasetTypeOrRef, dataId, options);
    if (ref === null) return false;
    return this.datastore.exists(ref);
  }

  async #newRef(
    datasetType: string | DatasetType,
    dataId: ButlerDataId | undefined,
    run: string,
    mode: DatasetIdGenEnum,
  ): Promise<DatasetRef> {
    const name = typeof datasetType === 'string' ? datasetType : datasetType.name;
    const [registered, component] = await this.#registeredType(name);
    if (component !== null) {
      throw new InvalidArgumentError(
        `Cannot put or predict component dataset type ${name}: use its parent ${registered.name}`,
      );
    }
    if (typeof datasetType !== 'string' && !datasetType.isCompatibleWith(registered)) {
      throw new InvalidArgumentError(
        `Dataset type ${datasetType.toString()} is not compatible with the registered ${registered.toString()}`,
      );
    }
    const expanded = await this.registry.dimensions.expandDataId(dataId ?? {}, {
      dimensions: registered.dimensions,
    });
    const type = this.#bind(
      new DatasetRef(registered, expanded, run, { conform: false }),
    ).datasetType;
    return new DatasetRef(type, expanded, run, { idGenerationMode: mode, conform: false });
  }

  /**
   * Writes a dataset: registers it in the run (with a new id made by `idGenerationMode`), with
   * its data ID expanded by the registry's dimension records, then stores it in the datastore, both in one registry
   * transaction: when either fails, neither the registry rows nor the file remain.
   *
   * @returns the ref of the new dataset (with its expanded data ID).
   * @throws {@link ReadOnlyButlerError} on a read-only Butler; {@link NoDefaultCollectionError}
   *   without a run; `MissingDatasetTypeError` for an unregistered dataset type;
   *   `MissingCollectionError`/`CollectionTypeError` when the run is not a RUN collection;
   *   `DataIdError`; `DatasetConflictError` when the run already has a dataset of the type
   *   with that data ID; the datastore's errors (nothing is left behind).
   * @example
   * ```ts
   * const ref = await butler.put({ a: 1 }, 'interop_dict', { instrument: 'DummyCam', detector: 2 });
   * ```
   */
  async put(
    obj: unknown,
    datasetType: string | DatasetType,
    dataId?: ButlerDataId,
    options: ButlerPutOptions = {},
  ): Promise<DatasetRef> {
    this.#checkWriteable('put');
    const run = this.#run(options.run, 'put');
    const predicted = await this.#newRef(
      datasetType,
      dataId,
      run,
      options.idGenerationMode ?? DatasetIdGenEnum.UNIQUE,
    );
    return this.#transaction(async () => {
      const [inserted] = await this.registry.datasets.insert(
        predicted.datasetType.name,
        run,
        [predicted.dataId],
        { idGenerationMode: options.idGenerationMode ?? DatasetIdGenEnum.UNIQUE },
      );
      const ref = new DatasetRef(predicted.datasetType, predicted.dataId, run, {
        id: inserted!.id,
        conform: false,
      });
      await this.datastore.put(obj, ref);
      return ref;
    });
  }

  /**
   * Removes RUN collections with their datasets; with `unstore` (default), their artifacts
   * too (trashed, then the trash emptied after the registry rows are gone).
   *
   * @throws {@link ReadOnlyButlerError}; `MissingCollectionError`; `CollectionTypeError` when
   *   a name is not a RUN; `OrphanedRecordError` when a run is still a child of a chain
   *   (nothing is removed).
   */
  async removeRuns(names: readonly string[], options: RemoveRunsOptions = {}): Promise<void> {
    this.#checkWriteable('removeRuns');
    const runs = asList(names) ?? [];
    for (const name of runs) {
      const record = await this.registry.collections.find(name);
      if (record.type !== CollectionType.RUN) {
        throw new InvalidArgumentError(`Collection ${name} is not a RUN collection`);
      }
    }
    const types = await this.registry.datasets.allDatasetTypes();
    await this.#transaction(async () => {
      for (const name of runs) {
        if (options.unstore ?? true) {
          const refs: DatasetRef[] = [];
          for (const type of types)
            refs.push(...(await this.registry.datasets.queryDatasets(type, [name])));
          if (refs.length > 0) await this.datastore.trash(refs.map((ref) => this.#bind(ref)));
        }
        await this.registry.collections.remove(name);
      }
    });
    if (options.unstore ?? true) await this.datastore.emptyTrash();
  }

  /**
   * Removes datasets: from the TAGGED collections `tags`, from the datastore (`unstore`),
   * or from the registry altogether (`purge`, which unstores too).
   *
   * @throws {@link ReadOnlyButlerError}; `MissingCollectionError`/`CollectionTypeError` for a
   *   tag that is not a TAGGED collection.
   */
  async pruneDatasets(
    refs: readonly DatasetRef[],
    options: PruneDatasetsOptions = {},
  ): Promise<void> {
    this.#checkWriteable('pruneDatasets');
    const bound = refs.map((ref) => this.#bind(ref));
    const purge = options.purge ?? false;
    const unstore = purge || (options.unstore ?? false);
    await this.#transaction(async () => {
      for (const tag of options.tags ?? []) await this.registry.datasets.disassociate(tag, bound);
      if (unstore) await this.datastore.trash(bound);
      if (purge) await this.registry.datasets.remove(bound);
    });
    if (unstore) await this.datastore.emptyTrash();
  }

  /** Closes the registry's database. The Butler cannot be used afterwards. */
  async close(): Promise<void> {
    await this.registry.close();
  }
}
