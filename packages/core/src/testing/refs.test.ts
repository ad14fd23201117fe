import { describe, expect, it } from 'vitest';
import { DataCoordinate } from '../data-coordinate.ts';
import { DimensionNameError, LookupError } from '../errors.ts';
import { StorageClassFactory } from '../storage-class-factory.ts';
import { makeDatasetRef, makeRef } from './refs.ts';
import { testStorageClassFactory } from './storage-classes.ts';
import { TEST_UNIVERSE_CONFIG, makeTestUniverse, testUniverse } from './universe.ts';

const ID = 'ae0fa83d-cc89-41dd-9680-f97ede49f01e';

describe('makeRef (F4)', () => {
  it('builds a ref with the data ID dimensions and a fresh UUID per call', () => {
    const a = makeRef('metric', 'StructuredData', { instrument: 'dummy', visit: 52 });
    const b = makeRef('metric', 'StructuredData', { instrument: 'dummy', visit: 52 });
    expect(a.datasetType.name).toBe('metric');
    expect(a.datasetType.dimensions.names).toEqual(['instrument', 'visit']);
    expect(a.datasetType.storageClass.name).toBe('StructuredData');
    expect(a.run).toBe('dummy');
    expect(a.id).not.toBe(b.id);
    expect(a.datasetType.factory).toBe(testStorageClassFactory());
  });

  it('keeps a given ID and run', () => {
    const ref = makeRef(
      'metric',
      'StructuredData',
      { instrument: 'dummy', visit: 1 },
      { id: ID, run: 'r' },
    );
    expect(ref.id).toBe(ID);
    expect(ref.run).toBe('r');
  });

  it('gives component refs the UUID and run of their parent', () => {
    const ref = makeRef('metric', 'StructuredData', { instrument: 'dummy', visit: 52 });
    const data = ref.makeComponentRef('data');
    expect(data.id).toBe(ref.id);
    expect(data.run).toBe(ref.run);
  });

  it('accepts storage class objects, empty data IDs and DataCoordinates', () => {
    const factory = testStorageClassFactory();
    const empty = makeRef('thing', factory.getStorageClass('TupleExampleA'), {});
    expect(empty.dataId.dimensions.isEmpty).toBe(true);
    const coordinate = DataCoordinate.standardize(
      { instrument: 'x', detector: 2 },
      { universe: testUniverse() },
    );
    expect(makeRef('d', 'ThingOne', coordinate).datasetType.dimensions.names).toEqual([
      'instrument',
      'detector',
    ]);
    expect(makeRef('m', 'ThingOne', new Map([['instrument', 'a']])).dataId.get('instrument')).toBe(
      'a',
    );
  });

  it('resolves storage class names through the given factory', () => {
    const factory = new StorageClassFactory();
    const ref = makeRef('n', 'StructuredDataDict', {}, { factory });
    expect(ref.datasetType.factory).toBe(factory);
    expect(() => makeRef('n', 'StructuredData', {}, { factory })).toThrow(LookupError);
  });

  it('rejects data ID keys that are not F1 dimensions and unknown storage classes', () => {
    expect(() => makeRef('m', 'ThingOne', { instrument: 'a', exposure: 1 })).toThrow(
      DimensionNameError,
    );
    expect(() => makeRef('m', 'NoSuchClass', {})).toThrow(LookupError);
  });
});

describe('makeDatasetRef', () => {
  it('gives component names a placeholder parent storage class', () => {
    const ref = makeDatasetRef('metric.data', ['visit'], 'StructuredDataListYaml', {
      instrument: 'a',
      visit: 1,
    });
    expect(ref.datasetType.parentStorageClass!.name).toBe('component');
    expect(ref.isComponent()).toBe(true);
  });

  it('standardizes the data ID against the given dimensions', () => {
    const ref = makeDatasetRef('metric', ['instrument'], 'ThingOne', { instrument: 'a', visit: 1 });
    expect(ref.dataId.has('visit')).toBe(false);
    expect(() => makeDatasetRef('metric', ['visit'], 'ThingOne', { instrument: 'a' })).toThrow(
      DimensionNameError,
    );
  });
});

describe('F1 universe', () => {
  it('has instrument, visit and detector', () => {
    const universe = makeTestUniverse();
    expect(universe.names).toEqual(['instrument', 'detector', 'visit']);
    expect(universe.getDimension('visit').requires).toEqual(['instrument']);
    expect(universe.getDimension('detector').keyType).toBe('int');
    expect(universe.equals(testUniverse())).toBe(true);
    expect(Object.isFrozen(TEST_UNIVERSE_CONFIG.dimensions)).toBe(true);
  });
});
