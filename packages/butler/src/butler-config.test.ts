import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadButlerConfig } from './butler-config.ts';
import { ButlerConfigError } from './errors.ts';

const SQLITE_YAML = `datastore:
  cls: lsst.daf.butler.datastores.fileDatastore.FileDatastore
  root: <butlerRoot>
registry:
  db: sqlite:///<butlerRoot>/gen3.sqlite3
  managers:
    collections: lsst.daf.butler.registry.collections.synthIntKey.SynthIntKeyCollectionManager
storageClasses:
  StructuredDataDictYaml:
    pytype: dict
`;

const folders: string[] = [];

function repo(yaml: string | null): string {
  const root = mkdtempSync(join(tmpdir(), 'butler-config-'));
  folders.push(root);
  if (yaml !== null) writeFileSync(join(root, 'butler.yaml'), yaml);
  return root;
}

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('loadButlerConfig', () => {
  it('reads a repository folder and puts the folder in place of <butlerRoot> in the db', async () => {
    const root = repo(SQLITE_YAML);
    const config = await loadButlerConfig(root);
    expect(config.root).toBe(root);
    expect(config.file).toBe(join(root, 'butler.yaml'));
    expect(config.db).toBe(`sqlite:///${root}/gen3.sqlite3`);
    expect(config.namespace).toBeNull();
    expect(config.managers['collections']).toBe(
      'lsst.daf.butler.registry.collections.synthIntKey.SynthIntKeyCollectionManager',
    );
    expect(config.datastore.get('datastore.root')).toBe('<butlerRoot>');
    expect(config.storageClasses?.get('StructuredDataDictYaml.pytype')).toBe('dict');
  });

  it('reads the YAML file itself, as a path or a file: URI', async () => {
    const root = repo(SQLITE_YAML);
    const file = join(root, 'butler.yaml');
    expect((await loadButlerConfig(file)).root).toBe(root);
    expect((await loadButlerConfig(pathToFileURL(file).href)).root).toBe(root);
    expect((await loadButlerConfig(pathToFileURL(root).href)).file).toBe(file);
  });

  it('keeps a PostgreSQL db and its namespace', async () => {
    const root = repo(
      SQLITE_YAML.replace(
        'sqlite:///<butlerRoot>/gen3.sqlite3',
        'postgresql://u@h:5432/db',
      ).replace('  managers:', '  namespace: interop_before\n  managers:'),
    );
    const config = await loadButlerConfig(root);
    expect(config.db).toBe('postgresql://u@h:5432/db');
    expect(config.namespace).toBe('interop_before');
  });

  it('names the folder that holds no butler.yaml', async () => {
    const root = repo(null);
    const error = await loadButlerConfig(root).catch((e: unknown) => e);
    expect(ButlerConfigError.is(error)).toBe(true);
    expect((error as ButlerConfigError).location).toBe(join(root, 'butler.yaml'));
  });

  it('takes <butlerRoot> from a top-level root setting, relative to the file', async () => {
    const root = repo(`root: ../elsewhere\n${SQLITE_YAML}`);
    const config = await loadButlerConfig(root);
    expect(config.root).toBe(join(root, '..', 'elsewhere'));
    expect(config.file).toBe(join(root, 'butler.yaml'));
    expect(config.db).toBe(`sqlite:///${join(root, '..', 'elsewhere')}/gen3.sqlite3`);
    const numeric = repo(`root: 3\n${SQLITE_YAML}`);
    await expect(loadButlerConfig(numeric)).rejects.toThrow(/root of .* is not a string/);
  });

  it('names a location that does not exist', async () => {
    const root = repo(null);
    const missing = join(root, 'nowhere');
    await expect(loadButlerConfig(missing)).rejects.toThrow(
      `No butler repository at ${missing}: it does not exist`,
    );
  });

  it('refuses remote repositories', async () => {
    await expect(loadButlerConfig('s3://bucket/repo')).rejects.toThrow(
      'only local paths and file: URIs are supported, not s3:',
    );
  });

  it("takes daf_butler's default registry.db when there is none, and names a bad one", async () => {
    const noDb = repo('datastore:\n  cls: FileDatastore\n');
    expect((await loadButlerConfig(noDb)).db).toBe(`sqlite:///${noDb}/gen3.sqlite3`);
    const badDb = repo('datastore:\n  cls: FileDatastore\nregistry:\n  db: 3\n');
    await expect(loadButlerConfig(badDb)).rejects.toThrow(
      /registry.db of .* is not a non-empty string/,
    );
  });

  it('names a file that is not YAML', async () => {
    const bad = repo('registry: [unclosed\n');
    const error = await loadButlerConfig(bad).catch((e: unknown) => e);
    expect(ButlerConfigError.is(error)).toBe(true);
    expect((error as Error).message).toContain(join(bad, 'butler.yaml'));
  });

  it('names a file without a datastore section', async () => {
    const root = repo('registry:\n  db: sqlite:///<butlerRoot>/gen3.sqlite3\n');
    await expect(loadButlerConfig(root)).rejects.toThrow(/has no datastore section/);
  });
});
