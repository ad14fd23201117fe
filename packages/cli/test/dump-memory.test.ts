// `opaque dump` streams: dumping 800 000 rows peaks at the same memory as dumping 400 000. The
// child prints its peak RSS (process.resourceUsage().maxRSS) under the hidden --debug-memory
// flag. The comparison starts at 400 000 rows because bounded caches fill up until about there
// (SQLite's page cache, 16 MiB in better-sqlite3's build, and V8's heap sizing): 200 000 rows
// peaked either alike or some 15 MiB lower, from one run to the next, which made a 200 000 vs
// 400 000 comparison fail about one run in three; 400 000 rows peaked within 5 MiB every time.
// A control run reading 400 000 rows in pages of 100 000 shows that the measure does see
// memory that grows with what is held at once.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { tableSpec } from '@butler-ts/ddl';
import { createRegistry } from '@butler-ts/registry-sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBin, tempDir } from './helpers.ts';

const BIG = 400_000;
const BIGGER = 800_000;

const SPEC = tableSpec({
  fields: [
    { name: 'dataset_id', dtype: 'uuid', primaryKey: true },
    { name: 'path', dtype: 'string', length: 256, nullable: false },
    { name: 'file_size', dtype: 'bigint' },
    { name: 'note', dtype: 'text' },
  ],
});

function id(i: number): string {
  return `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}

interface DumpStats {
  readonly rows: number;
  readonly bytes: number;
  readonly maxRssKiB: number;
  readonly ordered: boolean;
}

/** Runs a JSON dump, checking rows as they stream by without keeping them. */
function dump(uri: string, table: string, extra: readonly string[] = []): Promise<DumpStats> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [cliBin, 'opaque', 'dump', uri, table, '--format', 'json', '--debug-memory', ...extra],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let rows = 0;
    let bytes = 0;
    let ordered = true;
    let last = '';
    let partial = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      bytes += Buffer.byteLength(chunk);
      const parts = (partial + chunk).split('\n');
      partial = parts.pop()!;
      for (const line of parts) {
        if (line === '[' || line === ']') continue;
        const row = JSON.parse(line.endsWith(',') ? line.slice(0, -1) : line) as {
          dataset_id: string;
        };
        if (row.dataset_id <= last) ordered = false;
        last = row.dataset_id;
        rows++;
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const rss = /debug-memory: maxRSS=(\d+) KiB/.exec(stderr);
      if (code !== 0 || rss === null) {
        reject(new Error(`dump of ${table} exited with ${code}: ${stderr}`));
        return;
      }
      resolve({ rows, bytes, maxRssKiB: Number(rss[1]), ordered });
    });
  });
}

describe('opaque dump of a large table', () => {
  const temp = tempDir('memory');
  const uri = `sqlite:///${join(temp.dir, 'big.sqlite3')}`;

  // 1.2 million rows: generous time limits here and below, as the suite shares two cores
  // with the other packages' tests.
  beforeAll(async () => {
    const registry = await createRegistry(uri);
    try {
      for (const [name, count] of [
        ['big_records', BIG],
        ['bigger_records', BIGGER],
      ] as const) {
        const storage = await registry.opaque.register(name, SPEC);
        for (let start = 0; start < count; start += 20_000) {
          const rows = [];
          for (let i = start; i < Math.min(count, start + 20_000); i++)
            rows.push({
              dataset_id: id(i),
              path: `run/${i % 97}/dataset_${i}.fits`,
              file_size: i * 1024,
              note: i % 3 === 0 ? null : `note ${i}`,
            });
          await storage.insert(rows);
        }
      }
    } finally {
      await registry.close();
    }
  }, 180_000);
  afterAll(() => temp.remove());

  it('stops quietly with status 0 when the reader closes stdout (butler-ts … | head)', async () => {
    const child = spawn(process.execPath, [cliBin, 'opaque', 'dump', uri, 'bigger_records'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('streams 400 000 and 800 000 rows within the same peak memory', async () => {
    const [big, bigger] = await Promise.all([
      dump(uri, 'big_records'),
      dump(uri, 'bigger_records'),
    ]);
    // The control: 400 000 rows in four pages of 100 000.
    const control = await dump(uri, 'big_records', ['--page-size', '100000']);
    console.log(
      `opaque dump peak RSS: ${BIG} rows ${big.maxRssKiB} KiB, ${BIGGER} rows ${bigger.maxRssKiB} KiB; ` +
        `control (${BIG} rows in pages of 100 000) ${control.maxRssKiB} KiB`,
    );
    expect(big).toMatchObject({ rows: BIG, ordered: true });
    expect(bigger).toMatchObject({ rows: BIGGER, ordered: true });
    expect(control).toMatchObject({ rows: BIG, ordered: true });
    expect(bigger.bytes).toBeGreaterThan(1.9 * big.bytes);
    // Twice the rows and twice the output, at most 8 MiB more at the peak.
    expect(bigger.maxRssKiB - big.maxRssKiB).toBeLessThan(8 * 1024);
    // Holding 100 000 rows at once costs far more, so the comparison above can fail.
    expect(control.maxRssKiB - bigger.maxRssKiB).toBeGreaterThan(50 * 1024);
  }, 180_000);
});
