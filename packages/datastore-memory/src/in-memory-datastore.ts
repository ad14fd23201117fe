import { StorageClassDelegate } from '@butler-ts/core';
import type {
  Config,
  ConfigInput,
  DatasetId,
  DatasetRef,
  Logger,
  LookupKey,
  StorageClassFactory,
} from '@butler-ts/core';
import {
  DatasetNotFoundError,
  DatasetRefURIs,
  DatasetTypeNotSupportedError,
  DatastoreClassRegistry,
  DatastoreNotSupportedError,
  GenericBaseDatastore,
  ResourcePath,
  getFromStored,
  timestampedName,
} from '@butler-ts/datastore';
import type {
  DatastoreCreateOptions,
  DatastoreEntity,
  DatastoreOpaqueTable,
  DatastoreRecordData,
  EmptyTrashOptions,
  FileDataset,
  GetOptions,
  IngestZipOptions,
  PutOptions,
  RetrieveArtifactsOptions,
  TransferMode,
  TrashOptions,
  URIOptions,
  ValidateOptions,
} from '@butler-ts/datastore';
import type { DatasetIdRef, DatastoreRegistryBridgeManager } from '@butler-ts/registry-interfaces';
import { NOT_STORED_AS, StoredDatasets } from './stored-datasets.ts';
import { StoredMemoryItemInfo } from './stored-memory-item-info.ts';

/** Options of the {@link InMemoryDatastore} constructor. */
export interface InMemoryDatastoreOptions {
  /** Where warnings go; default the console. */
  readonly logger?: Logger;
  /** The storage class factory; default the shared one. */
  readonly storageClassFactory?: StorageClassFactory;
}

// Everything a datastore and its clones share.
interface MemoryStore {
  // Stored datasets by ref ID, with their write storage class and time.
  readonly datasets: StoredDatasets;
  // IDs marked for deletion by trash and not yet removed by emptyTrash.
  readonly trashed: Set<DatasetId>;
}

const RESOLVED: Promise<void> = Promise.resolve();

// A stable number per stored object, standing in for Python's id() in URIs.
const identities = new WeakMap<object, number>();
let nextIdentity = 1;

function identityOf(value: unknown): number {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return 0;
  let identity = identities.get(value);
  if (identity === undefined) {
    identity = nextIdentity++;
    identities.set(value, identity);
  }
  return identity;
}

// Settles a synchronous operation as a promise, so its errors reject rather than throw.
function settle<T>(operation: () => T): Promise<T> {
  return new Promise((resolve) => resolve(operation()));
}

// A rejected promise carrying whatever was thrown, unchanged.
function rejected<T>(error: unknown): Promise<T> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rethrows as is
  return Promise.reject(error);
}

// Python tells one ref from several with isinstance(ref, DatasetRef); here a type guard: an
// iterable is several refs, anything else one.
function isIterable(value: unknown): value is Iterable<DatasetRef> {
  return typeof value === 'object' && value !== null && Symbol.iterator in value;
}

/**
 * A datastore that keeps datasets as live objects in process memory (daf_butler's
 * `InMemoryDatastore`). Ephemeral: nothing outlives the process, nothing is serialized,
 * composites are not split, and file ingest and export are not supported.
 *
 * `put` stores the object itself and `get` returns it (no copies, unless read parameters make
 * the delegate copy), after checking the constraints and coercing to the storage class.
 * Reads apply components, derived components, parameters and storage class overrides.
 * `trash` marks datasets that stay readable until `emptyTrash`. Inside
 * `Datastore.transaction` every `put` is undone if the block fails. The registry bridge
 * is never used: the bridge manager only supplies the dimension universe for constraints.
 *
 * Loading this module registers the class under `InMemoryDatastore` and
 * `lsst.daf.butler.datastores.inMemoryDatastore.InMemoryDatastore` for `Datastore.fromConfig`.
 *
 * @example
 * ```ts
 * const datastore = await InMemoryDatastore.fromConfig(
 *   { datastore: { cls: 'InMemoryDatastore' } },
 *   registry.bridges,
 * );
 * await datastore.put(metrics, ref);
 * await datastore.get(ref.makeComponentRef('summary'));
 * ```
 */
export class InMemoryDatastore extends GenericBaseDatastore {
  /**
   * The default configuration file, relative to {@link InMemoryDatastore.configDirectory}
   * (daf_butler names it but ships none; this package ships one that only sets `cls`).
   */
  static override readonly defaultConfigFile: string = 'datastores/inMemoryDatastore.yaml';
  /** The `configs/` folder shipped in this package, found relative to this module. */
  static override readonly configDirectory: URL = new URL('../configs/', import.meta.url);

  #store: MemoryStore = { datasets: new StoredDatasets(), trashed: new Set() };

  /**
   * Most callers use `Datastore.fromConfig`, which merges the default file first.
   *
   * @param config the configuration; its `datastore` section (or itself) is used, and only
   *   `constraints` matters.
   * @param bridgeManager supplies the dimension universe for dimension constraints.
   * @throws `ConstraintsValidationError` for invalid constraints.
   */
  constructor(
    config: ConfigInput,
    bridgeManager: DatastoreRegistryBridgeManager | null,
    options: InMemoryDatastoreOptions = {},
  ) {
    super(config, bridgeManager, {
      name: timestampedName('InMemoryDatastore'),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.storageClassFactory === undefined
        ? {}
        : { storageClassFactory: options.storageClassFactory }),
    });
  }

  /** A new datastore from a loaded configuration; `butlerRoot` is ignored. */
  static override createFromConfig(options: DatastoreCreateOptions): InMemoryDatastore {
    return new InMemoryDatastore(options.config, options.bridgeManager, {
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
  }

  /** Returns `config` unchanged: an in-memory datastore has no root. */
  static override setConfigRoot(
    _root: string,
    config: Config,
    _full: Config,
    _overwrite = true,
  ): Config {
    return config;
  }

  /** Always true: datasets vanish with the process. */
  override get isEphemeral(): boolean {
    return true;
  }

  /**
   * A new datastore (with its own name, constraints from the same configuration and the given
   * bridge manager) that shares this one's stored datasets, records and trash. Transactions
   * are not shared. (daf_butler stops sharing the trash after the first `emptyTrash`; here it
   * stays shared.)
   */
  override clone(bridgeManager: DatastoreRegistryBridgeManager): InMemoryDatastore {
    const copy = new InMemoryDatastore(this.config, bridgeManager, {
      logger: this.logger,
      storageClassFactory: this.storageClassFactory,
    });
    copy.#store = this.#store;
    return copy;
  }

  /** Same as {@link InMemoryDatastore.exists}: a record and its stored object. */
  override knows(ref: DatasetRef): Promise<boolean> {
    return this.exists(ref);
  }

  /**
   * Whether the dataset is stored. The trash is not consulted: a trashed dataset exists until
   * the trash is emptied. Component refs and storage class overrides share the parent's ID,
   * hence its answer.
   */
  override exists(ref: DatasetRef): Promise<boolean> {
    return Promise.resolve(this.#store.datasets.has(ref.id));
  }

  /**
   * Reads a dataset: the stored object, its component (`ref.makeComponentRef(…)`), or a
   * derived component; with read parameters applied; as the ref's storage class or
   * `options.storageClass` (an instance or a name, which must be able to convert either way).
   *
   * Parameters are checked against the write storage class for a derived component (they
   * apply to the composite before the component is computed), else against the read storage
   * class.
   *
   * A whole dataset read as the storage class instance it was put with, without options, is
   * the stored object as `put` checked it: `put` found it an instance of that class, and it is
   * not checked again (an object changed after `put` so that its type's guard would reject it
   * is still returned; daf_butler checks `isinstance` on every read, which a Python object
   * cannot fail in this way). Objects that `put` converted, that a delegate accepted as they
   * were or that a delegate replaced are checked on every read, as before.
   *
   * @throws `DatasetNotFoundError` naming the ref if it is not stored.
   * @throws `IncompatibleStorageClassError` for a storage class that cannot convert.
   * @throws `LookupError` for an unknown storage class name.
   * @throws `UnknownParameterError` for a parameter the storage class does not know.
   * @throws `TypeMismatchError` / `InvalidValueError` when the storage class has no
   *   delegate for the parameters, or the value cannot be converted.
   */
  override get(ref: DatasetRef, options?: GetOptions): Promise<unknown> {
    try {
      return Promise.resolve(this.getSync(ref, options));
    } catch (error) {
      return rejected(error);
    }
  }

  /**
   * {@link InMemoryDatastore.get} without the promise: the dataset, or the error thrown. For
   * callers that hold this datastore itself (not the abstract `Datastore`, whose reads are
   * asynchronous) and read many datasets in a loop, where an `await` per call would cost
   * more than the read.
   *
   * @example
   * ```ts
   * const values = refs.map((ref) => datastore.getSync(ref));
   * ```
   */
  getSync(ref: DatasetRef, options?: GetOptions): unknown {
    const datasets = this.#store.datasets;
    if (
      options === undefined ||
      ((options.storageClass ?? null) === null && (options.parameters ?? null) === null)
    ) {
      // The common read: the whole dataset (a component's dataset type, and only its, has a
      // parent storage class) as the storage class it was put with, without parameters. The
      // put checked the value against that class (or it is read below), so it is returned as
      // it is, as every step below would return it.
      const datasetType = ref.datasetType;
      if (datasetType.parentStorageClassName === null) {
        const value = datasets.storedAs(ref.id, datasetType.storageClass);
        if (value !== NOT_STORED_AS) return value;
      }
    }
    const slot = datasets.slotOf(ref.id);
    if (slot === undefined) throw this.#notFound(ref);
    const storageClassOption = options?.storageClass ?? null;
    const parametersOption = options?.parameters ?? null;
    if (storageClassOption === null && parametersOption === null) {
      // The whole dataset as another storage class than it was put with, no parameters: when
      // the stored object already is an instance of it, every step below returns it unchanged.
      const datasetType = ref.datasetType;
      if (datasetType.parentStorageClassName === null) {
        const value = datasets.valueAt(slot);
        if (value === null || value === undefined) return value;
        if (datasetType.storageClass.validateInstance(value)) return value;
      }
    }
    const read = storageClassOption === null ? ref : ref.overrideStorageClass(storageClassOption);
    return getFromStored(
      datasets.valueAt(slot),
      datasets.storageClassAt(slot),
      read.datasetType,
      parametersOption,
    );
  }

  /**
   * Stores a dataset under `ref.id`, replacing any dataset stored under that ID. The value is
   * coerced to the ref's storage class unless its delegate accepts it as is, and the delegate
   * may attach `provenance`. Inside a transaction, the put is undone (by `remove`) if the
   * transaction fails.
   *
   * @throws `DatasetTypeNotSupportedError` if the constraints reject the ref.
   * @throws `TypeMismatchError` if the value cannot be converted to the storage class.
   */
  override put(inMemoryDataset: unknown, ref: DatasetRef, options?: PutOptions): Promise<void> {
    try {
      this.putSync(inMemoryDataset, ref, options);
      return RESOLVED;
    } catch (error) {
      return rejected(error);
    }
  }

  /**
   * {@link InMemoryDatastore.put} without the promise: stored when it returns, or the error
   * thrown. Inside `Datastore.transaction` it is undone like `put` if the transaction fails.
   *
   * @example
   * ```ts
   * refs.forEach((ref, i) => datastore.putSync(values[i], ref));
   * ```
   */
  putSync(inMemoryDataset: unknown, ref: DatasetRef, options?: PutOptions): void {
    if (!this.constraints.isAcceptable(ref)) {
      throw new DatasetTypeNotSupportedError(
        `Dataset ${ref.toString()} has been rejected by this datastore via configuration.`,
        { datastore: this.name, refs: [ref] },
      );
    }
    const storageClass = ref.datasetType.storageClass;
    // Python catches the TypeError of delegate(); asking for the class first avoids a throw.
    // The base delegate accepts nothing as is and adds no provenance, so it is not built.
    const delegateClass = storageClass.delegateClass;
    const delegate =
      delegateClass === null || delegateClass === StorageClassDelegate
        ? null
        : storageClass.delegate();
    let value = inMemoryDataset;
    // Whether the stored value is known to be an instance of the storage class, so that a read
    // as that class can return it without checking again. coerceType, with its check kept
    // here: a converted value is checked on read as before.
    let isInstance = false;
    if (delegate === null || !delegate.canAccept(value)) {
      if (value === null || value === undefined || storageClass.validateInstance(value)) {
        isInstance = true;
      } else {
        value = storageClass.coerceType(value);
      }
    }
    if (delegate !== null) {
      const withProvenance = delegate.addProvenance(value, ref, options?.provenance ?? null);
      if (withProvenance !== value) isInstance = false;
      value = withProvenance;
    }

    this.#store.datasets.set(ref.id, value, storageClass, isInstance, Date.now());
    const transaction = this.currentTransaction;
    if (transaction !== null) transaction.registerUndo('put', () => this.remove(ref));
  }

  /** {@link InMemoryDatastore.put}, then an empty map: an ephemeral datastore gives the registry no records. */
  override async putNew(
    inMemoryDataset: unknown,
    ref: DatasetRef,
  ): Promise<Map<string, DatasetRef>> {
    await this.put(inMemoryDataset, ref);
    return new Map();
  }

  /**
   * `mem://<object number>_<id>?<data ID>` for a stored dataset, or with `predict`
   * `mem://<dataset type name>?<data ID>#predicted` for one that is not. The data ID part is
   * the required values form-encoded as Python does (`instrument=dummy&visit=52`). There are
   * never component URIs.
   *
   * @throws `DatasetNotFoundError` if it is not stored and `predict` is not set.
   */
  override getURIs(ref: DatasetRef, options: URIOptions = {}): Promise<DatasetRefURIs> {
    return settle(() => this.#getURIs(ref, options));
  }

  #getURIs(ref: DatasetRef, options: URIOptions): DatasetRefURIs {
    const query = ref.dataId.toQueryString();
    const datasets = this.#store.datasets;
    const slot = datasets.slotOf(ref.id);
    let name: string;
    let fragment = '';
    if (slot === undefined) {
      if (!(options.predict ?? false)) {
        throw new DatasetNotFoundError(`Dataset ${ref.toString()} not in this datastore`, {
          datastore: this.name,
          ref,
        });
      }
      name = ref.datasetType.name;
      fragment = '#predicted';
    } else {
      name = `${identityOf(datasets.valueAt(slot))}_${ref.id}`;
    }
    return new DatasetRefURIs(new ResourcePath(`mem://${name}?${query}${fragment}`));
  }

  /**
   * The primary URI of {@link InMemoryDatastore.getURIs}.
   *
   * @throws `DatasetNotFoundError` if it is not stored and `predict` is not set.
   */
  override async getURI(ref: DatasetRef, options: URIOptions = {}): Promise<ResourcePath> {
    const uris = await this.getURIs(ref, options);
    return uris.primaryURI!;
  }

  /**
   * @throws `DatastoreNotSupportedError` always: there are no files to copy out.
   */
  override retrieveArtifacts(
    _refs: Iterable<DatasetRef>,
    _destination: string | ResourcePath,
    _options?: RetrieveArtifactsOptions,
  ): Promise<Map<ResourcePath, unknown>> {
    return Promise.reject(
      new DatastoreNotSupportedError(
        'Can not retrieve artifacts from an in-memory datastore: there are none.',
        { datastore: this.name, operation: 'retrieveArtifacts' },
      ),
    );
  }

  /**
   * @throws `DatastoreNotSupportedError` always: zip ingest needs a file datastore.
   */
  override ingestZip(_zipPath: string | ResourcePath, _options?: IngestZipOptions): Promise<void> {
    return Promise.reject(
      new DatastoreNotSupportedError('Can only ingest a Zip into a file datastore.', {
        datastore: this.name,
        operation: 'ingestZip',
      }),
    );
  }

  /** The transfer mode unchanged (even `'auto'`); ingest then fails as not supported. */
  protected override overrideTransferMode(
    _datasets: readonly FileDataset[],
    transfer: TransferMode,
  ): TransferMode {
    return transfer;
  }

  /**
   * Drops the records of the datasets, which then no longer exist; trash marks stay. Unknown
   * refs are ignored. (daf_butler leaves the stored object orphaned in memory; nothing can
   * reach it without its record, so it is freed here.)
   */
  override forget(refs: Iterable<DatasetRef>): Promise<void> {
    return settle(() => {
      for (const ref of [...refs]) this.#store.datasets.delete(ref.id);
    });
  }

  /**
   * Marks datasets for deletion by {@link InMemoryDatastore.emptyTrash}; they stay readable
   * until then. Python tells one ref from several with `isinstance`; here a type guard does:
   * an iterable is several refs, anything else one. A single ref is checked (unknown: `DatasetNotFoundError`, or with
   * `ignoreErrors` a warning, and it is trashed anyway); refs given as an iterable are not.
   * Runs in a transaction, so an enclosing transaction that fails takes back the marks this
   * call added (marks made earlier stay). `ignoreErrors` defaults to false here.
   *
   * @throws `DatasetNotFoundError` for a single unknown ref unless `ignoreErrors`.
   */
  override async trash(
    refOrRefs: DatasetRef | Iterable<DatasetRef>,
    options: TrashOptions = {},
  ): Promise<void> {
    const ignoreErrors = options.ignoreErrors ?? false;
    await this.transaction(async (transaction) => {
      let refs: DatasetRef[];
      if (isIterable(refOrRefs)) {
        refs = [...refOrRefs];
      } else {
        refs = [refOrRefs];
        if (!this.#store.datasets.has(refOrRefs.id)) {
          const error = this.#notFound(refOrRefs);
          if (!ignoreErrors) throw error;
          this.logger.warn(`Attempted to trash a dataset that is not stored: ${error.message}`);
        }
      }
      const ids = refs.map((ref) => ref.id);
      const trashed = this.#store.trashed;
      // Only marks this call adds are taken back: a dataset trashed before stays trashed
      // (daf_butler takes back every mark, and throws for one already emptied).
      const added = ids.filter((id) => !trashed.has(id));
      await transaction.undoWith(
        `Trash ${ids.length} datasets`,
        () => {
          for (const id of added) trashed.delete(id);
        },
        () => {
          for (const id of added) trashed.add(id);
        },
      );
    });
  }

  /**
   * Deletes the trashed datasets (only those of `refs`, if non-empty: **an empty `refs` empties
   * the whole trash**, as in daf_butler). Datasets already gone are skipped; every processed ID
   * leaves the trash. Not undoable. Returns an empty set: there are no artifacts. With
   * `dryRun`, logs how many would go and changes nothing.
   */
  override emptyTrash(options: EmptyTrashOptions = {}): Promise<Set<ResourcePath>> {
    return settle(() => this.#emptyTrash(options));
  }

  #emptyTrash(options: EmptyTrashOptions): Set<ResourcePath> {
    // `ignoreErrors` has nothing to ignore: deleting from a Map cannot fail.
    const { refs = null, dryRun = false } = options;
    const store = this.#store;
    let trashed = [...store.trashed];
    if (refs !== null) {
      const wanted = new Set([...refs].map((ref) => ref.id));
      if (wanted.size > 0) trashed = trashed.filter((id) => wanted.has(id));
    }
    if (dryRun) {
      this.logger.debug(`Would remove ${trashed.length} dataset(s) from the trash of ${this.name}`);
      return new Set();
    }
    // Datasets already gone (forgotten, or emptied by a clone) are simply not there.
    for (const id of trashed) {
      store.datasets.delete(id);
      store.trashed.delete(id);
    }
    return new Set();
  }

  /** A no-op: an in-memory datastore accepts any storage class. */
  override validateConfiguration(
    _entities: Iterable<DatastoreEntity>,
    _options?: ValidateOptions,
  ): void {}

  /** A no-op. */
  override validateKey(_lookupKey: LookupKey, _entity: DatastoreEntity): void {}

  /** The lookup keys of the constraints (accepted and rejected, without `all`). */
  override getLookupKeys(): readonly LookupKey[] {
    return this.constraints.getLookupKeys();
  }

  /** False: data IDs are never written anywhere. */
  override needsExpandedDataIds(_transfer?: TransferMode, _entity?: DatastoreEntity): boolean {
    return false;
  }

  /** A no-op: there are no records to import. */
  override importRecords(_data: ReadonlyMap<string, DatastoreRecordData>): Promise<void> {
    return Promise.resolve();
  }

  /** An empty map: an ephemeral datastore exports no records. */
  override exportRecords(_refs: Iterable<DatasetIdRef>): Promise<Map<string, DatastoreRecordData>> {
    return Promise.resolve(new Map<string, DatastoreRecordData>());
  }

  /** An empty map. */
  override exportPredictedRecords(
    _refs: Iterable<DatasetRef>,
  ): Promise<Map<string, DatastoreRecordData>> {
    return Promise.resolve(new Map<string, DatastoreRecordData>());
  }

  /** An empty map: no opaque tables. */
  override getOpaqueTableDefinitions(): Map<string, DatastoreOpaqueTable> {
    return new Map();
  }

  /**
   * The record of a stored dataset: when it was put, with which storage class, under which ID.
   *
   * @throws `DatasetNotFoundError` if it is not stored.
   */
  getStoredItemInfo(ref: DatasetRef): StoredMemoryItemInfo {
    const datasets = this.#store.datasets;
    const slot = datasets.slotOf(ref.id);
    if (slot === undefined) throw this.#notFound(ref);
    return new StoredMemoryItemInfo(
      datasets.timestampAt(slot),
      datasets.storageClassAt(slot),
      ref.id,
    );
  }

  /**
   * Drops the record of `ref`, so it no longer exists; unknown refs are ignored. For tests, as
   * in daf_butler (where the stored object stays behind, unreachable; here it goes too).
   */
  removeStoredItemInfo(ref: DatasetIdRef): void {
    this.#store.datasets.delete(ref.id);
  }

  #notFound(ref: DatasetRef): DatasetNotFoundError {
    return new DatasetNotFoundError(`No such dataset in memory: ${ref.toString()}`, {
      datastore: this.name,
      ref,
    });
  }
}

DatastoreClassRegistry.shared.registerDefault(
  InMemoryDatastore,
  'InMemoryDatastore',
  'lsst.daf.butler.datastores.inMemoryDatastore.InMemoryDatastore',
);
