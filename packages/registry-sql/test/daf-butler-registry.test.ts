// Registries written by the real daf_butler (w.2026.34, test/fixtures/daf_butler): opened,
// read and written by butler-ts on a SQLite file and on PostgreSQL, and compared row for row
// with daf_butler's own tables.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableSpec } from '@butler-ts/ddl';
import type { TableSpec } from '@butler-ts/ddl';
import {
  FakeDatasetRef,
  IntegrityError,
  SchemaAlreadyDefinedError,
} from '@butler-ts/registry-interfaces';
import type { Row } from '@butler-ts/registry-interfaces';
import { rejection } from '@butler-ts/testkit';
import { IncompatibleVersionError } from '@butler-ts/versioning';
import pg from 'pg';
import Sqlite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUTLER_ATTRIBUTES_SPEC,
  OPAQUE_META_SPEC,
  createRegistry,
  datasetTableForeignKeys,
  monolithicBridgeTableSpecs,
  openRegistry,
} from '../src/index.ts';
import type { Registry } from '../src/index.ts';
import {
  FILE_DATASTORE_RECORDS_SPEC,
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

const pgUp = await pgAvailable();

const freshDirs: string[] = [];
/** A temporary folder, removed after the tests. */
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'butler-daf-fresh-'));
  freshDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of freshDirs) rmSync(dir, { recursive: true, force: true });
});

const RECORDS = 'file_datastore_records';
const DATASTORE = manifest.datastore_name;

/** A fixture registry loaded on one engine. */
interface Place {
  readonly uri: string;
  readonly namespace?: string;
  /** Every table's rows, read with the raw driver. */
  snapshot(): Promise<Snapshot>;
  /** Runs SQL with the raw driver (for what daf_butler's datasets manager would write). */
  exec(sql: string): Promise<void>;
}

interface Engine {
  readonly name: 'sqlite' | 'postgresql';
  readonly available: boolean;
  load(state: FixtureState): Promise<Place>;
  cleanup(): Promise<void>;
}

function sqliteEngine(): Engine {
  const dir = mkdtempSync(join(tmpdir(), 'butler-daf-'));
  let n = 0;
  return {
    name: 'sqlite',
    available: true,
    load: (state) => {
      const file = writeSqliteRegistry(state, join(dir, `${state}-${n++}`));
      return Promise.resolve({
        uri: `sqlite:///${file}`,
        snapshot: () => Promise.resolve(snapshotSqlite(file)),
        exec: (statement) => {
          const db = new Sqlite(file);
          try {
            db.exec(statement);
          } finally {
            db.close();
          }
          return Promise.resolve();
        },
      });
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
    load: async (state) => {
      const namespace = freshSchema('daf_butler');
      schemas.push(namespace);
      await loadPostgresRegistry(pgUrl, state, namespace);
      return {
        uri: pgUrl,
        namespace,
        snapshot: () => snapshotPostgres(pgUrl, namespace),
        exec: async (statement) => {
          const client = new pg.Client({ connectionString: pgUrl });
          await client.connect();
          try {
            await client.query(`SET search_path TO "${namespace}"`);
            await client.query(statement);
          } finally {
            await client.end();
          }
        },
      };
    },
    cleanup: () => dropSchemas(schemas),
  };
}

/** A records row as butler-ts returns it, from a dump row (same for both engines' dumps). */
function recordFromDump(row: Record<string, string | null>): Row {
  return {
    dataset_id: canonicalUuid(row['dataset_id']!),
    path: row['path'],
    formatter: row['formatter'],
    storage_class: row['storage_class'],
    component: row['component'],
    checksum: row['checksum'],
    file_size: row['file_size'] === null ? null : Number(row['file_size']),
  };
}

function sortRows(rows: readonly Row[]): Row[] {
  return [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

async function all(storage: { fetch(): AsyncIterable<Row> }): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const row of storage.fetch()) rows.push(row);
  return rows;
}

/** The manifest's records of "after", with their dataset ids. */
const AFTER_RECORDS = manifest.datasets
  .filter((d) => d.stored_in_after)
  .flatMap((d) => d.artifacts.map((a) => ({ dataset_id: d.id, ...a.record })));

const STORED_IDS = manifest.datasets
  .filter((d) => d.location_in_after === 'dataset_location')
  .map((d) => d.id);
const TRASHED_IDS = manifest.datasets
  .filter((d) => d.location_in_after === 'dataset_location_trash')
  .map((d) => d.id);

/** Columns, types and primary key of a spec, for comparing with `inspectTable`. */
function shape(spec: TableSpec): string[] {
  return spec.fields.map(
    (f) => `${f.name}:${f.primaryKey ? 'pk' : f.nullable ? 'null' : 'notnull'}`,
  );
}

// Each test loads a fresh copy of a fixture registry; generous limits for a loaded machine.
describe.each([sqliteEngine(), postgresEngine()])(
  'daf_butler registry on $name',
  { timeout: 120_000 },
  (engine) => {
    const opened: Registry[] = [];
    const track = (registry: Registry) => {
      opened.push(registry);
      return registry;
    };
    const open = (place: Place, writeable: boolean) =>
      openRegistry(place.uri, {
        writeable,
        ...(place.namespace === undefined ? {} : { namespace: place.namespace }),
      }).then(track);

    beforeAll(() => {
      if (!engine.available) console.log(`daf_butler fixtures on ${engine.name} skipped`);
    });
    afterAll(async () => {
      for (const registry of opened) await registry.close();
      await engine.cleanup();
    });

    describe.skipIf(!engine.available)('opening', () => {
      it.each([
        ['before', false],
        ['before', true],
        ['after', false],
        ['after', true],
      ] as const)(
        'opens "%s" (writeable: %s) with the stored versions, lists the other managers, writes nothing',
        async (state, writeable) => {
          const place = await engine.load(state);
          const before = await place.snapshot();
          const registry = await open(place, writeable);
          expect(registry.db.isWriteable()).toBe(writeable);
          expect(
            Object.fromEntries([...registry.versions].map(([t, v]) => [t, v.toString()])),
          ).toEqual({
            attributes: '1.0.1',
            opaque: '0.2.0',
            datastores: '0.2.1',
            dimensions: '6.0.2',
            collections: '2.0.0',
            datasets: '2.0.0',
          });
          expect(registry.otherManagers.size).toBe(0);
          // Reading the attributes and the records does not write either.
          expect(await registry.attributes.get('config:registry.managers.datasets')).toMatch(
            /ByDimensionsDatasetRecordStorageManagerUUID$/,
          );
          await all(await registry.opaque.register(RECORDS, FILE_DATASTORE_RECORDS_SPEC));
          await registry.close();
          expect(await place.snapshot()).toEqual(before);
        },
      );

      it('checks the stored versions of its managers, not those of the others', async () => {
        const place = await engine.load('after');
        // A newer major version of a manager in scope is refused...
        await place.exec(
          "UPDATE butler_attributes SET value = '1.0.0' WHERE name = 'version:lsst.daf.butler.registry.opaque.ByNameOpaqueTableStorageManager'",
        );
        const refused = await rejection(open(place, false));
        expect(IncompatibleVersionError.is(refused)).toBe(true);
        expect((refused as Error).message).toContain('ByNameOpaqueTableStorageManager');
        await place.exec(
          "UPDATE butler_attributes SET value = '0.2.0' WHERE name = 'version:lsst.daf.butler.registry.opaque.ByNameOpaqueTableStorageManager'",
        );
        // ...and so is one of the datasets manager, which butler-ts now implements too.
        await place.exec(
          "UPDATE butler_attributes SET value = '99.0.0' WHERE name LIKE 'version:%ByDimensionsDatasetRecordStorageManagerUUID'",
        );
        const datasets = await rejection(open(place, true));
        expect(IncompatibleVersionError.is(datasets)).toBe(true);
        expect((datasets as Error).message).toContain(
          'ByDimensionsDatasetRecordStorageManagerUUID',
        );
      });

      it("declares butler-ts's static tables as daf_butler made them", async () => {
        const place = await engine.load('after');
        const registry = await open(place, true);
        const specs: Record<string, TableSpec> = {
          butler_attributes: BUTLER_ATTRIBUTES_SPEC,
          opaque_meta: OPAQUE_META_SPEC,
          ...monolithicBridgeTableSpecs(datasetTableForeignKeys),
        };
        for (const [name, spec] of Object.entries(specs)) {
          const existing = await registry.db.inspectTable(name);
          expect(existing, name).not.toBeNull();
          expect(shape(existing!), name).toEqual(shape(spec));
          // The declared table is the one butler-ts uses, with the columns it has.
          const declared = await registry.db.getExistingTable(name, spec);
          expect(declared?.spec.fields.map((f) => f.name)).toEqual(spec.fields.map((f) => f.name));
        }
      });
    });

    describe.skipIf(!engine.available)('the dataset foreign key', () => {
      it('declares the bridge tables with the foreign key to dataset when the table exists', async () => {
        const place = await engine.load('before');
        const registry = await open(place, true);
        const location = await registry.db.getExistingTable(
          'dataset_location',
          monolithicBridgeTableSpecs(datasetTableForeignKeys).dataset_location,
        );
        expect(location!.spec.foreignKeys.map((fk) => [fk.table, fk.source, fk.target])).toEqual([
          ['dataset', ['dataset_id'], ['id']],
        ]);
        const trash = await registry.db.getExistingTable(
          'dataset_location_trash',
          monolithicBridgeTableSpecs(datasetTableForeignKeys).dataset_location_trash,
        );
        expect(trash!.spec.foreignKeys).toEqual([]);
      });

      it('refuses a bridge insert for an unknown dataset with an IntegrityError, writing nothing', async () => {
        const place = await engine.load('before');
        const registry = await open(place, true);
        const before = await place.snapshot();
        const bridge = registry.bridges.register(DATASTORE);
        const unknown = '00000000-0000-4000-8000-000000000001';
        const error = await rejection(
          bridge.insert([new FakeDatasetRef(STORED_IDS[0]!), new FakeDatasetRef(unknown)]),
        );
        expect(IntegrityError.is(error)).toBe(true);
        expect((error as IntegrityError).table).toBe('dataset_location');
        expect((error as Error).message).toContain('dataset_location');
        expect(await place.snapshot()).toEqual(before);
      });

      it('declares the foreign key to the dataset table of a registry made by butler-ts', async () => {
        const created = await engine.load('before');
        // A fresh registry of butler-ts next to the fixture, with its own dataset table.
        const fresh =
          created.namespace === undefined
            ? `sqlite:///${join(freshDir(), 'r.sqlite3')}`
            : created.uri;
        const namespace = created.namespace === undefined ? undefined : `${created.namespace}_f`;
        const options = namespace === undefined ? {} : { namespace };
        track(await createRegistry(fresh, options));
        try {
          const registry = track(await openRegistry(fresh, options));
          const location = await registry.db.getExistingTable(
            'dataset_location',
            monolithicBridgeTableSpecs(datasetTableForeignKeys).dataset_location,
          );
          expect(location!.spec.foreignKeys.map((fk) => [fk.table, fk.source, fk.target])).toEqual([
            ['dataset', ['dataset_id'], ['id']],
          ]);
          expect(registry.otherManagers.size).toBe(0);
          const refused = await rejection(
            registry.bridges.register(DATASTORE).insert([new FakeDatasetRef(STORED_IDS[0]!)]),
          );
          expect(IntegrityError.is(refused)).toBe(true);
          expect(await registry.bridges.register(DATASTORE).check(STORED_IDS)).toEqual(new Set());
        } finally {
          if (namespace !== undefined) await dropSchemas([namespace]);
        }
      });
    });

    describe.skipIf(!engine.available)('reading "after"', () => {
      it.each([false, true])(
        'returns the existing records table with daf_butler rows (writeable: %s)',
        async (writeable) => {
          const place = await engine.load('after');
          const before = await place.snapshot();
          const registry = await open(place, writeable);
          const records = await registry.opaque.register(RECORDS, FILE_DATASTORE_RECORDS_SPEC);
          const rows = await all(records);
          expect(sortRows(rows)).toEqual(
            sortRows(readDump(engine.name, 'after', RECORDS).map(recordFromDump)),
          );
          expect(sortRows(rows)).toEqual(sortRows(AFTER_RECORDS));
          expect(rows.filter((r) => r.component === manifest.null_component_sentinel)).toHaveLength(
            12,
          );
          expect(rows.every((r) => r.checksum === null && typeof r.file_size === 'number')).toBe(
            true,
          );
          expect(await place.snapshot()).toEqual(before);
        },
      );

      it("sees the trashed dataset through the bridge's check and emptyTrash", async () => {
        const place = await engine.load('after');
        const registry = await open(place, true);
        const records = await registry.opaque.register(RECORDS, FILE_DATASTORE_RECORDS_SPEC);
        const bridge = registry.bridges.register(DATASTORE);
        const all = manifest.datasets.map((d) => d.id);
        expect(await bridge.check(all)).toEqual(new Set(STORED_IDS));
        expect(TRASHED_IDS).toHaveLength(1);

        const recordClass = { fromRecord: (row: Row) => row };
        const trashed = await bridge.emptyTrash(
          { recordsTable: records, recordClass, recordColumn: 'path', dryRun: true },
          (items) => Promise.resolve([...items]),
        );
        expect(trashed.map(([ref, info]) => [ref.id, info?.['path']])).toEqual(
          TRASHED_IDS.map((id) => [id, AFTER_RECORDS.find((r) => r.dataset_id === id)!.path]),
        );

        // Emptying it removes the record and the trash row, and nothing else.
        const before = await place.snapshot();
        await bridge.emptyTrash({ recordsTable: records, recordClass }, () =>
          Promise.resolve(undefined),
        );
        const after = await place.snapshot();
        expect(after['dataset_location_trash']).toEqual([]);
        expect(after[RECORDS]).toHaveLength(before[RECORDS]!.length - 1);
        expect({ ...after, dataset_location_trash: [], [RECORDS]: [] }).toEqual({
          ...before,
          dataset_location_trash: [],
          [RECORDS]: [],
        });
        expect(await bridge.check(all)).toEqual(new Set(STORED_IDS));
      });
    });

    describe.skipIf(!engine.available)('writing "before" into "after"', () => {
      it("writes the manifest's records and locations into daf_butler's rows", async () => {
        const place = await engine.load('before');
        const start = await place.snapshot();
        // The two ingested datasets are registered by daf_butler's datasets manager, which
        // butler-ts does not have: their dataset rows are written with SQL, as "after" has them.
        const ingested = manifest.datasets.filter((d) => !d.registered_in_before);
        expect(ingested).toHaveLength(2);
        const datasetRows = readDump(engine.name, 'after', 'dataset').filter((row) =>
          ingested.some((d) => canonicalUuid(row['id']!) === d.id),
        );
        await place.exec(
          datasetRows
            .map(
              (r) =>
                `INSERT INTO dataset (id, dataset_type_id, ingest_date, run_id) VALUES ('${r['id']}', ${r['dataset_type_id']}, ${r['ingest_date']}, ${r['run_id']});`,
            )
            .join('\n'),
        );

        const registry = await open(place, true);
        const records = await registry.opaque.register(RECORDS, FILE_DATASTORE_RECORDS_SPEC);
        const bridge = registry.bridges.register(DATASTORE);
        await registry.db.transaction(async () => {
          await records.insert(AFTER_RECORDS.map((r) => ({ ...r })));
          await bridge.insert([...STORED_IDS, ...TRASHED_IDS].map((id) => new FakeDatasetRef(id)));
          await bridge.moveToTrash(
            TRASHED_IDS.map((id) => new FakeDatasetRef(id)),
            null,
          );
        });
        await registry.close();

        const written = await place.snapshot();
        const reference = await engine.load('after');
        const after = await reference.snapshot();
        for (const table of [RECORDS, 'dataset_location', 'dataset_location_trash'])
          expect(written[table], table).toEqual(after[table]);
        // Every other table is as it was, but for the dataset rows written above.
        const others = (s: Snapshot) =>
          Object.fromEntries(
            Object.entries(s).filter(
              ([t]) =>
                ![RECORDS, 'dataset_location', 'dataset_location_trash', 'dataset'].includes(t),
            ),
          );
        expect(others(written)).toEqual(others(start));
        expect(written['dataset']).toHaveLength(start['dataset']!.length + 2);
      });
    });

    describe.skipIf(!engine.available)('clones', () => {
      it('keeps a storage registered earlier writeable after a clone declares the static tables', async () => {
        const place = await engine.load('after');
        const registry = await open(place, true);
        const spec = tableSpec({
          fields: [
            { name: 'dataset_id', dtype: 'uuid', primaryKey: true },
            { name: 'note', dtype: 'string', length: 16 },
          ],
        });
        const notes = await registry.opaque.register('clone_notes', spec);
        const clone = registry.db.clone();
        try {
          await clone.declareStaticTables({ create: false }, (context) => {
            context.addTable('butler_attributes', BUTLER_ATTRIBUTES_SPEC);
          });
          await notes.insert([{ dataset_id: STORED_IDS[0]!, note: 'a' }]);
          // A declaration that fails on a clone leaves the shared tables as they were.
          const failed = await rejection(
            clone.declareStaticTables({ create: true }, (context) => {
              context.addTable('butler_attributes', BUTLER_ATTRIBUTES_SPEC);
            }),
          );
          expect(SchemaAlreadyDefinedError.is(failed)).toBe(true);
          await notes.insert([{ dataset_id: STORED_IDS[1]!, note: 'b' }]);
          await notes.delete(['dataset_id'], [{ dataset_id: STORED_IDS[1]! }]);
          expect(await all(notes)).toEqual([{ dataset_id: STORED_IDS[0], note: 'a' }]);
          // The tables of the first declaration are still known to both.
          const records = await registry.opaque.register(RECORDS, FILE_DATASTORE_RECORDS_SPEC);
          expect(await all(records)).toHaveLength(AFTER_RECORDS.length);
          expect(await registry.bridges.register(DATASTORE).check(STORED_IDS)).toEqual(
            new Set(STORED_IDS),
          );
        } finally {
          await clone.close();
        }
      });
    });
  },
);
