export { BUTLER_ATTRIBUTES_SPEC, DefaultButlerAttributeManager } from './attributes-manager.ts';
export type { AttributesTable } from './attributes-manager.ts';
export {
  datasetForeignKeysFor,
  datasetTableForeignKeys,
  standaloneDatasetForeignKeys,
} from './dataset-foreign-keys.ts';
export { SynthIntKeyCollectionManager } from './collections-manager.ts';
export type { CollectionTables } from './collections-manager.ts';
export {
  collectionSummaryGovernorSpec,
  dimensionKeyField,
  tagsTableName,
  tagsTableSpec,
} from './dataset-tables.ts';
export { ByDimensionsDatasetRecordStorageManagerUUID } from './datasets-manager.ts';
export type { DatasetTables, DatasetTypeRecord } from './datasets-manager.ts';
export { StaticDimensionRecordStorageManager } from './dimension-manager.ts';
export {
  BRIDGE_CHUNK_SIZE,
  BRIDGE_IN_LIST_SIZE,
  MonolithicDatastoreRegistryBridge,
} from './monolithic-bridge.ts';
export type { MonolithicBridgeTables } from './monolithic-bridge.ts';
export {
  MonolithicDatastoreRegistryBridgeManager,
  monolithicBridgeTableSpecs,
} from './monolithic-bridge-manager.ts';
export { ByNameOpaqueTableStorageManager, OPAQUE_META_SPEC } from './opaque-manager.ts';
export type { OpaqueMetaTable } from './opaque-manager.ts';
export type { OutputColumn } from './query-compiler.ts';
export {
  ByNameOpaqueTableStorage,
  OPAQUE_FETCH_CHUNK_SIZE,
  OPAQUE_FETCH_CHUNKS_PER_STATEMENT,
  OPAQUE_FETCH_PREFETCH,
  OPAQUE_SCAN_BATCH_SIZE,
} from './opaque-storage.ts';
export type {
  ColumnDescription,
  RenderedSql,
  SqlExecutor,
  SqlTable,
  TableCatalog,
  WriteMode,
} from './sql-database.ts';
export { redactUrl } from './redact-url.ts';
export { DEFAULT_MANAGERS, createRegistry, openRegistry } from './registry.ts';
export type {
  ManagerConfig,
  ManagerSpec,
  OpenRegistryOptions,
  Registry,
  RegistryManagersConfig,
  RegistryOptions,
} from './registry.ts';
export {
  ButlerVersionsManager,
  MANAGER_CONFIG_PREFIX,
  VERSION_PREFIX,
} from './versions-manager.ts';
export type {
  ButlerVersionsManagerOptions,
  ManagerMapping,
  StoredManager,
} from './versions-manager.ts';
