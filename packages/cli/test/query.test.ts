// The query-* commands, in-process, on the repositories written by daf_butler w.2026.34
// (test/fixtures/daf_butler): a folder with the SQLite registry or a butler.yaml naming a
// PostgreSQL schema.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CollectionType } from '@butler-ts/registry-interfaces';
import { createRegistry } from '@butler-ts/registry-sql';
import type { Registry } from '@butler-ts/registry-sql';
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
    'query-collections lists the chains holding each collection, as daf_butler does',
    async () => {
      const repo = await makeRepo();
      const table = await run(['query-collections', repo, '--chains', 'INVERSE-TABLE']);
      expect(table.stderr).toBe('');
      expect(table.stdout).toBe(
        [
          '     Name        Type     Parents   ',
          '-------------- ------- -------------',
          'interop/chain  CHAINED              ',
          'interop/run1   RUN     interop/chain',
          'interop/run2   RUN     interop/chain',
          'interop/tagged TAGGED               ',
          '',
        ].join('\n'),
      );
      const tree = await run(['query-collections', repo, '--chains', 'inverse-tree']);
      expect(tree.stdout).toBe(
        [
          '      Name        Type ',
          '--------------- -------',
          'interop/chain   CHAINED',
          'interop/run1    RUN    ',
          '  interop/chain CHAINED',
          'interop/run2    RUN    ',
          '  interop/chain CHAINED',
          'interop/tagged  TAGGED ',
          '',
        ].join('\n'),
      );
      const json = await run([
        'query-collections',
        repo,
        'interop/run*',
        '--chains',
        'INVERSE-TABLE',
        '--format',
        'json',
      ]);
      expect(JSON.parse(json.stdout)).toEqual([
        { name: 'interop/run1', type: 'RUN', parents: ['interop/chain'] },
        { name: 'interop/run2', type: 'RUN', parents: ['interop/chain'] },
      ]);
    },
    60_000,
  );

  it.skipIf(!enabled)(
    'query-collections flattens chains into their children, or lists chains unexpanded',
    async () => {
      const repo = await makeRepo();
      // Every collection: the chain's children are there already, the chain is left out.
      const all = await run(['query-collections', repo, '--chains', 'FLATTEN']);
      expect(all.stderr).toBe('');
      expect(all.stdout).toBe(
        [
          '     Name       Type ',
          '-------------- ------',
          'interop/run1   RUN   ',
          'interop/run2   RUN   ',
          'interop/tagged TAGGED',
          '',
        ].join('\n'),
      );
      // A named chain: its children in search order.
      const chain = await run(['query-collections', repo, '--chains', 'FLATTEN', 'interop/chain']);
      expect(chain.stdout).toBe(
        [
          '    Name     Type',
          '------------ ----',
          'interop/run2 RUN ',
          'interop/run1 RUN ',
          '',
        ].join('\n'),
      );
      // Not sorted: the registry's order, the chain last (it was registered last).
      const flat = await run(['query-collections', repo, '--chains', 'NO-CHILDREN']);
      expect(flat.stdout).toBe(
        [
          '     Name        Type ',
          '-------------- -------',
          'interop/run1   RUN    ',
          'interop/run2   RUN    ',
          'interop/tagged TAGGED ',
          'interop/chain  CHAINED',
          '',
        ].join('\n'),
      );
      const json = await run([
        'query-collections',
        repo,
        '--chains',
        'NO-CHILDREN',
        '--format',
        'json',
      ]);
      expect(JSON.parse(json.stdout)).toEqual([
        { name: 'interop/run1', type: 'RUN' },
        { name: 'interop/run2', type: 'RUN' },
        { name: 'interop/tagged', type: 'TAGGED' },
        { name: 'interop/chain', type: 'CHAINED' },
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

// A registry made here with chains in chains: `c/inner` in two chains, `a/run2` in two, an
// empty chain, and keys that are not in name order (b/run3 first).
const MEMORY_DATASTORE_YAML = `datastore:
  cls: lsst.daf.butler.datastores.inMemoryDatastore.InMemoryDatastore
`;

async function fillNested(registry: Registry): Promise<void> {
  const { collections } = registry;
  try {
    for (const name of ['b/run3', 'a/run1', 'a/run2']) await collections.registerRun(name);
    await collections.register('t/tag', CollectionType.TAGGED);
    for (const name of ['c/outer', 'c/inner', 'c/also', 'c/empty'])
      await collections.register(name, CollectionType.CHAINED);
    await collections.setChain('c/inner', ['a/run2', 't/tag']);
    await collections.setChain('c/outer', ['b/run3', 'c/inner', 'a/run1']);
    await collections.setChain('c/also', ['a/run2', 'c/inner']);
  } finally {
    await registry.close();
  }
}

async function nestedSqliteRepo(): Promise<string> {
  const dir = join(temp.dir, `nested-${n++}`);
  mkdirSync(dir);
  await fillNested(await createRegistry(`sqlite:///${join(dir, 'gen3.sqlite3')}`));
  writeFileSync(
    join(dir, 'butler.yaml'),
    `${MEMORY_DATASTORE_YAML}registry:\n  db: sqlite:///<butlerRoot>/gen3.sqlite3\n`,
  );
  return dir;
}

async function nestedPostgresRepo(): Promise<string> {
  const namespace = freshSchema('butler_cli_nested');
  schemas.push(namespace);
  await fillNested(await createRegistry(pgUrl, { namespace }));
  const dir = join(temp.dir, `nested-pg-${n++}`);
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'butler.yaml'),
    `${MEMORY_DATASTORE_YAML}registry:\n  db: ${pgUrl}\n  namespace: ${namespace}\n`,
  );
  return dir;
}

// The table daf_butler prints: astropy's layout (tested above), left-aligned.
function table(names: readonly string[], rows: readonly (readonly string[])[]): string {
  return astropyTable(names, rows, '<');
}

describe.each([
  ['SQLite', nestedSqliteRepo, true],
  ['PostgreSQL', nestedPostgresRepo, hasPg],
] as const)('query-collections on nested chains (%s)', (_name, makeRepo, enabled) => {
  let repo = '';
  const collections = async (...args: string[]) => {
    if (repo === '') repo = await makeRepo();
    const result = await run(['query-collections', repo, ...args]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return result.stdout;
  };

  it.skipIf(!enabled)('TREE shows each chain’s children below it, recursively', async () => {
    expect(await collections()).toBe(
      table(
        ['Name', 'Type'],
        [
          ['a/run1', 'RUN'],
          ['a/run2', 'RUN'],
          ['b/run3', 'RUN'],
          ['c/also', 'CHAINED'],
          ['  a/run2', 'RUN'],
          ['  c/inner', 'CHAINED'],
          ['    a/run2', 'RUN'],
          ['    t/tag', 'TAGGED'],
          ['c/empty', 'CHAINED'],
          ['c/inner', 'CHAINED'],
          ['  a/run2', 'RUN'],
          ['  t/tag', 'TAGGED'],
          ['c/outer', 'CHAINED'],
          ['  b/run3', 'RUN'],
          ['  c/inner', 'CHAINED'],
          ['    a/run2', 'RUN'],
          ['    t/tag', 'TAGGED'],
          ['  a/run1', 'RUN'],
          ['t/tag', 'TAGGED'],
        ],
      ),
    );
    // The type filter picks the top level; children show whatever their type.
    expect(await collections('--collection-type', 'chained', 'c/[ei]*')).toBe(
      table(
        ['Name', 'Type'],
        [
          ['c/empty', 'CHAINED'],
          ['c/inner', 'CHAINED'],
          ['  a/run2', 'RUN'],
          ['  t/tag', 'TAGGED'],
        ],
      ),
    );
  });

  it.skipIf(!enabled)(
    'INVERSE-TREE shows the chains holding each collection, recursively',
    async () => {
      expect(await collections('--chains', 'INVERSE-TREE', 'a/run2', 't/tag', 'c/empty')).toBe(
        table(
          ['Name', 'Type'],
          [
            ['a/run2', 'RUN'],
            ['  c/also', 'CHAINED'],
            ['  c/inner', 'CHAINED'],
            ['    c/also', 'CHAINED'],
            ['    c/outer', 'CHAINED'],
            ['c/empty', 'CHAINED'],
            ['t/tag', 'TAGGED'],
            ['  c/inner', 'CHAINED'],
            ['    c/also', 'CHAINED'],
            ['    c/outer', 'CHAINED'],
          ],
        ),
      );
    },
  );

  it.skipIf(!enabled)(
    'TABLE lists children one a row, and drops the column without chains',
    async () => {
      expect(await collections('--chains', 'TABLE')).toBe(
        table(
          ['Name', 'Type', 'Children'],
          [
            ['a/run1', 'RUN', ''],
            ['a/run2', 'RUN', ''],
            ['b/run3', 'RUN', ''],
            ['c/also', 'CHAINED', 'a/run2'],
            ['', '', 'c/inner'],
            ['c/empty', 'CHAINED', ''],
            ['c/inner', 'CHAINED', 'a/run2'],
            ['', '', 't/tag'],
            ['c/outer', 'CHAINED', 'b/run3'],
            ['', '', 'c/inner'],
            ['', '', 'a/run1'],
            ['t/tag', 'TAGGED', ''],
          ],
        ),
      );
      expect(await collections('--chains', 'TABLE', '--collection-type', 'RUN')).toBe(
        table(
          ['Name', 'Type'],
          [
            ['a/run1', 'RUN'],
            ['a/run2', 'RUN'],
            ['b/run3', 'RUN'],
          ],
        ),
      );
    },
  );

  it.skipIf(!enabled)(
    'INVERSE-TABLE lists parents one a row, and drops the column without any',
    async () => {
      expect(await collections('--chains', 'INVERSE-TABLE')).toBe(
        table(
          ['Name', 'Type', 'Parents'],
          [
            ['a/run1', 'RUN', 'c/outer'],
            ['a/run2', 'RUN', 'c/also'],
            ['', '', 'c/inner'],
            ['b/run3', 'RUN', 'c/outer'],
            ['c/also', 'CHAINED', ''],
            ['c/empty', 'CHAINED', ''],
            ['c/inner', 'CHAINED', 'c/also'],
            ['', '', 'c/outer'],
            ['c/outer', 'CHAINED', ''],
            ['t/tag', 'TAGGED', 'c/inner'],
          ],
        ),
      );
      expect(await collections('--chains', 'INVERSE-TABLE', 'c/[ae]*', 'c/outer')).toBe(
        table(
          ['Name', 'Type'],
          [
            ['c/also', 'CHAINED'],
            ['c/empty', 'CHAINED'],
            ['c/outer', 'CHAINED'],
          ],
        ),
      );
    },
  );

  it.skipIf(!enabled)(
    'FLATTEN replaces named chains by their children, depth first, each once',
    async () => {
      // Every collection: no chain, in the registry's order (b/run3 was registered first).
      expect(await collections('--chains', 'FLATTEN')).toBe(
        table(
          ['Name', 'Type'],
          [
            ['b/run3', 'RUN'],
            ['a/run1', 'RUN'],
            ['a/run2', 'RUN'],
            ['t/tag', 'TAGGED'],
          ],
        ),
      );
      expect(await collections('--chains', 'FLATTEN', 'c/outer')).toBe(
        table(
          ['Name', 'Type'],
          [
            ['b/run3', 'RUN'],
            ['a/run2', 'RUN'],
            ['t/tag', 'TAGGED'],
            ['a/run1', 'RUN'],
          ],
        ),
      );
      // A collection in several chains comes once, where it is first met.
      expect(await collections('--chains', 'FLATTEN', 'c/also', 'c/outer')).toBe(
        table(
          ['Name', 'Type'],
          [
            ['a/run2', 'RUN'],
            ['t/tag', 'TAGGED'],
            ['b/run3', 'RUN'],
            ['a/run1', 'RUN'],
          ],
        ),
      );
      // Pattern matches first (registry order), then the named chains' children.
      expect(await collections('--chains', 'FLATTEN', 'c/outer', 'a/*')).toBe(
        table(
          ['Name', 'Type'],
          [
            ['a/run1', 'RUN'],
            ['a/run2', 'RUN'],
            ['b/run3', 'RUN'],
            ['t/tag', 'TAGGED'],
          ],
        ),
      );
      expect(await collections('--chains', 'FLATTEN', '--collection-type', 'RUN', 'c/outer')).toBe(
        table(
          ['Name', 'Type'],
          [
            ['b/run3', 'RUN'],
            ['a/run2', 'RUN'],
            ['a/run1', 'RUN'],
          ],
        ),
      );
      // As daf_butler: chains a pattern matches are not expanded, so nothing is left.
      expect(await collections('--chains', 'FLATTEN', 'c/*')).toBe('');
      expect(
        JSON.parse(await collections('--chains', 'FLATTEN', 'c/*', '--format', 'json')),
      ).toEqual([]);
      expect(
        JSON.parse(await collections('--chains', 'FLATTEN', 'c/inner', '--format', 'json')),
      ).toEqual([
        { name: 'a/run2', type: 'RUN' },
        { name: 't/tag', type: 'TAGGED' },
      ]);
    },
  );

  it.skipIf(!enabled)(
    'NO-CHILDREN lists the collections as selected, chains unexpanded',
    async () => {
      expect(await collections('--chains', 'NO-CHILDREN', 'c/outer', 'a/run1')).toBe(
        table(
          ['Name', 'Type'],
          [
            ['c/outer', 'CHAINED'],
            ['a/run1', 'RUN'],
          ],
        ),
      );
    },
  );

  it.skipIf(!enabled)(
    'gives children in TREE and TABLE JSON, parents in the inverse modes',
    async () => {
      const tree = JSON.parse(await collections('c/*', '--format', 'json')) as unknown[];
      expect(tree).toEqual([
        { name: 'c/also', type: 'CHAINED', children: ['a/run2', 'c/inner'] },
        { name: 'c/empty', type: 'CHAINED', children: [] },
        { name: 'c/inner', type: 'CHAINED', children: ['a/run2', 't/tag'] },
        { name: 'c/outer', type: 'CHAINED', children: ['b/run3', 'c/inner', 'a/run1'] },
      ]);
      const inverse = JSON.parse(
        await collections('--chains', 'INVERSE-TREE', 'c/inner', 'a/run1', '--format', 'json'),
      ) as unknown[];
      expect(inverse).toEqual([
        { name: 'a/run1', type: 'RUN', parents: ['c/outer'] },
        { name: 'c/inner', type: 'CHAINED', parents: ['c/also', 'c/outer'] },
      ]);
    },
  );

  it.skipIf(!enabled)('names missing collections, unknown types and modes', async () => {
    if (repo === '') repo = await makeRepo();
    const one = await run(['query-collections', repo, 'a/run1', 'nothing']);
    expect(one.code).toBe(1);
    expect(one.stderr).toContain("No collection with name 'nothing' found.");
    const two = await run(['query-collections', repo, '--chains', 'FLATTEN', 'x', 'c/outer', 'y']);
    expect(two.code).toBe(1);
    expect(two.stderr).toContain("No collections with names 'x y' found.");
    const type = await run(['query-collections', repo, '--collection-type', 'RUN,CALIB']);
    expect(type.code).toBe(1);
    expect(type.stderr).toContain('Unknown collection type "CALIB"');
    const mode = await run(['query-collections', repo, '--chains', 'SIDEWAYS']);
    expect(mode.code).not.toBe(0);
    expect(mode.stderr).toContain('Allowed choices are TABLE, INVERSE-TABLE, TREE');
    expect(mode.stdout).toBe('');
  });
});
