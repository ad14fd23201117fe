import { butlerVitestConfig } from '@butler-ts/vitest-config';

// The tests run the built binary: the global setup builds it once for every test file.
// There are no type tests (*.test-d.ts) here, and `tsc -p .` checks the tests already: vitest's
// typecheck pass would only run tsc a second time, which costs this package's run ~10 s.
// Every test spawns the command several times, and the test files run side by side: on a
// loaded machine one node start-up can take seconds, so tests get minutes, not 30 s.
export default butlerVitestConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    typecheck: { enabled: false },
    testTimeout: 240_000,
    hookTimeout: 240_000,
  },
});
