export { Config, configSubset } from './config.ts';
export type {
  ConfigData,
  ConfigInput,
  ConfigKey,
  ConfigOptions,
  ConfigSubsetOptions,
} from './config.ts';
export { DataCoordinate } from './data-coordinate.ts';
export type {
  DataIdMapping,
  DataIdValue,
  DimensionRecordValues,
  StandardizeOptions,
} from './data-coordinate.ts';
export {
  DATASET_ID_NAMESPACE,
  DatasetIdGenEnum,
  isDatasetId,
  makeDatasetId,
  parseDatasetId,
  uuid5,
  uuid7,
} from './dataset-id.ts';
export type { DatasetId } from './dataset-id.ts';
export { DatasetProvenance } from './dataset-provenance.ts';
export type { FlatDictOptions, ProvenanceValue } from './dataset-provenance.ts';
export { DatasetRef } from './dataset-ref.ts';
export type {
  DatasetDatastoreRecords,
  DatasetRefOptions,
  DatasetRefReplaceOptions,
} from './dataset-ref.ts';
export { DatasetType } from './dataset-type.ts';
export type { DatasetTypeOptions } from './dataset-type.ts';
export { deepCopy } from './deep-copy.ts';
export { deepEqual } from './deep-equal.ts';
export { pythonJsonDumps, universeConfigFromDafButler } from './dimension-config.ts';
export { DimensionGroup, DimensionUniverse } from './dimensions.ts';
export type {
  Dimension,
  DimensionColumn,
  DimensionColumnDefinition,
  DimensionColumnType,
  DimensionDefinition,
  DimensionElement,
  DimensionElementDefinition,
  DimensionKeyType,
  DimensionUniverseConfig,
  SkyPixSystemDefinition,
} from './dimension-types.ts';
export {
  DimensionNameError,
  IncompatibleStorageClassError,
  InvalidValueError,
  LookupError,
  MissingAttributeError,
  RuntimeError,
  StorageClassConflictError,
  TypeMismatchError,
  UnknownComponentError,
  UnknownParameterError,
  ValidationError,
} from './errors.ts';
export { consoleLogger } from './log.ts';
export type { Logger } from './log.ts';
export { LookupKey } from './lookup-key.ts';
export type { LookupDataId, LookupKeyCloneOptions, LookupKeyOptions } from './lookup-key.ts';
export { StorageClassDelegate } from './storage-class.ts';
export type {
  DatasetComponent,
  ReadParameters,
  StorageClassDelegateClass,
} from './storage-class.ts';
export { DEFAULT_STORAGE_CLASSES_YAML, StorageClassFactory } from './storage-class-factory.ts';
export type { StorageClassFactoryOptions } from './storage-class-factory.ts';
export { StorageClass } from './storage-class.ts';
export type { ParameterNames, StorageClassMap, StorageClassOptions } from './storage-class.ts';
export { isTuple, toTuple, tuple } from './tuple.ts';
export type { Tuple } from './tuple.ts';
export { BUILTIN_TYPES, classType, defineType, isSubtypeOf } from './type-descriptor.ts';
export type { TypeDescriptor, TypeDescriptorOptions } from './type-descriptor.ts';
export { BASE_DELEGATE_NAME, TypeRegistry } from './storage-class.ts';
export type { Converter, RegisterOptions, TypeRegistryOptions } from './storage-class.ts';
