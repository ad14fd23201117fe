export { ButlerAttributeManager } from './attributes.ts';
export type { ButlerAttributeManagerClass } from './attributes.ts';
export {
  DatastoreRegistryBridge,
  DatastoreRegistryBridgeManager,
  FakeDatasetRef,
} from './bridge.ts';
export type {
  DatasetForeignKeys,
  DatasetId,
  DatasetIdRef,
  DatastoreRegistryBridgeManagerClass,
  EmptyTrashOptions,
  StoredItemInfoClass,
  TrashBody,
} from './bridge.ts';
export {
  CollectionManager,
  CollectionType,
  collectionTypeName,
  missingCollection,
  missingCollections,
} from './collections.ts';
export type {
  CollectionManagerClass,
  CollectionRecord,
  RegisterCollectionOptions,
  RunRecord,
  RunTimespan,
  TimespanBounds,
} from './collections.ts';
export { DatasetRecordStorageManager } from './datasets.ts';
export type {
  DataIdInput,
  DatasetManagerInitOptions,
  DatasetRecordStorageManagerClass,
  InsertDatasetsOptions,
  QueryDatasetsOptions,
} from './datasets.ts';
export { Database } from './database.ts';
export type {
  FetchOptions,
  Row,
  StaticTablesContext,
  SyncOptions,
  TransactionOptions,
} from './database.ts';
export { DimensionRecordStorageManager } from './dimensions.ts';
export type {
  DimensionManagerInitOptions,
  DimensionRecordStorageManagerClass,
} from './dimensions.ts';
export { EphemeralDatastoreRegistryBridge } from './ephemeral-bridge.ts';
export {
  ButlerAttributeExistsError,
  CollectionCycleError,
  CollectionTypeError,
  ConflictingDatasetTypeError,
  DataIdError,
  DatasetConflictError,
  MissingCollectionError,
  MissingDatasetTypeError,
  OrphanedRecordError,
  ConflictingDefinitionError,
  DatabaseConflictError,
  DatabaseError,
  DatabaseLogicError,
  DatabaseOpenError,
  DatabaseRuntimeError,
  IntegrityError,
  InvalidArgumentError,
  LookupError,
  ManagerMismatchError,
  MissingManagerError,
  MissingTableError,
  NotSupportedError,
  ReadOnlyDatabaseError,
  SchemaAlreadyDefinedError,
  TransientDatabaseError,
  UnknownOptionError,
} from './errors.ts';
export type { DatabaseOpenFailure, IntegrityKind, TransientKind } from './errors.ts';
export { checkOptions } from './options.ts';
export { OpaqueTableStorage, OpaqueTableStorageManager } from './opaque.ts';
export type {
  OpaqueTableStorageManagerClass,
  OpaqueWhere,
  OpaqueWhereValue,
  OpaqueWriteOptions,
} from './opaque.ts';
export {
  aggregate,
  and,
  cmp,
  col,
  constantRows,
  eq,
  inList,
  inSelect,
  isExpr,
  isNotNull,
  isNull,
  literal,
  not,
  or,
  startsWith,
  val,
  whereOf,
} from './query.ts';
export type {
  AggregateFn,
  CompareOp,
  ConstantRows,
  Expr,
  FromItem,
  OrderTerm,
  SelectQuery,
  Where,
} from './query.ts';
export type { TableHandle } from './table-handle.ts';
export type { UndoTransaction } from './undo.ts';
