// Repositories butler-ts made: `create <folder>` (SQLite, butler.yaml) and `create <uri>` on
// PostgreSQL with --root; filled through the library (FileDatastore.put), then checked,
// listed, retrieved from and trashed through the built binary.
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Config, DatasetRef, DatasetType, DimensionUniverse } from '@butler-ts/core';
import { FileDatastore } from '@butler-ts/datastore-file';
import { openRegistry } from '@butler-ts/registry-sql';
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

const universe = new DimensionUniverse({
  dimensions: {
    instrument: { keyType: 'string', governor: true },
    visit: { keyType: 'int', requires: ['instrument'] },
  },
});
const summary = new DatasetType('summary', ['instrument', 'visit'], 'StructuredDataDict', {
  universe,
});
const refs = [1, 2, 3].map(
  (visit) => new DatasetRef(summary, { instrument: 'Cam', visit }, 'run/1'),
);
const pathOf = (visit: number) => `run/1/summary/${visit}/summary_Cam_${visit}_run_1.yaml`;

interface Made {
  readonly root: string;
  /** The repository on the command line. */
  readonly args: readonly string[];
}

/** Puts the three datasets through the library, as a program using butler-ts would. */
async function fill(
  uri: string,
  namespace: string | undefined,
  config: Config,
  root: string,
): Promise<void> {
  const registry = await openRegistry(uri, namespace === undefined ? {} : { namespace });
  try {
    const datastore = await FileDatastore.create(config, registry.bridges, { butlerRoot: root });
    for (const [i, ref] of refs.entries())
      await datastore.put({ visit: i + 1, seeing: 0.5 + i, band: 'r' }, ref);
  } finally {
    await registry.close();
  }
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
      const config = Config.fromYaml(readFileSync(join(root, 'butler.yaml'), 'utf8'));
      await fill(`sqlite:///${join(root, 'gen3.sqlite3')}`, undefined, config, root);
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
      const config = new Config({
        datastore: {
          cls: 'FileDatastore',
          root: '<butlerRoot>',
          ...(options.checksum === true ? { checksum: true } : {}),
        },
      });
      await fill(pgUrl, namespace, config, root);
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
      ).toEqual(refs.map((ref, i) => [ref.id, pathOf(i + 1)]).sort());
      const dest = join(temp.dir, `out-${n++}`);
      const retrieve = await runCli(['datastore', 'retrieve', ...args, dest, '--id', refs[1]!.id]);
      expect(retrieve).toMatchObject({ code: 0, stderr: '' });
      expect(filesUnder(dest)).toEqual([pathOf(2)]);
      expect(readFileSync(join(dest, pathOf(2)), 'utf8')).toBe('visit: 2\nseeing: 1.5\nband: r\n');
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
      const trash = await runCli(['datastore', 'trash', ...args, '--id', refs[0]!.id]);
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

    it('ingest refuses IDs the registry does not have, naming them', async () => {
      const { args } = await engine.make();
      const table = join(temp.dir, `t-${n++}.csv`);
      writeFileSync(table, `id,path\n${refs[0]!.id},x.yaml\n`);
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
      ]);
      expect(result.code).toBe(1);
      expect(lines(result.stderr)).toEqual([
        expect.stringMatching(
          new RegExp(`^butler-ts: Not registered in the dataset table of .*: ${refs[0]!.id}`),
        ),
      ]);
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

  it('refuses a chained datastore, a folder without butler.yaml and a URI without --root', async () => {
    const root = join(temp.dir, `chain-${n++}`);
    await runCli(['create', root]);
    const yaml = readFileSync(join(root, 'butler.yaml'), 'utf8');
    writeFileSync(
      join(root, 'butler.yaml'),
      yaml.replace(
        'cls: lsst.daf.butler.datastores.fileDatastore.FileDatastore',
        'cls: lsst.daf.butler.datastores.chainedDatastore.ChainedDatastore',
      ),
    );
    const chained = await runCli(['datastore', 'verify', root]);
    expect(chained.code).toBe(1);
    expect(lines(chained.stderr)).toEqual([
      `butler-ts: ${join(root, 'butler.yaml')} names a chained datastore (lsst.daf.butler.datastores.chainedDatastore.ChainedDatastore), which butler-ts datastore commands do not support yet; they work on a FileDatastore`,
    ]);
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

describe("the root README's session", () => {
  it('creates, fills (examples/fill-repo.mjs), verifies and retrieves as the README shows', async () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const root = join(temp.dir, `readme-${n++}`);
    expect((await runCli(['create', root])).code).toBe(0);
    const script = fileURLToPath(new URL('../examples/fill-repo.mjs', import.meta.url));
    const fill = await runNode([script, root]);
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
      'run/1/summary/2/summary_Cam_2_run_1.yaml',
      `Retrieved 1 files of 1 datasets into ${dest}`,
    ]);
    writeFileSync(join(root, 'run/1/summary/1/summary_Cam_1_run_1.yaml'), 'x\n');
    const broken = await runCli(['datastore', 'verify', root]);
    expect(broken.code).toBe(1);
    expect(lines(broken.stdout)[0]).toMatch(
      /^SIZE {6}run\/1\/summary\/1\/summary_Cam_1_run_1\.yaml {2}dataset 7ae90560-f096-5b28-bbf2-0a0256d81c0a: recorded 29 bytes, found 2$/,
    );
  }, 300_000);
});
