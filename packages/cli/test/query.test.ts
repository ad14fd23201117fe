// The query-* commands, in-process, on the repositories written by daf_butler w.2026.34
// (test/fixtures/daf_butler): a folder with the SQLite registry or a butler.yaml naming a
// PostgreSQL schema.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/index.ts';
import { astropyTable, parseSimpleWhere } from '../src/query.ts';
import { dropSchemas, freshSchema, pgAvailable, pgUrl, tempDir } from './helpers.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'daf_butler');

interface SqliteModule {
  new (file: string): { exec(sql: string): void; close(): void };
}
interface PgModule {
  Client: new (config: { connectionString: string }) => {
    connect(): Promise<void>;
    query(text: string): Promise<unknown>;
    end(): Promise<void>;
  };
}
const require = createRequire(import.meta.url);
const Sqlite = require('better-sqlite3') as SqliteModule;
const pg = require('pg') as PgModule;

interface ManifestDataset {
  readonly id: string;
  readonly run: string;
  readonly dataset_type: string;
  readonly data_id: Readonly<Record<string, string | number>>;
}
const manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as {
  datasets: ManifestDataset[];
};

const DATASTORE_YAML = `datastore:
  cls: lsst.daf.butler.datastores.fileDatastore.FileDatastore
  root: <butlerRoot>
  records:
    table: file_datastore_records
`;

const temp = tempDir('query');
const schemas: string[] = [];
let n = 0;

function sqliteRepo(): string {
  const dir = join(temp.dir, `sqlite-${n++}`);
  mkdirSync(dir);
  const db = new Sqlite(join(dir, 'gen3.sqlite3'));
  try {
    db.exec(`BEGIN;\n${readFileSync(join(FIXTURES, 'sqlite', 'after.sql'), 'utf8')}\nCOMMIT;`);
  } finally {
    db.close();
  }
  writeFileSync(
    join(dir, 'butler.yaml'),
    `${DATASTORE_YAML}registry:\n  db: sqlite:///<butlerRoot>/gen3.sqlite3\n`,
  );
  return dir;
}

async function postgresRepo(): Promise<string> {
  const namespace = freshSchema('butler_cli_query');
  schemas.push(namespace);
  const dump = readFileSync(join(FIXTURES, 'postgresql', 'after.inserts.sql'), 'utf8');
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(dump.replaceAll('interop_after', namespace));
  } finally {
    await client.end();
  }
  const dir = join(temp.dir, `pg-${n++}`);
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'butler.yaml'),
    `${DATASTORE_YAML}registry:\n  db: ${pgUrl}\n  namespace: ${namespace}\n`,
  );
  return dir;
}

async function run(
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const code = await main(args, { stdout, stderr, stderrIsTTY: false });
  return { code, stdout: out, stderr: err };
}

afterAll(async () => {
  await dropSchemas(schemas);
  temp.remove();
});

describe('astropyTable', () => {
  it('centers names as Python does and right-aligns values', () => {
    expect(
      astropyTable(
        ['id', 'x'],
        [
          ['1', 'abc'],
          ['22', 'd'],
        ],
      ),
    ).toBe('id  x \n-- ---\n 1 abc\n22   d\n');
  });

  it('left-aligns values when asked', () => {
    expect(astropyTable(['Name'], [['ab'], ['abcdef']], '<')).toBe(
      ' Name \n------\nab    \nabcdef\n',
    );
  });
});

describe('parseSimpleWhere', () => {
  it('reads name = value terms joined by AND', () => {
    expect(parseSimpleWhere("instrument = 'DummyCam' AND detector=2")).toEqual({
      instrument: 'DummyCam',
      detector: 2,
    });
  });

  it('names a term it cannot read', () => {
    expect(() => parseSimpleWhere('detector > 2')).toThrow(
      'Unsupported --where term "detector > 2"',
    );
  });
});

const hasPg = await pgAvailable();

describe.each([
  ['SQLite', () => Promise.resolve(sqliteRepo()), true],
  ['PostgreSQL', postgresRepo, hasPg],
] as const)('query commands (%s)', (_name, makeRepo, enabled) => {
  it.skipIf(!enabled)(
    'query-collections prints the tree of chains, as daf_butler does',
    async () => {
      const repo = await makeRepo();
      const result = await run(['query-collections', repo]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(
        [
          '     Name        Type ',
          '-------------- -------',
          'interop/chain  CHAINED',
          '  interop/run2 RUN    ',
          '  interop/run1 RUN    ',
          'interop/run1   RUN    ',
          'interop/run2   RUN    ',
          'interop/tagged TAGGED ',
          '',
        ].join('\n'),
      );
      const table = await run(['query-collections', repo, '--chains', 'table', 'interop/*n*']);
      expect(table.stdout).toBe(
        [
          '     Name       Type    Children  ',
          '------------- ------- ------------',
          'interop/chain CHAINED interop/run2',
          '                      interop/run1',
          'interop/run1  RUN                 ',
          'interop/run2  RUN                 ',
          '',
        ].join('\n'),
      );
      const json = await run(['query-collections', repo, '--format', 'json']);
      expect(JSON.parse(json.stdout)).toEqual([
        { name: 'interop/chain', type: 'CHAINED', children: ['interop/run2', 'interop/run1'] },
        { name: 'interop/run1', type: 'RUN' },
        { name: 'interop/run2', type: 'RUN' },
        { name: 'interop/tagged', type: 'TAGGED' },
      ]);
    },
    60_000,
  );

  it.skipIf(!enabled)(
    'query-dataset-types lists names, and dimensions and storage classes with --verbose',
    async () => {
      const repo = await makeRepo();
      const names = await run(['query-dataset-types', repo, 'interop_[cd]*']);
      expect(names.stdout).toBe(
        [
          '       name      ',
          '-----------------',
          'interop_composite',
          '   interop_config',
          '     interop_dict',
          '',
        ].join('\n'),
      );
      const verbose = await run(['query-dataset-types', repo, '--verbose', 'interop_json']);
      expect(verbose.stdout).toBe(
        [
          '    name                                     dimensions                                  storage class   ',
          '------------ ------------------------------------------------------------------------- ------------------',
          "interop_json ['band', 'day_obs', 'detector', 'instrument', 'physical_filter', 'visit'] StructuredDataDict",
          '',
        ].join('\n'),
      );
      const none = await run(['query-dataset-types', repo, 'nothing*']);
      expect(none.stdout).toBe('No results. Try --help for more information.\n');
    },
    60_000,
  );

  it.skipIf(!enabled)(
    'query-datasets finds the manifest’s datasets, by collection and data ID',
    async () => {
      const repo = await makeRepo();
      const json = await run(['query-datasets', repo, '--format', 'json']);
      expect(json.stderr).toBe('');
      const rows = JSON.parse(json.stdout) as { type: string; run: string; id: string }[];
      expect(rows.map((r) => r.id).sort()).toEqual(manifest.datasets.map((d) => d.id).sort());
      const chained = await run([
        'query-datasets',
        repo,
        'interop_dict',
        '--collections',
        'interop/chain',
        '--find-first',
        '--where',
        "instrument = 'DummyCam' AND detector = 3",
        '--format',
        'json',
      ]);
      const expected = manifest.datasets.find(
        (d) =>
          d.dataset_type === 'interop_dict' &&
          d.run === 'interop/run2' &&
          d.data_id['detector'] === 3,
      )!;
      expect(JSON.parse(chained.stdout)).toEqual([
        {
          type: 'interop_dict',
          run: 'interop/run2',
          id: expected.id,
          dataId: { instrument: 'DummyCam', detector: 3 },
        },
      ]);
      const table = await run([
        'query-datasets',
        repo,
        'interop_config',
        '--collections',
        'interop/run1,interop/run2',
      ]);
      const config = manifest.datasets.filter((d) => d.dataset_type === 'interop_config');
      const byRun = (run: string) => config.find((d) => d.run === run)!.id;
      expect(table.stdout).toBe(
        [
          '',
          '     type          run                       id                 ',
          '-------------- ------------ ------------------------------------',
          `interop_config interop/run1 ${byRun('interop/run1')}`,
          `interop_config interop/run2 ${byRun('interop/run2')}`,
          '',
          '',
        ].join('\n'),
      );
    },
    60_000,
  );

  it.skipIf(!enabled)(
    'query-dimension-records prints an element’s records, floats as Python writes them',
    async () => {
      const repo = await makeRepo();
      const detectors = await run([
        'query-dimension-records',
        repo,
        'detector',
        '--where',
        'id = 2',
      ]);
      expect(detectors.stderr).toBe('');
      expect(detectors.stdout).toContain('det02');
      expect(detectors.stdout).not.toContain('det01');
      const visits = await run(['query-dimension-records', repo, 'visit', '--format', 'json']);
      const [visit] = JSON.parse(visits.stdout) as Record<string, unknown>[];
      expect(visit).toMatchObject({ instrument: 'DummyCam', id: 42, name: 'v42', seq_num: 7 });
      const table = await run(['query-dimension-records', repo, 'visit']);
      expect(table.stdout).toMatch(/ 30\.0 /);
      const unknown = await run(['query-dimension-records', repo, 'no_such_element']);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('Unknown dimension element "no_such_element"');
    },
    60_000,
  );

  it.skipIf(!enabled)('names a folder without butler.yaml', async () => {
    const result = await run(['query-collections', temp.dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(join(temp.dir, 'butler.yaml'));
  });
});
