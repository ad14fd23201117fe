// Two OS processes share one SQLite registry file: this one creates the registry, a child
// process (this package's source bundled with tsdown, run by plain `node`) opens it, and both
// write opaque rows at the same time. Nothing may be lost.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../src/index.ts';
import type { WriterSummary } from './fixtures/opaque-writer.ts';
import { bundleFixture } from './fixtures/bundle.ts';
import { startChild } from './fixtures/child.ts';
import type { Child } from './fixtures/child.ts';
import { writeRows } from './fixtures/opaque-writer.ts';

const ROWS = 1500;

function runWriter(
  script: string,
  uri: string,
  writer: string,
  first: number,
  count: number,
): Child<WriterSummary> {
  return startChild(script, [uri, writer, String(first), String(count)], {
    BUTLER_OPAQUE_WRITER: '1',
  });
}

describe('two processes sharing one SQLite file', () => {
  let dir: string;
  let script: string;
  let bundle: { script: string; remove(): void } | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'butler-two-processes-'));
    bundle = await bundleFixture('opaque-writer');
    script = bundle.script;
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    bundle?.remove();
  });

  it('creates here, opens there, writes from both at once and loses nothing', async () => {
    const uri = `sqlite:///${join(dir, 'gen3.sqlite3')}`;
    const registry = await createRegistry(uri);
    try {
      const child = runWriter(script, uri, 'child', ROWS, ROWS);
      await child.ready;
      const mine = await writeRows(registry, 'parent', 0, ROWS, ROWS, () => child.go());
      const theirs = await child.done;

      // The two writers really overlapped in time.
      expect(theirs.firstCommit).toBeLessThan(mine.lastCommit);
      expect(mine.firstCommit).toBeLessThan(theirs.lastCommit);

      const table = registry.opaque.getOrThrow('shared_rows');
      const rows: { id: number; writer: string }[] = [];
      for await (const row of table.fetch()) rows.push(row as { id: number; writer: string });
      expect(rows).toHaveLength(2 * ROWS);
      expect(rows.every((row) => row.writer === (row.id < ROWS ? 'parent' : 'child'))).toBe(true);
      expect(new Set(rows.map((row) => row.id)).size).toBe(2 * ROWS);
      expect(theirs.seen).toBeGreaterThanOrEqual(ROWS);
    } finally {
      await registry.close();
    }
  });
});
