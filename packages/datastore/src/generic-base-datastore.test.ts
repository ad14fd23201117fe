import { StorageClass, TypeMismatchError, InvalidValueError } from '@butler-ts/core';
import type { MetricsRecord } from '@butler-ts/core/testing';
import { makeExampleMetrics, slice, testStorageClassFactory } from '@butler-ts/core/testing';
import { describe, expect, it } from 'vitest';
import { isError } from '../test/is-error.ts';
import { postProcessGet } from './generic-base-datastore.ts';

const factory = testStorageClassFactory();

describe('postProcessGet', () => {
  it('applies parameters through the delegate, then coerces', () => {
    const metrics = makeExampleMetrics();
    const result = postProcessGet(metrics, factory.getStorageClass('StructuredDataNoComponents'), {
      slice: slice(0, 2),
    }) as MetricsRecord;
    expect(result).not.toBe(metrics);
    expect(result.data).toEqual([563, 234]);
    expect(metrics.data).toHaveLength(6);
  });

  it('returns an instance of the storage class type unchanged, and converts others', () => {
    const metrics = makeExampleMetrics();
    expect(postProcessGet(metrics, factory.getStorageClass('StructuredData'))).toBe(metrics);
    const dict = postProcessGet(metrics, factory.getStorageClass('StructuredDataDictJson'));
    expect(dict).toEqual(metrics.exportAsDict());
  });

  it('lets a missing component through, and a missing dataset too (as coerceType does)', () => {
    const list = factory.getStorageClass('StructuredDataListYaml');
    expect(postProcessGet(null, list, null, true)).toBeNull();
    expect(postProcessGet(undefined, list, {}, true)).toBeUndefined();
    expect(postProcessGet(null, list, null, false)).toBeNull();
  });

  it('fails for parameters without a delegate, with the base delegate, and for wrong types', () => {
    const bare = new StorageClass('Bare', { pytype: 'dict', registry: factory.registry });
    expect(() => postProcessGet({}, bare, { x: 1 })).toThrow(
      expect.toSatisfy(isError(TypeMismatchError)) as Error,
    );
    expect(() => postProcessGet({}, factory.getStorageClass('ThingOne'), { param1: 1 })).toThrow(
      expect.toSatisfy(isError(InvalidValueError)) as Error,
    );
    expect(() => postProcessGet('text', factory.getStorageClass('StructuredData'))).toThrow(
      expect.toSatisfy(isError(TypeMismatchError)) as Error,
    );
  });
});
