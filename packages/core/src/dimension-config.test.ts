import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pythonJsonDumps, universeConfigFromDafButler } from './dimension-config.ts';
import { DimensionUniverse } from './dimensions.ts';
import { DimensionNameError, InvalidValueError, TypeMismatchError } from './errors.ts';

const STORED = readFileSync(
  new URL('./daf-butler-dimensions.json', import.meta.url),
  'utf8',
).trim();

describe("daf_butler's dimension configuration", () => {
  const universe = DimensionUniverse.default();

  it('reads namespace, version and the common skypix dimension', () => {
    expect(universe.namespace).toBe('daf_butler');
    expect(universe.version).toBe(8);
    expect(universe.commonSkyPix).toBe('htm7');
  });

  it("orders dimensions in daf_butler's construction waves, each wave by name", () => {
    const stored = universe.names.filter((name) => !/^(htm|healpix)\d+$/.test(name));
    expect(stored).toEqual([
      'band',
      'instrument',
      'skymap',
      'ssp_hypothesis_table',
      'day_obs',
      'detector',
      'group',
      'physical_filter',
      'ssp_balanced_index',
      'ssp_hypothesis_bundle',
      'subfilter',
      'tract',
      'visit_system',
      'exposure',
      'patch',
      'visit',
    ]);
    // The skypix systems are built in the first wave, between band and instrument.
    expect(universe.names.slice(0, 3)).toEqual(['band', 'healpix1', 'healpix2']);
    expect(universe.indexOf('htm24')).toBeLessThan(universe.indexOf('instrument'));
    expect(universe.elements.slice(-3).map((e) => e.name)).toEqual([
      'visit_definition',
      'visit_detector_region',
      'visit_system_membership',
    ]);
  });

  it('splits groups into required and implied dimensions in universe order', () => {
    const group = universe.conform(['visit', 'detector']);
    expect(group.required).toEqual(['instrument', 'detector', 'visit']);
    expect(group.implied).toEqual(['band', 'day_obs', 'physical_filter']);
    expect(universe.conform(['physical_filter']).implied).toEqual(['band']);
    expect(universe.conform(['patch']).required).toEqual(['skymap', 'tract', 'patch']);
    expect(universe.conform(['htm7']).required).toEqual(['htm7']);
  });

  it('describes keys, metadata, families and tables of elements', () => {
    const detector = universe.getDimension('detector');
    expect(detector.keyType).toBe('int');
    expect(detector.required).toEqual(['instrument', 'detector']);
    expect(detector.keys.map((k) => [k.name, k.type, k.length])).toEqual([
      ['id', 'int', null],
      ['full_name', 'string', 32],
    ]);
    expect(detector.metadata.map((m) => m.name)).toEqual(['name_in_raft', 'raft', 'purpose']);
    expect(detector.cached).toBe(true);
    const visit = universe.getDimension('visit');
    expect(visit.implied).toEqual(['day_obs', 'physical_filter']);
    expect([visit.spatial, visit.temporal]).toEqual([
      'observation_regions',
      'observation_timespans',
    ]);
    const region = universe.getElement('visit_detector_region');
    expect(region.isDimension).toBe(false);
    expect(region.required).toEqual(['instrument', 'detector', 'visit']);
    expect(region.populatedBy).toBe('visit');
    expect(region.spatial).toBe('observation_regions');
    expect(universe.getDimension('band').hasOwnTable).toBe(false);
    expect(universe.getDimension('band').impliedUnionTarget).toBe('physical_filter');
    expect(universe.getDimension('htm7').hasOwnTable).toBe(false);
    expect(universe.getDimension('skymap').keys[1]).toMatchObject({ type: 'hash', nbytes: 40 });
    expect(universe.governors).toEqual(['instrument', 'skymap']);
  });

  it('writes the configuration back as daf_butler stored it, byte for byte', () => {
    expect(universe.toConfigJson()).toBe(STORED);
    expect(DimensionUniverse.fromConfig(STORED).toConfigJson()).toBe(STORED);
  });

  it('is equal to a universe read from the same configuration', () => {
    expect(DimensionUniverse.fromConfig(STORED).equals(universe)).toBe(true);
  });

  it('rejects malformed configuration with a typed error naming the culprit', () => {
    expect(() => DimensionUniverse.fromConfig('{not json')).toThrow(InvalidValueError);
    expect(() => universeConfigFromDafButler({ elements: {}, skypix: {} })).toThrow(
      /integer `version`/,
    );
    const config = JSON.parse(STORED) as { elements: Record<string, Record<string, unknown>> };
    config.elements['detector']!['requires'] = ['nowhere'];
    expect(() => DimensionUniverse.fromConfig(config)).toThrow(/undefined dimension nowhere/);
    config.elements['detector']!['requires'] = 'instrument';
    expect(() => DimensionUniverse.fromConfig(config)).toThrow(TypeMismatchError);
    expect(() => universe.getElement('nothing')).toThrow(DimensionNameError);
  });
});

describe('pythonJsonDumps', () => {
  it("writes Python's separators and escapes non-ASCII", () => {
    expect(pythonJsonDumps({ a: [1, 'x', null, true], é: 'caf\u00e9 \u2603' })).toBe(
      '{"a": [1, "x", null, true], "\\u00e9": "caf\\u00e9 \\u2603"}',
    );
  });

  it('refuses values JSON cannot hold', () => {
    expect(() => pythonJsonDumps(Number.NaN)).toThrow(TypeMismatchError);
    expect(() => pythonJsonDumps(1n)).toThrow(TypeMismatchError);
  });
});
