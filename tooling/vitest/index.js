// Shared vitest config: tests read sibling packages' source through the `@butler-ts/source`
// export condition, type tests (*.test-d.ts) run in the same run, and a JSON report is written
// so the root test script can print one total over all packages.
import { defineConfig, mergeConfig } from 'vitest/config';

// Vite's own defaults plus the source condition; nothing that changes how Node's require()
// resolves externalised packages (an `import` condition would break CommonJS ones like pg).
const conditions = ['@butler-ts/source', 'module', 'node', 'development|production'];

/**
 * The vitest config every package extends.
 * @param {import('vitest/config').UserConfig} [overrides]
 */
export function butlerVitestConfig(overrides = {}) {
  return mergeConfig(
    defineConfig({
      resolve: { conditions },
      ssr: { resolve: { conditions } },
      test: {
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
        typecheck: {
          enabled: true,
          include: ['src/**/*.test-d.ts', 'test/**/*.test-d.ts'],
          tsconfig: './tsconfig.json',
        },
        reporters: process.env.CI ? ['default', 'json'] : ['default', 'json'],
        outputFile: { json: 'test-results.json' },
        testTimeout: 30_000,
        hookTimeout: 60_000,
      },
    }),
    overrides,
  );
}
