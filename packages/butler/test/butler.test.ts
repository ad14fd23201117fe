// Errors, atomic puts and removals of the Butler, on the daf_butler fixture repositories
// (SQLite and PostgreSQL).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetIdGenEnum } from '@butler-ts/core';
import { MissingCollectionError, MissingDatasetTypeError } from '@butler-ts/registry-interfaces';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  DatasetNotFoundInCollectionsError,
  NoDefaultCollectionError,
  ReadOnlyButlerError,
} from '../src/index.ts';
import {
  butlerSession,
  fixtureValue,
  manifest,
  pgAvailable,
  postgresHarness,
  sqliteHarness,
} from './fixture-repo.ts';

const hasPg = await pgAvailable();

// The datastore's files (the registry's own files, SQLite's -wal and -shm among them, aside).
function filesUnder(root: string): string[] {
  const folder = join(root, 'interop');
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

const dict1 = manifest.datasets.find((d) => d.key === 'interop_dict/run1/det01')!;

describe.each([
  ['SQLite', sqliteHarness, true],
  ['PostgreSQL', postgresHarness, hasPg],
] as const)('Butler (%s)', (_name, makeHarness, enabled) => {
  const session = butlerSession(makeHarness());
  const { repo, open } = session;

  afterEach(() => session.closeAll());
  afterAll(() => session.cleanup());

  it.skipIf(!enabled)(
    'names the dataset type, data ID and collections when nothing is found',
    async () => {
      const butler = await open(await repo('after'), { collections: ['interop/run2'] });
      const error = await butler
        .get('interop_dict', { instrument: 'DummyCam', detector: 1 })
        .catch((e: unknown) => e);
      expect(DatasetNotFoundInCollectionsError.is(error)).toBe(true);
      expect((error as Error).message).toBe(
        'Dataset interop_dict with data ID {"instrument":"DummyCam","detector":1} could not be found in collections ["interop/run2"].',
      );
      const unknownType = await butler.get('no_such_type', {}).catch((e: unknown) => e);
      expect(MissingDatasetTypeError.is(unknownType)).toBe(true);
      expect((unknownType as Error).message).toContain('no_such_type');
      const unknownCollection = await butler
        .get('interop_dict', dict1.data_id, { collections: 'no/such/run' })
        .catch((e: unknown) => e);
      expect(MissingCollectionError.is(unknownCollection)).toBe(true);
      expect((unknownCollection as Error).message).toContain('no/such/run');
    },
    60_000,
  );

  it.skipIf(!enabled)(
    'refuses to search without collections and to put without a run',
    async () => {
      const butler = await open(await repo('after'), { writeable: true });
      await expect(butler.get('interop_dict', dict1.data_id)).rejects.toSatisfy((e) =>
        NoDefaultCollectionError.is(e),
      );
      await expect(butler.put({ a: 1 }, 'interop_dict', dict1.data_id)).rejects.toSatisfy((e) =>
        NoDefaultCollectionError.is(e),
      );
    },
    60_000,
  );

  it.skipIf(!enabled)(
    'refuses to write through a read-only Butler, and writes nothing',
    async () => {
      const root = await repo('after');
      const before = filesUnder(root);
      const butler = await open(root, { collections: ['interop/run1'] });
      expect(butler.isWriteable).toBe(false);
      const error = await butler
        .put({ a: 1 }, 'interop_dict', { instrument: 'DummyCam', detector: 2 }, { run: 'new/run' })
        .catch((e: unknown) => e);
      expect(ReadOnlyButlerError.is(error)).toBe(true);
      expect((error as Error).message).toContain('put');
      await expect(butler.removeRuns(['interop/run1'])).rejects.toSatisfy((e) =>
        ReadOnlyButlerError.is(e),
      );
      await expect(butler.pruneDatasets([], { purge: true })).rejects.toSatisfy((e) =>
        ReadOnlyButlerError.is(e),
      );
      expect(filesUnder(root)).toEqual(before);
    },
    60_000,
  );

  it.skipIf(!enabled)(
    'puts with a random id by default, and finds what it put',
    async () => {
      const root = await repo('after');
      const butler = await open(root, { run: 'interop/run2' });
      const value = { seeing: 0.5, band: 'r' };
      const dataId = { instrument: 'DummyCam', detector: 2 };
      const ref = await butler.put(value, 'interop_dict', dataId);
      expect(ref.id).not.toBe(dict1.id);
      expect(ref.id[14]).toBe('7'); // a UUIDv7
      expect(await butler.get('interop_dict', dataId)).toEqual(value);
      const uri = await butler.getURI('interop_dict', dataId);
      expect(uri.ospath).toBe(
        join(root, 'interop/run2/interop_dict/interop_dict_DummyCam_det02_interop_run2.yaml'),
      );
    },
    60_000,
  );

  it.skipIf(!enabled)(
    'leaves neither rows nor files when the datastore cannot write the dataset',
    async () => {
      const root = await repo('after');
      const files = filesUnder(root);
      const butler = await open(root, { run: 'interop/run2' });
      const dataId = { instrument: 'DummyCam', detector: 2 };
      const cyclic: Record<string, unknown> = { a: 1 };
      cyclic['self'] = cyclic;
      await expect(butler.put(cyclic, 'interop_dict', dataId)).rejects.toThrow();
      expect(await butler.findDataset('interop_dict', dataId)).toBeNull();
      expect(filesUnder(root)).toEqual(files);
      // The run takes the dataset afterwards: nothing of the failed put is in the way.
      await butler.put({ a: 2 }, 'interop_dict', dataId);
      expect(await butler.get('interop_dict', dataId)).toEqual({ a: 2 });
    },
    60_000,
  );

  it.skipIf(!enabled)(
    'refuses a second dataset with the same type and data ID in a run, writing no file',
    async () => {
      const root = await repo('after');
      const files = filesUnder(root);
      const butler = await open(root, { run: dict1.run });
      await expect(
        butler.put({ other: true }, 'interop_dict', dict1.data_id, {
          idGenerationMode: DatasetIdGenEnum.DATAID_TYPE_RUN,
        }),
      ).rejects.toThrow(/interop_dict/);
      expect(filesUnder(root)).toEqual(files);
      expect(await butler.get('interop_dict', dict1.data_id)).toEqual(fixtureValue(dict1));
    },
    60_000,
  );

  it.skipIf(!enabled)(
    'removes a run with its datasets and their files',
    async () => {
      const root = await repo('after');
      const butler = await open(root, { writeable: true });
      // run2 is a child of the chain: unchain it first, as daf_butler requires.
      await butler.registry.collections.setChain('interop/chain', ['interop/run1']);
      await butler.removeRuns(['interop/run2']);
      expect(await butler.registry.collections.get('interop/run2')).toBeNull();
      expect(filesUnder(root).filter((f) => f.includes('/run2/'))).toEqual([]);
      const run1 = manifest.datasets.find((d) => d.key === 'interop_dict/run1/det02')!;
      expect(
        await butler.get('interop_dict', run1.data_id, { collections: 'interop/run1' }),
      ).toEqual(fixtureValue(run1));
    },
    60_000,
  );

  it.skipIf(!enabled)(
    'prunes datasets: unstore keeps the registry entry, purge removes it',
    async () => {
      const root = await repo('after');
      const butler = await open(root, { writeable: true, collections: ['interop/run1'] });
      const det02 = manifest.datasets.find((d) => d.key === 'interop_dict/run1/det02')!;
      const ref = (await butler.findDataset('interop_dict', det02.data_id))!;
      const file = (await butler.getURI(ref)).ospath!;
      await butler.pruneDatasets([ref], { unstore: true });
      expect(existsSync(file)).toBe(false);
      expect((await butler.findDataset('interop_dict', det02.data_id))?.id).toBe(det02.id);
      expect(await butler.exists(ref)).toBe(false);
      await butler.pruneDatasets([ref], { purge: true });
      expect(await butler.findDataset('interop_dict', det02.data_id)).toBeNull();
      const tagged = (await butler.findDataset('interop_dict', dict1.data_id))!;
      await butler.pruneDatasets([tagged], { tags: ['interop/tagged'] });
      expect(
        await butler.findDataset('interop_dict', dict1.data_id, { collections: 'interop/tagged' }),
      ).toBeNull();
      expect(await butler.exists(tagged)).toBe(true);
    },
    60_000,
  );
});
