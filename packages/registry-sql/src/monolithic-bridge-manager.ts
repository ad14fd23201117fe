import { tableSpec } from '@butler-ts/ddl';
import type { TableSpec } from '@butler-ts/ddl';
import {
  DatastoreRegistryBridgeManager,
  EphemeralDatastoreRegistryBridge,
  checkOptions,
  col,
  eq,
} from '@butler-ts/registry-interfaces';
import type {
  Database,
  DatasetForeignKeys,
  DatasetIdRef,
  DatastoreRegistryBridge,
  DatastoreRegistryBridgeManagerClass,
  OpaqueTableStorageManager,
  StaticTablesContext,
} from '@butler-ts/registry-interfaces';
import { VersionTuple } from '@butler-ts/versioning';
import { MonolithicDatastoreRegistryBridge } from './monolithic-bridge.ts';
import type { MonolithicBridgeTables } from './monolithic-bridge.ts';

const DATASTORE_NAME = {
  name: 'datastore_name',
  dtype: 'string',
  length: 256,
  primaryKey: true,
  doc: 'Name of the Datastore this entry corresponds to.',
} as const;

/**
 * The specs of `dataset_location` (`datastore_name`, `dataset_id` with the foreign key that
 * `datasets` adds) and `dataset_location_trash` (`dataset_id`, `datastore_name`, never a
 * foreign key: the dataset may be gone already). Both keyed by the pair.
 */
export function monolithicBridgeTableSpecs(datasets: DatasetForeignKeys): {
  /** Which datastore holds which dataset. */
  readonly dataset_location: TableSpec;
  /** Which datastore has trashed which dataset, until its artifacts are deleted. */
  readonly dataset_location_trash: TableSpec;
} {
  const base = tableSpec({ fields: [DATASTORE_NAME] });
  const location = datasets.addDatasetForeignKey(base, { primaryKey: true });
  const withId = datasets.addDatasetForeignKey(base, { primaryKey: true, constraint: false });
  // daf_butler puts dataset_id first in the trash, which suits the query planner.
  const trash = tableSpec({
    ...withId,
    fields: [...withId.fields.filter((f) => f.name !== DATASTORE_NAME.name), withId.fields[0]!],
  });
  return { dataset_location: location, dataset_location_trash: trash };
}

/**
 * The default bridge manager (schema version 0.2.1): persistent datastores share the static
 * tables `dataset_location` and `dataset_location_trash`; ephemeral datastores get an
 * in-process `EphemeralDatastoreRegistryBridge`, one per name, kept by this manager
 * (not by its clones).
 *
 * @example
 * ```ts
 * const bridge = bridges.register('FileDatastore@<butlerRoot>');
 * await bridge.insert([ref]);
 * for await (const name of bridges.findDatastores(ref)) console.log(name);
 * ```
 */
export class MonolithicDatastoreRegistryBridgeManager<
  Universe = unknown,
> extends DatastoreRegistryBridgeManager<Universe> {
  /** The opaque-table manager datastores keep their records with. */
  readonly opaque: OpaqueTableStorageManager;
  /** The registry's dimension universe, passed through. */
  readonly universe: Universe;
  readonly #db: Database;
  readonly #tables: MonolithicBridgeTables;
  readonly #ephemeral = new Map<string, EphemeralDatastoreRegistryBridge>();

  protected constructor(options: {
    readonly db: Database;
    readonly tables: MonolithicBridgeTables;
    readonly opaque: OpaqueTableStorageManager;
    readonly universe: Universe;
    readonly registrySchemaVersion: VersionTuple | null;
  }) {
    super({ registrySchemaVersion: options.registrySchemaVersion });
    this.#db = options.db;
    this.#tables = options.tables;
    this.opaque = options.opaque;
    this.universe = options.universe;
  }

  /** daf_butler's name for this manager, stored in the attributes table. */
  static override extensionName(): string {
    return 'lsst.daf.butler.registry.bridge.monolithic.MonolithicDatastoreRegistryBridgeManager';
  }

  /** `[0.2.1]`. */
  static override currentVersions(): readonly VersionTuple[] {
    return [new VersionTuple(0, 2, 1)];
  }

  /**
   * Declares `dataset_location` and `dataset_location_trash` in `context` and returns the
   * manager. `datasets` adds the `dataset_id` columns (and the foreign key to the dataset
   * table, when there is one).
   */
  static initialize<U>(
    db: Database,
    context: StaticTablesContext,
    options: {
      readonly opaque: OpaqueTableStorageManager;
      readonly datasets: DatasetForeignKeys;
      readonly universe: U;
      readonly registrySchemaVersion?: VersionTuple | null;
    },
  ): MonolithicDatastoreRegistryBridgeManager<U> {
    checkOptions('DatastoreRegistryBridgeManager.initialize', options, [
      'opaque',
      'datasets',
      'universe',
      'registrySchemaVersion',
    ]);
    const specs = monolithicBridgeTableSpecs(options.datasets);
    const tables = context.addTableTuple(specs);
    return new this<U>({
      db,
      tables: { location: tables.dataset_location, trash: tables.dataset_location_trash },
      opaque: options.opaque,
      universe: options.universe,
      registrySchemaVersion: options.registrySchemaVersion ?? null,
    });
  }

  /** A manager on `db` and `opaque` with the same tables, universe and version, and no ephemeral bridges. */
  override clone(options: {
    readonly db: Database;
    readonly opaque: OpaqueTableStorageManager;
  }): MonolithicDatastoreRegistryBridgeManager<Universe> {
    checkOptions('DatastoreRegistryBridgeManager.clone', options, ['db', 'opaque']);
    const cls = this.constructor as typeof MonolithicDatastoreRegistryBridgeManager;
    return new cls<Universe>({
      db: options.db,
      tables: this.#tables,
      opaque: options.opaque,
      universe: this.universe,
      registrySchemaVersion: this.registrySchemaVersion,
    });
  }

  /** Nothing is cached from the database: a no-op. */
  override refresh(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * The bridge of datastore `name`: with `ephemeral`, this manager's in-process bridge for
   * that name (the same object on every call); otherwise a new database-backed bridge.
   */
  override register(
    name: string,
    options: { readonly ephemeral?: boolean } = {},
  ): DatastoreRegistryBridge {
    checkOptions('DatastoreRegistryBridgeManager.register', options, ['ephemeral']);
    if (options.ephemeral !== true)
      return new MonolithicDatastoreRegistryBridge(name, this.#db, this.#tables);
    let bridge = this.#ephemeral.get(name);
    if (bridge === undefined)
      this.#ephemeral.set(name, (bridge = new EphemeralDatastoreRegistryBridge(name)));
    return bridge;
  }

  /**
   * The datastores holding the dataset: persistent ones (database order), then this
   * manager's ephemeral ones.
   */
  override async *findDatastores(ref: DatasetIdRef): AsyncIterable<string> {
    const rows = await this.#db.select({
      from: [{ source: this.#tables.location }],
      columns: { datastore_name: col('datastore_name') },
      where: eq(col('dataset_id'), ref.id),
    });
    for (const row of rows) yield row.datastore_name as string;
    for (const [name, bridge] of this.#ephemeral) if (bridge.contains(ref)) yield name;
  }

  /** Runs `body` in a transaction of the registry's database (joining an open one). */
  override transaction<T>(body: () => Promise<T>): Promise<T> {
    return this.#db.transaction(body);
  }
}

// Checks at compile time that the class has the static side a registry is configured with.
MonolithicDatastoreRegistryBridgeManager satisfies DatastoreRegistryBridgeManagerClass;
