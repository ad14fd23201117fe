// Builds what the tests run, once per test run: the packages the command depends on (through
// turbo, unless turbo is already running this task after `^build`), then the command itself
// with this package's tsdown config into a private folder. A private folder, because turbo may
// run this package's own `build` (which empties dist/) while its tests run.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsdown';
import type { TestProject } from 'vitest/node';
import config from '../tsdown.config.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The built `bin.mjs`. */
    cliBin: string;
  }
}

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(packageDir, '..', '..');
const RUNTIME_DEPENDENCIES = [
  '@butler-ts/versioning',
  '@butler-ts/ddl',
  '@butler-ts/registry-interfaces',
  '@butler-ts/registry-sql',
  // The query-* commands open repositories through the Butler.
  '@butler-ts/core',
  '@butler-ts/datastore',
  '@butler-ts/datastore-memory',
  '@butler-ts/datastore-file',
  '@butler-ts/datastore-chained',
  '@butler-ts/butler',
];

let outDir: string | undefined;

/** Builds the dependencies and the command; provides `cliBin`. */
export async function setup(project: TestProject): Promise<void> {
  if (process.env['TURBO_HASH'] === undefined) {
    execFileSync(
      'pnpm',
      [
        'exec',
        'turbo',
        'run',
        'build',
        '--only',
        '--output-logs=errors-only',
        ...RUNTIME_DEPENDENCIES.map((name) => `--filter=${name}`),
      ],
      {
        cwd: root,
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
      },
    );
  }
  // Inside node_modules, so that the bundle resolves its dependencies as dist/ would.
  outDir = join(packageDir, 'node_modules', '.cache', `butler-cli-test-${process.pid}`);
  await build({
    ...config,
    config: false,
    cwd: packageDir,
    outDir,
    dts: false,
    sourcemap: false,
    clean: true,
    logLevel: 'error',
  });
  project.provide('cliBin', join(outDir, 'bin.mjs'));
}

/** Removes the build. */
export function teardown(): void {
  if (outDir !== undefined) rmSync(outDir, { recursive: true, force: true });
}
