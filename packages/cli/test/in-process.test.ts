// main() in-process, with streams the test controls: backpressure on a slow stdout, progress on
// a terminal-like stderr, and nothing on stderr when it is not a terminal.
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { tableSpec } from '@butler-ts/ddl';
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
