import { UnknownColumnError, getField, parseUuid } from '@butler-ts/ddl';
import {
  DatabaseLogicError,
  DatastoreRegistryBridge,
  FakeDatasetRef,
  InvalidArgumentError,
  ReadOnlyDatabaseError,
  and,
  checkOptions,
  cmp,
  col,
  eq,
  inList,
  inSelect,
} from '@butler-ts/registry-interfaces';
import type {
  Database,
  DatasetId,
  DatasetIdRef,
  EmptyTrashOptions,
  Expr,
  Row,
  SelectQuery,
  TableHandle,
  TrashBody,
  UndoTransaction,
} from '@butler-ts/registry-interfaces';
import { chunked } from './chunks.ts';
import { ByNameOpaqueTableStorage } from './opaque-storage.ts';

const EMPTY_TRASH_OPTIONS = [
  'recordsTable',
  'recordClass',
  'recordColumn',
  'selectedIds',
  'dryRun',
] as const;

/** How many datasets `forget` hands to one `Database.delete` call (as daf_butler). */
export const BRIDGE_CHUNK_SIZE = 50_000;

/**
 * How many ids one selecting statement takes: daf_butler's 50 000. Each engine binds an id list
 * as one parameter (a JSON array on SQLite, an array on PostgreSQL), so no statement comes
 * near a bound-parameter limit.
 */
export const BRIDGE_IN_LIST_SIZE = 50_000;

/** The two static tables of the monolithic bridge. */
export interface MonolithicBridgeTables {
  /** `dataset_location`: a row means the datastore holds the dataset. */
  readonly location: TableHandle;
  /** `dataset_location_trash`: datasets removed from a datastore whose artifacts may remain. */
  readonly trash: TableHandle;
}

/**
 * The bridge of one persistent datastore, kept in the registry's `dataset_location` and
 * `dataset_location_trash` tables (shared by every datastore, keyed by `datastore_name`).
 * Stateless: the manager hands out a new one on each `register`.
 *
 * Each operation runs in one database transaction; statements that select datasets by id
 * take at most {@link BRIDGE_IN_LIST_SIZE} ids each. The datastore transaction given to `moveToTrash` is
 * ignored: the database transaction rolls back.
 *
 * Writes on a read-only database fail with `ReadOnlyDatabaseError` before any SQL runs, even
 * when they would change nothing.
 */
export class MonolithicDatastoreRegistryBridge extends DatastoreRegistryBridge {
  readonly #db: Database;
  readonly #tables: MonolithicBridgeTables;

  /** Made by `MonolithicDatastoreRegistryBridgeManager.register`. */
  constructor(datastoreName: string, db: Database, tables: MonolithicBridgeTables) {
    super(datastoreName);
    this.#db = db;
    this.#tables = tables;
  }

  /** @throws `IntegrityError` for a dataset recorded already, or unknown to the registry. */
  override async insert(refs: Iterable<DatasetIdRef>): Promise<void> {
    this.#requireWriteable('insert into');
    await this.#db.insert(this.#tables.location, this.#rows(refs));
  }

  /** @throws `IntegrityError` for a dataset unknown to the registry. */
  override async ensure(refs: Iterable<DatasetIdRef>): Promise<void> {
    this.#requireWriteable('ensure into');
    await this.#db.ensure(this.#tables.location, this.#rows(refs));
  }

  /** Drops this datastore's location rows for `refs`; the trash is untouched. */
  override async forget(refs: Iterable<DatasetIdRef>): Promise<void> {
    this.#requireWriteable('delete from');
    const rows = this.#rows(refs);
    await this.#db.transaction(async () => {
      for (const chunk of chunked(rows, BRIDGE_CHUNK_SIZE)) {
        await this.#db.delete(this.#tables.location, ['datastore_name', 'dataset_id'], chunk);
      }
    });
  }

  /**
   * Moves this datastore's location rows for `refs` to the trash; ids it does not hold are
   * skipped. `transaction` is ignored.
   *
   * @throws `IntegrityError` when a dataset is in this datastore's trash already.
   */
  override async moveToTrash(
    refs: Iterable<DatasetIdRef>,
    _transaction: UndoTransaction | null,
  ): Promise<void> {
    this.#requireWriteable('move to the trash of');
    const ids = this.#ids(refs);
    const { location, trash } = this.#tables;
    await this.#db.transaction(async () => {
      for (const chunk of chunked(ids, BRIDGE_IN_LIST_SIZE)) {
        const where = and(
          eq(col('datastore_name'), this.datastoreName),
          inList(col('dataset_id'), chunk),
        );
        await this.#db.insertSelect(trash, {
          from: [{ source: location }],
          columns: { dataset_id: col('dataset_id'), datastore_name: col('datastore_name') },
          where,
        });
        await this.#db.deleteWhere(location, where);
      }
    });
  }

  /** The given ids this datastore holds (not trashed), as given. */
  override async check(datasetIds: Iterable<DatasetId>): Promise<Set<DatasetId>> {
    // Results come back canonical; answer with the caller's spelling of each id.
    const given = new Map<string, DatasetId>();
    for (const id of datasetIds) given.set(parseUuid(id) ?? id, id);
    const present = new Set<DatasetId>();
    for (const chunk of chunked([...given.keys()], BRIDGE_IN_LIST_SIZE)) {
      const rows = await this.#db.select({
        from: [{ source: this.#tables.location }],
        columns: { dataset_id: col('dataset_id') },
        where: and(eq(col('datastore_name'), this.datastoreName), inList(col('dataset_id'), chunk)),
      });
      for (const row of rows) {
        const id = row.dataset_id as string;
        present.add(given.get(id) ?? id);
      }
    }
    return present;
  }

  /**
   * Gives `body` this datastore's trashed datasets that have rows in `recordsTable` (one pair
   * per record row, the record decoded by `recordClass` from its row plus `datastore_name`)
   * and, with `recordColumn`, the values of that column still used by datasets this
   * datastore holds. When the body resolves (and not `dryRun`), deletes those datasets'
   * records and trash rows in one transaction; when it throws, deletes nothing.
   *
   * `recordsTable` must be registered on this bridge's database or a clone of it (its table
   * is joined to the trash, and its rows are deleted in the same transaction as the trash's).
   *
   * Unlike daf_butler, an empty `selectedIds` processes nothing (as the interface documents;
   * Python processed the whole trash). As in daf_butler, trash rows without any record are
   * never given to the body nor removed. No row locks are taken (the query language has no
   * `FOR UPDATE SKIP LOCKED`); deleting rows another process removed first is harmless.
   *
   * @throws `InvalidArgumentError` without `recordsTable` or `recordClass`, or when
   *   `recordsTable` has no `dataset_id` column; `UnknownColumnError` for a `recordColumn`
   *   it does not have; `DatabaseLogicError` when `recordsTable` is not a
   *   `ByNameOpaqueTableStorage` (its table is joined to the trash); `ReadOnlyDatabaseError`
   *   on a read-only database unless `dryRun`. All before the body runs.
   */
  override async emptyTrash<Info, T>(
    options: EmptyTrashOptions<Info>,
    body: TrashBody<Info, T>,
  ): Promise<T> {
    checkOptions('DatastoreRegistryBridge.emptyTrash', options, EMPTY_TRASH_OPTIONS);
    const {
      recordsTable = null,
      recordClass = null,
      recordColumn = null,
      selectedIds = null,
      dryRun = false,
    } = options;
    if (recordsTable === null)
      throw new InvalidArgumentError('This implementation requires a records table.');
    if (!ByNameOpaqueTableStorage.is(recordsTable)) {
      throw new DatabaseLogicError(
        `The monolithic bridge joins its trash to the records table, so it needs a ByNameOpaqueTableStorage, not ${recordsTable.constructor.name}`,
      );
    }
    if (recordClass === null)
      throw new InvalidArgumentError('Record class must be provided if records table is given.');
    const records = recordsTable.table;
    if (getField(records.spec, 'dataset_id') === undefined) {
      throw new InvalidArgumentError(`Records table ${records.name} has no dataset_id column`);
    }
    if (recordColumn !== null && getField(records.spec, recordColumn) === undefined) {
      throw new UnknownColumnError(
        records.name,
        recordColumn,
        records.spec.fields.map((f) => f.name),
      );
    }
    if (!dryRun) this.#requireWriteable('empty the trash of');

    // null: the whole trash of this datastore; otherwise chunks of the selected ids.
    const selection =
      selectedIds === null ? [null] : chunked(this.#distinctIds(selectedIds), BRIDGE_IN_LIST_SIZE);
    const rows: Row[] = [];
    const keep = recordColumn === null ? null : new Set<string>();
    for (const chunk of selection) {
      for (const row of await this.#db.select(this.#trashedRecords(records, chunk))) rows.push(row);
      if (keep !== null && recordColumn !== null) {
        for (const row of await this.#db.select(
          this.#keptArtifacts(records, recordColumn, chunk),
        )) {
          keep.add(String(row.artifact));
        }
      }
    }
    const trashed = (function* (): Generator<[DatasetIdRef, Info | null]> {
      for (const row of rows)
        yield [new FakeDatasetRef(row.dataset_id as string), recordClass.fromRecord(row)];
    })();
    const result = await body(trashed, keep);
    if (dryRun || rows.length === 0) return result;

    const ids = [...new Set(rows.map((row) => row.dataset_id as string))];
    await this.#db.transaction(async () => {
      for (const chunk of chunked(ids, BRIDGE_CHUNK_SIZE)) {
        await this.#db.delete(
          records,
          ['dataset_id'],
          chunk.map((id) => ({ dataset_id: id })),
        );
        await this.#db.delete(
          this.#tables.trash,
          ['dataset_id', 'datastore_name'],
          chunk.map((id) => ({ dataset_id: id, datastore_name: this.datastoreName })),
        );
      }
    });
    return result;
  }

  // Every column of the records of this datastore's trashed datasets, plus datastore_name.
  #trashedRecords(records: TableHandle, ids: readonly DatasetId[] | null): SelectQuery {
    const columns: Record<string, Expr> = {};
    for (const field of records.spec.fields) columns[field.name] = col('r', field.name);
    columns.datastore_name ??= col('t', 'datastore_name');
    return {
      from: [
        { source: records, alias: 'r' },
        { source: this.#tables.trash, alias: 't' },
      ],
      columns,
      where: this.#trashJoin('r', 't', ids),
    };
  }

  // The artifacts of this datastore's trashed datasets that datasets it still holds use too.
  #keptArtifacts(
    records: TableHandle,
    recordColumn: string,
    ids: readonly DatasetId[] | null,
  ): SelectQuery {
    const trashedArtifacts: SelectQuery = {
      from: [
        { source: records, alias: 'tr' },
        { source: this.#tables.trash, alias: 't' },
      ],
      columns: { artifact: col('tr', recordColumn) },
      where: this.#trashJoin('tr', 't', ids),
    };
    return {
      from: [
        { source: records, alias: 'r' },
        { source: this.#tables.location, alias: 'l' },
      ],
      columns: { artifact: col('r', recordColumn) },
      where: and(
        cmp(col('r', 'dataset_id'), '=', col('l', 'dataset_id')),
        eq(col('l', 'datastore_name'), this.datastoreName),
        inSelect(col('r', recordColumn), trashedArtifacts),
      ),
      groupBy: [col('r', recordColumn)],
    };
  }

  #trashJoin(records: string, trash: string, ids: readonly DatasetId[] | null): Expr {
    const terms = [
      cmp(col(records, 'dataset_id'), '=', col(trash, 'dataset_id')),
      eq(col(trash, 'datastore_name'), this.datastoreName),
    ];
    if (ids !== null) terms.push(inList(col(trash, 'dataset_id'), ids));
    return and(...terms);
  }

  #requireWriteable(action: string): void {
    if (!this.#db.isWriteable()) {
      throw new ReadOnlyDatabaseError(
        `Cannot ${action} datastore ${this.datastoreName} in read-only database ${this.#db.toString()}`,
      );
    }
  }

  #distinctIds(ids: Iterable<DatasetId>): DatasetId[] {
    return [...new Set([...ids].map((id) => parseUuid(id) ?? id))];
  }

  #ids(refs: Iterable<DatasetIdRef>): DatasetId[] {
    return this.#distinctIds([...refs].map((ref) => ref.id));
  }

  #rows(refs: Iterable<DatasetIdRef>): { datastore_name: string; dataset_id: string }[] {
    return [...refs].map((ref) => ({ datastore_name: this.datastoreName, dataset_id: ref.id }));
  }
}
