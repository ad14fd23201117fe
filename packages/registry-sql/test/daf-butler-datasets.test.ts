// The collections and datasets of the registries daf_butler w.2026.34 wrote
// (test/fixtures/daf_butler): read by butler-ts on SQLite and PostgreSQL, and written again by
// butler-ts into new registries (SQLite file, memory, PostgreSQL), row for row as daf_butler.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DataCoordinate,
  DatasetIdGenEnum,
  DatasetType,
  DimensionUniverse,
  makeDatasetId,
} from '@butler-ts/core';
import type { DataIdValue } from '@butler-ts/core';
import type { TaiTime } from '@butler-ts/ddl';
import { CollectionType } from '@butler-ts/registry-interfaces';
import type { Database, Row } from '@butler-ts/registry-interfaces';
import { afterAll, describe, expect, it } from 'vitest';
import { openRegistry } from '../src/index.ts';
import type { Registry } from '../src/index.ts';
import {
  canonicalUuid,
  loadPostgresRegistry,
  manifest,
  readDump,
  snapshotPostgres,
  snapshotSqlite,
  writeSqliteRegistry,
} from './daf-butler-fixture.ts';
import type { FixtureState, Snapshot } from './daf-butler-fixture.ts';
import { dropSchemas, freshSchema, pgAvailable, pgUrl } from './postgres-harness.ts';
import { registryPlaces } from './registry-engines.ts';

const pgUp = await pgAvailable();

/** What these tests read of a manifest dataset. */
interface FixtureDataset {
  readonly key: string;
  readonly id: string;
  readonly run: string;
  readonly dataset_type: string;
  readonly dimensions: readonly string[];
  readonly data_id: Readonly<Record<string, DataIdValue>>;
  readonly storage_class: string;
  readonly registered_in_before: boolean;
  readonly tagged_in: readonly string[];
}
const DATASETS = manifest.datasets as unknown as readonly FixtureDataset[];
const TAGGED = 'interop/tagged';
const CHAIN = 'interop/chain';
const CHAIN_ORDER = ['interop/run2', 'interop/run1'];

/** The manifest dataset a search of `collections` should find for `d`'s type and data ID. */
function expectedIn(
  d: FixtureDataset,
  collections: readonly string[],
  state: FixtureState,
): FixtureDataset | null {
  for (const collection of collections) {
    const hit = DATASETS.find(
      (o) =>
        (state === 'after' || o.registered_in_before) &&
        o.dataset_type === d.dataset_type &&
        JSON.stringify(o.data_id) === JSON.stringify(d.data_id) &&
        (o.run === collection || o.tagged_in.includes(collection)),
    );
    if (hit !== undefined) return hit;
  }
  return null;
}

interface Loaded {
  readonly registry: Registry;
  snapshot(): Promise<Snapshot>;
}

interface Engine {
  readonly name: 'sqlite' | 'postgresql';
  readonly available: boolean;
  load(state: FixtureState, writeable: boolean): Promise<Loaded>;
  cleanup(): Promise<void>;
}

const opened: Registry[] = [];
const track = (r: Registry) => {
  opened.push(r);
  return r;
};

function sqliteEngine(): Engine {
  const dir = mkdtempSync(join(tmpdir(), 'butler-daf-datasets-'));
  let n = 0;
  return {
    name: 'sqlite',
    available: true,
    load: async (state, writeable) => {
      const file = writeSqliteRegistry(state, join(dir, `${state}-${n++}`));
      const registry = track(await openRegistry(`sqlite:///${file}`, { writeable }));
      return { registry, snapshot: () => Promise.resolve(snapshotSqlite(file)) };
    },
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

function postgresEngine(): Engine {
  const schemas: string[] = [];
  return {
    name: 'postgresql',
    available: pgUp,
    load: async (state, writeable) => {
      const namespace = freshSchema('daf_datasets');
      schemas.push(namespace);
      await loadPostgresRegistry(pgUrl, state, namespace);
      const registry = track(await openRegistry(pgUrl, { namespace, writeable }));
      return { registry, snapshot: () => snapshotPostgres(pgUrl, namespace) };
    },
    cleanup: () => dropSchemas(schemas),
  };
}

async function insertRows(db: Database, name: string, rows: readonly Row[]): Promise<void> {
  const spec = (await db.inspectTable(name))!;
  await db.insert((await db.getExistingTable(name, spec))!, rows as never);
}

async function tableRows(db: Database, name: string): Promise<Row[]> {
  const spec = (await db.inspectTable(name))!;
  return db.fetch((await db.getExistingTable(name, spec))!);
}

/** Rows as sorted lines of `|`-joined text, for comparing with the dumps. */
function lines(rows: readonly Row[], columns: readonly string[]): string[] {
  return rows
    .map((r) =>
      columns
        .map((c) => {
          const v = r[c];
          if (v === null || v === undefined) return '';
          if (typeof v !== 'string') return JSON.stringify(v);
          return c.endsWith('id') && v.includes('-') ? v.replaceAll('-', '') : v;
        })
        .join('|'),
    )
    .sort();
}

function dumpLines(
  engine: 'sqlite' | 'postgresql',
  state: FixtureState,
  table: string,
  columns: readonly string[],
): string[] {
  return lines(
    readDump(engine, state, table).map((r) =>
      Object.fromEntries(
        columns.map((c) => [
          c,
          c.endsWith('id') && r[c]?.includes('-') ? canonicalUuid(r[c]) : r[c],
        ]),
      ),
    ),
    columns,
  );
}

const UNIVERSE = DimensionUniverse.default();
const TAGS_TABLES = [0, 1, 2, 3].map((k) => `dataset_tags_0000000${k}`);

describe('the fixture ids', () => {
  it('are the UUIDv5 of dataset type, data ID and run (DATAID_TYPE_RUN)', () => {
    for (const d of DATASETS) {
      const type = new DatasetType(d.dataset_type, d.dimensions, d.storage_class, {
        universe: UNIVERSE,
      });
      const dataId = DataCoordinate.standardize(d.data_id, { dimensions: type.dimensions });
      expect(
        makeDatasetId(d.run, d.dataset_type, dataId, DatasetIdGenEnum.DATAID_TYPE_RUN),
        d.key,
      ).toBe(d.id);
    }
  });
});

describe.each([sqliteEngine(), postgresEngine()])(
  'collections and datasets of daf_butler registries on $name',
  { timeout: 120_000 },
  (engine) => {
    afterAll(async () => {
      for (const r of opened.splice(0)) await r.close();
      await engine.cleanup();
    });

    describe.skipIf(!engine.available)('', () => {
      it.each(['before', 'after'] as const)(
        'reads the collections, runs and chain of "%s" as the dumps say',
        async (state) => {
          const { registry } = await engine.load(state, false);
          const all = await registry.collections.all();
          expect(
            lines(
              all.map((r) => ({ ...r })),
              ['key', 'name', 'type', 'doc'],
            ),
          ).toEqual(
            dumpLines(engine.name, state, 'collection', ['collection_id', 'name', 'type', 'doc']),
          );
          for (const run of all.filter((r) => r.type === CollectionType.RUN))
            expect(run).toMatchObject({ host: null, timespan: null });
          const chain = readDump(engine.name, state, 'collection_chain')
            .sort((a, b) => Number(a['position']) - Number(b['position']))
            .map((r) => all.find((c) => c.key === Number(r['child']))!.name);
          expect(await registry.collections.getChain(CHAIN)).toEqual(chain);
          expect(chain).toEqual(CHAIN_ORDER);
          expect((await registry.collections.resolve([CHAIN, TAGGED])).map((r) => r.name)).toEqual([
            ...CHAIN_ORDER,
            TAGGED,
          ]);
        },
      );

      it('reads the dataset types as dataset_type says', async () => {
        const { registry } = await engine.load('after', false);
        const types = await registry.datasets.allDatasetTypes();
        const dump = readDump(engine.name, 'after', 'dataset_type');
        expect(types.map((t) => t.name)).toEqual(dump.map((r) => r['name']).sort());
        for (const row of dump) {
          const type = types.find((t) => t.name === row['name'])!;
          expect(type.storageClassName).toBe(row['storage_class']);
          const manifestDims = DATASETS.find((d) => d.dataset_type === row['name'])!.dimensions;
          expect([...type.dimensions.required].sort()).toEqual([...manifestDims].sort());
        }
      });

      it.each(['before', 'after'] as const)(
        'finds every dataset of "%s" by type and data ID in its run, the tagged collection and the chain, writing nothing',
        async (state) => {
          const { registry, snapshot } = await engine.load(state, false);
          const before = await snapshot();
          const present = DATASETS.filter((d) => state === 'after' || d.registered_in_before);
          for (const d of present) {
            for (const collections of [[d.run], [TAGGED], [CHAIN], [TAGGED, CHAIN]]) {
              const expected = expectedIn(
                d,
                collections.flatMap((c) => (c === CHAIN ? CHAIN_ORDER : [c])),
                state,
              );
              const ref = await registry.datasets.find(d.dataset_type, d.data_id, collections);
              expect(ref?.id ?? null, `${d.key} in ${collections.join(',')}`).toBe(
                expected?.id ?? null,
              );
              if (ref !== null) {
                expect(ref.run).toBe(expected!.run);
                expect(ref.dataId.toJSON()).toEqual(
                  Object.fromEntries(
                    ref.datasetType.dimensions.required.map((n) => [n, d.data_id[n]]),
                  ),
                );
              }
            }
            const byId = await registry.datasets.getDatasetRef(d.id);
            expect(byId?.run).toBe(d.run);
            expect(byId?.datasetType.name).toBe(d.dataset_type);
          }
          // And in one statement per dataset type, every data ID in the chain.
          for (const typeName of new Set(present.map((d) => d.dataset_type))) {
            const ofType = present.filter((d) => d.dataset_type === typeName);
            const found = await registry.datasets.findDatasets(
              typeName,
              ofType.map((d) => d.data_id),
              [CHAIN],
            );
            expect(found.map((r) => r?.id ?? null)).toEqual(
              ofType.map((d) => expectedIn(d, CHAIN_ORDER, state)?.id ?? null),
            );
          }
          expect(await snapshot()).toEqual(before);
        },
      );
    });
  },
);

describe.each(registryPlaces(pgUp, 'butler-daf-rewrite'))(
  'the fixture datasets written by butler-ts on $name',
  { timeout: 120_000 },
  (place) => {
    afterAll(() => place.cleanup());

    describe.skipIf(!place.available)('', () => {
      it("gives daf_butler's rows in dataset_type, dataset, the tags tables and the summaries", async () => {
        const registry = await place.create();
        // The fixture's dimension records (their keys), which the tags tables refer to.
        await insertRows(registry.db, 'instrument', [{ name: 'DummyCam' }]);
        await insertRows(registry.db, 'physical_filter', [
          { instrument: 'DummyCam', name: 'd-r', band: 'r' },
          { instrument: 'DummyCam', name: 'd-i', band: 'i' },
        ]);
        await insertRows(
          registry.db,
          'detector',
          [1, 2, 3].map((id) => ({ instrument: 'DummyCam', id, full_name: `det0${id}` })),
        );
        await insertRows(registry.db, 'day_obs', [{ instrument: 'DummyCam', id: 20250101 }]);
        await insertRows(registry.db, 'visit', [
          { instrument: 'DummyCam', id: 42, day_obs: 20250101, physical_filter: 'd-r' },
        ]);
        await registry.collections.registerRun('interop/run1');
        await registry.collections.registerRun('interop/run2');
        const universe = registry.dimensions.universe;
        const typeRows = readDump('sqlite', 'after', 'dataset_type');
        for (const row of [...typeRows].sort((a, b) => Number(a['id']) - Number(b['id']))) {
          const d = DATASETS.find((x) => x.dataset_type === row['name'])!;
          await registry.datasets.registerDatasetType(
            new DatasetType(d.dataset_type, d.dimensions, d.storage_class, { universe }),
          );
        }
        const order = readDump('sqlite', 'after', 'dataset').sort((a, b) =>
          BigInt(a['ingest_date']!) < BigInt(b['ingest_date']!) ? -1 : 1,
        );
        for (const row of order) {
          const d = DATASETS.find((x) => x.id === canonicalUuid(row['id']!))!;
          const [ref] = await registry.datasets.insert(d.dataset_type, d.run, [d.data_id], {
            idGenerationMode: DatasetIdGenEnum.DATAID_TYPE_RUN,
          });
          expect(ref!.id).toBe(d.id);
        }
        await registry.collections.register(TAGGED, CollectionType.TAGGED);
        for (const d of DATASETS.filter((x) => x.tagged_in.includes(TAGGED)))
          await registry.datasets.associate(TAGGED, [
            (await registry.datasets.getDatasetRef(d.id))!,
          ]);
        await registry.collections.register(CHAIN, CollectionType.CHAINED);
        await registry.collections.setChain(CHAIN, CHAIN_ORDER);

        const db = registry.db;
        const compare = async (table: string, columns: string[]) =>
          expect(lines(await tableRows(db, table), columns), table).toEqual(
            dumpLines('sqlite', 'after', table, columns),
          );
        await compare('dataset_type', [
          'id',
          'name',
          'storage_class',
          'dimensions_key',
          'tag_association_table',
          'calibration_association_table',
        ]);
        await compare('dataset', ['id', 'dataset_type_id', 'run_id']);
        await compare('collection', ['collection_id', 'name', 'type', 'doc']);
        await compare('collection_chain', ['parent', 'position', 'child']);
        await compare('run', ['collection_id', 'host']);
        await compare('dataset_tags_00000000', ['dataset_type_id', 'dataset_id', 'collection_id']);
        for (const table of TAGS_TABLES.slice(1)) {
          const columns = Object.keys(readDump('sqlite', 'after', table)[0]!);
          await compare(table, columns);
        }
        // The summaries, which the dumps leave out, as daf_butler's PostgreSQL registry holds them.
        expect(
          lines(await tableRows(db, 'collection_summary_dataset_type'), [
            'collection_id',
            'dataset_type_id',
          ]),
        ).toEqual(SUMMARY_DATASET_TYPE);
        expect(
          lines(await tableRows(db, 'collection_summary_instrument'), [
            'collection_id',
            'instrument',
          ]),
        ).toEqual(['1|DummyCam', '2|DummyCam', '3|DummyCam']);
        expect(await tableRows(db, 'collection_summary_skymap')).toEqual([]);
        // ingest_date: TAI nanoseconds of the insert (TAI is 37 s ahead of UTC).
        for (const row of await tableRows(db, 'dataset')) {
          const ms = Number((row['ingest_date'] as TaiTime).nsec / 1_000_000n) - 37_000;
          expect(Math.abs(ms - Date.now())).toBeLessThan(120_000);
        }
      });
    });
  },
);

/** `collection_summary_dataset_type` of daf_butler's "after" registry (postgresql/after.inserts.sql). */
const SUMMARY_DATASET_TYPE = [
  '1|1',
  '2|1',
  '1|2',
  '1|3',
  '2|3',
  '1|4',
  '2|4',
  '1|5',
  '3|1',
  '3|2',
  '3|4',
  '1|6',
  '2|6',
].sort();
