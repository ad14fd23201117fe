import { existsSync, statSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Config } from '@butler-ts/core';
import { FileDatastore } from '@butler-ts/datastore-file';
import { createRegistry } from '@butler-ts/registry-sql';
import type { CommandContext, RegistryCommandOptions } from './context.ts';
import { RepositoryError } from './errors.ts';
import { REPOSITORY_BUTLER_YAML } from './repository-yaml.ts';
import { textTable } from './text-table.ts';

/**
 * `butler-ts create <folder>`: a repository as daf_butler lays one out: the folder (made if
 * missing), a SQLite registry `gen3.sqlite3` with the datastore's records table, and a
 * `butler.yaml` naming both through `<butlerRoot>`, so the folder can be moved.
 *
 * @throws {@link RepositoryError} when the folder already holds a `butler.yaml` or
 *   `gen3.sqlite3`, or is a file. Whatever it made is removed when a later step fails.
 */
export async function createRepositoryCommand(
  folder: string,
  options: RegistryCommandOptions,
  context: CommandContext,
): Promise<void> {
  const root = resolve(folder);
  if (options.namespace !== undefined)
    throw new RepositoryError(
      folder,
      `--namespace applies to a PostgreSQL registry URI; create ${root} makes a SQLite registry in the folder`,
    );
  if (existsSync(root) && !statSync(root).isDirectory())
    throw new RepositoryError(folder, `Cannot create a repository at ${root}: it is a file`);
  for (const name of ['butler.yaml', 'gen3.sqlite3'])
    if (existsSync(join(root, name)))
      throw new RepositoryError(
        folder,
        `Cannot create a repository at ${root}: it already holds ${name}`,
      );
  const madeFolder = !existsSync(root);
  await mkdir(root, { recursive: true });
  const made: string[] = [];
  try {
    made.push(join(root, 'gen3.sqlite3'));
    // daf_butler's schema: its default dimension universe, and the foreign key from the
    // bridge tables to `dataset`, so datasets are registered (through a Butler) before they
    // are stored.
    const registry = await createRegistry(`sqlite:///${join(root, 'gen3.sqlite3')}`);
    let datastoreName: string;
    try {
      const datastore = await FileDatastore.create(
        Config.fromYaml(REPOSITORY_BUTLER_YAML),
        registry.bridges,
        { butlerRoot: root },
      );
      datastoreName = datastore.name;
    } finally {
      await registry.close();
    }
    made.push(join(root, 'butler.yaml'));
    await writeFile(join(root, 'butler.yaml'), REPOSITORY_BUTLER_YAML, { flag: 'wx' });
    await context.out.write(
      `Created repository ${root}\n` +
        textTable(
          ['FILE', 'WHAT'],
          [
            ['butler.yaml', `configuration (registry and ${datastoreName})`],
            ['gen3.sqlite3', 'SQLite registry with the records table file_datastore_records'],
          ],
          { indent: '  ' },
        ),
    );
  } catch (error) {
    if (madeFolder) await rm(root, { recursive: true, force: true });
    else
      for (const file of made)
        for (const suffix of ['', '-wal', '-shm', '-journal'])
          await rm(`${file}${suffix}`, { force: true });
    throw error;
  }
}
