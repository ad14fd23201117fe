// `info`, `check` and `opaque list/dump` through the built binary on the registries written by
// the real daf_butler (w.2026.34, test/fixtures/daf_butler): a SQLite file, and a PostgreSQL
// schema named with --namespace.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, loadPostgres, loadSqlite } from './daf-fixture.ts';
import type { State } from './daf-fixture.ts';
import { dropSchemas, freshSchema, lines, pgAvailable, pgUrl, runCli, tempDir } from './helpers.ts';

const RECORDS = 'file_datastore_records';
const STORED_ROWS = { before: 0, after: 15 } as const;

interface Place {
  readonly uri: string;
  readonly args: readonly string[];
  /** The SQLite file, or null on PostgreSQL. */
  readonly file: string | null;
}

const temp = tempDir('daf');
const schemas: string[] = [];
let n = 0;

function sqlitePlace(state: State): Place {
  const file = join(temp.dir, `${state}-${n++}.sqlite3`);
  loadSqlite(state, file);
  return { uri: `sqlite:///${file}`, args: [], file };
}

async function postgresPlace(state: State): Promise<Place> {
  const namespace = freshSchema('butler_cli_daf');
  schemas.push(namespace);
  await loadPostgres(state, namespace);
  return { uri: pgUrl, args: ['--namespace', namespace], file: null };
}

/** daf_butler's rows of the records table, as the JSON formats write them. */
function expectedRecords(engine: 'sqlite' | 'postgresql'): Record<string, unknown>[] {
  const text = readFileSync(join(FIXTURES, 'dumps', engine, 'after', `${RECORDS}.txt`), 'utf8');
  const [header, ...rows] = lines(text);
  const columns = header!.split('|');
  return rows.map((line) => {
    const values = line.split('|').map((v) => (v === '' ? null : v));
    const row = Object.fromEntries(columns.map((c, i) => [c, values[i]]));
    const hex = row['dataset_id']!.replaceAll('-', '');
    return {
      ...row,
      dataset_id: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
      file_size: row['file_size'] === null ? null : Number(row['file_size']),
    };
  });
}

const byJson = (rows: readonly unknown[]) => rows.map((r) => JSON.stringify(r)).sort();

const engines = [
  { name: 'sqlite', available: true, load: (state: State) => Promise.resolve(sqlitePlace(state)) },
  { name: 'postgresql', available: await pgAvailable(), load: postgresPlace },
] as const;

afterAll(async () => {
  temp.remove();
  await dropSchemas(schemas);
});

describe.each(engines)(
  'butler-ts on the daf_butler registries, $name',
  { timeout: 120_000 },
  (engine) => {
    describe.skipIf(!engine.available).each(['before', 'after'] as const)('"%s"', (state) => {
      it('info lists every stored manager, each one read and written by this build, and the records table', async () => {
        const place = await engine.load(state);
        const json = await runCli(['info', place.uri, ...place.args, '--format', 'json']);
        expect(json).toMatchObject({ code: 0, stderr: '' });
        const report = JSON.parse(json.stdout) as {
          managers: { type: string; version: string; read: unknown; write: unknown }[];
          canRead: boolean;
          canWrite: boolean;
          opaqueTables: unknown[];
        };
        expect(report.managers.map((m) => [m.type, m.version, m.read, m.write])).toEqual([
          ['attributes', '1.0.1', { ok: true }, { ok: true }],
          ['opaque', '0.2.0', { ok: true }, { ok: true }],
          ['datastores', '0.2.1', { ok: true }, { ok: true }],
          ['dimensions', '6.0.2', { ok: true }, { ok: true }],
          ['collections', '2.0.0', { ok: true }, { ok: true }],
          ['datasets', '2.0.0', { ok: true }, { ok: true }],
        ]);
        expect(report).toMatchObject({
          canRead: true,
          canWrite: true,
          opaqueTables: [{ name: RECORDS, rows: STORED_ROWS[state] }],
        });
        const text = await runCli(['info', place.uri, ...place.args]);
        expect(text.code).toBe(0);
        expect(text.stdout).not.toContain('not used by this build');
      });

      it('check passes for reading and writing', async () => {
        const place = await engine.load(state);
        const read = await runCli(['check', place.uri, ...place.args]);
        expect(read).toMatchObject({ code: 0, stderr: '' });
        expect(read.stdout).toMatch(/^OK: this build can read .* \(attributes 1\.0\.1, .*\)\n$/);
        for (const manager of [
          'opaque 0.2.0',
          'datastores 0.2.1',
          'dimensions 6.0.2',
          'collections 2.0.0',
          'datasets 2.0.0',
        ]) {
          expect(read.stdout).toContain(manager);
        }
        const write = await runCli(['check', place.uri, ...place.args, '--write']);
        expect(write).toMatchObject({ code: 0, stderr: '' });
        expect(write.stdout).toMatch(/^OK: this build can read and write /);
      });

      it("opaque list and dump show daf_butler's records", async () => {
        const place = await engine.load(state);
        const before = place.file === null ? null : digest(place.file);
        const list = await runCli(['opaque', 'list', place.uri, ...place.args]);
        expect(list).toMatchObject({ code: 0, stderr: '' });
        expect(lines(list.stdout).slice(1)).toEqual([
          expect.stringMatching(new RegExp(`^${RECORDS}\\s+${STORED_ROWS[state]}$`)),
        ]);
        const dump = await runCli([
          'opaque',
          'dump',
          place.uri,
          RECORDS,
          ...place.args,
          '--format',
          'jsonl',
        ]);
        expect(dump).toMatchObject({ code: 0, stderr: '' });
        const rows = lines(dump.stdout).map((line) => JSON.parse(line) as unknown);
        expect(byJson(rows)).toEqual(state === 'after' ? byJson(expectedRecords(engine.name)) : []);
        // The commands only read.
        if (place.file !== null) expect(digest(place.file)).toBe(before);
      });
    });
  },
);

function digest(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

describe('a file that is not a SQLite database', () => {
  it.each(['info', 'check', 'opaque list'])(
    '%s names the file',
    async (command) => {
      const file = join(temp.dir, `not-a-database-${n++}.sqlite3`);
      writeFileSync(file, 'registry: this is a YAML file, not a SQLite database\n'.repeat(20));
      const result = await runCli([...command.split(' '), `sqlite:///${file}`]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(lines(result.stderr)).toEqual([
        `butler-ts: ${file} is not a SQLite database (file is not a database)`,
      ]);
    },
    60_000,
  );
});
