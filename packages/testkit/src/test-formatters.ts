import type { ConfigData } from '@butler-ts/core';

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
