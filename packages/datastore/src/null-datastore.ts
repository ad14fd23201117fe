import type { ConfigInput, DatasetRef, LookupKey } from '@butler-ts/core';
import type { DatasetIdRef, DatastoreRegistryBridgeManager } from '@butler-ts/registry-interfaces';
import { Datastore, DatastoreClassRegistry } from './datastore.ts';
import type {
  DatastoreCreateOptions,
  DatastoreEntity,
  EmptyTrashOptions,
  GetOptions,
  IngestOptions,
  IngestZipOptions,
  PutOptions,
  RetrieveArtifactsOptions,
  TransferFromOptions,
  TrashOptions,
  URIOptions,
  ValidateOptions,
} from './datastore.ts';
import type { DatasetRefURIs } from './dataset-ref-uris.ts';
import { DatasetNotFoundError, DatastoreNotSupportedError } from './errors.ts';
import type { FileDataset } from './ingest.ts';
import type { DatastoreOpaqueTable } from './opaque-table.ts';
import type { DatastoreRecordData } from './record-data.ts';
import type { ResourcePath } from './resource-path.ts';
import { timestampedName } from './timestamped-name.ts';

/**
 * A datastore that holds nothing and refuses everything, for a butler without a datastore
 * (Python `NullDatastore`).
 *
 * `knows`/`exists` answer false; `get` and the URI methods fail with
 * {@link DatasetNotFoundError}; writes, deletes, ingest, transfers and record import/export
 * fail with {@link DatastoreNotSupportedError}; validation passes; it has no opaque tables.
 * Registered as `NullDatastore` and `lsst.daf.butler.datastore.NullDatastore`.
 *
 * @example
 * ```ts
 * const none = new NullDatastore();
 * await none.exists(ref); // false
 * ```
 */
export class NullDatastore extends Datastore {
  /** Ignores its arguments; the name is `NullDatastore@<unix time>`. */
  constructor(
    _config?: ConfigInput,
    _bridgeManager?: DatastoreRegistryBridgeManager | null,
    _butlerRoot?: string | null,
  ) {
    super(null, null, { name: timestampedName('NullDatastore') });
  }

  /** A new NullDatastore (the options are ignored). */
  static override createFromConfig(_options: DatastoreCreateOptions): NullDatastore {
    return new NullDatastore();
  }

  /** Itself: there is nothing to copy. */
  override clone(_bridgeManager: DatastoreRegistryBridgeManager): NullDatastore {
    return this;
  }

  /** Always false. */
  override knows(_ref: DatasetRef): Promise<boolean> {
    return Promise.resolve(false);
  }

  /** Always false. */
  override exists(_ref: DatasetRef): Promise<boolean> {
    return Promise.resolve(false);
  }

  /** @throws {@link DatasetNotFoundError} always. */
  override get(ref: DatasetRef, _options?: GetOptions): Promise<unknown> {
    return Promise.reject(this.#notFound(ref));
  }

  /** @throws {@link DatasetNotFoundError} always. */
  override getURIs(ref: DatasetRef, _options?: URIOptions): Promise<DatasetRefURIs> {
    return Promise.reject(this.#notFound(ref));
  }

  /** @throws {@link DatasetNotFoundError} always. */
  override getURI(ref: DatasetRef, _options?: URIOptions): Promise<ResourcePath> {
    return Promise.reject(this.#notFound(ref));
  }

  /** @throws {@link DatastoreNotSupportedError} always. */
  override put(_value: unknown, _ref: DatasetRef, _options?: PutOptions): Promise<void> {
    return this.#refuse('put');
  }

  /** @throws {@link DatastoreNotSupportedError} always. */
  override putNew(_value: unknown, _ref: DatasetRef): Promise<Map<string, DatasetRef>> {
    return this.#refuse('putNew');
  }

  /** @throws {@link DatastoreNotSupportedError} always. */
  override ingest(_datasets: Iterable<FileDataset>, _options?: IngestOptions): Promise<void> {
    return this.#refuse('ingest');
  }

  /** @throws {@link DatastoreNotSupportedError} always. */
  override transferFrom(
    _source: Datastore,
    _refs: Iterable<DatasetRef>,
    _options?: TransferFromOptions,
  ): Promise<[Set<DatasetRef>, Set<DatasetRef>]> {
    return this.#refuse('transferFrom');
  }

  /** @throws {@link DatastoreNotSupportedError} always. */
  override ingestZip(_zipPath: string | ResourcePath, _options?: IngestZipOptions): Promise<void> {
    return this.#refuse('ingestZip');
  }

  /** @throws {@link DatastoreNotSupportedError} always. */
  override retrieveArtifacts(
    _refs: Iterable<DatasetRef>,
    _destination: string | ResourcePath,
    _options?: RetrieveArtifactsOptions,
  ): Promise<Map<ResourcePath, unknown>> {
    return this.#refuse('retrieveArtifacts');
  }

  /** @throws {@link DatastoreNotSupportedError} always. */
  override remove(_ref: DatasetRef): Promise<void> {
    return this.#refuse('remove');
  }

  /** @throws {@link DatastoreNotSupportedError} always. */
  override forget(_refs: Iterable<DatasetRef>): Promise<void> {
    return this.#refuse('forget');
  }

  /** @throws {@link DatastoreNotSupportedError} always. */
  override trash(
    _refOrRefs: DatasetRef | Iterable<DatasetRef>,
    _options?: TrashOptions,
  ): Promise<void> {
    return this.#refuse('trash');
  }

  /** @throws {@link DatastoreNotSupportedError} always. */
  override emptyTrash(_options?: EmptyTrashOptions): Promise<Set<ResourcePath>> {
    return this.#refuse('emptyTrash');
  }

  /** @throws {@link DatastoreNotSupportedError} always. */
  override transfer(_inputDatastore: Datastore, _ref: DatasetRef): Promise<void> {
    return this.#refuse('transfer');
  }

  /** @throws {@link DatastoreNotSupportedError} always. */
  override export(_refs: Iterable<DatasetRef>): Promise<FileDataset[]> {
    return this.#refuse('export');
  }

  /** A no-op: there is nothing to validate. */
  override validateConfiguration(
    _entities: Iterable<DatastoreEntity>,
    _options?: ValidateOptions,
  ): void {}

  /** A no-op. */
  override validateKey(_lookupKey: LookupKey, _entity: DatastoreEntity): void {}

  /** @throws {@link DatastoreNotSupportedError} always. */
  override getLookupKeys(): readonly LookupKey[] {
    throw this.#notSupported('getLookupKeys');
  }

  /** @throws {@link DatastoreNotSupportedError} always. */
  override importRecords(_data: ReadonlyMap<string, DatastoreRecordData>): Promise<void> {
    return this.#refuse('importRecords');
  }

  /** @throws {@link DatastoreNotSupportedError} always. */
  override exportRecords(_refs: Iterable<DatasetIdRef>): Promise<Map<string, DatastoreRecordData>> {
    return this.#refuse('exportRecords');
  }

  /** @throws {@link DatastoreNotSupportedError} always. */
  override exportPredictedRecords(
    _refs: Iterable<DatasetRef>,
  ): Promise<Map<string, DatastoreRecordData>> {
    return this.#refuse('exportPredictedRecords');
  }

  /** Empty: no opaque tables. */
  override getOpaqueTableDefinitions(): Map<string, DatastoreOpaqueTable> {
    return new Map();
  }

  #notFound(ref: DatasetRef): DatasetNotFoundError {
    return new DatasetNotFoundError(`Dataset ${ref.toString()} not in NullDatastore ${this.name}`, {
      datastore: this.name,
      ref,
    });
  }

  #notSupported(operation: string): DatastoreNotSupportedError {
    return new DatastoreNotSupportedError(`NullDatastore does not support ${operation}`, {
      datastore: this.name,
      operation,
    });
  }

  #refuse(operation: string): Promise<never> {
    return Promise.reject(this.#notSupported(operation));
  }
}

DatastoreClassRegistry.shared.registerDefault(
  NullDatastore,
  'NullDatastore',
  'lsst.daf.butler.datastore.NullDatastore',
  'lsst.daf.butler.datastore._datastore.NullDatastore',
);
