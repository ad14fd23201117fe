export { Constraints } from './constraints.ts';
export type { ConstrainedEntity, ConstraintsOptions } from './constraints.ts';
export { DatasetRefURIs } from './dataset-ref-uris.ts';
export type { ComponentURIs } from './dataset-ref-uris.ts';
export { Datastore, DatastoreClassRegistry } from './datastore.ts';
export type {
  DatastoreClass,
  DatastoreCreateOptions,
  DatastoreEntity,
  DatastoreLoadOptions,
  DatastoreOptions,
  EmptyTrashOptions,
  ExportOptions,
  GetOptions,
  IngestOptions,
  IngestZipOptions,
  LoadedDatastoreConfig,
  ManyURIsOptions,
  PutOptions,
  RegisterDatastoreOptions,
  RetrieveArtifactsOptions,
  TransferFromOptions,
  TrashOptions,
  URIOptions,
  ValidateOptions,
} from './datastore.ts';
export { datastoreConfig, readConfigFile } from './datastore-config.ts';
export type { ConfigSearchPath, DatastoreConfig } from './datastore-config.ts';
export { DatastoreTransaction } from './datastore-transaction.ts';
export type {
  DatastoreTransactionOptions,
  TransactionState,
  UndoEvent,
} from './datastore-transaction.ts';
export {
  ConstraintsValidationError,
  DatasetNotFoundError,
  DatasetTypeNotSupportedError,
  DatastoreLogicError,
  DatastoreNotSupportedError,
  DatastoreValidationError,
  UnknownDatastoreClassError,
} from './errors.ts';
export type { DatasetLike, DatasetNotFoundData } from './errors.ts';
export { GenericBaseDatastore, getFromStored, postProcessGet } from './generic-base-datastore.ts';
export { IngestPrepData, fileDataset } from './ingest.ts';
export type { FileDataset, TransferMode } from './ingest.ts';
export { NullDatastore } from './null-datastore.ts';
export { datastoreOpaqueTable } from './opaque-table.ts';
export type { DatastoreOpaqueTable } from './opaque-table.ts';
export { DatastoreRecordData, StoredDatastoreItemInfo } from './record-data.ts';
export type {
  DatastoreRecordMap,
  SerializedDatastoreRecordData,
  StoredDatastoreItemInfoClass,
} from './record-data.ts';
export { RefAnswers } from './ref-answers.ts';
export { ResourcePath } from './resource-path.ts';
export { timestampedName, uniqueTimestamp } from './timestamped-name.ts';
