// The Butler on repositories written by daf_butler w.2026.34, SQLite and PostgreSQL: every
// stored dataset of the manifest is found by dataset type + data ID in its run, in the tagged
// collection and through the chain, and read back equal to daf_butler's object; a dataset put
// through the Butler into "before" gives daf_butler's rows and file bytes of "after".
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetIdGenEnum } from '@butler-ts/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Butler } from '../src/index.ts';
import {
  FIXTURE,
  butlerSession,
  fixtureValue,
  manifest,
  pgAvailable,
  postgresHarness,
  readDump,
  rowText,
  sqliteHarness,
} from './fixture-repo.ts';
import type { FixtureState, ManifestDataset } from './fixture-repo.ts';

const stored = manifest.datasets.filter((d) => d.location_in_after === 'dataset_location');
const CHAIN = 'interop/chain';
const TAGGED = 'interop/tagged';
const chainOrder = ['interop/run2', 'interop/run1'];

function sameDataId(a: ManifestDataset, b: ManifestDataset): boolean {
  return (
    a.dataset_type === b.dataset_type && JSON.stringify(a.data_id) === JSON.stringify(b.data_id)
  );
}

/** The dataset the chain finds for `dataset`'s type and data ID: the first in run2, run1. */
function chainHit(dataset: ManifestDataset): ManifestDataset {
  for (const run of chainOrder) {
    const hit = manifest.datasets.find((d) => d.run === run && sameDataId(d, dataset));
    if (hit !== undefined) return hit;
  }
  throw new Error(`no chain hit for ${dataset.key}`);
}

const hasPg = await pgAvailable();

describe.each([
  ['SQLite', sqliteHarness, true],
  ['PostgreSQL', postgresHarness, hasPg],
] as const)('Butler on daf_butler repositories (%s)', (_name, makeHarness, enabled) => {
  const harness = makeHarness();
  const session = butlerSession(harness);

  async function open(state: FixtureState, writeable = false): Promise<[Butler, string]> {
    const root = await session.repo(state);
    return [await session.open(root, { writeable }), root];
  }

  afterEach(() => session.closeAll());
  afterAll(() => session.cleanup());

  it.skipIf(!enabled)(
    'finds every stored dataset in its run and reads it back equal to daf_butler’s object',
    async () => {
      const [butler] = await open('after');
      for (const dataset of stored) {
        const ref = await butler.findDataset(dataset.dataset_type, dataset.data_id, {
          collections: [dataset.run],
        });
        expect(ref?.id, dataset.key).toBe(dataset.id);
        const value = await butler.get(dataset.dataset_type, dataset.data_id, {
          collections: [dataset.run],
        });
        expect(value, dataset.key).toEqual(fixtureValue(dataset));
      }
    },
    120_000,
  );

  it.skipIf(!enabled)(
    'finds the datasets of the tagged collection and, through the chain, the first in run2 then run1',
    async () => {
      const [butler] = await open('after');
      const tagged = stored.filter((d) => (d.tagged_in ?? []).includes(TAGGED));
      expect(tagged.length).toBe(3);
      for (const dataset of tagged) {
        const value = await butler.get(dataset.dataset_type, dataset.data_id, {
          collections: TAGGED,
        });
        expect(value, dataset.key).toEqual(fixtureValue(dataset));
      }
      for (const dataset of stored) {
        const hit = chainHit(dataset);
        const ref = await butler.findDataset(dataset.dataset_type, dataset.data_id, {
          collections: [CHAIN],
        });
        expect(ref?.id, dataset.key).toBe(hit.id);
        expect(ref?.run).toBe(hit.run);
        if (hit.location_in_after === 'dataset_location') {
          expect(
            await butler.get(dataset.dataset_type, dataset.data_id, { collections: CHAIN }),
          ).toEqual(fixtureValue(hit));
        }
      }
    },
    120_000,
  );

  it.skipIf(!enabled)(
    'uses the default collections of fromRepo, and reads a component dataset type',
    async () => {
      const root = await session.repo('after');
      const butler = await session.open(`file://${root}/butler.yaml`, { collections: [CHAIN] });
      expect(butler.isWriteable).toBe(false);
      const composite = stored.find((d) => d.dataset_type === 'interop_composite')!;
      const object = composite.object as Record<string, unknown>;
      expect(await butler.get('interop_composite.summary', composite.data_id)).toEqual(
        object['summary'],
      );
      const json = stored.find((d) => d.key === 'interop_json/run2/v42/det02')!;
      expect(await butler.get('interop_json', json.data_id)).toEqual(fixtureValue(json));
    },
    60_000,
  );

  it.skipIf(!enabled)(
    'reports whether datasets exist: a trashed one until the trash is emptied',
    async () => {
      const [butler] = await open('after', true);
      const kept = stored.find((d) => d.key === 'interop_dict/run1/det01')!;
      expect(await butler.exists(kept.dataset_type, kept.data_id, { collections: kept.run })).toBe(
        true,
      );
      expect(
        await butler.exists(
          'interop_dict',
          { instrument: 'DummyCam', detector: 2 },
          { collections: 'interop/run2' },
        ),
      ).toBe(false);
      // daf_butler's FileDatastore keeps a trashed dataset's records and file until emptyTrash.
      const trashed = manifest.datasets.find((d) => d.key === 'interop_dict/run1/det03')!;
      const where = { collections: trashed.run };
      expect(await butler.exists(trashed.dataset_type, trashed.data_id, where)).toBe(true);
      await butler.datastore.emptyTrash();
      expect(await butler.exists(trashed.dataset_type, trashed.data_id, where)).toBe(false);
      const ref = await butler.findDataset(trashed.dataset_type, trashed.data_id, where);
      expect(ref?.id).toBe(trashed.id);
    },
    60_000,
  );

  it.skipIf(!enabled)(
    'gives the URI of a stored file under the repository root',
    async () => {
      const [butler, root] = await open('after');
      const dataset = stored.find((d) => d.key === 'interop_list/run1/d-r')!;
      const uri = await butler.getURI(dataset.dataset_type, dataset.data_id, {
        collections: dataset.run,
      });
      expect(uri.ospath).toBe(join(root, dataset.path!));
    },
    60_000,
  );

  // Datasets daf_butler put with Datastore.put that are in no tagged collection: removed
  // from "before" (their dataset row; the tags rows cascade), then put through the Butler.
  const putCases = [
    'interop_dict/run1/det02',
    'interop_json/run1/v42/det01',
    'interop_composite/run1/det01',
    'interop_config/run1',
    'interop_list/run1/d-i',
  ];

  it.skipIf(!enabled).each(putCases)(
    'puts %s into "before" with daf_butler’s rows and file bytes',
    async (key) => {
      const dataset = manifest.datasets.find((d) => d.key === key)!;
      expect(dataset.tagged_in ?? []).toEqual([]);
      const root = await session.repo('before');
      const hex = dataset.id.replaceAll('-', '');
      await harness.exec(
        root,
        harness.engine === 'sqlite'
          ? `DELETE FROM dataset WHERE id = '${hex}'`
          : `DELETE FROM dataset WHERE id = '${dataset.id}'`,
      );
      const butler = await session.open(root, { run: dataset.run });
      const ref = await butler.put(
        fixtureValue(dataset, true),
        dataset.dataset_type,
        dataset.data_id,
        {
          idGenerationMode: DatasetIdGenEnum.DATAID_TYPE_RUN,
        },
      );
      expect(ref.id).toBe(dataset.id);

      const engine = harness.engine;
      const mine = (rows: readonly string[]) => rows.filter((row) => row.includes(dataset.id));
      const expectRows = async (table: string, columns: readonly string[]) => {
        const expected = readDump(engine, table).map((r) => rowText(r, columns));
        expect(mine(await harness.rows(root, table, columns)), table).toEqual(
          mine(expected).sort(),
        );
        expect(mine(expected).length, table).toBeGreaterThan(0);
      };
      await expectRows('dataset', ['id', 'dataset_type_id', 'run_id']);
      const tagsTable = readDump(engine, 'dataset_type').find(
        (t) => t['name'] === dataset.dataset_type,
      )!['tag_association_table']!;
      const tagColumns = Object.keys(readDump(engine, tagsTable)[0]!);
      await expectRows(tagsTable, tagColumns);
      await expectRows('file_datastore_records', [
        'dataset_id',
        'path',
        'formatter',
        'storage_class',
        'component',
        'checksum',
        'file_size',
      ]);
      await expectRows('dataset_location', ['datastore_name', 'dataset_id']);
      for (const artifact of dataset.artifacts) {
        const path = artifact.record['path'] as string;
        expect(readFileSync(join(root, path)), path).toEqual(readFileSync(join(FIXTURE, path)));
      }
      expect(await butler.get(dataset.dataset_type, dataset.data_id)).toEqual(
        fixtureValue(dataset),
      );
    },
    60_000,
  );
});
