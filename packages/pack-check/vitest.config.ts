import { butlerVitestConfig } from '@butler-ts/vitest-config';

// Installing from the npm registry takes a while; the packages are checked one by one.
export default butlerVitestConfig({ test: { testTimeout: 300_000, hookTimeout: 600_000 } });
