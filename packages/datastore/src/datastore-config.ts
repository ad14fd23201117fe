import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Config, configSubset } from '@butler-ts/core';
import type { ConfigInput } from '@butler-ts/core';

/**
 * A datastore configuration: the `datastore` section of a butler configuration, with at
 * least `cls` once loaded by `Datastore.fromConfig` (Python `DatastoreConfig`). An immutable
 * core `Config`.
 */
export type DatastoreConfig = Config;

/** A folder where default configuration files are looked up: a path or a `file:` URL. */
export type ConfigSearchPath = string | URL;

/**
 * The `datastore` section of `input` over `defaults` (lowest priority first): the input's
 * `datastore.datastore` section if it has one, else its `datastore` section, else the whole
 * input; each default layer is reduced the same way.
 *
 * @throws `ValidationError` if the input or a layer is not a mapping.
 * @example
 * ```ts
 * datastoreConfig({ datastore: { cls: 'InMemoryDatastore' } }).get('cls'); // 'InMemoryDatastore'
 * ```
 */
export function datastoreConfig(
  input: ConfigInput,
  defaults: readonly ConfigInput[] = [],
): DatastoreConfig {
  return configSubset(input, { component: 'datastore', defaults });
}

function isMissingFile(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Reads `file` (a path relative to `directory`) as YAML, or returns `null` when it does not
 * exist: as in daf_butler, a missing default file is silently skipped.
 *
 * @throws `ValidationError` for a file that exists but is not a YAML mapping.
 */
export async function readConfigFile(
  directory: ConfigSearchPath,
  file: string,
): Promise<Config | null> {
  const location =
    directory instanceof URL
      ? new URL(file, directory.href.endsWith('/') ? directory : new URL(`${directory.href}/`))
      : join(directory, file);
  let text: string;
  try {
    text = await readFile(location, 'utf8');
  } catch (error) {
    if (isMissingFile(error)) return null;
    throw error;
  }
  return Config.fromYaml(text, {
    source: location instanceof URL ? location.href : location,
  });
}
