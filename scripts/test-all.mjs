#!/usr/bin/env node
// Runs every check and test through turbo, then prints one total over all packages as the
// last line: `N passed, N failed` (`, N skipped` when any were skipped).
// The totals come from each package's vitest JSON report (test-results.json).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const packages = readdirSync(join(root, 'packages'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => join(root, 'packages', entry.name))
  .filter((dir) => existsSync(join(dir, 'package.json')));

const tested = packages.filter((dir) => {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return typeof manifest.scripts?.test === 'string';
});
for (const dir of tested) rmSync(join(dir, 'test-results.json'), { force: true });

const tasks = ['lint', 'typecheck', 'build', 'check:package', 'docs', 'test'];
const turbo = spawnSync(
  join(root, 'node_modules', '.bin', 'turbo'),
  ['run', ...tasks, '--continue', '--output-logs=new-only', ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } },
);

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const dir of tested) {
  const file = join(dir, 'test-results.json');
  if (!existsSync(file)) {
    missing.push(dir.slice(root.length));
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  // A test file that failed to load has no test results but does fail the run.
  failed += (report.testResults ?? []).filter(
    (file) => file.status === 'failed' && (file.assertionResults ?? []).length === 0,
  ).length;
}
if (missing.length > 0) {
  console.error(`no test report from: ${missing.join(', ')} (each counted as one failure)`);
  failed += missing.length;
}
const ok = turbo.status === 0 && failed === 0;
if (turbo.status !== 0) console.error(`turbo exited with ${turbo.status ?? turbo.signal}`);
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(ok ? 0 : 1);
