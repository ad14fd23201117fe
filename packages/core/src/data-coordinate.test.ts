import { describe, expect, it } from 'vitest';
import { DataCoordinate } from './data-coordinate.ts';
import { DimensionUniverse } from './dimensions.ts';
import { DimensionNameError, InvalidValueError, LookupError, TypeMismatchError } from './errors.ts';
import { makeTestUniverse } from './testing/universe.ts';

const universe = makeTestUniverse();
const visit = universe.conform(['visit']);
const astro = new DimensionUniverse({
  dimensions: {
    instrument: { keyType: 'string', governor: true },
    physical_filter: { keyType: 'string', requires: ['instrument'] },
    visit: { keyType: 'int', requires: ['instrument'], implies: ['physical_filter'] },
  },
});

describe('DataCoordinate.standardize', () => {
  it('keeps required values in group order and drops other keys', () => {
    const dataId = DataCoordinate.standardize(
      { visit: 52, extra: 'x', instrument: 'dummy' },
      { dimensions: visit },
    );
    expect([...dataId.required]).toEqual([
      ['instrument', 'dummy'],
      ['visit', 52],
    ]);
    expect(dataId.requiredValues).toEqual(['dummy', 52]);
    expect(dataId.has('extra')).toBe(false);
    expect(dataId.hasFull()).toBe(true);
  });

  it('takes the dimensions from the keys given a universe', () => {
    const dataId = DataCoordinate.standardize({ instrument: 'dummy', detector: 1 }, { universe });
    expect(dataId.dimensions.equals(universe.conform(['detector']))).toBe(true);
    expect(() =>
      DataCoordinate.standardize({ instrument: 'x', exposure: 1 }, { universe }),
    ).toThrow(DimensionNameError);
  });

  it('resolves dimension names through the universe', () => {
    const dataId = DataCoordinate.standardize(
      { instrument: 'a', visit: 1 },
      { dimensions: ['visit'], universe },
    );
    expect(dataId.dimensions.equals(visit)).toBe(true);
    expect(() =>
      DataCoordinate.standardize({ instrument: 'a' }, { dimensions: ['visit'] }),
    ).toThrow(InvalidValueError);
    expect(() => DataCoordinate.standardize({ instrument: 'a' })).toThrow(
      'A data ID needs dimensions or a universe',
    );
  });

  it('fails for a missing required value with a lookup error naming the dimension', () => {
    let caught: unknown;
    try {
      DataCoordinate.standardize({ instrument: 'dummy' }, { dimensions: visit });
    } catch (error) {
      caught = error;
    }
    expect(LookupError.is(caught)).toBe(true);
    expect((caught as DimensionNameError).dimension).toBe('visit');
    expect((caught as Error).message).toContain("for required dimension 'visit'");
  });

  it('treats null as a missing value', () => {
    expect(() =>
      DataCoordinate.standardize({ instrument: 'dummy', visit: null }, { dimensions: visit }),
    ).toThrow(DimensionNameError);
  });

  it('keeps implied values only when all are known', () => {
    const dims = astro.conform(['visit']);
    const full = DataCoordinate.standardize(
      { instrument: 'A', visit: 1, physical_filter: 'g' },
      { dimensions: dims },
    );
    const partial = DataCoordinate.standardize({ instrument: 'A', visit: 1 }, { dimensions: dims });
    expect(full.hasFull()).toBe(true);
    expect(full.get('physical_filter')).toBe('g');
    expect(partial.hasFull()).toBe(false);
    expect(partial.get('physical_filter')).toBeUndefined();
    expect(partial.has('physical_filter')).toBe(false);
    expect([...full.mapping.keys()]).toEqual(['instrument', 'physical_filter', 'visit']);
    expect([...partial.mapping.keys()]).toEqual(['instrument', 'visit']);
    expect(full.equals(partial)).toBe(true);
    expect(full.hashKey).toBe(partial.hashKey);
  });

  it('reads only own enumerable properties of a plain object', () => {
    const hidden = { instrument: 'dummy' };
    Object.defineProperty(hidden, 'visit', { value: 52, enumerable: false });
    expect(() => DataCoordinate.standardize(hidden, { dimensions: visit })).toThrow(
      DimensionNameError,
    );
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, {
      instrument: 'dummy',
      visit: 52,
    });
    expect(DataCoordinate.standardize(bare, { dimensions: visit }).requiredValues).toEqual([
      'dummy',
      52,
    ]);
  });

  it('rejects an implied value of the wrong type when all implied values are given', () => {
    const dims = astro.conform(['visit']);
    expect(() =>
      DataCoordinate.standardize(
        { instrument: 'A', visit: 1, physical_filter: 3 },
        { dimensions: dims },
      ),
    ).toThrow(/'physical_filter' must be a string/);
  });

  it('freezes its required values', () => {
    const dataId = DataCoordinate.standardize(
      { instrument: 'dummy', visit: 52 },
      { dimensions: visit },
    );
    expect(Object.isFrozen(dataId.requiredValues)).toBe(true);
    expect(Object.isFrozen(DataCoordinate.makeEmpty(universe).requiredValues)).toBe(true);
  });

  it('normalises bigint values and rejects values of the wrong type', () => {
    expect(
      DataCoordinate.standardize({ instrument: 'a', visit: 52n }, { dimensions: visit }).get(
        'visit',
      ),
    ).toBe(52);
    expect(() =>
      DataCoordinate.standardize({ instrument: 'a', visit: '52' }, { dimensions: visit }),
    ).toThrow(TypeMismatchError);
    expect(() =>
      DataCoordinate.standardize({ instrument: 'a', visit: 1.5 }, { dimensions: visit }),
    ).toThrow(/must be an integer/);
    expect(() =>
      DataCoordinate.standardize({ instrument: 7, visit: 1 }, { dimensions: visit }),
    ).toThrow(/must be a string/);
  });

  it('accepts a Map and another data ID', () => {
    const fromMap = DataCoordinate.standardize(
      new Map<string, unknown>([
        ['instrument', 'a'],
        ['visit', 3],
      ]),
      {
        dimensions: visit,
      },
    );
    const again = DataCoordinate.standardize(fromMap);
    expect(again.equals(fromMap)).toBe(true);
    const narrowed = DataCoordinate.standardize(fromMap, {
      dimensions: universe.conform(['instrument']),
    });
    expect(narrowed.requiredValues).toEqual(['a']);
  });

  it('rejects input that is not a mapping', () => {
    expect(() =>
      DataCoordinate.standardize([1, 2] as unknown as Record<string, unknown>, { universe }),
    ).toThrow(TypeMismatchError);
  });

  it('makes the empty data ID from an empty group or nothing', () => {
    const empty = DataCoordinate.makeEmpty(universe);
    expect(empty.dimensions.isEmpty).toBe(true);
    expect(String(empty)).toBe('{}');
    expect(empty.toQueryString()).toBe('');
    expect(DataCoordinate.standardize(null, { dimensions: universe.empty }).equals(empty)).toBe(
      true,
    );
    expect(DataCoordinate.standardize({}, { universe }).equals(empty)).toBe(true);
  });
});

describe('DataCoordinate values', () => {
  const dataId = DataCoordinate.standardize(
    { instrument: 'dummy', visit: 52 },
    { dimensions: visit },
  );

  it('prints as a mapping', () => {
    expect(String(dataId)).toBe("{instrument: 'dummy', visit: 52}");
    expect(JSON.stringify(dataId)).toBe('{"instrument":"dummy","visit":52}');
  });

  it('compares with plain mappings by standardizing them', () => {
    expect(dataId.equals({ instrument: 'dummy', visit: 52 })).toBe(true);
    expect(dataId.equals({ instrument: 'dummy', visit: 53 })).toBe(false);
    expect(dataId.equals({ instrument: 'dummy' })).toBe(false);
    expect(dataId.equals('dummy')).toBe(false);
  });

  it('is not equal to a data ID with other dimensions', () => {
    const detector = DataCoordinate.standardize(
      { instrument: 'dummy', detector: 52 },
      { universe },
    );
    expect(dataId.equals(detector)).toBe(false);
    expect(dataId.hashKey).not.toBe(detector.hashKey);
  });

  it('orders by required values', () => {
    const later = DataCoordinate.standardize(
      { instrument: 'dummy', visit: 100 },
      { dimensions: visit },
    );
    const otherInstrument = DataCoordinate.standardize(
      { instrument: 'alpha', visit: 1 },
      { dimensions: visit },
    );
    expect(dataId.compare(later)).toBeLessThan(0);
    expect(later.compare(dataId)).toBeGreaterThan(0);
    expect(otherInstrument.compare(dataId)).toBeLessThan(0);
    expect(dataId.compare(dataId)).toBe(0);
  });

  it('form-encodes the required values like Python urlencode', () => {
    expect(dataId.toQueryString()).toBe('instrument=dummy&visit=52');
    const odd = DataCoordinate.standardize(
      { instrument: 'a b/c~é', visit: 1 },
      { dimensions: visit },
    );
    expect(odd.toQueryString()).toBe('instrument=a+b%2Fc~%C3%A9&visit=1');
  });

  it('returns fresh maps', () => {
    (dataId.required as Map<string, unknown>).set('visit', 1);
    expect(dataId.get('visit')).toBe(52);
  });
});

describe('DataCoordinate records', () => {
  const universe = DimensionUniverse.default();
  const full = DataCoordinate.standardize(
    { instrument: 'Cam', detector: 1, visit: 42, physical_filter: 'r1', band: 'r', day_obs: 7 },
    { dimensions: universe.conform(['visit', 'detector']) },
  );
  const records = Object.fromEntries(
    full.elements.map((name) => [name, name === 'detector' ? { full_name: 'det01' } : null]),
  );

  it("lists the elements whose required dimensions are all in the data ID's", () => {
    expect(full.elements).toEqual([
      'band',
      'instrument',
      'day_obs',
      'detector',
      'physical_filter',
      'visit',
      'visit_detector_region',
    ]);
  });

  it('carries records after withRecords and hands them out by element', () => {
    expect(full.hasRecords()).toBe(false);
    const expanded = full.withRecords(records);
    expect(expanded.hasRecords()).toBe(true);
    expect(expanded.record('detector')).toEqual({ full_name: 'det01' });
    expect(expanded.record('visit')).toBeNull();
    expect(expanded.equals(full)).toBe(true);
  });

  it('refuses records for a data ID without implied values, or for other elements', () => {
    const required = DataCoordinate.standardize(
      { instrument: 'Cam', detector: 1, visit: 42 },
      { dimensions: universe.conform(['visit', 'detector']) },
    );
    expect(() => required.withRecords(records)).toThrow(InvalidValueError);
    expect(() => full.withRecords({ ...records, exposure: null })).toThrow(/exposure/);
    expect(() => full.withRecords({ detector: null })).toThrow(/No record/);
    expect(() => full.record('detector')).toThrow(InvalidValueError);
    expect(() => full.withRecords(records).record('exposure')).toThrow(DimensionNameError);
  });
});

describe('DataCoordinate.fromRequiredValues', () => {
  it('equals standardize of the same values, full when nothing is implied', () => {
    const detector = universe.conform(['detector']);
    const [instrument, id] = [detector.required[0]!, detector.required[1]!];
    const values = ['Cam', 3];
    const dataId = DataCoordinate.fromRequiredValues(detector, values);
    expect(
      dataId.equals(
        DataCoordinate.standardize({ [instrument]: 'Cam', [id]: 3 }, { dimensions: detector }),
      ),
    ).toBe(true);
    expect(dataId.requiredValues).toEqual(['Cam', 3]);
    expect(dataId.hasFull()).toBe(detector.implied.length === 0);
    expect(Object.isFrozen(values)).toBe(false);
  });

  it('has only required values when dimensions are implied', () => {
    const group = astro.conform(['visit']);
    const dataId = DataCoordinate.fromRequiredValues(group, ['Cam', 42]);
    expect(dataId.hasFull()).toBe(false);
    expect(dataId.get('visit')).toBe(42);
    expect(
      dataId.equals(
        DataCoordinate.standardize({ instrument: 'Cam', visit: 42 }, { dimensions: group }),
      ),
    ).toBe(true);
  });

  it('converts safe bigints and refuses wrong types and counts', () => {
    const group = astro.conform(['visit']);
    expect(
      DataCoordinate.fromRequiredValues(group, ['Cam', 42n as unknown as number]).requiredValues,
    ).toEqual(['Cam', 42]);
    expect(() => DataCoordinate.fromRequiredValues(group, ['Cam', '42'])).toThrow(
      TypeMismatchError,
    );
    expect(() => DataCoordinate.fromRequiredValues(group, ['Cam'])).toThrow(InvalidValueError);
    expect(() => DataCoordinate.fromRequiredValues(group, ['Cam', 42, 1])).toThrow(
      InvalidValueError,
    );
  });
});

describe('DataCoordinate.fromTrustedRequiredValues', () => {
  it('equals fromRequiredValues of the same values, keeping and freezing the array', () => {
    const group = astro.conform(['visit']);
    const values = ['Cam', 42];
    const trusted = DataCoordinate.fromTrustedRequiredValues(group, values);
    const checked = DataCoordinate.fromRequiredValues(group, ['Cam', 42]);
    expect(trusted.equals(checked)).toBe(true);
    expect(trusted.hashKey).toBe(checked.hashKey);
    expect(trusted.hasFull()).toBe(checked.hasFull());
    expect(trusted.requiredValues).toBe(values);
    expect(Object.isFrozen(values)).toBe(true);
  });

  it('is full when the dimensions imply nothing', () => {
    const detector = universe.conform(['detector']);
    const dataId = DataCoordinate.fromTrustedRequiredValues(detector, ['Cam', 3]);
    expect(dataId.hasFull()).toBe(detector.implied.length === 0);
    expect(dataId.toJSON()).toEqual(
      DataCoordinate.fromRequiredValues(detector, ['Cam', 3]).toJSON(),
    );
  });
});
