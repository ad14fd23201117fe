import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { DatasetRef } from '@butler-ts/core';
import type { FileDataset, TransferMode } from '@butler-ts/datastore';
import { StoredFileInfo } from '@butler-ts/datastore-file';
import { col, inList } from '@butler-ts/registry-interfaces';
import type { Database } from '@butler-ts/registry-interfaces';
import { errorText } from './connect.ts';
import { using } from './context.ts';
import type { CommandContext } from './context.ts';
import {
  idRef,
  parseIds,
  registeredDatasets,
  expandedRecords,
  expandedRefs,
  registeredRefs,
  shortList,
} from './datasets.ts';
import type { RegisteredDataset } from './datasets.ts';
import { CliError, DatasetIdError, DestinationExistsError } from './errors.ts';
import type { DumpFormat } from './formats.ts';
import { readIngestTable } from './ingest-table.ts';
import type { INGEST_TRANSFERS } from './repository-yaml.ts';
import { dumpOpaqueTable } from './opaque.ts';
import { Progress } from './output.ts';
import { existingTable } from './registry-status.ts';
import { openRepository, resolveRepository } from './repository.ts';
import type { OpenRepository, RepositoryCommandOptions } from './repository.ts';

/** How the command names the IDs to work on: `--id` (repeatable) and/or `--ids-from <file>`. */
export interface IdOptions {
  /** IDs given on the command line. */
  readonly id?: readonly string[];
  /** A file with one ID per line (blank lines and lines starting with `#` are skipped). */
  readonly idsFrom?: string;
}

/**
 * The IDs of `--id` and `--ids-from`, parsed and without duplicates.
 *
 * @throws {@link DatasetIdError} when none is given or one is malformed; `CliError` for an
 *   unreadable `--ids-from` file.
 */
export function collectIds(options: IdOptions): string[] {
  const given = [...(options.id ?? [])];
  if (options.idsFrom !== undefined) {
    let text: string;
    try {
      text = readFileSync(resolve(options.idsFrom), 'utf8');
    } catch (error) {
      throw new CliError(`Cannot read --ids-from ${options.idsFrom}: ${errorText(error)}`, {
        cause: error,
      });
    }
    for (const line of text.split('\n')) {
      const id = line.trim();
      if (id !== '' && !id.startsWith('#')) given.push(id);
    }
  }
  if (given.length === 0)
    throw new DatasetIdError([], 'No dataset IDs: give --id <uuid>… or --ids-from <file>');
  return parseIds(given);
}

/** The records of the datasets `ids`, by dataset ID (datasets without records are absent). */
async function recordsOf(
  db: Database,
  tableName: string,
  ids: readonly string[],
): Promise<Map<string, StoredFileInfo[]>> {
  const out = new Map<string, StoredFileInfo[]>();
  const table = await existingTable(db, tableName);
  if (table === null) return out;
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db.select({
      from: [{ source: table.handle }],
      where: inList(col('dataset_id'), ids.slice(i, i + 500)),
    });
    for (const row of rows) {
      const info = StoredFileInfo.fromRecord(row);
      out.set(info.datasetId, [...(out.get(info.datasetId) ?? []), info]);
    }
  }
  return out;
}

/** Fails, naming them, when some of `ids` have no records in the datastore. */
async function requireStored(
  repo: OpenRepository,
  ids: readonly string[],
  records: ReadonlyMap<string, unknown>,
): Promise<Map<string, RegisteredDataset>> {
  const registered = (await registeredDatasets(repo.registry.db, ids)) ?? new Map();
  const missing = ids.filter((id) => !records.has(id));
  if (missing.length === 0) return registered;
  const unregistered = missing.filter((id) => !registered.has(id));
  const notStored = missing.filter((id) => registered.has(id));
  const parts: string[] = [];
  if (unregistered.length > 0)
    parts.push(`unknown (no record, not registered): ${shortList(unregistered)}`);
  if (notStored.length > 0)
    parts.push(`registered but not stored in ${repo.datastore.name}: ${shortList(notStored)}`);
  throw new DatasetIdError(missing, `Datasets not in the datastore: ${parts.join('; ')}`);
}

/** Options of `datastore retrieve`. */
export interface RetrieveOptions extends RepositoryCommandOptions, IdOptions {
  /** `copy` (default), `link` (hard link, else symbolic) or `symlink`. */
  readonly transfer: 'copy' | 'link' | 'symlink';
  /** Replace files already at the destination. */
  readonly overwrite?: boolean;
}

const RETRIEVE_BATCH = 100;

/**
 * `butler-ts datastore retrieve <repo> <dest>`: copies (or links) the files of datasets below
 * `dest`, at their paths relative to the datastore root (FileDatastore.retrieveArtifacts).
 *
 * @throws {@link DatasetIdError} for IDs that are malformed or not in the datastore, and
 *   {@link DestinationExistsError} for files already at the destination (without
 *   `--overwrite`); both before anything is written.
 */
export async function retrieveCommand(
  repository: string,
  destination: string,
  options: RetrieveOptions,
  context: CommandContext,
): Promise<void> {
  const ids = collectIds(options);
  const target = resolve(destination);
  const spec = await resolveRepository(repository, { ...options, readsChainedFileDatastore: true });
  const repo = await openRepository(spec, { writeable: false, stderr: context.stderr });
  const written = await using(repo, async () => {
    const records = await recordsOf(repo.registry.db, repo.datastore.recordsTableName, ids);
    const registered = await requireStored(repo, ids, records);
    if (options.overwrite !== true) {
      const clashes: string[] = [];
      for (const infos of records.values())
        for (const info of infos) {
          const rel = info.isAbsolute ? repo.datastore.pathOf(info).split(sep).pop()! : info.path;
          if (existsSync(join(target, ...rel.split('/')))) clashes.push(rel);
        }
      if (clashes.length > 0)
        throw new DestinationExistsError(
          target,
          clashes,
          `Files already in ${target} (use --overwrite to replace them): ${shortList(clashes)}`,
        );
    }
    await mkdir(target, { recursive: true });
    const refs = ids.map((id) => idRef(id, registered.get(id)));
    const out: string[] = [];
    const progress = Progress.forCommand(context, options, 'retrieve', refs.length, 'datasets');
    try {
      for (let i = 0; i < refs.length; i += RETRIEVE_BATCH) {
        const batch = refs.slice(i, i + RETRIEVE_BATCH);
        const result = await repo.datastore.retrieveArtifacts(batch, target, {
          transfer: options.transfer,
          overwrite: options.overwrite === true,
          preservePath: true,
        });
        for (const uri of result.keys())
          out.push(
            relative(target, uri.ospath ?? '')
              .split(sep)
              .join('/'),
          );
        progress?.advance(batch.length);
      }
    } finally {
      progress?.finish();
    }
    return out;
  });
  for (const path of written) await context.out.write(`${path}\n`);
  await context.out.write(
    `Retrieved ${written.length} files of ${ids.length} datasets into ${target}\n`,
  );
}

/** Options of `datastore ingest`. */
export interface IngestOptions extends RepositoryCommandOptions {
  /** The run every dataset must belong to. */
  readonly run: string;
  /** The dataset type every dataset must have. */
  readonly datasetType: string;
  /** The table of IDs and files. */
  readonly from: string;
  /** How files reach the datastore. */
  readonly transfer: (typeof INGEST_TRANSFERS)[number];
}

const INGEST_BATCH = 100;

/**
 * `butler-ts datastore ingest <repo>`: stores files for datasets already registered (in
 * daf_butler's `dataset` table), read from a CSV or JSONL table.
 *
 * @throws {@link DatasetIdError} naming the IDs that are malformed, repeated, not registered,
 *   of another dataset type or run, or already stored; `IngestTableError` for a bad table;
 *   `RepositoryError` when the registry has no `dataset` table. Nothing is stored then.
 */
export async function ingestCommand(
  repository: string,
  options: IngestOptions,
  context: CommandContext,
): Promise<void> {
  const rows = readIngestTable(options.from);
  if (rows.length === 0) throw new CliError(`${resolve(options.from)} has no rows`);
  const ids = parseIds(rows.map((row) => row.id));
  const rowIds = rows.map((row) => parseIds([row.id])[0]!);
  if (ids.length !== rows.length) {
    const repeated = [...new Set(rowIds.filter((id, i) => rowIds.indexOf(id) !== i))];
    throw new DatasetIdError(
      repeated,
      `Dataset IDs listed more than once in ${resolve(options.from)}: ${shortList(repeated)}`,
    );
  }
  const spec = await resolveRepository(repository, options);
  const repo = await openRepository(spec, {
    writeable: true,
    stderr: context.stderr,
    dimensionRecords: expandedRecords,
  });
  const count = await using(repo, async () => {
    const db = repo.registry.db;
    const registered = await registeredDatasets(db, ids);
    if (registered === null)
      throw new CliError(
        `${db.toString()} has no dataset table (a registry made by an older butler-ts): datastore ingest stores files only for registered datasets`,
      );
    const unregistered = ids.filter((id) => !registered.has(id));
    if (unregistered.length > 0)
      throw new DatasetIdError(
        unregistered,
        `Not registered in the dataset table of ${db.toString()}, so not ingested (nothing was): ${shortList(unregistered)}`,
      );
    const wrong = ids
      .map((id) => registered.get(id)!)
      .filter((d) => d.datasetType !== options.datasetType || d.run !== options.run);
    if (wrong.length > 0)
      throw new DatasetIdError(
        wrong.map((d) => d.id),
        `Datasets not of dataset type ${options.datasetType} in run ${options.run}: ${shortList(wrong.map((d) => `${d.id} (${d.datasetType} in ${d.run})`))}`,
      );
    const refs = await expandedRefs(
      repo.registry.dimensions,
      await registeredRefs(
        db,
        ids.map((id) => registered.get(id)!),
        repo.datastore.storageClassFactory,
      ),
      repo.datastore.storageClassFactory,
    );
    const known = await repo.datastore.knowsThese(refs);
    const stored = refs.filter((ref) => known.get(ref) === true).map((ref) => ref.id);
    if (stored.length > 0)
      throw new DatasetIdError(
        stored,
        `Already stored in ${repo.datastore.name}: ${shortList(stored)}`,
      );
    // One file may hold several datasets: one FileDataset per file.
    const byId = new Map(refs.map((ref) => [ref.id, ref]));
    const files = new Map<string, { refs: DatasetRef[]; formatter: string | null }>();
    for (const [i, row] of rows.entries()) {
      const ref = byId.get(rowIds[i]!)!;
      const entry = files.get(row.path);
      if (entry === undefined) files.set(row.path, { refs: [ref], formatter: row.formatter });
      else entry.refs.push(ref);
    }
    const datasets: FileDataset[] = [...files].map(([path, entry]) => ({
      path,
      refs: entry.refs,
      formatter: entry.formatter,
    }));
    const transfer: TransferMode = options.transfer === 'none' ? null : options.transfer;
    const progress = Progress.forCommand(context, options, 'ingest', datasets.length, 'files');
    try {
      // One transaction: a failure takes back every file and record of the command.
      await repo.datastore.transaction(async () => {
        for (let i = 0; i < datasets.length; i += INGEST_BATCH) {
          const batch = datasets.slice(i, i + INGEST_BATCH);
          await repo.datastore.ingest(batch, { transfer });
          progress?.advance(batch.length);
        }
      });
    } finally {
      progress?.finish();
    }
    return { files: datasets.length, datasets: refs.length };
  });
  await context.out.write(
    `Ingested ${count.files} files for ${count.datasets} datasets of ${options.datasetType} in run ${options.run} (transfer ${options.transfer})\n`,
  );
}

/**
 * `butler-ts datastore trash <repo>`: moves datasets to the datastore's trash (their files stay
 * until `empty-trash`).
 *
 * @throws {@link DatasetIdError} for IDs that are malformed or not in the datastore (nothing
 *   is trashed then).
 */
export async function trashCommand(
  repository: string,
  options: RepositoryCommandOptions & IdOptions,
  context: CommandContext,
): Promise<void> {
  const ids = collectIds(options);
  const spec = await resolveRepository(repository, options);
  const repo = await openRepository(spec, { writeable: true, stderr: context.stderr });
  await using(repo, async () => {
    const records = await recordsOf(repo.registry.db, repo.datastore.recordsTableName, ids);
    const registered = await requireStored(repo, ids, records);
    await repo.datastore.trash(ids.map((id) => idRef(id, registered.get(id))));
  });
  await context.out.write(
    `Moved ${ids.length} datasets to the trash of ${repo.datastore.name}; empty-trash deletes their files\n`,
  );
}

/** `butler-ts datastore empty-trash <repo>`: deletes the files and records of trashed datasets. */
export async function emptyTrashCommand(
  repository: string,
  options: RepositoryCommandOptions,
  context: CommandContext,
): Promise<void> {
  const spec = await resolveRepository(repository, options);
  const repo = await openRepository(spec, { writeable: true, stderr: context.stderr });
  const removed = await using(repo, () => repo.datastore.emptyTrash());
  const paths = [...removed]
    .map((uri) =>
      relative(repo.datastore.root, uri.ospath ?? '')
        .split(sep)
        .join('/'),
    )
    .sort();
  for (const path of paths) await context.out.write(`${path}\n`);
  await context.out.write(`Removed ${paths.length} files from ${repo.datastore.root}\n`);
}

/** Options of `datastore ls`. */
export interface LsOptions extends RepositoryCommandOptions {
  readonly where: readonly string[];
  readonly format: DumpFormat;
  readonly pageSize: number;
}

/** `butler-ts datastore ls <repo>`: the datastore's records, paged and formatted as `opaque dump`. */
export async function lsCommand(
  repository: string,
  options: LsOptions,
  context: CommandContext,
): Promise<void> {
  const spec = await resolveRepository(repository, { ...options, readsChainedFileDatastore: true });
  const repo = await openRepository(spec, { writeable: false, stderr: context.stderr });
  await using(repo, () =>
    dumpOpaqueTable(repo.registry.db, repo.datastore.recordsTableName, options, context),
  );
}
