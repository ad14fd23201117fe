// The Butler on a repository whose butler.yaml configures a ChainedDatastore: daf_butler's
// "after" repositories (SQLite and PostgreSQL) with their FileDatastore section moved into a
// chain, behind an InMemoryDatastore or beside a second FileDatastore.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Config } from '@butler-ts/core';
import type { ConfigData } from '@butler-ts/core';
// Types only: the Butler itself must load (and so register) the chained datastore.
import type { ChainedDatastore } from '@butler-ts/datastore-chained';
import { FileDatastore } from '@butler-ts/datastore-file';
import { InMemoryDatastore } from '@butler-ts/datastore-memory';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  butlerSession,
  fixtureValue,
  manifest,
  pgAvailable,
  postgresHarness,
  sqliteHarness,
} from './fixture-repo.ts';

const hasPg = await pgAvailable();
const stored = manifest.datasets.filter((d) => d.location_in_after === 'dataset_location');
const dataId = { instrument: 'DummyCam', detector: 2 };
// Where daf_butler's file template puts interop_dict for detector 2 in interop/run2.
const putPath = 'interop/run2/interop_dict/interop_dict_DummyCam_det02_interop_run2.yaml';
const MEMORY = { cls: 'lsst.daf.butler.datastores.inMemoryDatastore.InMemoryDatastore' };
const MIRROR_TABLE = 'mirror_datastore_records';

/**
 * Rewrites the repository's butler.yaml: its datastore section becomes the children `make`
 * returns from it (JSON is YAML, so the file is written as JSON).
 */
function chainDatastore(root: string, make: (file: ConfigData) => ConfigData[]): void {
  const path = join(root, 'butler.yaml');
  const config = Config.fromYaml(readFileSync(path, 'utf8')).data;
  const chained = {
    ...config,
    datastore: {
      cls: 'lsst.daf.butler.datastores.chainedDatastore.ChainedDatastore',
      datastores: make(config['datastore'] as ConfigData).map((child) => ({ datastore: child })),
    },
  };
  writeFileSync(path, JSON.stringify(chained));
}

describe.each([
  ['SQLite', sqliteHarness, true],
  ['PostgreSQL', postgresHarness, hasPg],
] as const)('Butler on a chained datastore (%s)', (_name, makeHarness, enabled) => {
  const harness = makeHarness();
  const session = butlerSession(harness);

  afterEach(() => session.closeAll());
  afterAll(() => session.cleanup());

  // The dataset IDs a records table holds for `path`.
  async function recordIds(root: string, table: string, path: string): Promise<string[]> {
    const rows = await harness.rows(root, table, ['dataset_id', 'path']);
    return rows.filter((row) => row.endsWith(`|${path}`)).map((row) => row.split('|')[0]!);
  }

  async function memoryThenFile(): Promise<string> {
    const root = await session.repo('after');
    chainDatastore(root, (file) => [MEMORY, file]);
    return root;
  }

  async function twoFiles(): Promise<string> {
    const root = await session.repo('after');
    chainDatastore(root, (file) => [
      file,
      { ...file, root: '<butlerRoot>/mirror', records: { table: MIRROR_TABLE } },
    ]);
    return root;
  }

  it.skipIf(!enabled)(
    'opens a chain of an InMemoryDatastore and a FileDatastore, and reads daf_butler’s datasets',
    async () => {
      const root = await memoryThenFile();
      const butler = await session.open(root);
      const chain = butler.datastore as ChainedDatastore;
      expect(chain.name).toMatch(/^ChainedDatastore\[InMemoryDatastore@[\d.]+,FileDatastore@/);
      expect(chain.datastores.map((d) => d.constructor)).toEqual([
        InMemoryDatastore,
        FileDatastore,
      ]);
      expect((chain.datastores[1] as FileDatastore).root).toBe(root);
      for (const dataset of stored) {
        const where = { collections: [dataset.run] };
        expect(await butler.get(dataset.dataset_type, dataset.data_id, where), dataset.key).toEqual(
          fixtureValue(dataset),
        );
        expect(await butler.exists(dataset.dataset_type, dataset.data_id, where)).toBe(true);
      }
      const dict = stored.find((d) => d.dataset_type === 'interop_dict')!;
      const uri = await butler.getURI('interop_dict', dict.data_id, { collections: dict.run });
      expect(uri.ospath).toBe(join(root, dict.path!));
    },
    120_000,
  );

  it.skipIf(!enabled)(
    'puts into memory and a file through the chain, reads it back after a reopen, and prunes it',
    async () => {
      const root = await memoryThenFile();
      const butler = await session.open(root, { run: 'interop/run2' });
      const value = { seeing: 0.5, band: 'r' };
      const ref = await butler.put(value, 'interop_dict', dataId);
      const [memory, file] = (butler.datastore as ChainedDatastore).datastores;
      expect(await memory!.exists(ref)).toBe(true);
      expect(await file!.exists(ref)).toBe(true);
      // The file is where daf_butler's template puts it (the detector record gives det02).
      expect(existsSync(join(root, putPath))).toBe(true);
      expect(await recordIds(root, 'file_datastore_records', putPath)).toEqual([ref.id]);
      expect(await butler.get('interop_dict', dataId)).toEqual(value);
      expect(await butler.exists('interop_dict', dataId)).toBe(true);
      // The permanent child's URI, not the memory one.
      expect((await butler.getURI('interop_dict', dataId)).ospath).toBe(join(root, putPath));
      await session.closeAll();

      // A new process: memory is empty, the file datastore has it.
      const reopened = await session.open(root, { run: 'interop/run2' });
      const [emptyMemory] = (reopened.datastore as ChainedDatastore).datastores;
      expect(await emptyMemory!.exists(ref)).toBe(false);
      expect(await reopened.get('interop_dict', dataId)).toEqual(value);
      await reopened.pruneDatasets([ref], { unstore: true });
      expect(existsSync(join(root, putPath))).toBe(false);
      expect(await reopened.exists(ref)).toBe(false);
      expect(await recordIds(root, 'file_datastore_records', putPath)).toEqual([]);
      expect((await reopened.findDataset('interop_dict', dataId))?.id).toBe(ref.id);
      await reopened.pruneDatasets([ref], { purge: true });
      expect(await reopened.findDataset('interop_dict', dataId)).toBeNull();
    },
    120_000,
  );

  it.skipIf(!enabled)(
    'puts into both FileDatastores of a chain, reads from the first, and purges from both',
    async () => {
      const root = await twoFiles();
      const butler = await session.open(root, { run: 'interop/run2' });
      const [first, second] = (butler.datastore as ChainedDatastore).datastores as [
        FileDatastore,
        FileDatastore,
      ];
      expect(first.root).toBe(root);
      expect(second.root).toBe(join(root, 'mirror'));
      // daf_butler's datasets are in the first child only.
      const dict = stored.find((d) => d.dataset_type === 'interop_dict')!;
      const where = { collections: dict.run };
      expect(await butler.get('interop_dict', dict.data_id, where)).toEqual(fixtureValue(dict));
      expect(await butler.exists('interop_dict', dict.data_id, where)).toBe(true);

      const value = { seeing: 0.7, band: 'i' };
      const ref = await butler.put(value, 'interop_dict', dataId);
      const mirrored = join(root, 'mirror', putPath);
      expect(readFileSync(join(root, putPath), 'utf8')).toBe(readFileSync(mirrored, 'utf8'));
      expect(await recordIds(root, 'file_datastore_records', putPath)).toEqual([ref.id]);
      expect(await recordIds(root, MIRROR_TABLE, putPath)).toEqual([ref.id]);
      expect(await butler.get('interop_dict', dataId)).toEqual(value);
      expect((await butler.getURI('interop_dict', dataId)).ospath).toBe(join(root, putPath));
      expect(await butler.exists(ref)).toBe(true);

      await butler.pruneDatasets([ref], { purge: true });
      expect(existsSync(join(root, putPath))).toBe(false);
      expect(existsSync(mirrored)).toBe(false);
      expect(await recordIds(root, 'file_datastore_records', putPath)).toEqual([]);
      expect(await recordIds(root, MIRROR_TABLE, putPath)).toEqual([]);
      expect(await butler.findDataset('interop_dict', dataId)).toBeNull();
      expect(await butler.exists(ref)).toBe(false);
    },
    120_000,
  );
});
