// Repositories butler-ts made: `create <folder>` (SQLite, butler.yaml) and `create <uri>` on
// PostgreSQL with --root, with daf_butler's schema (dataset foreign keys, default dimension
// universe); filled through a Butler by examples/fill-repo.mjs, then checked, listed,
// retrieved from, trashed and ingested into through the built binary.
import {
  copyFileSync,
  mkdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Config } from '@butler-ts/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  dropSchemas,
  filesUnder,
  freshSchema,
  lines,
  pgAvailable,
  pgUrl,
  runCli,
  runNode,
  tempDir,
} from './helpers.ts';

const temp = tempDir('made');
const schemas: string[] = [];
let n = 0;

afterAll(async () => {
  temp.remove();
  await dropSchemas(schemas);
});

const fillScript = fileURLToPath(new URL('../examples/fill-repo.mjs', import.meta.url));

// What fill-repo.mjs puts: reproducible IDs (UUIDv5 of type, data ID and run) and the paths of
// daf_butler's default template, which reads the visit's implied day_obs, band and
// physical_filter from the dimension records.
const ids = [
  '7ae90560-f096-5b28-bbf2-0a0256d81c0a',
  '99167f49-bde2-56a3-aa57-f6e77a978c97',
  '2b604fef-bfab-5617-98f6-379e642c0101',
];
const pathOf = (visit: number) =>
  `run/1/summary/20260101/r/Cam-r/${visit}/summary_Cam_r_Cam-r_${visit}_run_1.yaml`;

interface Made {
  readonly root: string;
  /** The repository on the command line. */
  readonly args: readonly string[];
}

/** Puts the three datasets through a Butler (examples/fill-repo.mjs) and checks what it printed. */
async function fill(root: string): Promise<void> {
  const result = await runNode([fillScript, root]);
  expect(result).toMatchObject({ code: 0, stderr: '' });
  expect(lines(result.stdout)).toEqual(ids.map((id, i) => `${id}  ${pathOf(i + 1)}`));
}

const engines = [
  {
    name: 'SQLite, create <folder>',
    available: true,
    async make(options: { checksum?: boolean } = {}): Promise<Made> {
      const root = join(temp.dir, `repo-${n++}`);
      const created = await runCli(['create', root]);
      expect(created).toMatchObject({ code: 0, stderr: '' });
      if (options.checksum === true) {
        const yaml = readFileSync(join(root, 'butler.yaml'), 'utf8');
        writeFileSync(
          join(root, 'butler.yaml'),
          yaml.replace('  root: <butlerRoot>\n', '  root: <butlerRoot>\n  checksum: true\n'),
        );
      }
      await fill(root);
      return { root, args: [root] };
    },
  },
  {
    name: 'PostgreSQL, create <uri> and --root',
    available: await pgAvailable(),
    async make(options: { checksum?: boolean } = {}): Promise<Made> {
      const root = join(temp.dir, `pg-${n++}`);
      const namespace = freshSchema('butler_cli_made');
      schemas.push(namespace);
      const created = await runCli(['create', pgUrl, '--namespace', namespace]);
      expect(created).toMatchObject({ code: 0, stderr: '' });
      // A Butler opens a repository by its butler.yaml: one naming the PostgreSQL registry is
      // written for the fill, then removed, so that the folder holds only the datastore's files
      // (the verbs are given the registry URI and --root).
      const yaml = join(root, 'butler.yaml');
      mkdirSync(root);
      writeFileSync(
        yaml,
        new Config({
          datastore: {
            cls: 'FileDatastore',
            root: '<butlerRoot>',
            ...(options.checksum === true ? { checksum: true } : {}),
          },
          registry: { db: pgUrl, namespace },
        }).toYaml(),
      );
      await fill(root);
      rmSync(yaml);
      return { root, args: [pgUrl, '--namespace', namespace, '--root', root] };
    },
  },
] as const;

describe.each(engines)('butler-ts datastore on a repository butler-ts made, $name', (engine) => {
  describe.skipIf(!engine.available)('verbs', { timeout: 300_000, concurrent: true }, () => {
    it('verify passes, ls lists the records, retrieve copies a file', async () => {
      const { root, args } = await engine.make();
      const verify = await runCli(['datastore', 'verify', ...args]);
      expect(verify).toMatchObject({ code: 0, stderr: '' });
      expect(lines(verify.stdout)).toEqual([
        `OK: 3 records, 3 files under ${root}; 0 problems, 0 orphans`,
      ]);
      const ls = await runCli(['datastore', 'ls', ...args, '--format', 'csv']);
      expect(ls).toMatchObject({ code: 0, stderr: '' });
      const rows = lines(ls.stdout);
      expect(rows[0]).toBe('dataset_id,path,formatter,storage_class,component,checksum,file_size');
      expect(
        rows
          .slice(1)
          .map((row) => row.split(',').slice(0, 2))
          .sort(),
      ).toEqual(ids.map((id, i) => [id, pathOf(i + 1)]).sort());
      const dest = join(temp.dir, `out-${n++}`);
      const retrieve = await runCli(['datastore', 'retrieve', ...args, dest, '--id', ids[1]!]);
      expect(retrieve).toMatchObject({ code: 0, stderr: '' });
      expect(filesUnder(dest)).toEqual([pathOf(2)]);
      expect(readFileSync(join(dest, pathOf(2)), 'utf8')).toBe('visit: 2\nseeing: 0.7\nband: r\n');
    });

    it('verify finds a truncated file, an altered one (by checksum) and an orphan', async () => {
      const { root, args } = await engine.make({ checksum: true });
      truncateSync(join(root, pathOf(1)), 3);
      // Same size, other bytes: only the checksum tells.
      const altered = readFileSync(join(root, pathOf(2)), 'utf8').replace('band: r', 'band: i');
      writeFileSync(join(root, pathOf(2)), altered);
      writeFileSync(join(root, 'run', 'notes.txt'), 'left behind\n');
      const result = await runCli(['datastore', 'verify', ...args, '--json']);
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout) as {
        problems: { problem: string; path: string; recorded: unknown; found: unknown }[];
        orphans: string[];
      };
      expect(report.orphans).toEqual(['run/notes.txt']);
      expect(report.problems.map((p) => [p.problem, p.path]).sort()).toEqual([
        ['checksum', pathOf(2)],
        ['size', pathOf(1)],
      ]);
      const checksum = report.problems.find((p) => p.problem === 'checksum')!;
      expect(checksum.recorded).toMatch(/^[0-9a-f]+$/);
      expect(checksum.found).not.toBe(checksum.recorded);
      expect(lines(result.stderr)).toEqual([
        `butler-ts: datastore verify found 2 problems and 1 orphan files under ${root}`,
      ]);
    });

    it('trash then empty-trash removes exactly the trashed file', async () => {
      const { root, args } = await engine.make();
      const before = filesUnder(root);
      const trash = await runCli(['datastore', 'trash', ...args, '--id', ids[0]!]);
      expect(trash).toMatchObject({ code: 0, stderr: '' });
      expect(filesUnder(root)).toEqual(before);
      const empty = await runCli(['datastore', 'empty-trash', ...args]);
      expect(empty).toMatchObject({ code: 0, stderr: '' });
      expect(lines(empty.stdout)).toEqual([pathOf(1), `Removed 1 files from ${root}`]);
      expect(filesUnder(root)).toEqual(before.filter((f) => f !== pathOf(1)));
      const verify = await runCli(['datastore', 'verify', ...args]);
      expect(verify.code).toBe(0);
      expect(verify.stdout).toContain('OK: 2 records, 2 files');
    });

    it('ingest refuses IDs the registry does not have, and IDs already stored, naming them', async () => {
      const { args } = await engine.make();
      const unknown = '0190b5a4-0000-7000-8000-000000000001';
      const ingest = async (id: string) => {
        const table = join(temp.dir, `t-${n++}.csv`);
        writeFileSync(table, `id,path\n${id},x.yaml\n`);
        const run = ['--run', 'run/1', '--dataset-type', 'summary', '--from', table];
        return runCli(['datastore', 'ingest', ...args, ...run]);
      };
      const unregistered = await ingest(unknown);
      expect(unregistered.code).toBe(1);
      expect(lines(unregistered.stderr)).toEqual([
        expect.stringMatching(
          new RegExp(`^butler-ts: Not registered in the dataset table of .*: ${unknown}$`),
        ),
      ]);
      const stored = await ingest(ids[0]!);
      expect(stored.code).toBe(1);
      expect(lines(stored.stderr)).toEqual([
        `butler-ts: Already stored in FileDatastore@<butlerRoot>: ${ids[0]}`,
      ]);
    });

    it('ingest stores a file again for a registered dataset whose file was trashed', async () => {
      const { root, args } = await engine.make();
      const kept = join(temp.dir, `kept-${n++}.yaml`);
      copyFileSync(join(root, pathOf(1)), kept);
      expect((await runCli(['datastore', 'trash', ...args, '--id', ids[0]!])).code).toBe(0);
      expect((await runCli(['datastore', 'empty-trash', ...args])).code).toBe(0);
      const table = join(temp.dir, `t-${n++}.csv`);
      writeFileSync(table, `id,path\n${ids[0]},${kept}\n`);
      const result = await runCli([
        'datastore',
        'ingest',
        ...args,
        '--run',
        'run/1',
        '--dataset-type',
        'summary',
        '--from',
        table,
        '--transfer',
        'copy',
      ]);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      // The file goes where a put would write it: the template reads the registry's records.
      expect(filesUnder(root)).toContain(pathOf(1));
      const verify = await runCli(['datastore', 'verify', ...args]);
      expect(verify.stdout).toBe(`OK: 3 records, 3 files under ${root}; 0 problems, 0 orphans\n`);
    });
  });
});

describe.concurrent('butler-ts create <folder> and repository errors', { timeout: 300_000 }, () => {
  it('writes a butler.yaml daf_butler can read and refuses to create over it', async () => {
    const root = join(temp.dir, `new-${n++}`, 'repo');
    const created = await runCli(['create', root]);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(lines(created.stdout)[0]).toBe(`Created repository ${root}`);
    expect(filesUnder(root)).toEqual(['butler.yaml', 'gen3.sqlite3']);
    const config = Config.fromYaml(readFileSync(join(root, 'butler.yaml'), 'utf8'));
    expect(config.get(['registry', 'db'])).toBe('sqlite:///<butlerRoot>/gen3.sqlite3');
    expect(config.get(['datastore', 'root'])).toBe('<butlerRoot>');
    expect(config.get(['datastore', 'cls'])).toBe(
      'lsst.daf.butler.datastores.fileDatastore.FileDatastore',
    );
    expect(config.get(['datastore', 'records', 'table'])).toBe('file_datastore_records');
    const list = await runCli(['opaque', 'list', `sqlite:///${join(root, 'gen3.sqlite3')}`]);
    expect(lines(list.stdout).slice(1)).toEqual([
      expect.stringMatching(/^file_datastore_records\s+0$/),
    ]);
    const again = await runCli(['create', root]);
    expect(again.code).toBe(1);
    expect(lines(again.stderr)).toEqual([
      `butler-ts: Cannot create a repository at ${root}: it already holds butler.yaml`,
    ]);
  });

  it('reads the FileDatastore of a chain (verify, ls, retrieve) and refuses to change it', async () => {
    const root = join(temp.dir, `chain-${n++}`);
    await runCli(['create', root]);
    await fill(root);
    const chain = (files: number) =>
      new Config({
        datastore: {
          cls: 'lsst.daf.butler.datastores.chainedDatastore.ChainedDatastore',
          datastores: [
            {
              datastore: { cls: 'lsst.daf.butler.datastores.inMemoryDatastore.InMemoryDatastore' },
            },
            ...Array.from({ length: files }, () => ({
              datastore: {
                cls: 'lsst.daf.butler.datastores.fileDatastore.FileDatastore',
                records: { table: 'file_datastore_records' },
                root: '<butlerRoot>',
              },
            })),
          ],
        },
        registry: { db: 'sqlite:///<butlerRoot>/gen3.sqlite3' },
      }).toYaml();
    writeFileSync(join(root, 'butler.yaml'), chain(1));
    const verify = await runCli(['datastore', 'verify', root]);
    expect(verify).toMatchObject({ code: 0, stderr: '' });
    expect(verify.stdout).toBe(`OK: 3 records, 3 files under ${root}; 0 problems, 0 orphans\n`);
    const ls = await runCli(['datastore', 'ls', root, '--format', 'csv']);
    expect(lines(ls.stdout)).toHaveLength(4);
    const dest = join(temp.dir, `chain-out-${n++}`);
    const retrieve = await runCli(['datastore', 'retrieve', root, dest, '--id', ids[2]!]);
    expect(retrieve).toMatchObject({ code: 0, stderr: '' });
    expect(filesUnder(dest)).toEqual([pathOf(3)]);
    const trash = await runCli(['datastore', 'trash', root, '--id', ids[0]!]);
    expect(trash.code).toBe(1);
    expect(lines(trash.stderr)).toEqual([
      `butler-ts: ${join(root, 'butler.yaml')} names a chained datastore (lsst.daf.butler.datastores.chainedDatastore.ChainedDatastore): this command changes a datastore, which butler-ts does only on a FileDatastore; verify, ls and retrieve read the chain's FileDatastore`,
    ]);
    writeFileSync(join(root, 'butler.yaml'), chain(2));
    const two = await runCli(['datastore', 'verify', root]);
    expect(two.code).toBe(1);
    expect(lines(two.stderr)).toEqual([
      `butler-ts: ${join(root, 'butler.yaml')} names a chained datastore (lsst.daf.butler.datastores.chainedDatastore.ChainedDatastore) with 2 FileDatastore children; butler-ts reads a chain with exactly one`,
    ]);
  });

  it('refuses a folder without butler.yaml and a URI without --root', async () => {
    const empty = join(temp.dir, `empty-${n++}`);
    await runCli(['create', `sqlite:///${join(temp.dir, `bare-${n}.sqlite3`)}`]);
    const noYaml = await runCli(['datastore', 'ls', temp.dir]);
    expect(noYaml.code).toBe(1);
    expect(noYaml.stderr).toMatch(/^butler-ts: No butler\.yaml in .*: give a repository folder/);
    const noRoot = await runCli([
      'datastore',
      'ls',
      `sqlite:///${join(temp.dir, `bare-${n}.sqlite3`)}`,
    ]);
    expect(noRoot.code).toBe(1);
    expect(noRoot.stderr).toMatch(
      /is a registry; give the folder of the datastore's files with --root/,
    );
    const missing = await runCli(['datastore', 'verify', empty]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^butler-ts: No repository at /);
  });
});

describe.concurrent(
  'butler-ts on a butler.yaml read as a Butler reads it',
  { timeout: 300_000 },
  () => {
    it('query-* list what fill-repo.mjs registered through the Butler', async () => {
      const root = join(temp.dir, `query-${n++}`);
      expect((await runCli(['create', root])).code).toBe(0);
      await fill(root);
      const json = async (args: string[]): Promise<unknown> => {
        const result = await runCli([...args, '--format', 'json']);
        expect(result).toMatchObject({ code: 0, stderr: '' });
        return JSON.parse(result.stdout);
      };
      expect(await json(['query-datasets', root, 'summary', '--collections', 'run/1'])).toEqual(
        ids.map((id, i) => ({
          type: 'summary',
          run: 'run/1',
          id,
          dataId: { instrument: 'Cam', visit: i + 1 },
        })),
      );
      expect(await json(['query-collections', root])).toEqual([{ name: 'run/1', type: 'RUN' }]);
      expect(await json(['query-dimension-records', root, 'physical_filter'])).toEqual([
        { instrument: 'Cam', name: 'Cam-r', band: 'r' },
      ]);
    });

    it('takes <butlerRoot> from a top-level root setting', async () => {
      const root = join(temp.dir, `rooted-${n++}`);
      expect((await runCli(['create', root])).code).toBe(0);
      await fill(root);
      const elsewhere = join(temp.dir, `config-${n++}`);
      mkdirSync(elsewhere);
      const yaml = readFileSync(join(root, 'butler.yaml'), 'utf8');
      writeFileSync(join(elsewhere, 'butler.yaml'), `root: ${root}\n${yaml}`);
      const verify = await runCli(['datastore', 'verify', elsewhere]);
      expect(verify).toMatchObject({ code: 0, stderr: '' });
      expect(verify.stdout).toBe(`OK: 3 records, 3 files under ${root}; 0 problems, 0 orphans\n`);
    });

    it('names a butler.yaml that is not YAML, or whose registry.db is not a string', async () => {
      const root = join(temp.dir, `bad-${n++}`);
      mkdirSync(root);
      const file = join(root, 'butler.yaml');
      writeFileSync(file, 'registry: [unclosed\n');
      const notYaml = await runCli(['datastore', 'ls', root]);
      expect(notYaml.code).toBe(1);
      expect(lines(notYaml.stderr)).toEqual([
        expect.stringMatching(
          new RegExp(`^butler-ts: Butler configuration ${file} is not valid YAML: `),
        ),
      ]);
      writeFileSync(file, 'datastore:\n  cls: FileDatastore\nregistry:\n  db: 3\n');
      const badDb = await runCli(['datastore', 'verify', root]);
      expect(badDb.code).toBe(1);
      expect(lines(badDb.stderr)).toEqual([
        `butler-ts: registry.db of ${file} is not a non-empty string`,
      ]);
    });
  },
);

describe("the root README's session", () => {
  it('creates, fills (examples/fill-repo.mjs), verifies and retrieves as the README shows', async () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const root = join(temp.dir, `readme-${n++}`);
    expect((await runCli(['create', root])).code).toBe(0);
    const fill = await runNode([fillScript, root]);
    expect(fill).toMatchObject({ code: 0, stderr: '' });
    // The IDs and files the README prints.
    for (const line of lines(fill.stdout)) expect(readme).toContain(`# ${line}\n`);
    expect(lines(fill.stdout)).toHaveLength(3);
    const verify = await runCli(['datastore', 'verify', root]);
    expect(verify.stdout).toBe(`OK: 3 records, 3 files under ${root}; 0 problems, 0 orphans\n`);
    const id = '99167f49-bde2-56a3-aa57-f6e77a978c97';
    expect(readme).toContain(`--id ${id}`);
    const dest = join(temp.dir, `readme-out-${n++}`);
    const retrieve = await runCli(['datastore', 'retrieve', root, dest, '--id', id]);
    expect(lines(retrieve.stdout)).toEqual([
      pathOf(2),
      `Retrieved 1 files of 1 datasets into ${dest}`,
    ]);
    expect(readme).toContain(`echo x > /tmp/my-repo/${pathOf(1)}\n`);
    writeFileSync(join(root, pathOf(1)), 'x\n');
    const broken = await runCli(['datastore', 'verify', root]);
    expect(broken.code).toBe(1);
    expect(lines(broken.stdout)[0]).toBe(
      `SIZE      ${pathOf(1)}  dataset ${ids[0]}: recorded 29 bytes, found 2`,
    );
  }, 300_000);
});
