// A repository as the datastore verbs see it: a folder with daf_butler's `butler.yaml`, or a
// registry URI plus the folder of its files (`--root`).
import { existsSync, statSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { basename, join, resolve } from 'node:path';
import { ButlerConfigError, loadButlerConfig } from '@butler-ts/butler';
import type { ButlerRepoConfig } from '@butler-ts/butler';
import { Config, StorageClassFactory } from '@butler-ts/core';
import type { Logger } from '@butler-ts/core';
import { FileDatastore } from '@butler-ts/datastore-file';
import type { DimensionRecordSource } from '@butler-ts/datastore-file';
import type { Registry } from '@butler-ts/registry-sql';
import { openRegistryAt } from './context.ts';
import { RepositoryError } from './errors.ts';
import { isRegistryUri, maskUri, parseRegistryUri } from './uri.ts';
import type { RegistryLocation } from './uri.ts';

/** Options of the commands that take a repository. */
export interface RepositoryCommandOptions {
  /** The PostgreSQL schema; overrides `registry.namespace` of `butler.yaml`. */
  readonly namespace?: string;
  /** With a registry URI: the folder that holds the datastore's files (`<butlerRoot>`). */
  readonly root?: string;
  /** No progress line. */
  readonly quiet?: boolean;
  /**
   * Accept a ChainedDatastore with one FileDatastore child, and work on that child (the verbs
   * that only read: verify, ls, retrieve).
   */
  readonly readsChainedFileDatastore?: boolean;
}

/** A repository resolved from the command line, not yet opened. */
export interface RepositorySpec {
  /** What the user gave, for messages. */
  readonly display: string;
  /** The `butler.yaml` read, or `null` for a registry URI with `--root`. */
  readonly configFile: string | null;
  /** The folder `<butlerRoot>` stands for. */
  readonly butlerRoot: string;
  /** The registry. */
  readonly registry: RegistryLocation;
  /** The PostgreSQL schema, if any. */
  readonly namespace: string | undefined;
  /** The repository configuration (datastore and storage classes sections). */
  readonly config: Config;
  /** Files of the registry under the root that are not datastore files (the SQLite file). */
  readonly registryFiles: readonly string[];
}

/** The names under which daf_butler and butler-ts know the file datastore. */
const FILE_DATASTORE_CLASSES: ReadonlySet<string> = new Set([
  'FileDatastore',
  'lsst.daf.butler.datastores.fileDatastore.FileDatastore',
]);

async function fromFolder(
  repository: string,
  options: RepositoryCommandOptions,
): Promise<RepositorySpec> {
  const given = repository.startsWith('file:') ? new URL(repository).pathname : repository;
  const path = resolve(given);
  if (!existsSync(path))
    throw new RepositoryError(
      repository,
      `No repository at ${path}: give a folder with a butler.yaml, or a registry URI with --root <folder>`,
    );
  const configFile = statSync(path).isDirectory() ? join(path, 'butler.yaml') : path;
  if (!existsSync(configFile))
    throw new RepositoryError(
      repository,
      `No butler.yaml in ${path}: give a repository folder, or a registry URI with --root <folder>`,
    );
  if (options.root !== undefined)
    throw new RepositoryError(
      repository,
      `--root applies to a registry URI only; the repository ${path} names its root in ${basename(configFile)}`,
    );
  // Read as a Butler reads it: `<butlerRoot>` is the folder of butler.yaml or its `root`.
  let repo: ButlerRepoConfig;
  try {
    repo = await loadButlerConfig(configFile);
  } catch (error) {
    if (!ButlerConfigError.is(error)) throw error;
    throw new RepositoryError(repository, error.message, { cause: error });
  }
  const namespace = options.namespace ?? repo.namespace ?? undefined;
  const registry = parseRegistryUri(repo.db);
  return {
    display: configFile,
    configFile,
    butlerRoot: repo.root,
    registry,
    namespace,
    config: fileDatastoreConfig(
      repository,
      repo.config,
      configFile,
      options.readsChainedFileDatastore === true,
    ),
    registryFiles: registry.engine === 'sqlite' ? [registry.filename] : [],
  };
}

const CHAINED_DATASTORE_CLASSES: ReadonlySet<string> = new Set([
  'ChainedDatastore',
  'lsst.daf.butler.datastores.chainedDatastore.ChainedDatastore',
]);

// The configuration the verbs use: the file datastore's, or with `chained`, the one
// FileDatastore child of a chain (its records table, root and name are its own).
function fileDatastoreConfig(
  repository: string,
  config: Config,
  where: string,
  chained: boolean,
): Config {
  const cls = config.get(['datastore', 'cls']) ?? 'FileDatastore';
  if (typeof cls === 'string' && FILE_DATASTORE_CLASSES.has(cls)) return config;
  const name = typeof cls === 'string' ? cls : JSON.stringify(cls);
  if (!(typeof cls === 'string' && CHAINED_DATASTORE_CLASSES.has(cls)))
    throw new RepositoryError(
      repository,
      `${where} names datastore ${name}, which butler-ts datastore commands do not support yet; they work on a FileDatastore`,
    );
  if (!chained)
    throw new RepositoryError(
      repository,
      `${where} names a chained datastore (${name}): this command changes a datastore, which butler-ts does only on a FileDatastore; verify, ls and retrieve read the chain's FileDatastore`,
    );
  const children = config.get(['datastore', 'datastores']);
  const files = (Array.isArray(children) ? (children as unknown[]) : []).flatMap((child) => {
    const section =
      typeof child === 'object' && child !== null && 'datastore' in child ? child.datastore : child;
    const childCls = (section as { cls?: unknown } | null)?.cls;
    return typeof childCls === 'string' && FILE_DATASTORE_CLASSES.has(childCls) ? [section] : [];
  });
  if (files.length !== 1)
    throw new RepositoryError(
      repository,
      `${where} names a chained datastore (${name}) with ${files.length} FileDatastore children; butler-ts reads a chain with exactly one`,
    );
  return config.with(['datastore'], files[0]);
}

/**
 * Resolves `<repo>`: a folder holding `butler.yaml` (or the file itself) as daf_butler lays a
 * repository out, or a registry URI with `--root <folder>` for a FileDatastore rooted there.
 *
 * @throws {@link RepositoryError} for a missing folder or `butler.yaml`, a datastore other than
 *   a FileDatastore (or, with `readsChainedFileDatastore`, a chain with one FileDatastore), or a registry URI without `--root`; `RegistryUriError` for a bad URI.
 */
export async function resolveRepository(
  repository: string,
  options: RepositoryCommandOptions,
): Promise<RepositorySpec> {
  if (!isRegistryUri(repository)) return fromFolder(repository, options);
  const registry = parseRegistryUri(repository);
  if (options.root === undefined)
    throw new RepositoryError(
      maskUri(repository),
      `${registry.display} is a registry; give the folder of the datastore's files with --root <folder>, or give a repository folder with a butler.yaml`,
    );
  const butlerRoot = resolve(options.root);
  if (!existsSync(butlerRoot) || !statSync(butlerRoot).isDirectory())
    throw new RepositoryError(registry.display, `--root ${butlerRoot} is not a folder`);
  return {
    display: registry.display,
    configFile: null,
    butlerRoot,
    registry,
    namespace: options.namespace,
    config: new Config({
      datastore: { cls: 'FileDatastore', root: '<butlerRoot>' },
    }),
    registryFiles: registry.engine === 'sqlite' ? [registry.filename] : [],
  };
}

/** An open repository: its registry and its FileDatastore. Close it when done. */
export interface OpenRepository {
  /** How it was found. */
  readonly spec: RepositorySpec;
  /** The registry. */
  readonly registry: Registry;
  /** The datastore. */
  readonly datastore: FileDatastore;
  /** Closes the registry. */
  close(): Promise<void>;
}

function stderrLogger(stderr: Writable): Logger {
  return {
    debug: () => undefined,
    warn: (message) => stderr.write(`butler-ts: warning: ${message}\n`),
    error: (message) => stderr.write(`butler-ts: ${message}\n`),
  };
}

/**
 * Opens the registry (read-only unless `writeable`) and the FileDatastore of a repository. A
 * read-only open never makes the datastore's root folder.
 *
 * @throws as `openRegistry` and `FileDatastore.create`.
 */
export async function openRepository(
  spec: RepositorySpec,
  options: {
    readonly writeable: boolean;
    readonly stderr: Writable;
    readonly dimensionRecords?: DimensionRecordSource;
  },
): Promise<OpenRepository> {
  const registry = await openRegistryAt(
    spec.registry,
    spec.namespace === undefined ? {} : { namespace: spec.namespace },
    options.writeable,
  );
  try {
    const factory = new StorageClassFactory();
    const storageClasses = spec.config.get('storageClasses');
    if (storageClasses !== undefined && storageClasses !== null)
      factory.addFromConfig(new Config({ storageClasses }));
    let config = spec.config;
    if (!options.writeable) config = config.with(['datastore', 'create'], false);
    const datastore = await FileDatastore.create(config, registry.bridges, {
      butlerRoot: spec.butlerRoot,
      storageClassFactory: factory,
      logger: stderrLogger(options.stderr),
      ...(options.dimensionRecords === undefined
        ? {}
        : { dimensionRecords: options.dimensionRecords }),
    });
    return { spec, registry, datastore, close: () => registry.close() };
  } catch (error) {
    await registry.close();
    throw error;
  }
}
