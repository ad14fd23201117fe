import { describe, expect, it } from 'vitest';
import { InvalidValueError, LookupError, TypeMismatchError } from '../errors.ts';
import { DictModel } from './dict-model.ts';
import { MetricsDataclass, MetricsModel, MetricsRecord, makeExampleMetrics } from './metrics.ts';

describe('F2 example values', () => {
  it('makes M and M0', () => {
    const m = makeExampleMetrics();
    expect(m.summary).toEqual({ AM1: 5.2, AM2: 30.6 });
    expect(m.output).toEqual({ a: [1, 2, 3], b: { blue: 5, red: 'green' } });
    expect(m.data).toEqual([563, 234, 456.7, 105, 2054, -1045]);
    const m0 = makeExampleMetrics(true);
    expect(m0.data).toBeNull();
    expect(m0.summary).toEqual(m.summary);
    expect(makeExampleMetrics()).not.toBe(m);
    expect(m.equals(m0)).toBe(false);
  });

  it('exports a record as a map and reads it back', () => {
    const m = makeExampleMetrics();
    const exported = m.exportAsDict();
    expect(exported).toEqual({ summary: m.summary, output: m.output, data: m.data });
    expect(exported.data).not.toBe(m.data);
    expect(MetricsRecord.makeFromDict(exported).equals(m)).toBe(true);
    expect(MetricsRecord.makeFromDict({ summary: { a: 1 }, output: { b: 2 } }).data).toBeNull();
  });

  it('checks the exported map', () => {
    expect(() => MetricsRecord.makeFromDict({ output: {} })).toThrow(LookupError);
    expect(() => MetricsRecord.makeFromDict({ summary: 'x', output: {} })).toThrow(
      TypeMismatchError,
    );
    expect(() => MetricsRecord.makeFromDict([] as never)).toThrow(TypeMismatchError);
    expect(() => new MetricsRecord(null, null, 'abc' as never)).toThrow(TypeMismatchError);
  });

  it('compares a model with a record by fields, though they are different types', () => {
    const m = makeExampleMetrics();
    const model = MetricsModel.fromMetrics(m);
    expect(model).not.toBeInstanceOf(MetricsRecord);
    expect(model.equals(m)).toBe(true);
    expect(m.equals(model)).toBe(true);
    expect(MetricsRecord.fromModel(model)).toBeInstanceOf(MetricsRecord);
    expect(MetricsRecord.fromModel(model).equals(m)).toBe(true);
    expect(model.equals(makeExampleMetrics(true))).toBe(false);
    expect(m.equals({ summary: m.summary })).toBe(false);
  });

  it('validates model fields', () => {
    const id = 'ae0fa83d-cc89-41dd-9680-f97ede49f01e';
    expect(new MetricsModel({ datasetId: id.toUpperCase() }).datasetId).toBe(id);
    expect(() => new MetricsModel({ datasetId: 'x' })).toThrow(InvalidValueError);
    expect(() => new MetricsModel({ summary: 5 as never })).toThrow(TypeMismatchError);
    expect(new MetricsModel().data).toBeNull();
  });

  it('compares a dataclass only with dataclasses', () => {
    const a = new MetricsDataclass({ a: 1 }, { b: 2 }, [1, 2, 3]);
    expect(a.equals(new MetricsDataclass({ a: 1 }, { b: 2 }, [1, 2, 3]))).toBe(true);
    expect(a.equals(new MetricsRecord({ a: 1 }, { b: 2 }, [1, 2, 3]))).toBe(false);
  });
});

describe('DictModel', () => {
  it('converts to a copy of its content only', () => {
    const model = new DictModel({ content: { a: 'one', b: 'two' }, extra: 'original content' });
    const dict = model.toDict();
    expect(dict).toEqual({ a: 'one', b: 'two' });
    dict['c'] = 3;
    expect(model.content).toEqual({ a: 'one', b: 'two' });
  });

  it('is made from a map with a default extra', () => {
    expect(DictModel.fromDict({ a: 1 }).extra).toBe('from_dict');
    expect(
      DictModel.fromDict({ a: 1 }).equals(new DictModel({ content: { a: 1 }, extra: 'from_dict' })),
    ).toBe(true);
    expect(DictModel.fromDict({ a: 1 }).equals(DictModel.fromDict({ a: 1 }, 'other'))).toBe(false);
  });

  it('rejects bad content and extra', () => {
    expect(() => new DictModel({ content: { a: [] } as never })).toThrow(TypeMismatchError);
    expect(() => new DictModel({ extra: 5 as never })).toThrow(TypeMismatchError);
  });
});
