// Shared build: ESM only, `.mjs` + `.d.mts`, one output file per entry, dependencies external.
import { defineConfig } from 'tsdown';

/**
 * The build config every published package extends.
 * @param {Record<string, string>} [entry] output name (without extension) → source file
 */
export function butlerBuildConfig(entry = { index: 'src/index.ts' }) {
  return defineConfig({
    entry,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    fixedExtension: true,
    dts: true,
    sourcemap: true,
    clean: true,
    unbundle: false,
  });
}
