// main() in-process, with streams the test controls: backpressure on a slow stdout, progress on
// a terminal-like stderr, and nothing on stderr when it is not a terminal.
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { tableSpec } from '@butler-ts/ddl';
import { Butler } from '@butler-ts/butler';
import { DatasetType } from '@butler-ts/core';
import type { DatasetRef } from '@butler-ts/core';
import { createRegistry } from '@butler-ts/registry-sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/index.ts';
import { tempDir } from './helpers.ts';

const ROWS = 5000;
const SPEC = tableSpec({
  fields: [
    { name: 'n', dtype: 'integer', primaryKey: true },
    { name: 'label', dtype: 'string', length: 64, nullable: false },
  ],
});

/** A stdout that takes one chunk per timer tick and records how much was ever queued in it. */
class SlowStdout extends Writable {
  text = '';
  maxQueued = 0;

  constructor() {
    super({ highWaterMark: 4096, decodeStrings: false });
  }

  override _write(chunk: string, _encoding: string, done: (error?: Error) => void): void {
    this.maxQueued = Math.max(this.maxQueued, this.writableLength);
    this.text += chunk;
    setTimeout(done, 1);
  }
}

function collect(stream: PassThrough): () => string {
  let text = '';
  stream.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  return () => text;
}

describe('main() in-process', () => {
  const temp = tempDir('in-process');
  const uri = `sqlite:///${join(temp.dir, 'registry.sqlite3')}`;

  beforeAll(async () => {
    const registry = await createRegistry(uri);
    const storage = await registry.opaque.register('numbers', SPEC);
    await storage.insert(
      Array.from({ length: ROWS }, (_, n) => ({ n, label: `label number ${n}`.padEnd(60, '.') })),
    );
    await registry.close();
  });
  afterAll(() => temp.remove());

  it('waits for a slow stdout to drain instead of queueing the whole output', async () => {
    const stdout = new SlowStdout();
    const stderr = new PassThrough();
    const errors = collect(stderr);
    const code = await main(
      ['opaque', 'dump', uri, 'numbers', '--format', 'jsonl', '--page-size', '100'],
      { stdout, stderr, stderrIsTTY: false },
    );
    expect(errors()).toBe('');
    expect(code).toBe(0);
    await new Promise<void>((resolve) => stdout.end(resolve));
    const rows = stdout.text.trimEnd().split('\n');
    expect(rows).toHaveLength(ROWS);
    const last = JSON.parse(rows.at(-1)!) as { n: number; label: string };
    expect(last.n).toBe(ROWS - 1);
    expect(last.label).toMatch(/^label number 4999\.+$/);
    // The output is ~400 kB; what waited in the stream never exceeded about one page (~8 kB)
    // beyond the high-water mark.
    expect(stdout.text.length).toBeGreaterThan(300_000);
    expect(stdout.maxQueued).toBeLessThan(4096 + 10_000);
  });

  it('shows progress on a terminal stderr, and leaves stdout clean', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const output = collect(stdout);
    const progress = collect(stderr);
    const code = await main(
      ['opaque', 'dump', uri, 'numbers', '--format', 'csv', '--page-size', '500'],
      {
        stdout,
        stderr,
        stderrIsTTY: true,
      },
    );
    expect(code).toBe(0);
    // Each report rewrites the line: carriage return, erase to the end of the line, the text.
    expect(progress().replaceAll('\u001b[K', '')).toMatch(
      /\rnumbers: [\d,]+ \/ 5,000 \(\d+%\) rows/,
    );
    expect(progress()).toContain('\r\u001b[Knumbers: ');
    expect(progress().endsWith('\r\u001b[K')).toBe(true);
    expect(output().split('\n')).toHaveLength(ROWS + 2);
    expect(output()).not.toContain('\u001b');
  });

  it('returns the exit status instead of exiting, and prints one error line', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const errors = collect(stderr);
    const code = await main(['opaque', 'dump', uri, 'numbers', '--where', 'n=x'], {
      stdout,
      stderr,
    });
    expect(code).toBe(1);
    expect(errors()).toBe(
      'butler-ts: Bad value "x" for column n (integer) in --where: expected an integer\n',
    );
  });
});

describe('main() in-process on a repository', () => {
  const temp = tempDir('in-process-repo');
  const root = join(temp.dir, 'repo');
  const refs: DatasetRef[] = [];

  // 40 datasets of a repository made by `create`, registered and stored through a Butler.
  beforeAll(async () => {
    expect(
      await main(['create', root], { stdout: new PassThrough(), stderr: new PassThrough() }),
    ).toBe(0);
    const butler = await Butler.fromRepo(root, { run: 'run', writeable: true });
    try {
      const { collections, datasets, dimensions } = butler.registry;
      await dimensions.insertRecords('instrument', [{ name: 'Cam' }]);
      const detectors = Array.from({ length: 40 }, (_, id) => id);
      await dimensions.insertRecords(
        'detector',
        detectors.map((id) => ({ instrument: 'Cam', id, full_name: `det${id}` })),
      );
      await datasets.registerDatasetType(
        new DatasetType('summary', ['detector'], 'StructuredDataDict', {
          universe: dimensions.universe,
        }),
      );
      await collections.registerRun('run');
      for (const detector of detectors)
        refs.push(await butler.put({ detector }, 'summary', { instrument: 'Cam', detector }));
    } finally {
      await butler.close();
    }
  }, 120_000);
  afterAll(() => temp.remove());

  async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const out = collect(stdout);
    const err = collect(stderr);
    const code = await main(args, { stdout, stderr, stderrIsTTY: true });
    return { code, out: out(), err: err() };
  }

  it('verify and retrieve show progress on a terminal stderr, and --quiet turns it off', async () => {
    const verify = await run(['datastore', 'verify', root]);
    expect(verify.code).toBe(0);
    expect(verify.err.replaceAll('\u001b[K', '')).toMatch(
      /\rverify: [\d,]+ \/ 40 \(\d+%\) records/,
    );
    expect(verify.err.replaceAll('\u001b[K', '')).toMatch(/\rorphans: [\d,]+ files/);
    expect(verify.err.endsWith('\r\u001b[K')).toBe(true);
    expect(verify.out).not.toContain('\u001b');
    const quiet = await run(['datastore', 'verify', root, '--quiet']);
    expect(quiet).toMatchObject({ code: 0, err: '' });
    const dest = join(temp.dir, 'out');
    const retrieve = await run([
      'datastore',
      'retrieve',
      root,
      dest,
      '--id',
      ...refs.map((ref) => ref.id),
    ]);
    expect(retrieve.code).toBe(0);
    expect(retrieve.err.replaceAll('\u001b[K', '')).toMatch(
      /\rretrieve: [\d,]+ \/ 40 \(\d+%\) datasets/,
    );
    expect(retrieve.out.split('\n').at(-2)).toBe(`Retrieved 40 files of 40 datasets into ${dest}`);
    const ls = await run(['datastore', 'ls', root, '--format', 'jsonl', '-q']);
    expect(ls).toMatchObject({ code: 0, err: '' });
    expect(ls.out.trimEnd().split('\n')).toHaveLength(40);
  });
});
