import { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { StorageClassFactory } from '../storage-class-factory.ts';
import { classType } from '../type-descriptor.ts';
import type { TypeDescriptor } from '../type-descriptor.ts';
import { TypeRegistry } from '../storage-class.ts';
import type { Converter } from '../storage-class.ts';
import { ListDelegate, MetricsDelegate } from './delegates.ts';
import { DictModel } from './dict-model.ts';
import type { DictModelContent } from './dict-model.ts';
import { MetricsDataclass, MetricsModel, MetricsRecord } from './metrics.ts';
import type { MetricsFields } from './metrics.ts';
import { TypeMismatchError } from '../errors.ts';

const METRIC_FIELDS = new Set(['summary', 'output', 'data']);

function metricsFields(fields?: Readonly<Record<string, unknown>>): Partial<MetricsFields> {
  const extra = Object.keys(fields ?? {}).filter((k) => !METRIC_FIELDS.has(k));
  if (extra.length > 0) {
    throw new TypeMismatchError(`Unexpected metrics fields: ${extra.join(', ')}`);
  }
  return fields ?? {};
}

/** The Python names under which the F2 types are registered. */
export const TEST_TYPE_NAMES = Object.freeze({
  /** {@link MetricsRecord}, as Python's `MetricsExample`. */
  MetricsRecord: 'lsst.daf.butler.tests.MetricsExample',
  /** {@link MetricsModel}, as Python's `MetricsExampleModel`. */
  MetricsModel: 'lsst.daf.butler.tests.MetricsExampleModel',
  /** {@link MetricsDataclass}, as Python's `MetricsExampleDataclass`. */
  MetricsDataclass: 'lsst.daf.butler.tests.MetricsExampleDataclass',
  /** {@link DictModel}, as Python's `DictConvertibleModel`. */
  DictModel: 'lsst.daf.butler.tests.dict_convertible_model.DictConvertibleModel',
} as const);

/** Type descriptors of the F2 types (constructor checks). */
export const TEST_TYPES: Readonly<Record<keyof typeof TEST_TYPE_NAMES, TypeDescriptor>> =
  Object.freeze({
    MetricsRecord: classType(TEST_TYPE_NAMES.MetricsRecord, MetricsRecord, {
      create: (fields) => {
        const f = metricsFields(fields);
        return new MetricsRecord(f.summary ?? null, f.output ?? null, f.data ?? null);
      },
    }),
    MetricsModel: classType(TEST_TYPE_NAMES.MetricsModel, MetricsModel, {
      create: (fields) => new MetricsModel(metricsFields(fields)),
    }),
    MetricsDataclass: classType(TEST_TYPE_NAMES.MetricsDataclass, MetricsDataclass, {
      create: (fields) => {
        const f = metricsFields(fields);
        return new MetricsDataclass(f.summary ?? null, f.output ?? null, f.data ?? null);
      },
    }),
    DictModel: classType(TEST_TYPE_NAMES.DictModel, DictModel),
  });

/** The registered names of the test delegates. */
export const TEST_DELEGATE_NAMES = Object.freeze({
  /** {@link ListDelegate}, for lists and tuples. */
  List: 'lsst.daf.butler.tests.ListDelegate',
  /** {@link MetricsDelegate}, for the metrics types. */
  Metrics: 'lsst.daf.butler.tests.MetricsDelegate',
} as const);

/** The registered names of the test converters and what each does. */
export const TEST_CONVERTER_NAMES = Object.freeze({
  /** MetricsRecord → its exported map. */
  metricsToDict: 'lsst.daf.butler.tests.MetricsExample.exportAsDict',
  /** map → MetricsRecord (a missing `data` becomes null). */
  dictToMetrics: 'lsst.daf.butler.tests.MetricsExample.makeFromDict',
  /** MetricsModel → MetricsRecord. */
  modelToMetrics: 'lsst.daf.butler.tests.MetricsExample.fromModel',
  /** MetricsRecord → MetricsModel. */
  metricsToModel: 'lsst.daf.butler.tests.MetricsExampleModel.from_metrics',
  /** map → DictModel (`extra` = `'from_dict'`). */
  dictToDictModel: `${TEST_TYPE_NAMES.DictModel}.from_dict`,
  /** DictModel → a copy of its content. */
  dictModelToDict: `${TEST_TYPE_NAMES.DictModel}.to_dict`,
} as const);

// Module-level functions, so registering them again in the same registry is a no-op.
const TEST_CONVERTERS: Readonly<Record<string, Converter>> = Object.freeze({
  [TEST_CONVERTER_NAMES.metricsToDict]: (v: unknown) => (v as MetricsRecord).exportAsDict(),
  [TEST_CONVERTER_NAMES.dictToMetrics]: (v: unknown) =>
    MetricsRecord.makeFromDict(v as Record<string, unknown>),
  [TEST_CONVERTER_NAMES.modelToMetrics]: (v: unknown) => MetricsRecord.fromModel(v as MetricsModel),
  [TEST_CONVERTER_NAMES.metricsToModel]: (v: unknown) =>
    MetricsModel.fromMetrics(v as MetricsRecord),
  [TEST_CONVERTER_NAMES.dictToDictModel]: (v: unknown) => DictModel.fromDict(v as DictModelContent),
  [TEST_CONVERTER_NAMES.dictModelToDict]: (v: unknown) => (v as DictModel).toDict(),
});

/**
 * Registers the F2 types, the test delegates and the test converters in `registry` and returns it.
 * Idempotent.
 *
 * @throws {@link index!InvalidValueError | InvalidValueError} if the registry holds different
 *   entries under those names.
 */
export function registerTestTypes(registry: TypeRegistry): TypeRegistry {
  for (const type of Object.values(TEST_TYPES)) registry.registerType(type);
  registry
    .registerDelegate(TEST_DELEGATE_NAMES.List, ListDelegate)
    .registerDelegate(TEST_DELEGATE_NAMES.Metrics, MetricsDelegate);
  for (const [name, fn] of Object.entries(TEST_CONVERTERS)) registry.registerConverter(name, fn);
  return registry;
}

/**
 * The F3 storage classes as YAML (a `storageClasses` section), under their reference names
 * from daf_butler's `tests/config/basic/storageClasses.yaml`. Load it into a factory whose
 * registry has {@link registerTestTypes} applied, or use {@link makeTestStorageClassFactory}.
 */
export const TEST_STORAGE_CLASSES_YAML = `# F3: storage classes used by the datastore cases
storageClasses:
  StructuredDataDictYaml:
    pytype: dict
  StructuredDataListYaml:
    pytype: list
    delegate: ${TEST_DELEGATE_NAMES.List}
    parameters: [slice]
  StructuredDataDictJson:
    pytype: dict
    converters:
      ${TEST_TYPE_NAMES.MetricsRecord}: ${TEST_CONVERTER_NAMES.metricsToDict}
  StructuredData:
    pytype: ${TEST_TYPE_NAMES.MetricsRecord}
    delegate: ${TEST_DELEGATE_NAMES.Metrics}
    components:
      summary: StructuredDataDictYaml
      output: StructuredDataDictYaml
      data: StructuredDataListYaml
    converters:
      ${TEST_TYPE_NAMES.MetricsModel}: ${TEST_CONVERTER_NAMES.modelToMetrics}
  StructuredDataJson:
    inheritsFrom: StructuredData
  StructuredDataPickle:
    inheritsFrom: StructuredData
  StructuredDataNoComponents:
    pytype: ${TEST_TYPE_NAMES.MetricsRecord}
    delegate: ${TEST_DELEGATE_NAMES.Metrics}
    parameters: [slice]
    converters:
      dict: ${TEST_CONVERTER_NAMES.dictToMetrics}
  StructuredComposite:
    inheritsFrom: StructuredData
    parameters: [slice]
  StructuredDataDataTest:
    pytype: list
    delegate: ${TEST_DELEGATE_NAMES.List}
    parameters: [slice]
    derivedComponents:
      counter: Integer
  StructuredDataDataTestTuple:
    pytype: tuple
    delegate: ${TEST_DELEGATE_NAMES.List}
    parameters: [slice]
    derivedComponents:
      counter: Integer
    converters:
      list: tuple
  StructuredCompositeReadComp:
    inheritsFrom: StructuredComposite
    components:
      summary: StructuredDataDictYaml
      output: StructuredDataDictYaml
      data: StructuredDataDataTest
    derivedComponents:
      counter: Integer
  StructuredCompositeReadCompNoDisassembly:
    inheritsFrom: StructuredCompositeReadComp
  Integer:
    pytype: int
  ThingOne:
    pytype: dict
    parameters: [param1, param2]
  ThingTwo:
    inheritsFrom: ThingOne
    parameters: [param3]
  MetricsConversion:
    pytype: ${TEST_TYPE_NAMES.MetricsModel}
    delegate: ${TEST_DELEGATE_NAMES.Metrics}
    parameters: [xslice]
    components:
      summary: StructuredDataDictYaml
      output: StructuredDataDictYaml
      data: StructuredDataDataTestTuple
    converters:
      ${TEST_TYPE_NAMES.MetricsRecord}: ${TEST_CONVERTER_NAMES.metricsToModel}
  DictConvertibleModel:
    pytype: ${TEST_TYPE_NAMES.DictModel}
    converters:
      dict: ${TEST_CONVERTER_NAMES.dictToDictModel}
  NativeDictForConvertibleModel:
    pytype: dict
    converters:
      ${TEST_TYPE_NAMES.DictModel}: ${TEST_CONVERTER_NAMES.dictModelToDict}
  MetricsExampleA:
    pytype: ${TEST_TYPE_NAMES.MetricsRecord}
  MetricsExampleB:
    pytype: ${TEST_TYPE_NAMES.MetricsRecord}
  MetricsExampleDataclassA:
    pytype: ${TEST_TYPE_NAMES.MetricsDataclass}
  MetricsExampleDataclassB:
    pytype: ${TEST_TYPE_NAMES.MetricsDataclass}
  MetricsExampleModelA:
    pytype: ${TEST_TYPE_NAMES.MetricsModel}
  MetricsExampleModelB:
    pytype: ${TEST_TYPE_NAMES.MetricsModel}
  TupleExampleA:
    pytype: tuple
  TupleExampleB:
    pytype: tuple
`;

/** The F3 table's short names → the reference names used in {@link TEST_STORAGE_CLASSES_YAML}. */
export const F3_STORAGE_CLASS_ALIASES = Object.freeze({
  /** A plain map, no delegate. */
  Dict: 'StructuredDataDictYaml',
  /** A list with the `slice` parameter (List delegate). */
  List: 'StructuredDataListYaml',
  /** A map that also accepts a {@link MetricsRecord}, converted to its exported map. */
  DictFromMetrics: 'StructuredDataDictJson',
  /** A list with `slice` and the derived component `counter` (its length). */
  ListWithCounter: 'StructuredDataDataTest',
  /** A {@link index!Tuple | Tuple} with `slice` and `counter`; a list is converted to a tuple. */
  Tuple: 'StructuredDataDataTestTuple',
} as const);

/** {@link TEST_STORAGE_CLASSES_YAML} as a {@link Config}. */
export function testStorageClassConfig(): Config {
  return Config.fromYaml(TEST_STORAGE_CLASSES_YAML, { source: 'testing:storageClasses.yaml' });
}

/** A new registry with builtins and the test types, delegates and converters. */
export function makeTestTypeRegistry(options: { readonly logger?: Logger } = {}): TypeRegistry {
  return registerTestTypes(
    new TypeRegistry(options.logger === undefined ? {} : { logger: options.logger }),
  );
}

/**
 * A new factory with the default storage classes and all F3 storage classes, on a new
 * registry from {@link makeTestTypeRegistry}.
 *
 * @example
 * ```ts
 * const factory = makeTestStorageClassFactory();
 * const ref = makeRef('metric', factory.getStorageClass('StructuredData'), { instrument: 'dummy', visit: 52 }, { factory });
 * ```
 */
export function makeTestStorageClassFactory(
  options: { readonly logger?: Logger } = {},
): StorageClassFactory {
  return new StorageClassFactory({
    registry: makeTestTypeRegistry(options),
    config: testStorageClassConfig(),
  });
}

let sharedFactory: StorageClassFactory | undefined;

/** One shared {@link makeTestStorageClassFactory} result (the default of {@link makeRef}). */
export function testStorageClassFactory(): StorageClassFactory {
  sharedFactory ??= makeTestStorageClassFactory();
  return sharedFactory;
}

/**
 * Adds the test types to `factory.registry` and the F3 storage classes to `factory` (default
 * {@link StorageClassFactory.shared}, as daf_butler's tests extend the process-wide factory)
 * and returns the factory. Idempotent.
 *
 * @throws {@link index!StorageClassConflictError | StorageClassConflictError} if the factory
 *   already defines an F3 name differently.
 */
export function installTestStorageClasses(
  factory: StorageClassFactory = StorageClassFactory.shared,
): StorageClassFactory {
  registerTestTypes(factory.registry);
  factory.addFromConfig(testStorageClassConfig());
  return factory;
}
