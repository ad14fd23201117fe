import { describe, expect, it } from 'vitest';
import { DataCoordinate } from './data-coordinate.ts';
import { DatasetIdGenEnum } from './dataset-id.ts';
import { DatasetRef } from './dataset-ref.ts';
import { DatasetType } from './dataset-type.ts';
import {
  DimensionNameError,
  IncompatibleStorageClassError,
  InvalidValueError,
  LookupError,
  RuntimeError,
  TypeMismatchError,
  UnknownComponentError,
} from './errors.ts';
import { makeRef } from './testing/refs.ts';
import { testStorageClassFactory } from './testing/storage-classes.ts';
import { testUniverse } from './testing/universe.ts';

const factory = testStorageClassFactory();
const universe = testUniverse();
const metric = new DatasetType('metric', ['visit'], 'StructuredData', { universe, factory });
const dataId = { instrument: 'dummy', visit: 52 };
const ID = 'ae0fa83d-cc89-41dd-9680-f97ede49f01e';

describe('DatasetRef.fromTrustedParts', () => {
  it('equals the checked constructor given the same canonical parts', () => {
    const coordinate = DataCoordinate.standardize(dataId, { dimensions: metric.dimensions });
    const trusted = DatasetRef.fromTrustedParts(metric, coordinate, 'run1', ID);
    const checked = new DatasetRef(metric, coordinate, 'run1', { id: ID, conform: false });
    expect(trusted).toBeInstanceOf(DatasetRef);
    expect(trusted.equals(checked)).toBe(true);
    expect([trusted.id, trusted.run, trusted.dataId, trusted.datasetType]).toEqual([
      checked.id,
      checked.run,
      checked.dataId,
      checked.datasetType,
    ]);
    expect(trusted.datastoreRecords).toBeNull();
    expect(trusted.toString()).toBe(checked.toString());
    expect(trusted.makeComponentRef('summary').id).toBe(ID);
  });

  it('checks nothing: the parts are kept as given, and the constructor still checks', () => {
    const coordinate = DataCoordinate.standardize(dataId, { dimensions: metric.dimensions });
    expect(DatasetRef.fromTrustedParts(metric, coordinate, 'run1', 'not-a-uuid').id).toBe(
      'not-a-uuid',
    );
    // The constructor after a trusted construction is not affected by it.
    expect(() => new DatasetRef(metric, coordinate, 'run1', { id: 'not-a-uuid' })).toThrow(
      InvalidValueError,
    );
    expect(new DatasetRef(metric, coordinate, 'run1', { id: ID.toUpperCase() }).id).toBe(ID);
  });
});

describe('DatasetRef construction (P-MODEL-12)', () => {
  it('rejects a missing run at run time', () => {
    const construct = DatasetRef as unknown as new (t: DatasetType, d: object) => DatasetRef;
    expect(() => new construct(metric, dataId)).toThrow(TypeMismatchError);
    expect(() => new construct(metric, dataId)).toThrow(
      'A DatasetRef needs a run name, got NoneType',
    );
  });

  it('assigns a fresh ID when given a run and no ID', () => {
    const a = new DatasetRef(metric, dataId, 'run1');
    const b = new DatasetRef(metric, dataId, 'run1');
    expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.id).not.toBe(b.id);
    expect(a.run).toBe('run1');
  });

  it('fails with a lookup error when the data ID lacks a required dimension', () => {
    let caught: unknown;
    try {
      new DatasetRef(metric, { instrument: 'dummy' }, 'run1');
    } catch (error) {
      caught = error;
    }
    expect(LookupError.is(caught)).toBe(true);
    expect(DimensionNameError.is(caught)).toBe(true);
  });

  it('keeps an explicit ID and run', () => {
    const ref = new DatasetRef(metric, dataId, 'myrun', { id: ID });
    expect(ref.id).toBe(ID);
    expect(ref.run).toBe('myrun');
    expect(new DatasetRef(metric, dataId, 'r', { id: ID.toUpperCase() }).id).toBe(ID);
  });

  it('rejects a bad ID', () => {
    expect(() => new DatasetRef(metric, dataId, 'r', { id: 'not-a-uuid' })).toThrow(
      InvalidValueError,
    );
    expect(() => new DatasetRef(metric, dataId, 'r', { id: 5 as unknown as string })).toThrow(
      TypeMismatchError,
    );
  });

  it('rejects a dataset type that is not a DatasetType', () => {
    expect(() => new DatasetRef({ name: 'metric' } as DatasetType, dataId, 'r')).toThrow(
      TypeMismatchError,
    );
  });

  it('standardizes the data ID, or takes a DataCoordinate as given with conform=false', () => {
    const ref = new DatasetRef(metric, { ...dataId, extra: 1 }, 'r');
    expect(ref.dataId.equals(dataId)).toBe(true);
    expect(ref.dimensions.equals(metric.dimensions)).toBe(true);
    const coordinate = DataCoordinate.standardize(dataId, { universe });
    expect(new DatasetRef(metric, coordinate, 'r', { conform: false }).dataId).toBe(coordinate);
    expect(() => new DatasetRef(metric, dataId, 'r', { conform: false })).toThrow(
      TypeMismatchError,
    );
  });

  it('makes reproducible IDs on request', () => {
    const a = new DatasetRef(metric, dataId, 'run1', {
      idGenerationMode: DatasetIdGenEnum.DATAID_TYPE,
    });
    const b = new DatasetRef(metric, dataId, 'run2', {
      idGenerationMode: DatasetIdGenEnum.DATAID_TYPE,
    });
    const c = new DatasetRef(metric, dataId, 'run2', {
      idGenerationMode: DatasetIdGenEnum.DATAID_TYPE_RUN,
    });
    expect(a.id).toBe('208b69d7-3bf6-5d30-87fd-88836f39d0a8');
    expect(b.id).toBe(a.id);
    expect(c.id).not.toBe(a.id);
  });

  it('freezes datastore records and rejects non-mappings', () => {
    const ref = new DatasetRef(metric, dataId, 'r', { datastoreRecords: { table: [{ a: 1 }] } });
    expect(ref.datastoreRecords).toEqual({ table: [{ a: 1 }] });
    expect(Object.isFrozen(ref.datastoreRecords!['table'])).toBe(true);
    expect(() => new DatasetRef(metric, dataId, 'r', { datastoreRecords: 'x' as never })).toThrow(
      TypeMismatchError,
    );
  });
});

describe('DatasetRef components (P-MODEL-13)', () => {
  const ref = new DatasetRef(metric, dataId, 'run1', { datastoreRecords: { t: [1] } });

  it('makes a component ref with the same ID and run', () => {
    const summary = ref.makeComponentRef('summary');
    expect(summary.id).toBe(ref.id);
    expect(summary.run).toBe(ref.run);
    expect(summary.datasetType.name).toBe('metric.summary');
    expect(summary.datasetType.storageClass.name).toBe('StructuredDataDictYaml');
    expect(summary.datasetType.parentStorageClass!.name).toBe('StructuredData');
    expect(summary.dataId).toBe(ref.dataId);
    expect(summary.datastoreRecords).toEqual({ t: [1] });
    expect(summary.isComponent()).toBe(true);
    expect(summary.equals(ref)).toBe(false);
  });

  it('goes back to the composite ref', () => {
    const composite = ref.makeComponentRef('data').makeCompositeRef();
    expect(composite.equals(ref)).toBe(true);
    expect(composite.isComposite()).toBe(true);
    expect(() => ref.makeCompositeRef()).toThrow(RuntimeError);
  });

  it('fails for an unknown component', () => {
    expect(() => ref.makeComponentRef('nope')).toThrow(UnknownComponentError);
  });
});

describe('DatasetRef storage class override and equality (P-MODEL-14)', () => {
  const ref = new DatasetRef(metric, dataId, 'run1', { id: ID });

  it('makes a different ref with the new storage class', () => {
    const overridden = ref.overrideStorageClass('MetricsConversion');
    expect(overridden.equals(ref)).toBe(false);
    expect(overridden.datasetType.storageClass.name).toBe('MetricsConversion');
    expect(overridden.id).toBe(ref.id);
    expect(overridden.run).toBe(ref.run);
  });

  it('keeps the original compatible with the overridden ref', () => {
    expect(ref.isCompatibleWith(ref.overrideStorageClass('MetricsConversion'))).toBe(true);
  });

  it('gives back an equal ref when overriding back', () => {
    const back = ref
      .overrideStorageClass('MetricsConversion')
      .overrideStorageClass('StructuredData');
    expect(back.equals(ref)).toBe(true);
  });

  it('is not compatible with a different run or a different ID', () => {
    const otherRun = new DatasetRef(metric, dataId, 'run2', { id: ID });
    const otherId = new DatasetRef(metric, dataId, 'run1');
    expect(ref.isCompatibleWith(otherRun)).toBe(false);
    expect(ref.isCompatibleWith(otherId)).toBe(false);
  });

  it('compares dataset type, data ID and ID, but not the run', () => {
    expect(ref.equals(new DatasetRef(metric, dataId, 'another-run', { id: ID }))).toBe(true);
    expect(
      ref.equals(new DatasetRef(metric, { instrument: 'dummy', visit: 53 }, 'run1', { id: ID })),
    ).toBe(false);
    expect(ref.equals(new DatasetRef(metric, dataId, 'run1'))).toBe(false);
    expect(ref.equals(ID)).toBe(false);
  });

  it('rejects an incompatible storage class', () => {
    expect(() => ref.overrideStorageClass('ThingOne')).toThrow(IncompatibleStorageClassError);
  });
});

describe('DatasetRef.replace and other members', () => {
  const ref = new DatasetRef(metric, dataId, 'run1', { id: ID, datastoreRecords: { t: [1] } });

  it('keeps run and ID without a new run, and makes a new ID with one', () => {
    expect(ref.replace().id).toBe(ID);
    expect(ref.replace().equals(ref)).toBe(true);
    const moved = ref.replace({ run: 'run2' });
    expect(moved.run).toBe('run2');
    expect(moved.id).not.toBe(ID);
    const movedWithId = ref.replace({ run: 'run2', id: ID });
    expect(movedWithId.id).toBe(ID);
  });

  it('keeps records unless replaced, and removes them with null', () => {
    expect(ref.replace({ run: 'x' }).datastoreRecords).toEqual({ t: [1] });
    expect(ref.replace({ datastoreRecords: { u: [] } }).datastoreRecords).toEqual({ u: [] });
    expect(ref.replace({ datastoreRecords: null }).datastoreRecords).toBeNull();
  });

  it('puts instrument-restricted lookup keys first', () => {
    expect(ref.lookupNames().map(String)).toEqual([
      "metric ({instrument: 'dummy'})",
      "instrument+visit ({instrument: 'dummy'})",
      "StructuredData ({instrument: 'dummy'})",
      'metric',
      'instrument+visit',
      'StructuredData',
    ]);
    const noInstrument = makeRef('x', 'StructuredData', {});
    expect(noInstrument.lookupNames().map(String)).toEqual(['x', 'StructuredData']);
  });

  it('prints name, data ID, storage class, run and ID', () => {
    expect(String(ref)).toBe(
      `metric@{instrument: 'dummy', visit: 52} [sc=StructuredData] (run=run1 id=${ID})`,
    );
  });

  it('orders by run, dataset type name and data ID', () => {
    const later = new DatasetRef(metric, { instrument: 'dummy', visit: 60 }, 'run1');
    const otherRun = new DatasetRef(metric, dataId, 'run0');
    expect(ref.compare(later)).toBeLessThan(0);
    expect(otherRun.compare(ref)).toBeLessThan(0);
    expect(ref.compare(ref.replace({ run: 'run1' }))).toBe(0);
  });
});
