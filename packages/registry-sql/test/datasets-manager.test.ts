// ByDimensionsDatasetRecordStorageManagerUUID on new databases: SQLite file, memory and
// PostgreSQL.
import { DataCoordinate, DatasetIdGenEnum, DatasetType } from '@butler-ts/core';
import type { DataIdValue, DatasetRef } from '@butler-ts/core';
import {
  CollectionType,
  CollectionTypeError,
  ConflictingDatasetTypeError,
  DataIdError,
  DatasetConflictError,
  LookupError,
  MissingCollectionError,
  MissingDatasetTypeError,
  OrphanedRecordError,
} from '@butler-ts/registry-interfaces';
import type { DataIdInput, Database, Row } from '@butler-ts/registry-interfaces';
import { rejection } from '@butler-ts/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURE_UNIVERSE, places } from './datasets-harness.ts';
import type { Managers, Place } from './datasets-harness.ts';
import { pgAvailable } from './postgres-harness.ts';

const pgUp = await pgAvailable();
const universe = FIXTURE_UNIVERSE;

const calexp = new DatasetType('calexp', ['detector'], 'StructuredDataDict', { universe });
const flat = new DatasetType('flat_like', ['instrument', 'detector'], 'StructuredData', {
  universe,
});
const config = new DatasetType('config', [], 'StructuredDataDict', { universe });
const visitType = new DatasetType('src', ['visit', 'detector'], 'StructuredDataDict', {
  universe,
});

/** Every row of the tables of the datasets and collections managers, for "nothing written". */
async function contents(m: Managers): Promise<Record<string, Row[]>> {
  const out: Record<string, Row[]> = {};
  for (const name of [...(await m.db.tableNames())].sort()) {
    if (!/^(dataset|collection|run|dimension_graph)/.test(name)) continue;
    const spec = (await m.db.inspectTable(name))!;
    const table = (await m.db.getExistingTable(name, spec))!;
    const text = (r: Row) =>
      JSON.stringify(r, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
    out[name] = (await m.db.fetch(table)).map((r) => ({ ...r }));
    out[name].sort((a, b) => (text(a) < text(b) ? -1 : 1));
  }
  return out;
}

async function rows(db: Database, name: string): Promise<Row[]> {
  const spec = (await db.inspectTable(name))!;
  return db.fetch((await db.getExistingTable(name, spec))!);
}

/** A registry with runs r1, r2, tagged t, chain c = [r2, r1] and dataset type calexp. */
async function populated(place: Place): Promise<Managers> {
  const m = await place.fresh();
  await m.collections.registerRun('r1');
  await m.collections.registerRun('r2');
  await m.collections.register('t', CollectionType.TAGGED);
  await m.collections.register('c', CollectionType.CHAINED);
  await m.collections.setChain('c', ['r2', 'r1']);
  await m.datasets.registerDatasetType(calexp);
  return m;
}

const det = (detector: number, instrument = 'Cam') => ({ instrument, detector });

describe.each(places(pgUp, 'butler-datasets'))(
  'datasets manager on $name',
  { timeout: 120_000 },
  (place) => {
    afterAll(() => place.cleanup());

    describe.skipIf(!place.available)('', () => {
      it('registers dataset types, with one tags table per dimension group', async () => {
        const m = await place.fresh();
        expect(await m.datasets.registerDatasetType(calexp)).toBe(true);
        expect(await m.datasets.registerDatasetType(flat)).toBe(true);
        expect(await m.datasets.registerDatasetType(config)).toBe(true);
        expect(await m.datasets.registerDatasetType(calexp)).toBe(false);
        expect(
          (await rows(m.db, 'dataset_type')).map((r) => [
            r.id,
            r.name,
            r.storage_class,
            r.dimensions_key,
            r.tag_association_table,
            r.calibration_association_table,
          ]),
        ).toEqual([
          [1, 'calexp', 'StructuredDataDict', 1, 'dataset_tags_00000001', null],
          [2, 'flat_like', 'StructuredData', 1, 'dataset_tags_00000001', null],
          [3, 'config', 'StructuredDataDict', 0, 'dataset_tags_00000000', null],
        ]);
        const tables = await m.db.tableNames();
        expect(tables.has('dataset_tags_00000000')).toBe(true);
        expect(tables.has('dataset_tags_00000001')).toBe(true);
        expect(
          (await m.db.inspectTable('dataset_tags_00000001'))!.fields.map((f) => f.name),
        ).toEqual(['dataset_type_id', 'dataset_id', 'collection_id', 'instrument', 'detector']);
        expect((await m.datasets.getDatasetType('calexp'))!.equals(calexp)).toBe(true);
        expect((await m.datasets.allDatasetTypes()).map((t) => t.name)).toEqual([
          'calexp',
          'config',
          'flat_like',
        ]);
      });

      it('refuses a conflicting re-definition, naming both, writing nothing', async () => {
        const m = await place.fresh();
        await m.datasets.registerDatasetType(calexp);
        const before = await contents(m);
        const other = new DatasetType('calexp', ['visit'], 'StructuredDataDict', { universe });
        const error = await rejection(m.datasets.registerDatasetType(other));
        expect(ConflictingDatasetTypeError.is(error)).toBe(true);
        expect((error as Error).message).toBe(
          'Dataset type calexp(dimensions=[instrument, visit], storageClass=StructuredDataDict) conflicts with the registered definition calexp(dimensions=[instrument, detector], storageClass=StructuredDataDict)',
        );
        const sc = new DatasetType('calexp', ['detector'], 'StructuredData', { universe });
        expect(
          ConflictingDatasetTypeError.is(await rejection(m.datasets.registerDatasetType(sc))),
        ).toBe(true);
        expect(await contents(m)).toEqual(before);
        const missing = await rejection(m.datasets.findDatasetType('nope'));
        expect(MissingDatasetTypeError.is(missing)).toBe(true);
        expect((missing as MissingDatasetTypeError).key).toBe('nope');
      });

      it('inserts into a run: dataset, tags and summary rows', async () => {
        const m = await populated(place);
        const refs = await m.datasets.insert('calexp', 'r1', [det(1), det(2)], {
          idGenerationMode: DatasetIdGenEnum.DATAID_TYPE_RUN,
        });
        const run = (await m.collections.find('r1')).key;
        expect(refs.map((r) => [r.run, r.dataId.toJSON()])).toEqual([
          ['r1', det(1)],
          ['r1', det(2)],
        ]);
        const datasets = await rows(m.db, 'dataset');
        expect(datasets.map((r) => [r.id, r.dataset_type_id, r.run_id]).sort()).toEqual(
          refs.map((r) => [r.id, 1, run]).sort(),
        );
        // ingest_date: TAI nanoseconds, within a minute of now (TAI is 37 s ahead of UTC).
        const ingest = Number((datasets[0]!.ingest_date as { nsec: bigint }).nsec / 1_000_000n);
        expect(Math.abs(ingest - 37_000 - Date.now())).toBeLessThan(60_000);
        expect(
          (await rows(m.db, 'dataset_tags_00000001'))
            .map((r) => [
              r.dataset_type_id,
              r.dataset_id,
              r.collection_id,
              r.instrument,
              r.detector,
            ])
            .sort(),
        ).toEqual(refs.map((r) => [1, r.id, run, 'Cam', r.dataId.get('detector')]).sort());
        expect(await rows(m.db, 'collection_summary_dataset_type')).toEqual([
          { collection_id: run, dataset_type_id: 1 },
        ]);
        expect(await rows(m.db, 'collection_summary_instrument')).toEqual([
          { collection_id: run, instrument: 'Cam' },
        ]);
        expect(await rows(m.db, 'collection_summary_skymap')).toEqual([]);
      });

      it('makes ids as daf_butler: UUIDv7 by default, reproducible UUIDv5 on request', async () => {
        const m = await populated(place);
        const [unique] = await m.datasets.insert('calexp', 'r1', [det(1)]);
        expect(unique!.id[14]).toBe('7');
        const [a] = await m.datasets.insert('calexp', 'r2', [det(1)], {
          idGenerationMode: DatasetIdGenEnum.DATAID_TYPE_RUN,
        });
        expect(a!.id[14]).toBe('5');
        const [b] = await m.datasets.insert('calexp', 'r1', [det(2)], {
          idGenerationMode: DatasetIdGenEnum.DATAID_TYPE,
        });
        expect(b!.id[14]).toBe('5');
        // DATAID_TYPE ignores the run: the same data ID in another run has the same id,
        // which the dataset table refuses.
        const error = await rejection(
          m.datasets.insert('calexp', 'r2', [det(2)], {
            idGenerationMode: DatasetIdGenEnum.DATAID_TYPE,
          }),
        );
        expect(DatasetConflictError.is(error)).toBe(true);
        expect((await m.datasets.getDatasetRef(b!.id))!.run).toBe('r1');
      });

      it('refuses every bad insert with a typed error naming the culprit, writing nothing', async () => {
        const m = await populated(place);
        await m.datasets.insert('calexp', 'r1', [det(1)]);
        const before = await contents(m);
        const cases: [() => Promise<unknown>, (e: unknown) => boolean, string][] = [
          [
            () => m.datasets.insert('nope', 'r1', [det(1)]),
            MissingDatasetTypeError.is.bind(MissingDatasetTypeError),
            "'nope'",
          ],
          [
            () => m.datasets.insert('calexp', 'ghost', [det(1)]),
            MissingCollectionError.is.bind(MissingCollectionError),
            "'ghost'",
          ],
          [
            () => m.datasets.insert('calexp', 't', [det(2)]),
            CollectionTypeError.is.bind(CollectionTypeError),
            '"t": it is a TAGGED collection, not RUN',
          ],
          [
            () => m.datasets.insert('calexp', 'c', [det(2)]),
            CollectionTypeError.is.bind(CollectionTypeError),
            '"c": it is a CHAINED collection',
          ],
          [
            () => m.datasets.insert('calexp', 'r1', [{ instrument: 'Cam' }]),
            DataIdError.is.bind(DataIdError),
            "dimension 'detector'",
          ],
          [
            () => m.datasets.insert('calexp', 'r1', [{ instrument: 'Cam', detector: 'x' }]),
            DataIdError.is.bind(DataIdError),
            "'detector' must be an integer",
          ],
          [
            () => m.datasets.insert('calexp', 'r1', [det(3), det(3)]),
            DatasetConflictError.is.bind(DatasetConflictError),
            '{instrument: "Cam", detector: 3} is given twice',
          ],
          [
            () => m.datasets.insert('calexp', 'r1', [det(4), det(1)]),
            DatasetConflictError.is.bind(DatasetConflictError),
            '{instrument: "Cam", detector: 1} is already in run "r1"',
          ],
        ];
        for (const [run, is, text] of cases) {
          const error = await rejection(run());
          expect(is(error), String(error)).toBe(true);
          expect((error as Error).message).toContain(text);
        }
        expect(await contents(m)).toEqual(before);
      });

      it('finds the first dataset in collection order, chains expanded', async () => {
        const m = await populated(place);
        const [r1d1, r1d2] = await m.datasets.insert('calexp', 'r1', [det(1), det(2)]);
        const [r2d2, r2d3] = await m.datasets.insert('calexp', 'r2', [det(2), det(3)]);
        const id = async (dataId: DataIdInput, collections: string[]) =>
          (await m.datasets.find('calexp', dataId, collections))?.id ?? null;
        expect(await id(det(1), ['r1'])).toBe(r1d1!.id);
        expect(await id(det(2), ['r1'])).toBe(r1d2!.id);
        expect(await id(det(2), ['c'])).toBe(r2d2!.id);
        expect(await id(det(2), ['r1', 'c'])).toBe(r1d2!.id);
        expect(await id(det(1), ['c'])).toBe(r1d1!.id);
        expect(await id(det(3), ['r1'])).toBeNull();
        expect(await id(det(1), ['t'])).toBeNull();
        const found = await m.datasets.findDatasets(
          'calexp',
          [det(3), det(9), det(1), DataCoordinate.standardize(det(2), { universe })],
          ['c'],
        );
        expect(found.map((r) => r?.id ?? null)).toEqual([r2d3!.id, null, r1d1!.id, r2d2!.id]);
        expect(found[0]!.run).toBe('r2');
        expect(found[0]!.dataId.toJSON()).toEqual(det(3));
        expect(found[0]!.datasetType.equals(calexp)).toBe(true);
      });

      it('finds many data IDs across a chain', async () => {
        const m = await populated(place);
        const ids = Array.from({ length: 12_000 }, (_, i) => det(i));
        const r1 = await m.datasets.insert('calexp', 'r1', ids.slice(0, 6000));
        const r2 = await m.datasets.insert('calexp', 'r2', ids.slice(3000, 12_000));
        const found = await m.datasets.findDatasets('calexp', ids, ['c']);
        expect(found.map((r) => r!.id)).toEqual([
          ...r1.slice(0, 3000).map((r) => r.id),
          ...r2.map((r) => r.id),
        ]);
      });

      it('finds data IDs of one and four required dimensions, in runs and TAGGED', async () => {
        // One value per data ID and four (more than the three passed to a lookup directly).
        const m = await populated(place);
        const byInstrument = new DatasetType('camera_like', ['instrument'], 'StructuredData', {
          universe,
        });
        const wide = new DatasetType(
          'wide_like',
          ['physical_filter', 'detector', 'day_obs'],
          'StructuredData',
          { universe },
        );
        expect(wide.dimensions.required).toHaveLength(4);
        await m.datasets.registerDatasetType(byInstrument);
        await m.datasets.registerDatasetType(wide);
        const [camA] = await m.datasets.insert('camera_like', 'r1', [{ instrument: 'A' }]);
        const [camB] = await m.datasets.insert('camera_like', 'r2', [{ instrument: 'B' }]);
        const patch = (detector: number, filter = 'r1') => ({
          instrument: 'Cam',
          physical_filter: filter,
          detector,
          day_obs: 20_261_206,
        });
        const inR1 = await m.datasets.insert('wide_like', 'r1', [patch(1), patch(2), patch(3)]);
        const inR2 = await m.datasets.insert('wide_like', 'r2', [patch(2), patch(2, 'g1')]);
        await m.datasets.associate('t', [inR1[2]!]);
        expect(
          (
            await m.datasets.findDatasets(
              'camera_like',
              [{ instrument: 'B' }, { instrument: 'C' }, { instrument: 'A' }],
              ['c'],
            )
          ).map((r) => r?.id ?? null),
        ).toEqual([camB!.id, null, camA!.id]);
        const found = await m.datasets.findDatasets(
          'wide_like',
          [patch(3), patch(2, 'g1'), patch(2), patch(1), patch(1, 'g1'), patch(3, 'i1')],
          ['t', 'c'],
        );
        expect(found.map((r) => (r === null ? null : [r.id, r.run]))).toEqual([
          [inR1[2]!.id, 'r1'],
          [inR2[1]!.id, 'r2'],
          [inR2[0]!.id, 'r2'],
          [inR1[0]!.id, 'r1'],
          null,
          null,
        ]);
        expect(found[1]!.dataId.toJSON()).toEqual(patch(2, 'g1'));
      });

      it('finds through TAGGED collections in a chain, giving the run of each dataset', async () => {
        const m = await populated(place);
        const [r1d1, r1d2] = await m.datasets.insert('calexp', 'r1', [det(1), det(2)]);
        const [r2d1, r2d3] = await m.datasets.insert('calexp', 'r2', [det(1), det(3)]);
        await m.datasets.associate('t', [r1d1!, r2d3!]);
        await m.collections.register('tc', CollectionType.CHAINED);
        await m.collections.setChain('tc', ['t', 'c']);
        const found = await m.datasets.findDatasets(
          'calexp',
          [det(1), det(2), det(3), det(4)],
          ['tc'],
        );
        expect(found.map((r) => (r === null ? null : [r.id, r.run]))).toEqual([
          [r1d1!.id, 'r1'],
          [r1d2!.id, 'r1'],
          [r2d3!.id, 'r2'],
          null,
        ]);
        // The same collections in another order: the runs' datasets come first.
        const runsFirst = await m.datasets.findDatasets('calexp', [det(1), det(3)], ['c', 't']);
        expect(runsFirst.map((r) => [r!.id, r!.run])).toEqual([
          [r2d1!.id, 'r2'],
          [r2d3!.id, 'r2'],
        ]);
        expect((await m.datasets.findDatasets('calexp', [det(1)], ['t']))[0]!.run).toBe('r1');
      });

      it('finds data IDs given with implied values, as coordinates, repeated or unknown', async () => {
        const m = await populated(place);
        await m.datasets.registerDatasetType(visitType);
        const [a, b] = await m.datasets.insert('src', 'r1', [
          { instrument: 'Cam', visit: 7, detector: 1 },
          { instrument: 'Cam', visit: 8, detector: 2 },
        ]);
        const [c] = await m.datasets.insert('src', 'r2', [
          { instrument: 'Cam', visit: 8, detector: 2 },
        ]);
        const withImplied = {
          instrument: 'Cam',
          visit: 7,
          detector: 1,
          physical_filter: 'g',
          day_obs: 1,
        };
        const coordinate = DataCoordinate.standardize(
          { instrument: 'Cam', visit: 8, detector: 2 },
          { dimensions: visitType.dimensions },
        );
        const found = await m.datasets.findDatasets(
          'src',
          [
            withImplied,
            coordinate,
            withImplied,
            { instrument: 'Cam', visit: 9, detector: 1 },
            { instrument: 'Other', visit: 7, detector: 1 },
            coordinate,
          ],
          ['c'],
        );
        expect(found.map((r) => r?.id ?? null)).toEqual([a!.id, c!.id, a!.id, null, null, c!.id]);
        expect(found[0]!.dataId.requiredValues).toEqual(['Cam', 1, 7]);
        expect(found[0]!.dataId.hasFull()).toBe(false);
        expect(found[1]!.run).toBe('r2');
        expect((await m.datasets.findDatasets('src', [coordinate], ['r1']))[0]!.id).toBe(b!.id);
        // The same data ID throughout, one dimension varying, and both varying.
        expect(
          (await m.datasets.findDatasets('calexp', [det(5), det(5)], ['c'])).every(
            (r) => r === null,
          ),
        ).toBe(true);
        const [d1, d2] = await m.datasets.insert('calexp', 'r1', [det(5), det(5, 'Other')]);
        expect(
          (await m.datasets.findDatasets('calexp', [det(5), det(5)], ['c'])).map((r) => r!.id),
        ).toEqual([d1!.id, d1!.id]);
        expect(
          (
            await m.datasets.findDatasets(
              'calexp',
              [det(5, 'Other'), det(5), det(5, 'Nope')],
              ['c'],
            )
          ).map((r) => r?.id ?? null),
        ).toEqual([d2!.id, d1!.id, null]);
        expect(
          (
            await m.datasets.findDatasets(
              'calexp',
              [det(6, 'Other'), det(5, 'Other'), det(5)],
              ['c'],
            )
          ).map((r) => r?.id ?? null),
        ).toEqual([null, d2!.id, d1!.id]);
      });

      it('finds nothing for no data IDs or no collections, and more data IDs than SQLite binds', async () => {
        const m = await populated(place);
        await m.datasets.registerDatasetType(visitType);
        expect(await m.datasets.findDatasets('src', [], ['c'])).toEqual([]);
        const [one] = await m.datasets.insert('calexp', 'r1', [det(1)]);
        expect(await m.datasets.findDatasets('calexp', [det(1)], [])).toEqual([null]);
        // 33 000 data IDs (over SQLite's 32 766 bound values), two dimensions varying.
        const ids = Array.from({ length: 33_000 }, (_, i) => ({
          instrument: 'Cam',
          visit: Math.floor(i / 100),
          detector: i % 100,
        }));
        const stored = ids.filter((_, i) => i % 997 === 0 || i === 32_999);
        const r1 = await m.datasets.insert('src', 'r1', stored);
        const r2 = await m.datasets.insert('src', 'r2', stored.slice(0, 10));
        const found = await m.datasets.findDatasets('src', ids, ['c']);
        const expected = new Map(stored.map((d, k) => [ids.indexOf(d), (r2[k] ?? r1[k])!.id]));
        expect(found.length).toBe(33_000);
        expect(found.flatMap((r, i) => (r === null ? [] : [[i, r.id]]))).toEqual([...expected]);
        // One dimension varying over 33 000 values.
        const many = Array.from({ length: 33_000 }, (_, i) => det(i));
        const hits = await m.datasets.findDatasets('calexp', many, ['c']);
        expect(hits.flatMap((r, i) => (r === null ? [] : [[i, r.id]]))).toEqual([[1, one!.id]]);
      });

      it('finds the same whether a run is read whole or looked up per data ID', async () => {
        // A run holding no more datasets of the type than the data IDs left to find is read
        // whole on SQLite, a larger one looked up per data ID: both in one search, and each
        // alone, must give every data ID its first dataset in collection order, with its run.
        const m = await populated(place);
        await m.datasets.registerDatasetType(visitType);
        const src = (i: number, instrument = 'Cam') => ({
          instrument,
          visit: Math.floor(i / 10),
          detector: i % 10,
        });
        const inR1 = Array.from({ length: 60 }, (_, i) => src(i));
        const inR2 = [src(3), src(17), src(42), src(55), src(3, 'Other')];
        const r1 = await m.datasets.insert('src', 'r1', inR1);
        const r2 = await m.datasets.insert('src', 'r2', inR2);
        type Src = ReturnType<typeof src>;
        type Run = readonly [name: string, dataIds: Src[], refs: DatasetRef[]];
        // The first run of `path` holding `dataId`: its dataset's ID and the run's name.
        const expectedIn =
          (path: readonly Run[]) =>
          (dataId: Src): [string, string] | null => {
            for (const [name, dataIds, refs] of path) {
              const k = dataIds.findIndex(
                (d) =>
                  d.instrument === dataId.instrument &&
                  d.visit === dataId.visit &&
                  d.detector === dataId.detector,
              );
              if (k >= 0) return [refs[k]!.id, name];
            }
            return null;
          };
        const got = async (dataIds: Src[], collections = ['c']) =>
          (await m.datasets.findDatasets('src', dataIds, collections)).map((r) =>
            r === null ? null : [r.id, r.run],
          );
        const runR1: Run = ['r1', inR1, r1];
        const expected = expectedIn([['r2', inR2, r2], runR1]);
        // 10 data IDs: r2 (5 datasets) read whole, r1 (60) looked up; a repeat, a data ID of
        // another instrument in r2 only, and ones in no run.
        const few = [src(3), src(4), src(3), src(3, 'Other'), src(4, 'Other'), src(99), src(55)];
        few.push(src(17), src(59), src(0));
        expect(await got(few)).toEqual(few.map(expected));
        // 70 data IDs: both runs read whole.
        const all = Array.from({ length: 70 }, (_, i) => src(69 - i));
        expect(await got(all)).toEqual(all.map(expected));
        // One at a time: both runs looked up.
        for (const dataId of few) expect(await got([dataId])).toEqual([expected(dataId)]);
        // Two and three data IDs against a run of two: too few to ask whether to read it
        // whole, so looked up, then r1 looked up for the rest; src(99) is in neither.
        await m.collections.registerRun('r3');
        const inR3 = [src(5), src(6, 'Other')];
        const r3 = await m.datasets.insert('src', 'r3', inR3);
        for (const dataIds of [
          [src(6, 'Other'), src(5)],
          [src(5), src(7), src(6, 'Other')],
          [src(8), src(99)],
        ]) {
          expect(await got(dataIds, ['r3', 'r1'])).toEqual(
            dataIds.map(expectedIn([['r3', inR3, r3], runR1])),
          );
        }
      });

      it('refuses a find with an unknown type, collection or incomplete data ID', async () => {
        const m = await populated(place);
        expect(
          MissingDatasetTypeError.is(await rejection(m.datasets.find('x', det(1), ['r1']))),
        ).toBe(true);
        const missing = await rejection(m.datasets.find('calexp', det(1), ['r1', 'ghost']));
        expect(MissingCollectionError.is(missing)).toBe(true);
        expect((missing as MissingCollectionError).key).toBe('ghost');
        const bad = await rejection(m.datasets.find('calexp', { detector: 1 }, ['r1']));
        expect(DataIdError.is(bad)).toBe(true);
        expect((bad as DataIdError).dimension).toBe('instrument');
      });

      it('refuses a list whose later data ID is incomplete or mistyped, naming the dimension', async () => {
        const m = await populated(place);
        const cases: [DataIdInput, string, string][] = [
          [{ instrument: 'Cam' }, 'detector', "dimension 'detector'"],
          [{ instrument: 'Cam', detector: '2' }, 'detector', "'detector' must be an integer"],
          [{ instrument: 'Cam', detector: 1.5 }, 'detector', "'detector' must be an integer"],
          [{ instrument: 7, detector: 2 }, 'instrument', "'instrument' must be a string"],
          [{ instrument: null, detector: 2 }, 'instrument', "dimension 'instrument'"],
        ];
        for (const [dataId, dimension, text] of cases) {
          const bad = await rejection(
            m.datasets.findDatasets('calexp', [det(1), det(2), dataId], ['c']),
          );
          expect(DataIdError.is(bad)).toBe(true);
          expect((bad as DataIdError).dimension).toBe(dimension);
          expect((bad as Error).message).toContain(text);
        }
        // A Map in the same list takes the checked path and finds the same dataset.
        await m.datasets.insert('calexp', 'r1', [det(1)]);
        const found = await m.datasets.findDatasets(
          'calexp',
          [
            det(1),
            new Map<string, DataIdValue>([
              ['instrument', 'Cam'],
              ['detector', 1],
            ]),
          ],
          ['c'],
        );
        expect(found[0]).not.toBeNull();
        expect(found[1]?.id).toBe(found[0]!.id);
      });

      it('associates with and disassociates from TAGGED collections', async () => {
        const m = await populated(place);
        const [a, b] = await m.datasets.insert('calexp', 'r1', [det(1), det(2)]);
        const [c] = await m.datasets.insert('calexp', 'r2', [det(1)]);
        await m.datasets.associate('t', [a!, b!]);
        await m.datasets.associate('t', [a!]);
        expect((await m.datasets.find('calexp', det(1), ['t']))!.id).toBe(a!.id);
        expect((await m.datasets.find('calexp', det(1), ['t']))!.run).toBe('r1');
        const tagged = (await m.collections.find('t')).key;
        expect(
          (await rows(m.db, 'collection_summary_dataset_type')).filter(
            (r) => r.collection_id === tagged,
          ),
        ).toEqual([{ collection_id: tagged, dataset_type_id: 1 }]);
        const before = await contents(m);
        const conflict = await rejection(m.datasets.associate('t', [c!]));
        expect(DatasetConflictError.is(conflict)).toBe(true);
        expect((conflict as Error).message).toContain(`dataset ${a!.id} of type calexp`);
        const wrong = await rejection(m.datasets.associate('r2', [a!]));
        expect(CollectionTypeError.is(wrong)).toBe(true);
        expect(await contents(m)).toEqual(before);
        await m.datasets.disassociate('t', [a!]);
        expect(await m.datasets.find('calexp', det(1), ['t'])).toBeNull();
        expect((await m.datasets.find('calexp', det(2), ['t']))!.id).toBe(b!.id);
        expect(CollectionTypeError.is(await rejection(m.datasets.disassociate('c', [b!])))).toBe(
          true,
        );
      });

      it('refuses to associate a dataset the registry does not hold', async () => {
        const m = await populated(place);
        const [a] = await m.datasets.insert('calexp', 'r1', [det(1)]);
        await m.datasets.remove([a!]);
        const before = await contents(m);
        const error = await rejection(m.datasets.associate('t', [a!]));
        expect(LookupError.is(error)).toBe(true);
        expect((error as LookupError).key).toBe(a!.id);
        expect(await contents(m)).toEqual(before);
      });

      it('lists datasets in collections with data ID constraints', async () => {
        const m = await populated(place);
        await m.datasets.registerDatasetType(visitType);
        const r1 = await m.datasets.insert('src', 'r1', [
          { instrument: 'Cam', visit: 1, detector: 1 },
          { instrument: 'Cam', visit: 1, detector: 2 },
          { instrument: 'Cam', visit: 2, detector: 1 },
        ]);
        const r2 = await m.datasets.insert('src', 'r2', [
          { instrument: 'Cam', visit: 1, detector: 2 },
        ]);
        await m.datasets.associate('t', [r1[0]!]);
        const list = async (collections: string[], options = {}) =>
          (await m.datasets.queryDatasets('src', collections, options)).map((r) => [
            r.run,
            r.dataId.get('visit'),
            r.dataId.get('detector'),
          ]);
        // Ordered by collection, then data ID (instrument, detector, visit).
        expect(await list(['c'])).toEqual([
          ['r2', 1, 2],
          ['r1', 1, 1],
          ['r1', 2, 1],
          ['r1', 1, 2],
        ]);
        expect(await list(['c'], { findFirst: true })).toEqual([
          ['r2', 1, 2],
          ['r1', 1, 1],
          ['r1', 2, 1],
        ]);
        expect(await list(['c'], { where: { visit: 1 } })).toHaveLength(3);
        expect(await list(['c'], { where: { visit: 1, detector: 2 }, findFirst: true })).toEqual([
          ['r2', 1, 2],
        ]);
        expect(await list(['t', 'r1'])).toEqual([
          ['r1', 1, 1],
          ['r1', 2, 1],
          ['r1', 1, 2],
        ]);
        expect(r2).toHaveLength(1);
        const bad = await rejection(
          m.datasets.queryDatasets('src', ['c'], { where: { band: 'r' } }),
        );
        expect(DataIdError.is(bad)).toBe(true);
        expect((bad as DataIdError).dimension).toBe('band');
      });

      it('handles dataset types without dimensions', async () => {
        const m = await populated(place);
        await m.datasets.registerDatasetType(config);
        const [a] = await m.datasets.insert('config', 'r1', [{}]);
        const [b] = await m.datasets.insert('config', 'r2', [{}]);
        expect((await m.datasets.find('config', {}, ['c']))!.id).toBe(b!.id);
        expect((await m.datasets.find('config', {}, ['r1']))!.id).toBe(a!.id);
        expect(
          DatasetConflictError.is(await rejection(m.datasets.insert('config', 'r1', [{}]))),
        ).toBe(true);
        expect(await rows(m.db, 'collection_summary_instrument')).toEqual([]);
      });

      it('removes datasets with their tags, refusing those a datastore holds', async () => {
        const m = await populated(place);
        const [a, b] = await m.datasets.insert('calexp', 'r1', [det(1), det(2)]);
        await m.datasets.associate('t', [a!, b!]);
        await m.bridges.register('store').insert([b!]);
        const before = await contents(m);
        const error = await rejection(m.datasets.remove([a!, b!]));
        expect(OrphanedRecordError.is(error)).toBe(true);
        expect(await contents(m)).toEqual(before);
        await m.datasets.remove([a!]);
        expect(await m.datasets.getDatasetRef(a!.id)).toBeNull();
        expect(await m.datasets.find('calexp', det(1), ['t'])).toBeNull();
        expect((await m.datasets.find('calexp', det(2), ['t']))!.id).toBe(b!.id);
      });

      it('removes a run with its datasets, refusing while a datastore holds one', async () => {
        const m = await populated(place);
        const [a] = await m.datasets.insert('calexp', 'r2', [det(1)]);
        await m.datasets.associate('t', [a!]);
        await m.collections.setChain('c', ['r1']);
        await m.bridges.register('store').insert([a!]);
        const refused = await rejection(m.collections.remove('r2'));
        expect(OrphanedRecordError.is(refused)).toBe(true);
        expect((await m.datasets.getDatasetRef(a!.id))!.run).toBe('r2');
        await m.bridges.register('store').forget([a!]);
        await m.collections.remove('r2');
        expect(await m.datasets.getDatasetRef(a!.id)).toBeNull();
        expect(await m.datasets.find('calexp', det(1), ['t'])).toBeNull();
      });
    });
  },
);
