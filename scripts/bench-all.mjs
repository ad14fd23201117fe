#!/usr/bin/env node
// Runs every benchmark in bench/*/index.mjs in turn. Benchmarks print ratios against the raw
// driver measured in the same run; they are never part of the tests.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const bench = new URL('../bench/', import.meta.url).pathname;
const suites = existsSync(bench)
  ? readdirSync(bench).filter((name) => existsSync(join(bench, name, 'index.mjs')))
  : [];
if (suites.length === 0) console.log('no benchmarks yet');
let status = 0;
for (const suite of suites) {
  console.log(`\n== bench/${suite}`);
  const run = spawnSync(process.execPath, ['--expose-gc', join(bench, suite, 'index.mjs')], {
    stdio: 'inherit',
  });
  status ||= run.status ?? 1;
}
process.exit(status);
