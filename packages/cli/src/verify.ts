import { readFile, readdir, stat } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';
import { StoredFileInfo, checksumOf } from '@butler-ts/datastore-file';
import type { FileDatastore } from '@butler-ts/datastore-file';
import type { Database } from '@butler-ts/registry-interfaces';
import { using } from './context.ts';
import type { CommandContext } from './context.ts';
import { VerifyFailedError } from './errors.ts';
import { Progress } from './output.ts';
import { DEFAULT_PAGE_SIZE, tablePages } from './pages.ts';
import { existingTable } from './registry-status.ts';
import { openRepository, resolveRepository } from './repository.ts';
import type { RepositoryCommandOptions, RepositorySpec } from './repository.ts';
import { parseWhere } from './where.ts';

/** One thing wrong with a record's file. */
export interface VerifyProblem {
  /** `missing` (no file), `size` (another size), `checksum` (other contents). */
  readonly problem: 'missing' | 'size' | 'checksum';
  /** The path as recorded (relative to the root, or a URI). */
  readonly path: string;
  /** The dataset. */
  readonly datasetId: string;
  /** The component, or `null` for a whole dataset. */
  readonly component: string | null;
  /** What the record says (size in bytes, or checksum), or `null` for `missing`. */
  readonly recorded: number | string | null;
  /** What the file has, or `null` for `missing`. */
  readonly found: number | string | null;
}

/** What `datastore verify --json` writes. */
export interface VerifyReport {
  /** The datastore's root folder. */
  readonly root: string;
  /** How many records were checked. */
  readonly records: number;
  /** How many distinct files they name. */
  readonly files: number;
  /** The problems with recorded files, in records order. */
  readonly problems: readonly VerifyProblem[];
  /** Files under the root that no record names (relative, `/`-separated, sorted). */
  readonly orphans: readonly string[];
  /** Whether nothing was wrong. */
  readonly ok: boolean;
}

/** Options of `datastore verify`. */
export interface VerifyOptions extends RepositoryCommandOptions {
  /** Write the report as JSON. */
  readonly json?: boolean;
}

// What daf_butler and butler-ts keep beside the datastore's files in a repository folder.
const REPOSITORY_FILES = ['butler.yaml', 'gen3.sqlite3'];
const SQLITE_SUFFIXES = ['', '-wal', '-shm', '-journal'];

function ignoredFiles(spec: RepositorySpec, root: string): Set<string> {
  const ignored = new Set<string>();
  const add = (path: string): void => {
    for (const suffix of SQLITE_SUFFIXES) ignored.add(`${path}${suffix}`);
  };
  for (const name of REPOSITORY_FILES) add(name);
  for (const file of [
    ...spec.registryFiles,
    ...(spec.configFile === null ? [] : [spec.configFile]),
  ]) {
    const rel = relative(root, file);
    if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)) add(rel.split(sep).join('/'));
  }
  return ignored;
}

async function* walk(root: string, prefix = ''): AsyncGenerator<string> {
  let entries;
  try {
    entries = await readdir(prefix === '' ? root : `${root}${sep}${prefix.split('/').join(sep)}`, {
      withFileTypes: true,
    });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return;
    throw error;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) yield* walk(root, path);
    else yield path;
  }
}

function recordedNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  // daf_butler records -1 when it did not measure the size.
  return Number.isFinite(n) && n >= 0 ? n : null;
}

async function checkFile(
  datastore: FileDatastore,
  info: StoredFileInfo,
): Promise<Omit<VerifyProblem, 'path' | 'datasetId' | 'component'> | null> {
  const path = datastore.pathOf(info);
  let size: number;
  try {
    const stats = await stat(path);
    if (!stats.isFile()) return { problem: 'missing', recorded: null, found: null };
    size = stats.size;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT')
      return { problem: 'missing', recorded: null, found: null };
    throw error;
  }
  const recordedSize = recordedNumber(info.fileSize);
  if (recordedSize !== null && recordedSize !== size)
    return { problem: 'size', recorded: recordedSize, found: size };
  if (info.checksum !== null && info.checksum !== '') {
    const found = checksumOf(await readFile(path));
    if (found !== info.checksum) return { problem: 'checksum', recorded: info.checksum, found };
  }
  return null;
}

async function verifyRepository(
  db: Database,
  datastore: FileDatastore,
  spec: RepositorySpec,
  options: VerifyOptions,
  context: CommandContext,
): Promise<VerifyReport> {
  const root = datastore.root;
  const problems: VerifyProblem[] = [];
  const named = new Set<string>();
  const checked = new Map<string, Omit<VerifyProblem, 'path' | 'datasetId' | 'component'> | null>();
  let records = 0;
  const table = await existingTable(db, datastore.recordsTableName);
  if (table !== null) {
    const progress = Progress.forCommand(
      context,
      options,
      'verify',
      await db.count(table.handle),
      'records',
    );
    try {
      for await (const page of tablePages(db, table.handle, table.spec, {
        where: parseWhere(datastore.recordsTableName, table.spec, []),
        pageSize: DEFAULT_PAGE_SIZE,
      })) {
        for (const row of page) {
          const info = StoredFileInfo.fromRecord(row);
          records++;
          const absolute = datastore.pathOf(info);
          const rel = relative(root, absolute);
          if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel))
            named.add(rel.split(sep).join('/'));
          let result = checked.get(absolute);
          if (result === undefined) {
            result = await checkFile(datastore, info);
            checked.set(absolute, result);
          }
          if (result !== null)
            problems.push({
              ...result,
              path: info.path,
              datasetId: info.datasetId,
              component: info.component,
            });
        }
        progress?.advance(page.length);
      }
    } finally {
      progress?.finish();
    }
  }
  const ignored = ignoredFiles(spec, root);
  const orphans: string[] = [];
  const walking = Progress.forCommand(context, options, 'orphans', null, 'files');
  try {
    for await (const path of walk(root)) {
      walking?.advance(1);
      if (!named.has(path) && !ignored.has(path)) orphans.push(path);
    }
  } finally {
    walking?.finish();
  }
  return {
    root,
    records,
    files: checked.size,
    problems,
    orphans,
    ok: problems.length === 0 && orphans.length === 0,
  };
}

function problemLine(p: VerifyProblem): string {
  const what = `dataset ${p.datasetId}${p.component === null ? '' : ` (${p.component})`}`;
  switch (p.problem) {
    case 'missing':
      return `MISSING   ${p.path}  ${what}: no such file\n`;
    case 'size':
      return `SIZE      ${p.path}  ${what}: recorded ${p.recorded} bytes, found ${p.found}\n`;
    case 'checksum':
      return `CHECKSUM  ${p.path}  ${what}: recorded ${p.recorded}, found ${p.found}\n`;
  }
}

/**
 * `butler-ts datastore verify <repo>`: every record's file exists, has the recorded size and
 * (where one is recorded) checksum; files under the root that no record names are orphans.
 *
 * @throws {@link VerifyFailedError} after writing the report when anything is wrong.
 */
export async function verifyCommand(
  repository: string,
  options: VerifyOptions,
  context: CommandContext,
): Promise<void> {
  const spec = await resolveRepository(repository, { ...options, readsChainedFileDatastore: true });
  const repo = await openRepository(spec, { writeable: false, stderr: context.stderr });
  const report = await using(repo, () =>
    verifyRepository(repo.registry.db, repo.datastore, spec, options, context),
  );
  if (options.json === true) {
    await context.out.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    for (const problem of report.problems) await context.out.write(problemLine(problem));
    for (const orphan of report.orphans)
      await context.out.write(`ORPHAN    ${orphan}  no record names it\n`);
    const count = report.problems.length + report.orphans.length;
    await context.out.write(
      `${count === 0 ? 'OK' : 'FAILED'}: ${report.records} records, ${report.files} files under ${report.root}; ${report.problems.length} problems, ${report.orphans.length} orphans\n`,
    );
  }
  if (!report.ok)
    throw new VerifyFailedError(
      report.problems.length + report.orphans.length,
      `datastore verify found ${report.problems.length} problems and ${report.orphans.length} orphan files under ${report.root}`,
    );
}
