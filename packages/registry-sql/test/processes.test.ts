// Reliability with real OS processes (issue 10), on a SQLite file and a PostgreSQL schema:
// a writer killed with SIGKILL mid-transaction, again and again, leaves each transaction's rows
// all there or none, and the registry still opens and works; several writers at once lose and
// double no row. Sizes are small and timeouts generous: nothing here measures time.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry, openRegistry } from '../src/index.ts';
import { bundleFixture } from './fixtures/bundle.ts';
import { startChild } from './fixtures/child.ts';
import { ROWS_PER_TRANSACTION, crashSpec } from './fixtures/crash-writer.ts';
import type { WriterSummary } from './fixtures/opaque-writer.ts';
import { sharedSpec } from './fixtures/opaque-writer.ts';
import { dropSchemas, freshSchema, pgAvailable, pgUrl } from './postgres-harness.ts';

const available = await pgAvailable();
const KILLS = 8;
const WRITERS = 4;
const ROWS_PER_WRITER = 250;

interface Location {
  readonly uri: string;
  /** The schema on PostgreSQL, `null` on SQLite. */
  readonly namespace: string | null;
}

const optionsOf = (at: Location) => (at.namespace === null ? {} : { namespace: at.namespace });

/**
 * Starts the crash writer from transaction `first`, waits until it committed `commits`
 * transactions and a random few milliseconds more, then kills it with SIGKILL. Resolves to the
 * last transaction it reported committed (or `first - 1`).
 */
function runAndKill(script: string, at: Location, first: number, commits: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, at.uri, at.namespace ?? '-', String(first)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BUTLER_CRASH_WRITER: '1' },
    });
    let last = first - 1;
    let seen = 0;
    let err = '';
    let killing = false;
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      for (const match of chunk.matchAll(/committed (\d+)/g)) {
        last = Math.max(last, Number(match[1]));
        seen++;
      }
      if (!killing && seen >= commits) {
        killing = true;
        // A random moment inside a later transaction (each takes ~20 ms or more).
        setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 15));
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL') resolve(last);
      else reject(new Error(`crash writer exited with ${code} before it was killed: ${err}`));
    });
  });
}

function describeProcesses(engine: string, enabled: boolean, make: () => Promise<Location>) {
  describe.skipIf(!enabled)(`several processes on ${engine}`, () => {
    let crash: { script: string; remove(): void } | undefined;
    let writer: { script: string; remove(): void } | undefined;
    beforeAll(async () => {
      crash = await bundleFixture('crash-writer');
      writer = await bundleFixture('opaque-writer');
    }, 120_000);
    afterAll(() => {
      crash?.remove();
      writer?.remove();
    });

    it(`keeps every transaction whole when a writer is killed ${KILLS} times`, async () => {
      const at = await make();
      await (await createRegistry(at.uri, optionsOf(at))).close();
      let next = 0;
      let committed = 0;
      for (let kill = 0; kill < KILLS; kill++) {
        const last = await runAndKill(crash!.script, at, next, 1 + (kill % 3));
        committed += last - next + 1;
        // Transaction numbers never repeat: the next run starts past anything begun.
        next = last + 100;
      }
      const registry = await openRegistry(at.uri, optionsOf(at));
      try {
        const table = await registry.opaque.register('crash_rows', crashSpec);
        const byTxn = new Map<number, number>();
        for await (const row of table.fetch()) byTxn.set(row.txn, (byTxn.get(row.txn) ?? 0) + 1);
        // All or nothing, per transaction.
        for (const [txn, rows] of byTxn) expect([txn, rows]).toEqual([txn, ROWS_PER_TRANSACTION]);
        // Every transaction reported committed is there (more may be: killed after COMMIT,
        // before printing).
        expect(byTxn.size).toBeGreaterThanOrEqual(committed);
        // The registry still works: a write and a read.
        await table.insert([{ txn: -1, seq: 0, payload: 'after the crashes' }]);
        const back: unknown[] = [];
        for await (const row of table.fetch({ txn: -1 })) back.push(row);
        expect(back).toEqual([{ txn: -1, seq: 0, payload: 'after the crashes' }]);
      } finally {
        await registry.close();
      }
    }, 300_000);

    it(`counts every row of ${WRITERS} writers at once: none lost, none doubled`, async () => {
      const at = await make();
      const registry = await createRegistry(at.uri, optionsOf(at));
      try {
        await registry.opaque.register('shared_rows', sharedSpec);
        const children = Array.from({ length: WRITERS }, (_, i) =>
          startChild<WriterSummary>(
            writer!.script,
            [
              at.uri,
              `w${i}`,
              String(i * ROWS_PER_WRITER),
              String(ROWS_PER_WRITER),
              ...(at.namespace === null ? [] : [at.namespace]),
            ],
            { BUTLER_OPAQUE_WRITER: '1' },
          ),
        );
        await Promise.all(children.map((c) => c.ready));
        for (const child of children) child.go();
        const summaries = await Promise.all(children.map((c) => c.done));
        expect(summaries.map((s) => s.writer).sort()).toEqual(
          Array.from({ length: WRITERS }, (_, i) => `w${i}`),
        );
        const table = registry.opaque.getOrThrow('shared_rows');
        const ids = new Map<number, string[]>();
        for await (const row of table.fetch()) {
          const { id, writer: by } = row as { id: number; writer: string };
          ids.set(id, [...(ids.get(id) ?? []), by]);
        }
        expect(ids.size).toBe(WRITERS * ROWS_PER_WRITER);
        for (let id = 0; id < WRITERS * ROWS_PER_WRITER; id++)
          expect([id, ids.get(id)]).toEqual([id, [`w${Math.floor(id / ROWS_PER_WRITER)}`]]);
      } finally {
        await registry.close();
      }
    }, 300_000);
  });
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'butler-processes-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
describeProcesses('a SQLite file', true, () =>
  Promise.resolve({ uri: `sqlite:///${join(dir, `registry${files++}.sqlite3`)}`, namespace: null }),
);

const schemas: string[] = [];
afterAll(() => dropSchemas(schemas));
describeProcesses('a PostgreSQL schema', available, () => {
  const namespace = freshSchema('butler_processes');
  schemas.push(namespace);
  return Promise.resolve({ uri: pgUrl, namespace });
});
