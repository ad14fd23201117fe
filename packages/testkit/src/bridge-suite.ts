// The datastore-bridge conformance suite: P-BRG-01…12, plus trash selection, dry runs, failed
// bodies, artifacts to keep, chunked bulk operations and read-only databases.
import { tableSpec } from '@butler-ts/ddl';
import type { InsertRowOf, RowOf } from '@butler-ts/ddl';
import {
  DatabaseLogicError,
  DatabaseRuntimeError,
  EphemeralDatastoreRegistryBridge,
  FakeDatasetRef,
  IntegrityError,
  InvalidArgumentError,
  OpaqueTableStorage,
  ReadOnlyDatabaseError,
} from '@butler-ts/registry-interfaces';
import type {
  Database,
  DatasetForeignKeys,
  DatasetIdRef,
  DatastoreRegistryBridge,
  DatastoreRegistryBridgeManager,
  DatastoreRegistryBridgeManagerClass,
  EmptyTrashOptions,
  OpaqueTableStorageManager,
  OpaqueTableStorageManagerClass,
  Row,
  StoredItemInfoClass,
  TableHandle,
} from '@butler-ts/registry-interfaces';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHarness } from './database-suite.ts';
import { isError, rejection } from './errors.ts';
import { UndoLog } from './undo-log.ts';

/** The implementation under test. */
export interface BridgeSuiteSubject {
  /** The bridge manager class. */
  readonly manager: DatastoreRegistryBridgeManagerClass;
  /** The opaque manager class (records tables). */
  readonly opaque: OpaqueTableStorageManagerClass;
  /** Adds `dataset_id` with a foreign key to the `id` of table `dataset`. */
  readonly datasets: DatasetForeignKeys;
}

/** The minimal `dataset` table the monolithic bridge's foreign key points to. */
export const datasetTableSpec = tableSpec({
  fields: [{ name: 'id', dtype: 'uuid', primaryKey: true }],
});

/** The records table of the BRG cases: `(dataset_id, path)` keyed by both. */
export const recordsSpec = tableSpec({
  fields: [
    { name: 'dataset_id', dtype: 'uuid', primaryKey: true },
    { name: 'path', dtype: 'string', length: 256, primaryKey: true },
  ],
});

type RecordRow = RowOf<typeof recordsSpec>;

/** Rebuilds `{dataset_id, path}` from a row (which may carry more columns). */
const recordClass: StoredItemInfoClass<RecordRow> = {
  fromRecord: (row: Row) => ({ dataset_id: row.dataset_id as string, path: row.path as string }),
};

/** The canonical UUID of dataset number `n`. */
export const datasetId = (n: number): string =>
  `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const ref = (n: number): DatasetIdRef => new FakeDatasetRef(datasetId(n));
const ids = (...ns: number[]) => new Set(ns.map(datasetId));
const range = (start: number, end: number) =>
  Array.from({ length: end - start }, (_, i) => start + i);

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

// A records table that is not the SQL implementation's.
class ForeignRecords extends OpaqueTableStorage<typeof recordsSpec> {
  constructor() {
    super('foreign_records', recordsSpec);
  }
  override insert(_rows: readonly InsertRowOf<typeof recordsSpec>[]): Promise<void> {
    return Promise.resolve();
  }
  override ensure(_rows: readonly InsertRowOf<typeof recordsSpec>[]): Promise<void> {
    return Promise.resolve();
  }
  override replace(_rows: readonly InsertRowOf<typeof recordsSpec>[]): Promise<void> {
    return Promise.resolve();
  }
  override async *fetchBatches(): AsyncIterable<RecordRow[]> {
    yield await Promise.resolve([]);
  }
  override delete(): Promise<void> {
    return Promise.resolve();
  }
}

interface Setup {
  readonly bridges: DatastoreRegistryBridgeManager;
  readonly opaque: OpaqueTableStorageManager;
  readonly dataset: TableHandle<typeof datasetTableSpec>;
}

/** Declares `dataset`, the opaque manager and the bridge manager on `db`. */
export async function declareBridge(
  db: Database,
  subject: BridgeSuiteSubject,
  create: boolean,
): Promise<Setup> {
  let setup!: Setup;
  await db.declareStaticTables({ create }, (context) => {
    const dataset = context.addTable('dataset', datasetTableSpec);
    const opaque = subject.opaque.initialize(db, context);
    const bridges = subject.manager.initialize(db, context, {
      opaque,
      datasets: subject.datasets,
      universe: null,
    });
    setup = { bridges, opaque, dataset };
  });
  return setup;
}

/**
 * Runs the bridge suite (ephemeral bridges through the manager, and the manager's persistent
 * bridges) on the databases `makeHarness` gives.
 */
export function describeBridge(
  name: string,
  makeHarness: () => DatabaseHarness,
  subject: BridgeSuiteSubject,
): void {
  describe(`bridge conformance: ${name}`, () => {
    let harness: DatabaseHarness;
    let db: Database;
    let bridges: DatastoreRegistryBridgeManager;
    let dataset: TableHandle<typeof datasetTableSpec>;
    let records: OpaqueTableStorage<typeof recordsSpec>;
    let A: DatastoreRegistryBridge;
    let B: DatastoreRegistryBridge;

    // Runs emptyTrash and returns what the body saw.
    async function emptyTrash(
      bridge: DatastoreRegistryBridge,
      options: EmptyTrashOptions<RecordRow> = { recordsTable: records, recordClass },
    ): Promise<{ pairs: [string, RecordRow | null][]; keep: ReadonlySet<string> | null }> {
      return bridge.emptyTrash(options, (trashed, keep) => {
        const pairs = [...trashed].map(([r, info]): [string, RecordRow | null] => [r.id, info]);
        return Promise.resolve({ pairs, keep });
      });
    }

    const recordRows = async () =>
      (await all(records.fetch())).map((row) => `${row.dataset_id.slice(-2)}:${row.path}`).sort();

    beforeEach(async () => {
      harness = makeHarness();
      db = await harness.make();
      const setup = await declareBridge(db, subject, true);
      bridges = setup.bridges;
      dataset = setup.dataset;
      await db.insert(
        dataset,
        range(1, 9).map((n) => ({ id: datasetId(n) })),
      );
      records = await setup.opaque.register('records', recordsSpec);
      A = bridges.register('A');
      B = bridges.register('B');
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    describe('ephemeral bridge', () => {
      let E: DatastoreRegistryBridge;
      const contains = (n: number) => (E as EphemeralDatastoreRegistryBridge).contains(ref(n));

      beforeEach(() => {
        E = bridges.register('E', { ephemeral: true });
      });

      it('records membership (P-BRG-01)', async () => {
        await E.insert([ref(1), ref(2)]);
        expect([contains(1), contains(2), contains(3)]).toEqual([true, true, false]);
        expect(await E.check([datasetId(1), datasetId(2), datasetId(3)])).toEqual(ids(1, 2));
      });

      it('accepts repeats (P-BRG-02)', async () => {
        await E.ensure([ref(1)]);
        await E.ensure([ref(1)]);
        await E.insert([ref(1)]);
        expect(contains(1)).toBe(true);
      });

      it('forgets, ignoring unknown datasets (P-BRG-03)', async () => {
        await E.insert([ref(1)]);
        await E.forget([ref(1)]);
        await E.forget([ref(3)]);
        expect(contains(1)).toBe(false);
      });

      it('needs a transaction to move to the trash (P-BRG-04)', async () => {
        const error = await rejection(E.moveToTrash([ref(1)], null));
        expect(DatabaseRuntimeError.is(error)).toBe(true);
        expect((error as Error).message).toMatch(/transaction/);
      });

      it('trashes in a transaction and empties the trash (P-BRG-05)', async () => {
        await E.insert([ref(1), ref(2)]);
        const transaction = new UndoLog();
        await E.moveToTrash([ref(1)], transaction);
        transaction.commit();
        expect(contains(1)).toBe(false);
        expect(contains(2)).toBe(true);
        expect(await E.check([datasetId(1), datasetId(2)])).toEqual(ids(2));
        expect(await emptyTrash(E, {})).toEqual({ pairs: [[datasetId(1), null]], keep: null });
        expect(await E.check([datasetId(1)])).toEqual(new Set());
        expect(await emptyTrash(E, {})).toEqual({ pairs: [], keep: null });
      });

      it('un-trashes when the datastore transaction rolls back', async () => {
        await E.insert([ref(1)]);
        const transaction = new UndoLog();
        await E.moveToTrash([ref(1)], transaction);
        await transaction.rollback();
        expect(transaction.failures).toEqual([]);
        expect(contains(1)).toBe(true);
        expect(await emptyTrash(E, {})).toEqual({ pairs: [], keep: null });
      });
    });

    it('hands out persistent and cached ephemeral bridges (P-BRG-06)', async () => {
      expect(A.datastoreName).toBe('A');
      expect(A).not.toBeInstanceOf(EphemeralDatastoreRegistryBridge);
      await A.insert([ref(1)]);
      expect(await bridges.register('A').check([datasetId(1)])).toEqual(ids(1));
      const E = bridges.register('E', { ephemeral: true });
      expect(E).toBeInstanceOf(EphemeralDatastoreRegistryBridge);
      expect(bridges.register('E', { ephemeral: true })).toBe(E);
      expect(E.datastoreName).toBe('E');
    });

    it('checks per datastore (P-BRG-07)', async () => {
      await A.insert([ref(1), ref(2)]);
      expect(await A.check([datasetId(1), datasetId(2)])).toEqual(ids(1, 2));
      expect(await B.check([datasetId(1), datasetId(2)])).toEqual(new Set());
    });

    it('rejects a duplicate insert and accepts a duplicate ensure (P-BRG-08)', async () => {
      await A.insert([ref(1)]);
      await expect(A.insert([ref(1)])).rejects.toSatisfy(isError(IntegrityError));
      await A.ensure([ref(1)]);
      await A.ensure([ref(1), ref(2)]);
      expect(await A.check([datasetId(1), datasetId(2)])).toEqual(ids(1, 2));
    });

    it('finds the datastores holding a dataset (P-BRG-09)', async () => {
      await A.insert([ref(1)]);
      await bridges.register('E', { ephemeral: true }).insert([ref(1)]);
      expect((await all(bridges.findDatastores(ref(1)))).sort()).toEqual(['A', 'E']);
      expect(await all(bridges.findDatastores(ref(9)))).toEqual([]);
    });

    it('forgets for one datastore only (P-BRG-10)', async () => {
      await A.insert([ref(1)]);
      await B.insert([ref(1)]);
      await A.forget([ref(1)]);
      expect(await A.check([datasetId(1)])).toEqual(new Set());
      expect(await B.check([datasetId(1)])).toEqual(ids(1));
    });

    it('moves to the trash and empties it with records (P-BRG-11)', async () => {
      await A.insert([ref(1), ref(2)]);
      await records.insert([
        { dataset_id: datasetId(1), path: 'p1' },
        { dataset_id: datasetId(2), path: 'p2' },
      ]);
      await A.moveToTrash([ref(1)], null);
      expect(await A.check([datasetId(1), datasetId(2)])).toEqual(ids(2));
      expect(await emptyTrash(A)).toEqual({
        pairs: [[datasetId(1), { dataset_id: datasetId(1), path: 'p1' }]],
        keep: null,
      });
      expect(await recordRows()).toEqual(['02:p2']);
      expect(await emptyTrash(A)).toEqual({ pairs: [], keep: null });
      expect(await A.check([datasetId(2)])).toEqual(ids(2));
    });

    it('supports exactly version 0.2.1 (P-BRG-12)', () => {
      expect(subject.manager.currentVersions().map(String)).toEqual(['0.2.1']);
    });

    it('rejects a dataset the registry does not know', async () => {
      await expect(A.insert([new FakeDatasetRef(datasetId(99))])).rejects.toSatisfy(
        isError(IntegrityError),
      );
      await expect(A.ensure([new FakeDatasetRef(datasetId(99))])).rejects.toSatisfy(
        isError(IntegrityError),
      );
      expect(await A.check([datasetId(99)])).toEqual(new Set());
    });

    it('answers check with the ids as given', async () => {
      await A.insert([ref(1)]);
      const upper = datasetId(1).toUpperCase();
      expect(await A.check([upper, datasetId(2)])).toEqual(new Set([upper]));
    });

    it('skips datasets it does not hold when trashing', async () => {
      await A.insert([ref(1)]);
      await B.insert([ref(2)]);
      await records.insert([{ dataset_id: datasetId(2), path: 'p2' }]);
      await A.moveToTrash([ref(1), ref(2), ref(3), ref(1)], null);
      expect(await B.check([datasetId(2)])).toEqual(ids(2));
      expect(await emptyTrash(A)).toEqual({ pairs: [], keep: null });
      expect(await emptyTrash(B)).toEqual({ pairs: [], keep: null });
    });

    it('fails to trash a dataset already in its trash, changing nothing', async () => {
      await A.insert([ref(1), ref(2)]);
      await A.moveToTrash([ref(1)], null);
      await A.insert([ref(1)]);
      await expect(A.moveToTrash([ref(2), ref(1)], null)).rejects.toSatisfy(
        isError(IntegrityError),
      );
      expect(await A.check([datasetId(1), datasetId(2)])).toEqual(ids(1, 2));
    });

    it('leaves the trash alone when forgetting', async () => {
      await A.insert([ref(1)]);
      await records.insert([{ dataset_id: datasetId(1), path: 'p1' }]);
      await A.moveToTrash([ref(1)], null);
      await A.forget([ref(1)]);
      expect((await emptyTrash(A)).pairs).toEqual([
        [datasetId(1), { dataset_id: datasetId(1), path: 'p1' }],
      ]);
    });

    describe('emptying the trash', () => {
      beforeEach(async () => {
        await A.insert([ref(1), ref(2), ref(3)]);
        await B.insert([ref(1)]);
        await records.insert([
          { dataset_id: datasetId(1), path: 'p1' },
          { dataset_id: datasetId(1), path: 'p1.meta' },
          { dataset_id: datasetId(2), path: 'shared' },
          { dataset_id: datasetId(3), path: 'shared' },
        ]);
        await A.moveToTrash([ref(1), ref(2)], null);
        await B.moveToTrash([ref(1)], null);
      });

      it('gives one pair per record, with datastore_name in the row', async () => {
        const rows: Row[] = [];
        const probe: StoredItemInfoClass<RecordRow> = {
          fromRecord: (row) => {
            rows.push(row);
            return recordClass.fromRecord(row);
          },
        };
        const seen = await A.emptyTrash(
          { recordsTable: records, recordClass: probe, dryRun: true },
          (trashed) => Promise.resolve([...trashed].length),
        );
        expect(seen).toBe(3);
        expect(
          rows.map((row) => `${String(row.path)}@${String(row.datastore_name)}`).sort(),
        ).toEqual(['p1.meta@A', 'p1@A', 'shared@A']);
      });

      it('processes nothing for an empty selection', async () => {
        expect(
          await emptyTrash(A, { recordsTable: records, recordClass, selectedIds: [] }),
        ).toEqual({ pairs: [], keep: null });
        expect(
          (await emptyTrash(A, { recordsTable: records, recordClass, dryRun: true })).pairs,
        ).toHaveLength(3);
        expect(await recordRows()).toHaveLength(4);
      });

      it('processes only the selected datasets', async () => {
        const seen = await emptyTrash(A, {
          recordsTable: records,
          recordClass,
          selectedIds: new Set([datasetId(2)]),
        });
        expect(seen.pairs).toEqual([[datasetId(2), { dataset_id: datasetId(2), path: 'shared' }]]);
        expect(await recordRows()).toEqual(['01:p1', '01:p1.meta', '03:shared']);
        expect(
          (await emptyTrash(A)).pairs.map(([id, info]) => `${id.slice(-2)}:${info?.path}`).sort(),
        ).toEqual(['01:p1', '01:p1.meta']);
      });

      it('removes nothing on a dry run', async () => {
        const seen = await emptyTrash(A, { recordsTable: records, recordClass, dryRun: true });
        expect(seen.pairs).toHaveLength(3);
        expect(await recordRows()).toHaveLength(4);
        expect((await emptyTrash(A)).pairs).toHaveLength(3);
      });

      it('removes nothing when the body fails', async () => {
        const failure = new Error('artifact deletion failed');
        await expect(
          A.emptyTrash({ recordsTable: records, recordClass }, () => Promise.reject(failure)),
        ).rejects.toBe(failure);
        expect(await recordRows()).toHaveLength(4);
        expect((await emptyTrash(A)).pairs).toHaveLength(3);
      });

      it('lists the artifacts still used by datasets it holds', async () => {
        const seen = await emptyTrash(A, {
          recordsTable: records,
          recordClass,
          recordColumn: 'path',
          dryRun: true,
        });
        expect(seen.keep).toEqual(new Set(['shared']));
        const none = await emptyTrash(A, {
          recordsTable: records,
          recordClass,
          recordColumn: 'path',
          selectedIds: [datasetId(1)],
          dryRun: true,
        });
        expect(none.keep).toEqual(new Set());
      });

      it('keeps the trash of other datastores', async () => {
        await emptyTrash(A);
        // B's trash entry for dataset 1 lost its records to A's emptying: it is never reported.
        expect(await emptyTrash(B)).toEqual({ pairs: [], keep: null });
        expect(await recordRows()).toEqual(['03:shared']);
      });

      it('needs a records table and a record class', async () => {
        const body = () => Promise.resolve();
        await expect(A.emptyTrash({}, body)).rejects.toSatisfy(isError(InvalidArgumentError));
        await expect(A.emptyTrash({ recordsTable: records }, body)).rejects.toSatisfy(
          isError(InvalidArgumentError),
        );
        await expect(
          A.emptyTrash({ recordsTable: new ForeignRecords(), recordClass }, body),
        ).rejects.toSatisfy(isError(DatabaseLogicError));
        expect(await recordRows()).toHaveLength(4);
      });
    });

    it('handles more datasets than one chunk of 50 000', { timeout: 180_000 }, async () => {
      const many = range(1000, 61_000);
      await db.insert(
        dataset,
        many.map((n) => ({ id: datasetId(n) })),
      );
      await A.insert(many.map(ref));
      const everyId = many.map(datasetId);
      expect((await A.check(everyId)).size).toBe(many.length);
      const trashed = many.slice(0, 55_000);
      await records.insert(trashed.map((n) => ({ dataset_id: datasetId(n), path: `p${n}` })));
      await A.moveToTrash(trashed.map(ref), null);
      expect((await A.check(everyId)).size).toBe(5000);
      const selected = await emptyTrash(A, {
        recordsTable: records,
        recordClass,
        selectedIds: everyId,
        dryRun: true,
      });
      expect(selected.pairs).toHaveLength(55_000);
      expect((await emptyTrash(A)).pairs).toHaveLength(55_000);
      expect(await recordRows()).toEqual([]);
      await A.forget(many.map(ref));
      expect((await A.check(everyId)).size).toBe(0);
    });

    it('does not share ephemeral bridges with clones', async () => {
      await bridges.register('E', { ephemeral: true }).insert([ref(1)]);
      const other = db.clone();
      try {
        const clone = bridges.clone({ db: other, opaque: bridges.opaque.clone(other) });
        expect(await all(clone.findDatastores(ref(1)))).toEqual([]);
        await A.insert([ref(1)]);
        expect(await all(clone.findDatastores(ref(1)))).toEqual(['A']);
        expect(clone.register('E', { ephemeral: true })).not.toBe(
          bridges.register('E', { ephemeral: true }),
        );
      } finally {
        await other.close();
      }
    });

    describe('read-only database', () => {
      let view: Database;
      let readOnlyBridges: DatastoreRegistryBridgeManager;
      let readOnlyA: DatastoreRegistryBridge;
      let readOnlyRecords: OpaqueTableStorage;

      beforeEach(async () => {
        await A.insert([ref(1), ref(2)]);
        await records.insert([{ dataset_id: datasetId(1), path: 'p1' }]);
        await A.moveToTrash([ref(1)], null);
        view = await harness.readOnly(db);
        const setup = await declareBridge(view, subject, false);
        readOnlyBridges = setup.bridges;
        readOnlyA = setup.bridges.register('A');
        readOnlyRecords = await setup.opaque.register('records', recordsSpec);
      });

      it('reads', async () => {
        expect(await readOnlyA.check([datasetId(1), datasetId(2)])).toEqual(ids(2));
        expect(await all(readOnlyBridges.findDatastores(ref(2)))).toEqual(['A']);
        const seen = await readOnlyA.emptyTrash(
          { recordsTable: readOnlyRecords, recordClass, dryRun: true },
          (trashed) => Promise.resolve([...trashed].map(([r]) => r.id)),
        );
        expect(seen).toEqual([datasetId(1)]);
      });

      it('rejects every write, even one that would change nothing', async () => {
        let ran = false;
        const writes: (() => Promise<unknown>)[] = [
          () => readOnlyA.insert([ref(3)]),
          () => readOnlyA.insert([]),
          () => readOnlyA.ensure([ref(2)]),
          () => readOnlyA.forget([ref(2)]),
          () => readOnlyA.forget([]),
          () => readOnlyA.moveToTrash([ref(2)], null),
          () => readOnlyA.moveToTrash([], null),
          () =>
            readOnlyA.emptyTrash({ recordsTable: readOnlyRecords, recordClass }, () => {
              ran = true;
              return Promise.resolve();
            }),
        ];
        for (const write of writes)
          await expect(write()).rejects.toSatisfy(isError(ReadOnlyDatabaseError));
        expect(ran).toBe(false);
        expect(await A.check([datasetId(1), datasetId(2)])).toEqual(ids(2));
        expect(await recordRows()).toEqual(['01:p1']);
      });
    });
  });
}
