import { describe, expect, it } from 'vitest';
import { DatasetProvenance } from './dataset-provenance.ts';
import type { DatasetRef } from './dataset-ref.ts';
import { InvalidValueError, TypeMismatchError } from './errors.ts';
import { makeRef } from './testing/refs.ts';

const QUANTUM = 'd93a735b-08f0-477d-bc95-2cc32d6d898b';
const ref = makeRef(
  'data',
  'StructuredData',
  { instrument: 'LSSTCam', detector: 10 },
  { run: 'test_run' },
);
const input0 = makeRef(
  'astropy_parquet',
  'StructuredData',
  { instrument: 'LSSTCam', visit: 1 },
  { run: 'other_run' },
);
const input1 = makeRef(
  'astropy_parquet',
  'StructuredData',
  { instrument: 'LSSTCam', visit: 2 },
  { run: 'other_run' },
);

describe('DatasetProvenance', () => {
  it('de-duplicates inputs by ID', () => {
    const provenance = new DatasetProvenance({ inputs: [input0, input0] });
    provenance.addInput(input1);
    provenance.addInput(input0.makeComponentRef('data'));
    expect(provenance.inputs.map((r) => r.id)).toEqual([input0.id, input1.id]);
  });

  it('flattens itself with a prefix and separator', () => {
    const provenance = new DatasetProvenance({ inputs: [input0, input1], quantumId: QUANTUM });
    provenance.addExtraProvenance(input1.id, { exposure: 30, flag: true });
    expect(provenance.toFlatDict(ref, { prefix: 'lsst.butler' })).toEqual({
      'lsst.butler.id': ref.id,
      'lsst.butler.run': 'test_run',
      'lsst.butler.datasettype': 'data',
      'lsst.butler.dataid.detector': 10,
      'lsst.butler.dataid.instrument': 'LSSTCam',
      'lsst.butler.quantum': QUANTUM,
      'lsst.butler.input.0.id': input0.id,
      'lsst.butler.input.0.run': 'other_run',
      'lsst.butler.input.0.datasettype': 'astropy_parquet',
      'lsst.butler.input.1.id': input1.id,
      'lsst.butler.input.1.run': 'other_run',
      'lsst.butler.input.1.datasettype': 'astropy_parquet',
      'lsst.butler.input.1.exposure': 30,
      'lsst.butler.input.1.flag': true,
    });
  });

  it('upper-cases keys after an upper-case prefix and honours maxInputs', () => {
    const provenance = new DatasetProvenance({ inputs: [input0, input1] });
    const flat = provenance.toFlatDict(null, { prefix: 'LSST BUTLER', sep: ' ', maxInputs: 1 });
    expect(Object.keys(flat)).toEqual([
      'LSST BUTLER INPUT 0 ID',
      'LSST BUTLER INPUT 0 RUN',
      'LSST BUTLER INPUT 0 DATASETTYPE',
    ]);
  });

  it('flattens without prefix and stringifies non-scalars with simpleTypes', () => {
    const provenance = new DatasetProvenance({ inputs: [input0] });
    provenance.addExtraProvenance(input0.id, { odd: [1, 2] as unknown as string });
    expect(provenance.toFlatDict(null, { simpleTypes: true })['input.0.odd']).toBe('1,2');
    expect(provenance.toFlatDict(null)['input.0.odd']).toEqual([1, 2]);
  });

  it('rejects extras for an unknown input or with reserved keys', () => {
    const provenance = new DatasetProvenance({ inputs: [input0] });
    expect(() => provenance.addExtraProvenance(input1.id, { a: 1 })).toThrow(
      /not known to this provenance/,
    );
    for (const key of ['run', 'ID', 'DatasetType']) {
      expect(() => provenance.addExtraProvenance(input0.id, { [key]: 1 })).toThrow(
        InvalidValueError,
      );
    }
  });

  it('merges repeated extras', () => {
    const provenance = new DatasetProvenance({ inputs: [input0] });
    provenance.addExtraProvenance(input0.id, { a: 1 });
    provenance.addExtraProvenance(input0.id, { b: 2 });
    expect(provenance.extras.get(input0.id)).toEqual({ a: 1, b: 2 });
  });

  it.each(['', '..', 'a', '_', '1'])('rejects the separator %j', (sep) => {
    expect(() => new DatasetProvenance().toFlatDict(null, { sep })).toThrow(InvalidValueError);
  });

  it('rejects a bad quantum ID and a non-ref input', () => {
    expect(() => new DatasetProvenance({ quantumId: 'nope' })).toThrow(InvalidValueError);
    expect(() => new DatasetProvenance().addInput('ref' as unknown as DatasetRef)).toThrow(
      TypeMismatchError,
    );
  });
});
