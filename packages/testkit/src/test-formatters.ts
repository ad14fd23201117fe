import type { ConfigData } from '@butler-ts/core';
import { DictModel, MetricsModel, TEST_TYPE_NAMES } from '@butler-ts/core/testing';

const YAML = 'lsst.daf.butler.formatters.yaml.YamlFormatter';
const JSON_FORMATTER = 'lsst.daf.butler.formatters.json.JsonFormatter';

/**
 * daf_butler's `tests/config/basic/formatters.yaml`, for the storage classes the Datastore suite
 * uses: the `formatters` section a file-based datastore under test needs.
 */
export const TEST_FORMATTERS: ConfigData = Object.freeze({
  StructuredDataDictYaml: YAML,
  StructuredDataListYaml: YAML,
  StructuredDataDictJson: JSON_FORMATTER,
  StructuredDataDataTest: YAML,
  StructuredDataDataTestTuple: YAML,
  StructuredData: YAML,
  StructuredDataNoComponents: YAML,
  StructuredDataJson: JSON_FORMATTER,
  StructuredDataPickle: YAML,
  StructuredCompositeReadComp: YAML,
  StructuredCompositeReadCompNoDisassembly: YAML,
  StructuredDataNoComponentsModel: JSON_FORMATTER,
  ThingOne: YAML,
  ThingTwo: 'lsst.daf.butler.formatters.nonexistent.NoFormatter',
  DictConvertibleModel: JSON_FORMATTER,
  NativeDictForConvertibleModel: JSON_FORMATTER,
  MetricsExampleA: YAML,
  MetricsExampleB: YAML,
  MetricsExampleDataclassA: YAML,
  MetricsExampleDataclassB: YAML,
  MetricsExampleModelA: JSON_FORMATTER,
  MetricsExampleModelB: JSON_FORMATTER,
  TupleExampleA: YAML,
  TupleExampleB: YAML,
  DummySC: YAML,
  int: JSON_FORMATTER,
});

/**
 * How the suite's test models are written and read by daf_butler's formatters, as pydantic's
 * `model_dump`/`model_validate` would: the models have no such protocol of their own. A
 * file-based datastore under test registers each (type name → codec) with its formatter
 * registry, e.g. `FormatterRegistry.shared.registerCodec(name, codec)`.
 */
export const TEST_MODEL_CODECS: Readonly<
  Record<string, { toPlain(value: unknown): unknown; fromPlain(plain: unknown): unknown }>
> = Object.freeze({
  [TEST_TYPE_NAMES.MetricsModel]: {
    toPlain: (v: unknown) => {
      const m = v as MetricsModel;
      return { summary: m.summary, output: m.output, data: m.data };
    },
    fromPlain: (p: unknown) => new MetricsModel(p as ConstructorParameters<typeof MetricsModel>[0]),
  },
  [TEST_TYPE_NAMES.DictModel]: {
    toPlain: (v: unknown) => ({ content: (v as DictModel).content, extra: (v as DictModel).extra }),
    fromPlain: (p: unknown) => new DictModel(p as ConstructorParameters<typeof DictModel>[0]),
  },
});
