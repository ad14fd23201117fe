export { attributeMap, declareAttributes, describeAttributeManager } from './attributes-suite.ts';
export {
  datasetId,
  datasetTableSpec,
  declareBridge,
  describeBridge,
  recordsSpec,
} from './bridge-suite.ts';
export type { BridgeSuiteSubject } from './bridge-suite.ts';
export { declareS, describeDatabase, schemaS } from './database-suite.ts';
export type { DatabaseHarness } from './database-suite.ts';
export { isError, rejection } from './errors.ts';
export type { BrandedErrorClass } from './errors.ts';
export { E0, E1, E11, E2 } from './extension-stubs.ts';
export { declareOpaque, describeOpaqueManager, opaqueTestSpec } from './opaque-suite.ts';
export { UndoLog } from './undo-log.ts';
export { describeVersionsManager } from './versions-suite.ts';
export type { VersionsManagerLike, VersionsSuiteSubject } from './versions-suite.ts';
export { describeDatastore } from './datastore-suite.ts';
export type { DatastoreHarness } from './datastore-suite.ts';
export { TEST_FORMATTERS, TEST_MODEL_CODECS } from './test-formatters.ts';
