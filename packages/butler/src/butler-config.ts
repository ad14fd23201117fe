import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Config } from '@butler-ts/core';
import { ButlerConfigError } from './errors.ts';

/** The placeholder daf_butler writes for "the folder that holds this butler.yaml". */
export const BUTLER_ROOT_PLACEHOLDER = '<butlerRoot>';

// daf_butler's default `registry.db` (its registry.yaml), for a butler.yaml that names none.
const DEFAULT_REGISTRY_DB = `sqlite:///${BUTLER_ROOT_PLACEHOLDER}/gen3.sqlite3`;

/** A repository's `butler.yaml`, read and with its registry location resolved. */
export interface ButlerRepoConfig {
  /**
   * The repository root, what `<butlerRoot>` stands for: the absolute folder that holds
   * `butler.yaml`, or its top-level `root` setting (resolved against that folder), as
   * daf_butler's `ButlerConfig` takes it.
   */
  readonly root: string;
  /** The absolute path of the `butler.yaml` read. */
  readonly file: string;
  /** The whole file, as written (placeholders kept). */
  readonly config: Config;
  /**
   * The registry's database URI, `<butlerRoot>` replaced by {@link ButlerRepoConfig.root}
   * (`sqlite:////abs/root/gen3.sqlite3`, `postgresql://user@host:port/db`).
   */
  readonly db: string;
  /** The PostgreSQL schema of the registry (`registry.namespace`), or `null`. */
  readonly namespace: string | null;
  /** The stored manager class names of `registry.managers`, by manager type. */
  readonly managers: Readonly<Record<string, string>>;
  /**
   * The `datastore` section (`{ datastore: … }`), for `Datastore.fromConfig` with
   * {@link ButlerRepoConfig.root} as the butler root (its `<butlerRoot>` stays: the datastore
   * replaces it, and names itself after it, as daf_butler does).
   */
  readonly datastore: Config;
  /** The `storageClasses` section, or `undefined`. */
  readonly storageClasses: Config | undefined;
}

function localPath(location: string): string {
  if (/^file:/i.test(location)) {
    try {
      return fileURLToPath(location);
    } catch (error) {
      throw new ButlerConfigError(location, `Invalid file URI ${JSON.stringify(location)}`, {
        cause: error,
      });
    }
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]+):\/\//.exec(location)?.[1];
  if (scheme !== undefined) {
    throw new ButlerConfigError(
      location,
      `Repository ${JSON.stringify(location)}: only local paths and file: URIs are supported, not ${scheme}:`,
    );
  }
  return isAbsolute(location) ? location : resolve(location);
}

/**
 * Reads a repository's `butler.yaml` as daf_butler's `ButlerConfig` does for a local
 * repository: `location` is the repository folder (holding `butler.yaml`), or the YAML file
 * itself, as a path or a `file:` URI. `<butlerRoot>` in `registry.db` becomes the folder
 * that holds the file, or the file's top-level `root` setting when it has one.
 *
 * @throws {@link ButlerConfigError} naming the location when it is not local, the file is
 *   missing or not YAML, has no `datastore` section, or its `registry.db` or `root` is not a
 *   string. Without `registry.db`, the registry is daf_butler's default,
 *   `sqlite:///<butlerRoot>/gen3.sqlite3`.
 * @example
 * ```ts
 * const repo = await loadButlerConfig('/data/repo');
 * repo.db; // 'sqlite:////data/repo/gen3.sqlite3'
 * ```
 */
export async function loadButlerConfig(location: string): Promise<ButlerRepoConfig> {
  if (typeof location !== 'string' || location === '') {
    throw new ButlerConfigError(
      String(location),
      `A repository location is a non-empty path or file: URI, got ${JSON.stringify(location)}`,
    );
  }
  const path = localPath(location);
  let file = path;
  try {
    if ((await stat(path)).isDirectory()) file = join(path, 'butler.yaml');
  } catch (error) {
    throw new ButlerConfigError(location, `No butler repository at ${path}: it does not exist`, {
      cause: error,
    });
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ButlerConfigError(file, `Cannot read butler configuration ${file}`, {
      cause: error,
    });
  }
  let config: Config;
  try {
    config = Config.fromYaml(text, { source: file });
  } catch (error) {
    throw new ButlerConfigError(
      file,
      `Butler configuration ${file} is not valid YAML: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const rootSetting = config.get('root');
  if (rootSetting !== undefined && rootSetting !== null && typeof rootSetting !== 'string') {
    throw new ButlerConfigError(file, `root of ${file} is not a string`);
  }
  const root =
    typeof rootSetting === 'string' && rootSetting !== ''
      ? resolve(dirname(file), rootSetting)
      : dirname(file);
  const db = config.get('registry.db') ?? DEFAULT_REGISTRY_DB;
  if (typeof db !== 'string' || db === '') {
    throw new ButlerConfigError(file, `registry.db of ${file} is not a non-empty string`);
  }
  const namespace = config.get('registry.namespace');
  if (namespace !== undefined && namespace !== null && typeof namespace !== 'string') {
    throw new ButlerConfigError(file, `registry.namespace of ${file} is not a string`);
  }
  const managers = config.get('registry.managers');
  const datastore = config.section('datastore');
  if (datastore === undefined) {
    throw new ButlerConfigError(file, `Butler configuration ${file} has no datastore section`);
  }
  return Object.freeze({
    root,
    file,
    config,
    db: db.replaceAll(BUTLER_ROOT_PLACEHOLDER, root),
    namespace: namespace ?? null,
    managers: Object.freeze(
      Object.fromEntries(
        Object.entries((managers ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
      ),
    ),
    datastore: new Config({ datastore: datastore.data }),
    storageClasses: config.section('storageClasses'),
  });
}
