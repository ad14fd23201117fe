// Comments in this folder link to the main entry's symbols as `{@link index!Name | Name}`:
// typedoc documents `testing` as its own module, and looks a bare name up only within it when
// TypeScript cannot resolve the link (as in `@throws {@link …}`).
export { ListDelegate, MetricsDelegate } from './delegates.ts';
export { DictModel } from './dict-model.ts';
export type { DictModelContent } from './dict-model.ts';
export { MetricsDataclass, MetricsModel, MetricsRecord, makeExampleMetrics } from './metrics.ts';
export type { MetricsFields, MetricsMap, MetricsModelInit } from './metrics.ts';
export { makeDatasetRef, makeRef } from './refs.ts';
export type { MakeRefOptions } from './refs.ts';
export { Slice, slice } from './slice.ts';
export {
  F3_STORAGE_CLASS_ALIASES,
  TEST_CONVERTER_NAMES,
  TEST_DELEGATE_NAMES,
  TEST_STORAGE_CLASSES_YAML,
  TEST_TYPES,
  TEST_TYPE_NAMES,
  installTestStorageClasses,
  makeTestStorageClassFactory,
  makeTestTypeRegistry,
  registerTestTypes,
  testStorageClassConfig,
  testStorageClassFactory,
} from './storage-classes.ts';
export { TEST_UNIVERSE_CONFIG, makeTestUniverse, testUniverse } from './universe.ts';
