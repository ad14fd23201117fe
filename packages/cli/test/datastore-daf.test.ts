// The datastore verbs through the built binary on the repositories the real daf_butler wrote
// (w.2026.34): SQLite (a folder with butler.yaml and gen3.sqlite3) and PostgreSQL (a fresh
// schema, named by butler.yaml or by --namespace with a registry URI and --root).
import {
  existsSync,
  lstatSync,
  readFileSync,
  readlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, fixtureRepo } from './daf-fixture.ts';
import type { State } from './daf-fixture.ts';
import {
  dropSchemas,
  filesUnder,
  freshSchema,
  lines,
  pgAvailable,
  pgUrl,
  runCli,
  tempDir,
} from './helpers.ts';

const ID = {
  dictRun1Det01: '610a7eee-9460-5e4f-9ae6-c363529f6239',
  dictRun1Det02: '1e0a7c4e-3c71-5289-bb85-f2cba45d5cf8',
  dictRun1Det03: 'bae5b442-fff4-5dc7-9c2d-cf47022a41f7', // trashed by daf_butler in "after"
  dictRun2Det03: 'bb856c6b-8f63-5af9-bd7d-f51112bc1568',
  composite: '306b71de-0287-5421-a888-d58b3cf7fcda',
  listRun1DR: '69ee46f5-f84c-5911-a26f-f701cfd07118',
} as const;
const PATH = {
  dictRun1Det01: 'interop/run1/interop_dict/interop_dict_DummyCam_det01_interop_run1.yaml',
  dictRun1Det02: 'interop/run1/interop_dict/interop_dict_DummyCam_det02_interop_run1.yaml',
  dictRun1Det03: 'interop/run1/interop_dict/interop_dict_DummyCam_det03_interop_run1.yaml',
  dictRun2Det03: 'interop/run2/interop_dict/interop_dict_DummyCam_det03_interop_run2.yaml',
} as const;
const COMPOSITE_FILES = ['data', 'output', 'summary'].map(
  (c) =>
    `interop/run1/interop_composite.${c}/interop_composite_${c}_DummyCam_det01_interop_run1.yaml`,
);
const UNKNOWN = '00000000-0000-4000-8000-0000000000ff';

const temp = tempDir('daf-datastore');

/** `datastore ingest` of interop_dict datasets from `table`. */
function ingestDict(
  args: readonly string[],
  run: string,
  table: string,
  transfer: string[] = ['--transfer', 'copy'],
) {
  return runCli([
    'datastore',
    'ingest',
    ...args,
    '--run',
    run,
    '--dataset-type',
    'interop_dict',
    '--from',
    table,
    ...transfer,
  ]);
}
const schemas: string[] = [];
let n = 0;

afterAll(async () => {
  temp.remove();
  await dropSchemas(schemas);
});

const engines = [
  { name: 'sqlite', available: true },
  { name: 'postgresql', available: await pgAvailable() },
] as const;

describe.each(engines)('butler-ts datastore on daf_butler repositories, $name', (engine) => {
  /** A fresh copy of the repository in `state`; `args` name it (folder, or URI + --root). */
  async function repo(
    state: State,
    form: 'folder' | 'uri' = 'folder',
  ): Promise<{ root: string; args: string[]; folder: string }> {
    const folder = join(temp.dir, `${engine.name}-${state}-${n++}`);
    let namespace: string | undefined;
    if (engine.name === 'postgresql') {
      namespace = freshSchema('butler_cli_ds');
      schemas.push(namespace);
    }
    const { root } = await fixtureRepo(engine.name, state, folder, namespace);
    if (form === 'folder') return { root, args: [root], folder };
    const uri = engine.name === 'sqlite' ? `sqlite:///${join(root, 'gen3.sqlite3')}` : pgUrl;
    return {
      root,
      args: [uri, '--root', root, ...(namespace === undefined ? [] : ['--namespace', namespace])],
      folder,
    };
  }

  describe.skipIf(!engine.available)('verbs', { timeout: 300_000, concurrent: true }, () => {
    it('verify passes on the repository as daf_butler left it (folder and URI + --root)', async () => {
      for (const form of ['folder', 'uri'] as const) {
        const { args, root } = await repo('after', form);
        const text = await runCli(['datastore', 'verify', ...args]);
        expect(text).toMatchObject({ code: 0, stderr: '' });
        expect(lines(text.stdout)).toEqual([
          `OK: 15 records, 15 files under ${root}; 0 problems, 0 orphans`,
        ]);
        const json = await runCli(['datastore', 'verify', ...args, '--json']);
        expect(json).toMatchObject({ code: 0, stderr: '' });
        expect(JSON.parse(json.stdout)).toEqual({
          root,
          records: 15,
          files: 15,
          problems: [],
          orphans: [],
          ok: true,
        });
      }
    });

    it('verify names a truncated file, a missing file and an orphan, and exits 1', async () => {
      const { args, root } = await repo('after');
      truncateSync(join(root, PATH.dictRun1Det02), 100);
      unlinkSync(join(root, COMPOSITE_FILES[1]!));
      writeFileSync(join(root, 'interop', 'run1', 'stray.yaml'), 'nobody: records me\n');
      const text = await runCli(['datastore', 'verify', ...args]);
      expect(text.code).toBe(1);
      expect(lines(text.stdout)).toEqual([
        `SIZE      ${PATH.dictRun1Det02}  dataset ${ID.dictRun1Det02}: recorded 344 bytes, found 100`,
        `MISSING   ${COMPOSITE_FILES[1]!}  dataset ${ID.composite} (output): no such file`,
        'ORPHAN    interop/run1/stray.yaml  no record names it',
        `FAILED: 15 records, 15 files under ${root}; 2 problems, 1 orphans`,
      ]);
      expect(lines(text.stderr)).toEqual([
        `butler-ts: datastore verify found 2 problems and 1 orphan files under ${root}`,
      ]);
      const json = await runCli(['datastore', 'verify', ...args, '--json']);
      expect(json.code).toBe(1);
      const report = JSON.parse(json.stdout) as Record<string, unknown>;
      expect(report).toMatchObject({
        ok: false,
        orphans: ['interop/run1/stray.yaml'],
        problems: [
          {
            problem: 'size',
            path: PATH.dictRun1Det02,
            datasetId: ID.dictRun1Det02,
            component: null,
            recorded: 344,
            found: 100,
          },
          { problem: 'missing', path: COMPOSITE_FILES[1], component: 'output' },
        ],
      });
    });

    it('retrieve copies every component file of the disassembled composite, paths kept', async () => {
      const { args, root, folder } = await repo('after');
      const dest = join(folder, 'out');
      const result = await runCli(['datastore', 'retrieve', ...args, dest, '--id', ID.composite]);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(lines(result.stdout).slice(0, -1).sort()).toEqual(COMPOSITE_FILES);
      expect(lines(result.stdout).at(-1)).toBe(`Retrieved 3 files of 1 datasets into ${dest}`);
      expect(filesUnder(dest)).toEqual(COMPOSITE_FILES);
      for (const file of COMPOSITE_FILES)
        expect(readFileSync(join(dest, file))).toEqual(readFileSync(join(root, file)));
      // Again without --overwrite: refused, named, nothing changed.
      const again = await runCli(['datastore', 'retrieve', ...args, dest, '--id', ID.composite]);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/^butler-ts: Files already in .* \(use --overwrite/);
      expect(again.stderr).toContain(COMPOSITE_FILES[0]!);
      const overwrite = await runCli([
        'datastore',
        'retrieve',
        ...args,
        dest,
        '--id',
        ID.composite,
        '--overwrite',
      ]);
      expect(overwrite.code).toBe(0);
    });

    it('retrieve --transfer symlink links to the datastore files; --ids-from reads IDs', async () => {
      const { args, root, folder } = await repo('after');
      const dest = join(folder, 'links');
      const idsFile = join(folder, 'ids.txt');
      writeFileSync(
        idsFile,
        `# two datasets\n${ID.dictRun1Det01}\n\n${ID.listRun1DR.replaceAll('-', '')}\n`,
      );
      const result = await runCli([
        'datastore',
        'retrieve',
        ...args,
        dest,
        '--ids-from',
        idsFile,
        '--transfer',
        'symlink',
      ]);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const listPath =
        'interop/run1/interop_list/r/d-r/interop_list_DummyCam_r_d-r_interop_run1.yaml';
      expect(filesUnder(dest)).toEqual([PATH.dictRun1Det01, listPath]);
      for (const file of [PATH.dictRun1Det01, listPath]) {
        expect(lstatSync(join(dest, file)).isSymbolicLink()).toBe(true);
        expect(readlinkSync(join(dest, file))).toBe(join(root, file));
      }
    });

    it('retrieve refuses unknown and unstored IDs, naming them, before writing anything', async () => {
      const { args, folder } = await repo('after');
      const dest = join(folder, 'none');
      const result = await runCli([
        'datastore',
        'retrieve',
        ...args,
        dest,
        '--id',
        ID.composite,
        UNKNOWN,
        'not-a-uuid',
      ]);
      expect(result.code).toBe(1);
      expect(lines(result.stderr)).toEqual(['butler-ts: Not a dataset ID (a UUID): "not-a-uuid"']);
      const unknown = await runCli([
        'datastore',
        'retrieve',
        ...args,
        dest,
        '--id',
        ID.composite,
        UNKNOWN,
      ]);
      expect(unknown.code).toBe(1);
      expect(lines(unknown.stderr)).toEqual([
        `butler-ts: Datasets not in the datastore: unknown (no record, not registered): ${UNKNOWN}`,
      ]);
      expect(existsSync(dest)).toBe(false);
    });

    it('ingest stores files for registered datasets at daf_butler’s paths; verify then passes', async () => {
      const { args, root, folder } = await repo('before');
      // The files daf_butler wrote for these datasets, outside the repository.
      const source = join(FIXTURES, 'repo', 'sqlite');
      writeFileSync(join(folder, 'a.yaml'), readFileSync(join(source, PATH.dictRun1Det01)));
      writeFileSync(join(folder, 'b.yaml'), readFileSync(join(source, PATH.dictRun1Det02)));
      const table = join(folder, 'ingest.csv');
      writeFileSync(
        table,
        `id,path\n${ID.dictRun1Det01},a.yaml\n${ID.dictRun1Det02},${join(folder, 'b.yaml')}\n`,
      );
      const result = await ingestDict(args, 'interop/run1', table);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(lines(result.stdout)).toEqual([
        'Ingested 2 files for 2 datasets of interop_dict in run interop/run1 (transfer copy)',
      ]);
      expect(filesUnder(root)).toEqual(
        [
          PATH.dictRun1Det01,
          PATH.dictRun1Det02,
          'butler.yaml',
          ...(engine.name === 'sqlite' ? ['gen3.sqlite3'] : []),
        ].sort(),
      );
      expect(readFileSync(join(root, PATH.dictRun1Det02))).toEqual(
        readFileSync(join(source, PATH.dictRun1Det02)),
      );
      expect(existsSync(join(folder, 'a.yaml'))).toBe(true); // copied, not moved
      const ls = await runCli(['datastore', 'ls', ...args, '--format', 'jsonl']);
      expect(ls).toMatchObject({ code: 0, stderr: '' });
      expect(lines(ls.stdout).map((line) => JSON.parse(line) as unknown)).toEqual([
        {
          dataset_id: ID.dictRun1Det02,
          path: PATH.dictRun1Det02,
          formatter: 'lsst.daf.butler.formatters.yaml.YamlFormatter',
          storage_class: 'StructuredDataDict',
          component: '__NULL_STRING__',
          checksum: null,
          file_size: 344,
        },
        {
          dataset_id: ID.dictRun1Det01,
          path: PATH.dictRun1Det01,
          formatter: 'lsst.daf.butler.formatters.yaml.YamlFormatter',
          storage_class: 'StructuredDataDict',
          component: '__NULL_STRING__',
          checksum: null,
          file_size: 99,
        },
      ]);
      const verify = await runCli(['datastore', 'verify', ...args]);
      expect(verify).toMatchObject({ code: 0, stderr: '' });
      // The same IDs again: already stored.
      const again = await ingestDict(args, 'interop/run1', table, []);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/^butler-ts: Already stored in FileDatastore@<butlerRoot>: /);
    });

    it('ingest refuses unregistered IDs and a wrong run, naming them, and stores nothing', async () => {
      const { args, root, folder } = await repo('before');
      writeFileSync(join(folder, 'a.yaml'), 'a: 1\n');
      const table = join(folder, 'ingest.jsonl');
      writeFileSync(
        table,
        [
          JSON.stringify({ id: ID.dictRun1Det01, path: 'a.yaml' }),
          JSON.stringify({ id: UNKNOWN, path: 'a.yaml' }),
        ].join('\n'),
      );
      const ingest = (run: string, from: string) => ingestDict(args, run, from);
      const unregistered = await ingest('interop/run1', table);
      expect(unregistered.code).toBe(1);
      expect(lines(unregistered.stderr)).toEqual([
        expect.stringMatching(
          new RegExp(
            `^butler-ts: Not registered in the dataset table of .*, so not ingested \\(nothing was\\): ${UNKNOWN}$`,
          ),
        ),
      ]);
      const single = join(folder, 'one.jsonl');
      writeFileSync(single, `${JSON.stringify({ id: ID.dictRun1Det01, path: 'a.yaml' })}\n`);
      const wrongRun = await ingest('interop/run2', single);
      expect(wrongRun.code).toBe(1);
      expect(lines(wrongRun.stderr)).toEqual([
        `butler-ts: Datasets not of dataset type interop_dict in run interop/run2: ${ID.dictRun1Det01} (interop_dict in interop/run1)`,
      ]);
      expect(filesUnder(root).filter((f) => f.startsWith('interop/'))).toEqual([]);
      const ls = await runCli(['datastore', 'ls', ...args, '--format', 'jsonl']);
      expect(ls).toMatchObject({ code: 0, stdout: '' });
    });

    it('trash then empty-trash removes exactly the trashed files', async () => {
      const { args, root } = await repo('after');
      const before = filesUnder(root);
      const trash = await runCli(['datastore', 'trash', ...args, '--id', ID.dictRun2Det03]);
      expect(trash).toMatchObject({ code: 0, stderr: '' });
      expect(trash.stdout).toMatch(/^Moved 1 datasets to the trash of FileDatastore@<butlerRoot>/);
      expect(filesUnder(root)).toEqual(before); // trash leaves the files
      const empty = await runCli(['datastore', 'empty-trash', ...args]);
      expect(empty).toMatchObject({ code: 0, stderr: '' });
      // daf_butler had trashed run1/det03 already.
      expect(lines(empty.stdout)).toEqual([
        PATH.dictRun1Det03,
        PATH.dictRun2Det03,
        `Removed 2 files from ${root}`,
      ]);
      expect(filesUnder(root)).toEqual(
        before.filter((f) => f !== PATH.dictRun1Det03 && f !== PATH.dictRun2Det03),
      );
      const verify = await runCli(['datastore', 'verify', ...args, '--json']);
      expect(verify.code).toBe(0);
      expect(JSON.parse(verify.stdout)).toMatchObject({ records: 13, ok: true });
      const unknown = await runCli(['datastore', 'trash', ...args, '--id', ID.dictRun2Det03]);
      expect(unknown.code).toBe(1);
      expect(lines(unknown.stderr)).toEqual([
        `butler-ts: Datasets not in the datastore: registered but not stored in FileDatastore@<butlerRoot>: ${ID.dictRun2Det03}`,
      ]);
    });

    it('ls writes the records in every format, paged', async () => {
      const { args } = await repo('after');
      const jsonl = await runCli([
        'datastore',
        'ls',
        ...args,
        '--format',
        'jsonl',
        '--page-size',
        '4',
      ]);
      expect(jsonl).toMatchObject({ code: 0, stderr: '' });
      const rows = lines(jsonl.stdout).map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(rows).toHaveLength(15);
      expect(
        rows.filter((r) => r['dataset_id'] === ID.composite).map((r) => r['component']),
      ).toEqual(['data', 'output', 'summary']);
      const json = await runCli(['datastore', 'ls', ...args, '--format', 'json']);
      expect(JSON.parse(json.stdout)).toEqual(rows);
      const csv = await runCli([
        'datastore',
        'ls',
        ...args,
        '--format',
        'csv',
        '--where',
        `dataset_id=${ID.dictRun1Det02}`,
      ]);
      expect(lines(csv.stdout)).toEqual([
        'dataset_id,path,formatter,storage_class,component,checksum,file_size',
        `${ID.dictRun1Det02},${PATH.dictRun1Det02},lsst.daf.butler.formatters.yaml.YamlFormatter,StructuredDataDict,__NULL_STRING__,,344`,
      ]);
      const table = await runCli(['datastore', 'ls', ...args]);
      expect(lines(table.stdout)[0]).toMatch(
        /^dataset_id\s+path\s+formatter\s+storage_class\s+component\s+checksum\s+file_size$/,
      );
      expect(lines(table.stdout)).toHaveLength(18); // header, rule, 15 rows, count
      expect(lines(table.stdout).at(-1)).toBe('(15 rows)');
    });
  });
});
