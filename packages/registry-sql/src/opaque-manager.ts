import { tableSpec, validateTableName } from '@butler-ts/ddl';
import type { TableSpec } from '@butler-ts/ddl';
import { OpaqueTableStorageManager } from '@butler-ts/registry-interfaces';
import type {
  Database,
  OpaqueTableStorageManagerClass,
  StaticTablesContext,
  TableHandle,
} from '@butler-ts/registry-interfaces';
import { VersionTuple } from '@butler-ts/versioning';
import { ByNameOpaqueTableStorage } from './opaque-storage.ts';

/** The spec of `opaque_meta`, which records the names of the opaque tables. */
export const OPAQUE_META_SPEC = tableSpec({
  fields: [
    {
      /** Column `table_name`: the name of a registered opaque table. */
      name: 'table_name',
      /** A string column, at most `length` characters. */
      dtype: 'string',
      /** 128 characters, as daf_butler declares it. */
      length: 128,
      /** Each table is recorded once. */
      primaryKey: true,
    },
  ],
});

/**
 * The handle of `opaque_meta`, typed by {@link OPAQUE_META_SPEC}: what a subclass of
 * {@link ByNameOpaqueTableStorageManager} passes to its protected constructor.
 */
export type OpaqueMetaTable = TableHandle<typeof OPAQUE_META_SPEC>;

/**
 * The default opaque-table manager (schema version 0.2.0): each logical table is a real
 * table of the same name, and its name is recorded in the static table `opaque_meta`.
 *
 * Only tables registered through this manager, or a clone of it, are known: clones share
 * the meta table and the name → table cache, and the set of tables is never read back from
 * the database. A cached table handle is only valid with the database that made it or its
 * clones, so clone managers onto `db.clone()`.
 *
 * @example
 * ```ts
 * const records = await opaque.register('file_records', tableSpec({
 *   fields: [
 *     { name: 'dataset_id', dtype: 'uuid', primaryKey: true },
 *     { name: 'path', dtype: 'string', length: 256, nullable: false },
 *   ],
 * }));
 * await records.insert([{ dataset_id: id, path: 'a/b.fits' }]);
 * for await (const row of records.fetch({ path: 'a/%' })) console.log(row.path);
 * ```
 */
export class ByNameOpaqueTableStorageManager extends OpaqueTableStorageManager {
  readonly #db: Database;
  readonly #meta: OpaqueMetaTable;
  readonly #cache: Map<string, TableHandle>;

  protected constructor(
    db: Database,
    meta: OpaqueMetaTable,
    cache: Map<string, TableHandle>,
    registrySchemaVersion: VersionTuple | null,
  ) {
    super({ registrySchemaVersion });
    this.#db = db;
    this.#meta = meta;
    this.#cache = cache;
  }

  /** daf_butler's name for this manager, stored in the attributes table. */
  static override extensionName(): string {
    return 'lsst.daf.butler.registry.opaque.ByNameOpaqueTableStorageManager';
  }

  /** `[0.2.0]`. */
  static override currentVersions(): readonly VersionTuple[] {
    return [new VersionTuple(0, 2, 0)];
  }

  /**
   * Declares `opaque_meta` in `context` and returns a manager with an empty cache.
   *
   * @param registrySchemaVersion the stored version, or `null` while creating a registry.
   */
  static initialize(
    db: Database,
    context: StaticTablesContext,
    registrySchemaVersion: VersionTuple | null = null,
  ): ByNameOpaqueTableStorageManager {
    const meta = context.addTable('opaque_meta', OPAQUE_META_SPEC);
    return new this(db, meta, new Map(), registrySchemaVersion);
  }

  /** A new storage wrapper on every call, or `null` if `name` was not registered here. */
  override get(name: string): ByNameOpaqueTableStorage | null {
    const table = this.#cache.get(name);
    return table === undefined ? null : new ByNameOpaqueTableStorage(name, table, this.#db);
  }

  /**
   * Creates table `name` from `spec` unless it exists (possibly made by another client, in
   * which case its column names must match), records the name in `opaque_meta` and returns
   * its storage. A name registered before returns the same table, its spec not compared.
   * Must not be called inside a transaction.
   *
   * @throws `InvalidIdentifierError` for a name that is not a plain identifier, starts with
   *   `sqlite_`, or differs only in case from a table already registered or present, before
   *   any SQL writes.
   * @throws `DatabaseLogicError` inside a transaction; `ReadOnlyDatabaseError` when the
   *   table or its `opaque_meta` row is missing on a read-only database;
   *   `DatabaseConflictError` when the table exists with other columns.
   */
  override async register<S extends TableSpec>(
    name: string,
    spec: S,
  ): Promise<ByNameOpaqueTableStorage<S>> {
    validateTableName(name, 'table');
    const table = this.#cache.get(name) ?? (await this.#create(name, spec));
    return new ByNameOpaqueTableStorage(name, table as TableHandle<S>, this.#db);
  }

  async #create(name: string, spec: TableSpec): Promise<TableHandle> {
    const table = await this.#db.ensureTableExists(name, spec);
    await this.#db.sync(this.#meta, { keys: { table_name: name } });
    // Another registration may have finished meanwhile: the first table stored wins.
    const cached = this.#cache.get(name);
    if (cached !== undefined) return cached;
    this.#cache.set(name, table);
    return table;
  }

  /** A manager of the same class on `db`, sharing this one's meta table and cache. */
  override clone(db: Database): ByNameOpaqueTableStorageManager {
    const cls = this.constructor as typeof ByNameOpaqueTableStorageManager;
    return new cls(db, this.#meta, this.#cache, this.registrySchemaVersion);
  }
}

// Checks at compile time that the class has the static side a registry is configured with.
ByNameOpaqueTableStorageManager satisfies OpaqueTableStorageManagerClass;
