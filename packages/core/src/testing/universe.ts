import { DimensionUniverse } from '../dimensions.ts';
import type { DimensionUniverseConfig } from '../dimension-types.ts';

/**
 * The F1 universe: `instrument` (a string key, governor), `visit` and `detector` (integers
 * requiring `instrument`).
 */
export const TEST_UNIVERSE_CONFIG: DimensionUniverseConfig = Object.freeze({
  namespace: 'butler-ts-test',
  version: 1,
  dimensions: Object.freeze({
    instrument: Object.freeze({ keyType: 'string', governor: true }),
    visit: Object.freeze({ keyType: 'int', requires: Object.freeze(['instrument']) }),
    detector: Object.freeze({ keyType: 'int', requires: Object.freeze(['instrument']) }),
  }),
} as const);

/** A new F1 universe (universes of one config are equal). */
export function makeTestUniverse(): DimensionUniverse {
  return new DimensionUniverse(TEST_UNIVERSE_CONFIG);
}

let shared: DimensionUniverse | undefined;

/** One shared F1 universe (the default of {@link makeRef}). */
export function testUniverse(): DimensionUniverse {
  shared ??= makeTestUniverse();
  return shared;
}
