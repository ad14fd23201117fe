import { butlerVitestConfig } from '@butler-ts/vitest-config';

// Installing from the npm registry takes a while; the packages are checked one by one.
// Each test installs packed tarballs (and may compile better-sqlite3): minutes on a loaded laptop.
export default butlerVitestConfig({ test: { testTimeout: 1_200_000, hookTimeout: 1_200_000 } });
