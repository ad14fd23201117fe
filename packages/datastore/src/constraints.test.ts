import { Config, DatasetRef, DatasetType, LookupKey, StorageClass } from '@butler-ts/core';
import { makeRef, testStorageClassFactory, testUniverse } from '@butler-ts/core/testing';
import { describe, expect, it } from 'vitest';
import { isError } from '../test/is-error.ts';
import { Constraints } from './constraints.ts';
import { ConstraintsValidationError } from './errors.ts';

const universe = testUniverse();
const factory = testStorageClassFactory();
const ref = (name: string, instrument: string | number = 'A') =>
  makeRef(name, 'StructuredData', { instrument, visit: 1 });

describe('Constraints', () => {
  it('reads a Config, a plain object, a section with a constraints key, or nothing', () => {
    const accept = { accept: ['calexp'] };
    for (const config of [accept, new Config(accept), { constraints: accept }]) {
      const constraints = new Constraints(config, { universe });
      expect(constraints.isAcceptable(ref('calexp'))).toBe(true);
      expect(constraints.isAcceptable(ref('pvi'))).toBe(false);
    }
    expect(new Constraints(null).isAcceptable(ref('x'))).toBe(true);
    expect(new Constraints(undefined).toString()).toBe('Accepts: all');
  });

  it('judges dataset types and storage classes as well as refs', () => {
    const constraints = new Constraints({ accept: ['StructuredDataJson', 'calexp'] });
    const json = factory.getStorageClass('StructuredDataJson');
    expect(constraints.isAcceptable(json)).toBe(true);
    expect(constraints.isAcceptable(factory.getStorageClass('StructuredData'))).toBe(false);
    const type = new DatasetType('calexp', ['instrument'], json, { universe, factory });
    expect(constraints.isAcceptable(type)).toBe(true);
  });

  it('accepts a component by its root name', () => {
    const constraints = new Constraints({ accept: ['metric'] });
    expect(constraints.isAcceptable(ref('metric').makeComponentRef('summary'))).toBe(true);
  });

  it('matches a data-ID override only for that instrument value', () => {
    const constraints = new Constraints({ accept: [{ 'instrument<12>': ['pvi'] }] });
    expect(constraints.isAcceptable(ref('pvi', '12'))).toBe(true);
    expect(constraints.isAcceptable(ref('pvi', '13'))).toBe(false);
    const noDataId = new DatasetType('pvi', [], 'StructuredData', { universe, factory });
    expect(constraints.isAcceptable(noDataId)).toBe(false);
  });

  it('judges refs sharing one dataset type by their own instrument, every time', () => {
    const constraints = new Constraints({ reject: [{ 'instrument<B>': ['pvi'] }] });
    const type = new DatasetType('pvi', ['instrument', 'visit'], 'StructuredData', {
      universe,
      factory,
    });
    const judged = ['A', 'B', 'A', 'B', 'C'].map((instrument) =>
      constraints.isAcceptable(new DatasetRef(type, { instrument, visit: 1 }, 'run')),
    );
    expect(judged).toEqual([true, false, true, false, true]);
    const other = new DatasetType('pvi', ['instrument', 'visit'], 'StructuredData', {
      universe,
      factory,
    });
    expect(
      constraints.isAcceptable(new DatasetRef(other, { instrument: 'B', visit: 2 }, 'r')),
    ).toBe(false);
  });

  it('takes a single name as the value of a hierarchical entry', () => {
    const constraints = new Constraints({ accept: [{ 'instrument<A>': 'pvi' }] });
    expect(constraints.isAcceptable(ref('pvi'))).toBe(true);
  });

  it.each([
    [{ accept: 'calexp' }, /must be a list/],
    [{ accept: [{ 'instrument<A>': ['x'], 'instrument<B>': ['y'] }] }, /only have one key/],
    [{ accept: [{ 'Instrument<A>': ['x'] }] }, /not in form 'key<value>'/],
    [{ accept: [42] }, /must be names/],
    [{ accept: [{ 'instrument<A>': [7] }] }, /must be a dataset type/],
    [{ accept: ['instrument+visit'] }, /Invalid constraints entry "instrument\+visit"/],
    [{ accept: ['all'], reject: ['all'] }, /accept "all" and reject "all"/],
  ])('refuses %j', (config, message) => {
    expect(() => new Constraints(config)).toThrow(message);
    expect(() => new Constraints(config)).toThrow(
      expect.toSatisfy(isError(ConstraintsValidationError)) as Error,
    );
  });

  it('turns a dimensions entry with an unknown dimension into a name key', () => {
    const constraints = new Constraints({ accept: ['instrument+exposure'] }, { universe });
    expect(constraints.getLookupKeys()[0]!.name).toBe('instrument+exposure');
  });

  it('lists accept and reject keys without duplicates or wildcards, and prints them', () => {
    const constraints = new Constraints(
      {
        accept: ['calexp', 'calexp', 'visit+', { 'instrument<A>': ['all', 'pvi'] }],
        reject: ['all', 'raw'],
      },
      { universe },
    );
    const keys = constraints.getLookupKeys();
    expect(keys.map(String)).toEqual([
      'calexp',
      'instrument+visit',
      "pvi ({instrument: 'A'})",
      'raw',
    ]);
    expect(keys.some((key) => key.equals(new LookupKey({ name: 'all' })))).toBe(false);
    expect(constraints.accept.map(String)).toContain("all ({instrument: 'A'})");
    expect(constraints.reject.map(String)).toEqual(['all', 'raw']);
    expect(constraints.toString()).toBe(
      "Accepts: calexp, instrument+visit, all ({instrument: 'A'}), pvi ({instrument: 'A'}); Rejects: all, raw",
    );
  });

  it('has the wildcard key named all', () => {
    expect(Constraints.matchAllKey.name).toBe('all');
    expect(new StorageClass('all').lookupNames()[0]!.equals(Constraints.matchAllKey)).toBe(true);
  });
});
