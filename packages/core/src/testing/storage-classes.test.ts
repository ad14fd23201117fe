import { describe, expect, it } from 'vitest';
import {
  InvalidValueError,
  StorageClassConflictError,
  TypeMismatchError,
  UnknownParameterError,
} from '../errors.ts';
import { StorageClass } from '../storage-class.ts';
import { StorageClassFactory } from '../storage-class-factory.ts';
import { StorageClassDelegate } from '../storage-class.ts';
import { isTuple, tuple } from '../tuple.ts';
import { BASE_DELEGATE_NAME, TypeRegistry } from '../storage-class.ts';
import { ListDelegate, MetricsDelegate } from './delegates.ts';
import { DictModel } from './dict-model.ts';
import { MetricsModel, MetricsRecord, makeExampleMetrics } from './metrics.ts';
import { slice } from './slice.ts';
import {
  F3_STORAGE_CLASS_ALIASES,
  TEST_DELEGATE_NAMES,
  TEST_STORAGE_CLASSES_YAML,
  TEST_TYPES,
  TEST_TYPE_NAMES,
  installTestStorageClasses,
  makeTestStorageClassFactory,
  registerTestTypes,
  testStorageClassConfig,
  testStorageClassFactory,
} from './storage-classes.ts';

const factory = makeTestStorageClassFactory();
const sc = (name: string) => factory.getStorageClass(name);
const T = TEST_TYPE_NAMES;
const LIST = TEST_DELEGATE_NAMES.List;
const METRICS = TEST_DELEGATE_NAMES.Metrics;

interface Row {
  pytype: string;
  components?: Record<string, string>;
  derived?: Record<string, string>;
  parameters?: string[];
  delegate?: string;
  converters?: string[];
}

const STRUCTURED: Row = {
  pytype: T.MetricsRecord,
  components: {
    summary: 'StructuredDataDictYaml',
    output: 'StructuredDataDictYaml',
    data: 'StructuredDataListYaml',
  },
  delegate: METRICS,
  converters: [T.MetricsModel],
};
const READ_COMP: Row = {
  ...STRUCTURED,
  components: {
    summary: 'StructuredDataDictYaml',
    output: 'StructuredDataDictYaml',
    data: 'StructuredDataDataTest',
  },
  derived: { counter: 'Integer' },
  parameters: ['slice'],
};

// The F3 table of conformance.md, one row per storage class.
const F3: Record<string, Row> = {
  StructuredDataDictYaml: { pytype: 'dict' },
  StructuredDataListYaml: { pytype: 'list', parameters: ['slice'], delegate: LIST },
  StructuredDataDictJson: { pytype: 'dict', converters: [T.MetricsRecord] },
  StructuredData: STRUCTURED,
  StructuredDataJson: STRUCTURED,
  StructuredDataPickle: STRUCTURED,
  StructuredDataNoComponents: {
    pytype: T.MetricsRecord,
    parameters: ['slice'],
    delegate: METRICS,
    converters: ['dict'],
  },
  StructuredComposite: { ...STRUCTURED, parameters: ['slice'] },
  StructuredDataDataTest: {
    pytype: 'list',
    derived: { counter: 'Integer' },
    parameters: ['slice'],
    delegate: LIST,
  },
  StructuredDataDataTestTuple: {
    pytype: 'tuple',
    derived: { counter: 'Integer' },
    parameters: ['slice'],
    delegate: LIST,
    converters: ['list'],
  },
  StructuredCompositeReadComp: READ_COMP,
  StructuredCompositeReadCompNoDisassembly: READ_COMP,
  Integer: { pytype: 'int' },
  ThingOne: { pytype: 'dict', parameters: ['param1', 'param2'] },
  ThingTwo: { pytype: 'dict', parameters: ['param1', 'param2', 'param3'] },
  MetricsConversion: {
    pytype: T.MetricsModel,
    components: {
      summary: 'StructuredDataDictYaml',
      output: 'StructuredDataDictYaml',
      data: 'StructuredDataDataTestTuple',
    },
    parameters: ['xslice'],
    delegate: METRICS,
    converters: [T.MetricsRecord],
  },
  DictConvertibleModel: { pytype: T.DictModel, converters: ['dict'] },
  NativeDictForConvertibleModel: { pytype: 'dict', converters: [T.DictModel] },
  MetricsExampleA: { pytype: T.MetricsRecord },
  MetricsExampleB: { pytype: T.MetricsRecord },
  MetricsExampleDataclassA: { pytype: T.MetricsDataclass },
  MetricsExampleDataclassB: { pytype: T.MetricsDataclass },
  MetricsExampleModelA: { pytype: T.MetricsModel },
  MetricsExampleModelB: { pytype: T.MetricsModel },
  TupleExampleA: { pytype: 'tuple' },
  TupleExampleB: { pytype: 'tuple' },
};

const names = (m: ReadonlyMap<string, { name: string }>) =>
  Object.fromEntries([...m].map(([k, v]) => [k, v.name]));

describe('F3 storage classes', () => {
  it.each(Object.entries(F3))('defines %s as the F3 table says', (name, row) => {
    const storageClass = sc(name);
    expect(storageClass.pytypeName).toBe(row.pytype);
    expect(storageClass.pytype.name).toBe(row.pytype);
    expect(names(storageClass.components)).toEqual(row.components ?? {});
    expect(names(storageClass.derivedComponents)).toEqual(row.derived ?? {});
    expect([...storageClass.parameters].sort()).toEqual([...(row.parameters ?? [])].sort());
    expect(storageClass.delegateName).toBe(row.delegate ?? BASE_DELEGATE_NAME);
    expect(storageClass.delegate()).toBeInstanceOf(StorageClassDelegate);
    expect([...storageClass.converters.keys()]).toEqual(row.converters ?? []);
  });

  it('defines nothing beyond the table and the defaults', () => {
    expect(
      factory
        .names()
        .filter((n) => !['int', 'StructuredDataDict', 'StructuredDataList'].includes(n))
        .sort(),
    ).toEqual(Object.keys(F3).sort());
    expect(Object.values(F3_STORAGE_CLASS_ALIASES).every((name) => factory.has(name))).toBe(true);
  });

  it('resolves every converter', () => {
    for (const name of Object.keys(F3)) {
      const storageClass = sc(name);
      const before = storageClass.converters.size;
      storageClass.canConvert(sc('Integer'));
      expect(storageClass.converters.size).toBe(before);
    }
  });

  it('is available as YAML text and as a Config', () => {
    expect(TEST_STORAGE_CLASSES_YAML).toContain('StructuredCompositeReadComp:');
    expect(testStorageClassConfig().has('storageClasses.ThingTwo.inheritsFrom')).toBe(true);
    expect(testStorageClassFactory()).toBe(testStorageClassFactory());
  });
});

describe('F3 converters', () => {
  it('exports a MetricsRecord for StructuredDataDictJson', () => {
    const m = makeExampleMetrics();
    expect(sc('StructuredDataDictJson').coerceType(m)).toEqual(m.exportAsDict());
  });

  it('turns a MetricsModel into a MetricsRecord for StructuredData', () => {
    const model = MetricsModel.fromMetrics(makeExampleMetrics());
    const coerced = sc('StructuredData').coerceType(model);
    expect(coerced).toBeInstanceOf(MetricsRecord);
    expect((coerced as MetricsRecord).equals(makeExampleMetrics())).toBe(true);
  });

  it('turns a map without data into a MetricsRecord for StructuredDataNoComponents', () => {
    const coerced = sc('StructuredDataNoComponents').coerceType({
      summary: { a: 1 },
      output: { b: 2 },
    }) as MetricsRecord;
    expect(coerced).toBeInstanceOf(MetricsRecord);
    expect(coerced.summary).toEqual({ a: 1 });
    expect(coerced.output).toEqual({ b: 2 });
    expect(coerced.data).toBeNull();
  });

  it('turns a list into a tuple for the Tuple storage class', () => {
    const coerced = sc('StructuredDataDataTestTuple').coerceType([1, 2]);
    expect(isTuple(coerced)).toBe(true);
    expect(coerced).toEqual([1, 2]);
  });

  it('turns a MetricsRecord into a MetricsModel for MetricsConversion', () => {
    const coerced = sc('MetricsConversion').coerceType(makeExampleMetrics());
    expect(coerced).toBeInstanceOf(MetricsModel);
    expect((coerced as MetricsModel).equals(makeExampleMetrics())).toBe(true);
  });

  it('converts between DictModel and plain maps', () => {
    const model = sc('DictConvertibleModel').coerceType({ a: 'one' }) as DictModel;
    expect(model).toBeInstanceOf(DictModel);
    expect(model.extra).toBe('from_dict');
    const original = new DictModel({ content: { a: 'one', b: 'two' }, extra: 'original content' });
    expect(sc('NativeDictForConvertibleModel').coerceType(original)).toEqual({
      a: 'one',
      b: 'two',
    });
    expect(sc('DictConvertibleModel').coerceType(original)).toBe(original);
  });

  it('lets each A/B pair convert both ways without changing the value', () => {
    for (const root of [
      'MetricsExample',
      'MetricsExampleDataclass',
      'MetricsExampleModel',
      'TupleExample',
    ]) {
      const a = sc(`${root}A`);
      const b = sc(`${root}B`);
      expect(a.canConvert(b) && b.canConvert(a)).toBe(true);
    }
    const value = tuple('a', 'b', 1);
    expect(sc('TupleExampleB').coerceType(sc('TupleExampleA').coerceType(value))).toBe(value);
  });

  it('makes StructuredData and MetricsConversion mutually convertible', () => {
    expect(sc('StructuredData').canConvert(sc('MetricsConversion'))).toBe(true);
    expect(sc('MetricsConversion').canConvert(sc('StructuredData'))).toBe(true);
    expect(sc('StructuredData').canConvert(sc('ThingOne'))).toBe(false);
  });
});

describe('F3 delegates and parameters', () => {
  it('slices data through StructuredCompositeReadComp, copying the record', () => {
    const m = makeExampleMetrics();
    const delegate = sc('StructuredCompositeReadComp').delegate();
    expect(delegate).toBeInstanceOf(MetricsDelegate);
    const sliced = delegate.handleParameters(m, { slice: slice(0, 4) }) as MetricsRecord;
    expect(sliced.data).toEqual([563, 234, 456.7, 105]);
    expect(sliced.summary).toEqual(m.summary);
    expect(sliced.output).toEqual(m.output);
    expect(sliced.equals(m)).toBe(false);
    expect(m.data).toHaveLength(6);
  });

  it('reads metrics components by field name and counter as the data length', () => {
    const m = makeExampleMetrics();
    const delegate = sc('StructuredCompositeReadComp').delegate();
    expect(delegate.getComponent(m, 'output')).toBe(m.output);
    expect(delegate.getComponent(m, 'data')).toBe(m.data);
    expect(delegate.getComponent(m, 'counter')).toBe(6);
    expect(() => delegate.getComponent(makeExampleMetrics(true), 'counter')).toThrow(
      TypeMismatchError,
    );
  });

  it('reads components of a MetricsModel too', () => {
    const model = MetricsModel.fromMetrics(makeExampleMetrics());
    expect(sc('MetricsConversion').delegate().getComponent(model, 'summary')).toEqual({
      AM1: 5.2,
      AM2: 30.6,
    });
  });

  it('leaves null data alone when slicing', () => {
    const sliced = sc('StructuredDataNoComponents')
      .delegate()
      .handleParameters(makeExampleMetrics(true), {
        slice: slice(0, 4),
      }) as MetricsRecord;
    expect(sliced.data).toBeNull();
  });

  it('selects data as responsible for counter', () => {
    expect(
      MetricsDelegate.selectResponsibleComponent('counter', new Set(['summary', 'data', null])),
    ).toBe('data');
    expect(() =>
      MetricsDelegate.selectResponsibleComponent('counter', new Set(['summary'])),
    ).toThrow(InvalidValueError);
    expect(() => MetricsDelegate.selectResponsibleComponent('other', new Set(['data']))).toThrow(
      InvalidValueError,
    );
  });

  it('slices lists and tuples with the List delegate and counts them', () => {
    const listDelegate = sc('StructuredDataDataTest').delegate();
    expect(listDelegate).toBeInstanceOf(ListDelegate);
    const list = [1, 2, 3, 4, 5];
    const sliced = listDelegate.handleParameters(list, { slice: slice(1, 3) });
    expect(sliced).toEqual([2, 3]);
    expect(list).toHaveLength(5);
    expect(listDelegate.handleParameters(list, null)).toEqual(list);
    expect(listDelegate.handleParameters(list, null)).not.toBe(list);
    expect(listDelegate.getComponent(list, 'counter')).toBe(5);
    const tupleSliced = sc('StructuredDataDataTestTuple')
      .delegate()
      .handleParameters(tuple(1, 2, 3), { slice: slice(0, 1) });
    expect(isTuple(tupleSliced)).toBe(true);
    expect(() => listDelegate.getComponent({}, 'counter')).toThrow(TypeMismatchError);
    expect(() => listDelegate.handleParameters({}, { slice: slice(0, 1) })).toThrow(
      TypeMismatchError,
    );
  });

  it('rejects a slice parameter that is not a Slice', () => {
    expect(() =>
      sc('StructuredDataListYaml')
        .delegate()
        .handleParameters([1], { slice: [0, 1] }),
    ).toThrow(TypeMismatchError);
  });

  it('rejects slicing through a storage class that does not know slice', () => {
    const delegate = new MetricsDelegate(sc('MetricsExampleA'));
    expect(() => delegate.handleParameters(makeExampleMetrics(), { slice: slice(0, 1) })).toThrow(
      InvalidValueError,
    );
  });

  it('rejects unknown parameters as the datastore cases expect', () => {
    expect(() => sc('ThingOne').validateParameters({ missing: 5 })).toThrow(UnknownParameterError);
    expect(() =>
      sc('StructuredDataNoComponents').validateParameters({ unsupported: true }),
    ).toThrow("Parameter 'unsupported' not understood");
    expect(() => sc('StructuredData').validateParameters({ slice: slice(0, 4) })).not.toThrow();
  });

  it('gives configured classes without a named delegate the base delegate, which refuses parameters', () => {
    const delegate = sc('ThingOne').delegate();
    expect(delegate.constructor).toBe(StorageClassDelegate);
    expect(() => delegate.handleParameters({}, { param1: 1 })).toThrow(InvalidValueError);
  });
});

describe('installing the test storage classes', () => {
  it('is idempotent on one factory', () => {
    const target = new StorageClassFactory();
    expect(installTestStorageClasses(target)).toBe(target);
    expect(() => installTestStorageClasses(target)).not.toThrow();
    expect(() => registerTestTypes(target.registry)).not.toThrow();
    expect(target.getStorageClass('StructuredData').delegate()).toBeInstanceOf(MetricsDelegate);
  });

  it('extends the shared factory by default', () => {
    installTestStorageClasses();
    expect(StorageClassFactory.shared.has('StructuredCompositeReadComp')).toBe(true);
    expect(TypeRegistry.shared.findType(TEST_TYPE_NAMES.MetricsRecord)).toBe(
      TEST_TYPES.MetricsRecord,
    );
  });

  it('refuses a factory that defines an F3 name differently', () => {
    const target = new StorageClassFactory();
    target.registerStorageClass(new StorageClass('ThingOne', { pytype: 'list' }));
    expect(() => installTestStorageClasses(target)).toThrow(StorageClassConflictError);
  });
});
