import { describe, expect, it } from 'vitest';
import { InvalidValueError, TypeMismatchError } from './errors.ts';
import { LookupKey } from './lookup-key.ts';
import { makeTestUniverse } from './testing/universe.ts';

const universe = makeTestUniverse();

describe('LookupKey', () => {
  it('is a name key or a dimensions key', () => {
    const name = new LookupKey({ name: 'calexp' });
    expect(name.name).toBe('calexp');
    expect(name.dimensions).toBeNull();
    const dims = new LookupKey({ dimensions: universe.conform(['visit']) });
    expect(dims.name).toBeNull();
    expect(String(dims)).toBe('instrument+visit');
  });

  it('turns a +-joined name into dimensions, in any order', () => {
    const a = new LookupKey({ name: 'visit+instrument', universe });
    const b = new LookupKey({ name: 'instrument+visit', universe });
    const single = new LookupKey({ name: 'visit+', universe });
    expect(a.dimensions?.equals(universe.conform(['visit']))).toBe(true);
    expect(a.equals(b)).toBe(true);
    expect(single.equals(a)).toBe(true);
    expect(a.equals(new LookupKey({ dimensions: universe.conform(['visit']) }))).toBe(true);
  });

  it('falls back to a name key when a piece is not a dimension', () => {
    const key = new LookupKey({ name: 'visit+physical_filter', universe });
    expect(key.name).toBe('visit+physical_filter');
    expect(key.dimensions).toBeNull();
    expect(key.clone({ dataId: { instrument: 'A' } }).name).toBe('visit+physical_filter');
  });

  it('needs a universe for a +-joined name', () => {
    expect(() => new LookupKey({ name: 'instrument+visit' })).toThrow(InvalidValueError);
  });

  it('needs exactly one of name and dimensions', () => {
    expect(() => new LookupKey({})).toThrow(InvalidValueError);
    expect(() => new LookupKey({ name: 'a', dimensions: universe.conform(['visit']) })).toThrow(
      'A LookupKey needs exactly one of name or dimensions',
    );
  });

  it('rejects a name that is not a string and bad dimensions or data IDs', () => {
    expect(() => new LookupKey({ name: 3 as unknown as string })).toThrow(TypeMismatchError);
    expect(() => new LookupKey({ dimensions: ['visit'] as never })).toThrow(TypeMismatchError);
    expect(() => new LookupKey({ name: 'a', dataId: 'HSC' as never })).toThrow(TypeMismatchError);
  });

  it('compares data-ID restrictions by value and type', () => {
    const a = new LookupKey({ name: 'pvi', dataId: { instrument: 'A' } });
    expect(a.equals(new LookupKey({ name: 'pvi', dataId: { instrument: 'A' } }))).toBe(true);
    expect(a.equals(new LookupKey({ name: 'pvi', dataId: { instrument: 'B' } }))).toBe(false);
    expect(a.equals(new LookupKey({ name: 'pvi' }))).toBe(false);
    expect(
      new LookupKey({ name: 'x', dataId: { visit: '12' } }).equals(
        new LookupKey({ name: 'x', dataId: { visit: 12 } }),
      ),
    ).toBe(false);
    expect(a.equals('pvi')).toBe(false);
  });

  it('prints the data ID after the name', () => {
    expect(String(new LookupKey({ name: 'pvi', dataId: { instrument: 'HSC' } }))).toBe(
      "pvi ({instrument: 'HSC'})",
    );
  });

  it('returns a copy of its data ID', () => {
    const key = new LookupKey({ name: 'pvi', dataId: { instrument: 'A' } });
    key.dataId!['instrument'] = 'B';
    expect(key.dataId).toEqual({ instrument: 'A' });
    expect(new LookupKey({ name: 'x' }).dataId).toBeNull();
  });

  it('clones with a new name, new dimensions or a new data ID', () => {
    const key = new LookupKey({ name: 'pvi', dataId: { instrument: 'A' } });
    expect(key.clone().equals(key)).toBe(true);
    expect(
      key
        .clone({ name: 'calexp' })
        .equals(new LookupKey({ name: 'calexp', dataId: { instrument: 'A' } })),
    ).toBe(true);
    const dims = key.clone({ dimensions: universe.conform(['detector']) });
    expect(dims.name).toBeNull();
    expect(String(dims)).toBe("instrument+detector ({instrument: 'A'})");
    expect(key.clone({ dataId: null }).dataId).toBeNull();
    expect(() => key.clone({ name: 'a', dimensions: universe.empty })).toThrow(InvalidValueError);
  });
});
