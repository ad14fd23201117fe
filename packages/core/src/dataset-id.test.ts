import { describe, expect, it } from 'vitest';
import { DataCoordinate } from './data-coordinate.ts';
import {
  DATASET_ID_NAMESPACE,
  DatasetIdGenEnum,
  isDatasetId,
  makeDatasetId,
  parseDatasetId,
  uuid5,
  uuid7,
} from './dataset-id.ts';
import { InvalidValueError, TypeMismatchError } from './errors.ts';
import { makeTestUniverse } from './testing/universe.ts';

const dataId = DataCoordinate.standardize(
  { visit: 52, instrument: 'dummy' },
  { universe: makeTestUniverse() },
);

describe('dataset IDs', () => {
  it('makes version 7 UUIDs with the time in the first 48 bits', () => {
    const id = uuid7(0x0123456789ab);
    expect(id).toMatch(/^01234567-89ab-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuid7()).not.toBe(uuid7());
  });

  it('keeps the low 48 bits of a timestamp outside the safe non-negative integers', () => {
    expect(uuid7(2 ** 48 + 0x0123456789ab)).toMatch(/^01234567-89ab-7/);
    expect(uuid7(-1)).toMatch(/^ffffffff-ffff-7/);
    expect(uuid7(0x0123456789ab + 0.75)).toMatch(/^01234567-89ab-7/);
    expect(() => uuid7(Number.NaN)).toThrow(RangeError);
  });

  it('makes distinct, well-formed version 7 UUIDs across many calls in one millisecond', () => {
    // More IDs than one block of pooled random bytes serves, all with the same timestamp.
    const ids = Array.from({ length: 5000 }, () => uuid7(0x0123456789ab));
    for (const id of ids) {
      expect(id).toMatch(/^01234567-89ab-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    expect(new Set(ids).size).toBe(ids.length);
    // The random part is not stuck: every hex digit shows up in the last group.
    expect(new Set(ids.flatMap((id) => [...id.slice(24)])).size).toBe(16);
  });

  it('makes version 5 UUIDs as Python does', () => {
    expect(uuid5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org')).toBe(
      '886313e1-3b8a-5372-9b90-0c9aee199e5d',
    );
    expect(uuid5('6ba7b811-9dad-11d1-80b4-00c04fd430c8', 'héllo')).toBe(
      '102d6fae-a0b0-5a7a-b980-5e8cfb1690db',
    );
  });

  it('makes reproducible IDs from the dataset type, data ID and optionally run', () => {
    expect(makeDatasetId('run1', 'metric', dataId, DatasetIdGenEnum.DATAID_TYPE)).toBe(
      '208b69d7-3bf6-5d30-87fd-88836f39d0a8',
    );
    expect(makeDatasetId('run1', 'metric', dataId, DatasetIdGenEnum.DATAID_TYPE_RUN)).toBe(
      '1151d804-d4ef-5a41-b253-c217f6fb738a',
    );
    expect(makeDatasetId('run1', 'metric', dataId)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(DATASET_ID_NAMESPACE).toBe('840b31d9-05cd-5161-b2c8-00d32b280d0f');
  });

  it('rejects an unknown generation mode', () => {
    expect(() => makeDatasetId('r', 'm', dataId, 'RANDOM' as DatasetIdGenEnum)).toThrow(
      InvalidValueError,
    );
  });

  it('normalises UUID strings', () => {
    expect(parseDatasetId('AE0FA83D-CC89-41DD-9680-F97EDE49F01E')).toBe(
      'ae0fa83d-cc89-41dd-9680-f97ede49f01e',
    );
    expect(parseDatasetId('ae0fa83dcc8941dd9680f97ede49f01e')).toBe(
      'ae0fa83d-cc89-41dd-9680-f97ede49f01e',
    );
    expect(isDatasetId('ae0fa83dcc8941dd9680f97ede49f01e')).toBe(true);
    expect(isDatasetId('nope')).toBe(false);
    expect(isDatasetId(42)).toBe(false);
  });

  it.each([
    '',
    'not-a-uuid',
    'ae0fa83d-cc89-41dd-9680-f97ede49f01',
    'ae0fa83d-cc89-41dd-9680-f97ede49f01g',
  ])('rejects the bad UUID %j', (text) => {
    expect(() => parseDatasetId(text)).toThrow(InvalidValueError);
  });

  it('rejects a non-string ID', () => {
    expect(() => parseDatasetId(123)).toThrow(TypeMismatchError);
    expect(() => uuid5('bad', 'x')).toThrow(InvalidValueError);
  });
});
