// Concurrency and crashes: concurrent puts and gets in one process, two processes writing one
// repository at once, and a writer killed with SIGKILL in the middle of its puts.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testUniverse } from '@butler-ts/core/testing';
import {
  createRegistry,
  openRegistry,
  standaloneDatasetForeignKeys,
} from '@butler-ts/registry-sql';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { FileDatastore, StoredFileInfo } from '../src/index.ts';
import { bundleFixture } from './fixtures/bundle.ts';
import { writerConfig, writerRef } from './fixtures/put-writer.ts';

interface Writer {
  readonly process: ChildProcessWithoutNullStreams;
  readonly ready: Promise<void>;
  readonly finished: Promise<number | null>;
  puts(): number;
  output(): string;
}

function startWriter(
  script: string,
  uri: string,
  root: string,
  first: number,
  count: number,
): Writer {
  const child = spawn(process.execPath, [script, uri, root, String(first), String(count)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, BUTLER_PUT_WRITER: '1' },
  });
  let out = '';
  let err = '';
  let signalReady!: () => void;
  let failReady!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    signalReady = resolve;
    failReady = reject;
  });
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    if (out.startsWith('ready\n')) signalReady();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const finished = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      failReady(new Error(`writer exited with ${String(code)} before ready:\n${out}\n${err}`));
      resolve(code);
    }),
  );
  return {
    process: child,
    ready,
    finished,
    puts: () => out.split('\n').filter((line) => line.startsWith('put ')).length,
    output: () => `${out}\n${err}`,
  };
}

describe('FileDatastore under concurrency', () => {
  let dir: string;
  let uri: string;
  let script: string;
  let bundle: { script: string; remove(): void } | undefined;

  beforeAll(async () => {
    bundle = await bundleFixture('put-writer');
    script = bundle.script;
  }, 120_000);
  afterAll(() => bundle?.remove());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'butler-fds-proc-'));
    uri = `sqlite:///${join(dir, 'gen3.sqlite3')}`;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function allRecords(
    datastore: FileDatastore,
    registryUri: string,
  ): Promise<StoredFileInfo[]> {
    const registry = await openRegistry(registryUri, { universe: testUniverse() });
    try {
      const table =
        registry.opaque.get(datastore.recordsTableName) ??
        (await registry.opaque.register(
          datastore.recordsTableName,
          (await import('../src/index.ts')).FILE_RECORDS_SPEC,
        ));
      const out: StoredFileInfo[] = [];
      for await (const row of table.fetch()) out.push(StoredFileInfo.fromRecord(row));
      return out;
    } finally {
      await registry.close();
    }
  }

  it('runs concurrent puts and gets of one datastore without losing any', async () => {
    const registry = await createRegistry(uri, {
      datasetForeignKeys: standaloneDatasetForeignKeys,
      universe: testUniverse(),
    });
    try {
      const datastore = await FileDatastore.create(writerConfig, registry.bridges, {
        butlerRoot: dir,
      });
      const refs = Array.from({ length: 200 }, (_, i) => writerRef(i));
      await Promise.all(refs.map((ref, i) => datastore.put({ visit: i }, ref)));
      const [values, again] = await Promise.all([
        Promise.all(refs.map((ref) => datastore.get(ref))),
        Promise.all(
          refs.map(async (ref, i) => {
            await datastore.put({ visit: -i }, writerRef(1000 + i));
            return datastore.get(ref);
          }),
        ),
      ]);
      expect(values).toEqual(refs.map((_, i) => ({ visit: i })));
      expect(again).toEqual(values);
      expect(
        (await datastore.mexists([...refs, ...refs.map((_, i) => writerRef(1000 + i))])).size,
      ).toBe(400);
      expect([...(await datastore.mexists(refs)).values()].every(Boolean)).toBe(true);
    } finally {
      await registry.close();
    }
  }, 120_000);

  it('two processes writing one repository at once lose nothing', async () => {
    const registry = await createRegistry(uri, {
      datasetForeignKeys: standaloneDatasetForeignKeys,
      universe: testUniverse(),
    });
    try {
      const datastore = await FileDatastore.create(writerConfig, registry.bridges, {
        butlerRoot: dir,
      });
      const child = startWriter(script, uri, dir, 300, 300);
      await child.ready;
      child.process.stdin.end('go\n');
      for (let visit = 0; visit < 300; visit++)
        await datastore.put({ visit, payload: 'x'.repeat(visit % 97) }, writerRef(visit));
      expect(await child.finished, child.output()).toBe(0);
      const records = await allRecords(datastore, uri);
      expect(records).toHaveLength(600);
      for (let visit = 0; visit < 600; visit += 37) {
        expect(await datastore.get(writerRef(visit))).toEqual({
          visit,
          payload: 'x'.repeat(visit % 97),
        });
      }
    } finally {
      await registry.close();
    }
  }, 180_000);

  it('after kill -9 in the middle of puts, every record has its whole file and the repository works', async () => {
    const registry = await createRegistry(uri, {
      datasetForeignKeys: standaloneDatasetForeignKeys,
      universe: testUniverse(),
    });
    await FileDatastore.create(writerConfig, registry.bridges, { butlerRoot: dir });
    await registry.close();
    const child = startWriter(script, uri, dir, 0, 5000);
    await child.ready;
    child.process.stdin.end('go\n');
    const deadline = Date.now() + 120_000;
    while (child.puts() < 150 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    child.process.kill('SIGKILL');
    await child.finished;
    expect(child.puts()).toBeGreaterThanOrEqual(150);
    expect(child.puts()).toBeLessThan(5000);

    const reopened = await openRegistry(uri, { universe: testUniverse() });
    try {
      const datastore = await FileDatastore.create(writerConfig, reopened.bridges, {
        butlerRoot: dir,
      });
      const records = await allRecords(datastore, uri);
      expect(records.length).toBeGreaterThanOrEqual(child.puts());
      for (const record of records) {
        expect(statSync(datastore.pathOf(record)).size, record.path).toBe(record.fileSize);
      }
      const fresh = writerRef(999_999);
      await datastore.put({ visit: 999_999 }, fresh);
      expect(await datastore.get(fresh)).toEqual({ visit: 999_999 });
    } finally {
      await reopened.close();
    }
  }, 180_000);
});
