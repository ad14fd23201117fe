import { describe, expect, it } from 'vitest';
import { DimensionGroup, DimensionUniverse } from './dimensions.ts';
import type { DimensionUniverseConfig } from './dimension-types.ts';
import { DimensionNameError, InvalidValueError, LookupError, TypeMismatchError } from './errors.ts';
import { makeTestUniverse } from './testing/universe.ts';

// The part of daf_butler's universe used by the spec's conform example.
const ASTRO: DimensionUniverseConfig = {
  namespace: 'astro',
  version: 8,
  dimensions: {
    instrument: { keyType: 'string', governor: true },
    band: { keyType: 'string' },
    physical_filter: { keyType: 'string', requires: ['instrument'], implies: ['band'] },
    day_obs: { keyType: 'int', requires: ['instrument'] },
    visit: { keyType: 'int', requires: ['instrument'], implies: ['physical_filter', 'day_obs'] },
    detector: { keyType: 'int', requires: ['instrument'] },
  },
};

describe('DimensionUniverse', () => {
  it('orders dimensions topologically, ties alphabetical (F1)', () => {
    const universe = makeTestUniverse();
    expect(universe.names).toEqual(['instrument', 'detector', 'visit']);
    expect(universe.governors).toEqual(['instrument']);
    expect(universe.isGovernor('instrument')).toBe(true);
    expect(universe.isGovernor('visit')).toBe(false);
    expect(universe.getDimension('visit').keyType).toBe('int');
    expect(universe.getDimension('instrument').keyType).toBe('string');
  });

  it('conforms names into required and implied dimensions', () => {
    const group = new DimensionUniverse(ASTRO).conform(['visit', 'physical_filter']);
    expect(new Set(group.names)).toEqual(
      new Set(['instrument', 'visit', 'physical_filter', 'band', 'day_obs']),
    );
    expect(group.required).toEqual(['instrument', 'visit']);
    expect([...group.implied].sort()).toEqual(['band', 'day_obs', 'physical_filter']);
  });

  it('rejects an unknown dimension name', () => {
    expect(() => makeTestUniverse().conform(['visit', 'exposure'])).toThrow(DimensionNameError);
    expect(() => makeTestUniverse().getDimension('exposure')).toThrow(LookupError);
  });

  it('has a falsy-like empty group', () => {
    const universe = makeTestUniverse();
    expect(universe.empty.isEmpty).toBe(true);
    expect(universe.empty.size).toBe(0);
    expect(universe.empty.equals(universe.conform([]))).toBe(true);
    expect(universe.conform(['visit']).isEmpty).toBe(false);
  });

  it('compares universes by namespace, version and names', () => {
    expect(makeTestUniverse().equals(makeTestUniverse())).toBe(true);
    expect(makeTestUniverse().equals(new DimensionUniverse(ASTRO))).toBe(false);
    expect(String(new DimensionUniverse(ASTRO))).toBe('DimensionUniverse(astro, 8)');
  });

  it.each([
    [
      'a bad name',
      { Visit: { keyType: 'int' } },
      InvalidValueError,
      /Invalid dimension name "Visit"/,
    ],
    ['a bad key type', { visit: { keyType: 'float' } }, InvalidValueError, /key type "float"/],
    [
      'an undefined reference',
      { visit: { keyType: 'int', requires: ['instrument'] } },
      InvalidValueError,
      /undefined dimension instrument/,
    ],
    [
      'a cycle',
      { a: { keyType: 'int', requires: ['b'] }, b: { keyType: 'int', implies: ['a'] } },
      InvalidValueError,
      /cycle among a, b/,
    ],
    ['a non-mapping definition', { visit: 'int' }, TypeMismatchError, /must be a mapping/],
    [
      'a non-list requires',
      { visit: { keyType: 'int', requires: 'instrument' } },
      TypeMismatchError,
      /requires of visit/,
    ],
  ])('rejects %s', (_label, dimensions, errorClass, message) => {
    const config = { dimensions } as unknown as DimensionUniverseConfig;
    expect(() => new DimensionUniverse(config)).toThrow(errorClass);
    expect(() => new DimensionUniverse(config)).toThrow(message);
  });

  it('rejects a config without a dimensions mapping', () => {
    expect(() => new DimensionUniverse({} as DimensionUniverseConfig)).toThrow(TypeMismatchError);
    expect(() => new DimensionUniverse(null as unknown as DimensionUniverseConfig)).toThrow(
      TypeMismatchError,
    );
  });

  it('refuses a group of another universe', () => {
    const other = new DimensionUniverse(ASTRO).conform(['visit']);
    expect(() => makeTestUniverse().conform(other)).toThrow(InvalidValueError);
  });
});

describe('DimensionGroup', () => {
  const universe = makeTestUniverse();

  it('is equal for the same names in the same universe', () => {
    const a = universe.conform(['visit']);
    const b = new DimensionGroup(makeTestUniverse(), ['instrument', 'visit']);
    expect(a.equals(b)).toBe(true);
    expect(a.hashKey).toBe(b.hashKey);
    expect(a.equals(universe.conform(['detector']))).toBe(false);
    expect(a.equals(['instrument', 'visit'])).toBe(false);
  });

  it('lists names in universe order and prints them', () => {
    const group = universe.conform(['visit', 'detector']);
    expect([...group]).toEqual(['instrument', 'detector', 'visit']);
    expect(group.required).toEqual(['instrument', 'detector', 'visit']);
    expect(group.implied).toEqual([]);
    expect(group.has('detector')).toBe(true);
    expect(String(group)).toBe('{instrument, detector, visit}');
  });

  it('rejects a bare string and non-string names', () => {
    expect(() => new DimensionGroup(universe, 'visit')).toThrow(TypeMismatchError);
    expect(() => new DimensionGroup(universe, [1 as unknown as string])).toThrow(TypeMismatchError);
    expect(() => new DimensionGroup({} as DimensionUniverse, ['visit'])).toThrow(TypeMismatchError);
  });
});
