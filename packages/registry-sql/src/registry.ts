import {
  InvalidArgumentError,
  LookupError,
  MissingTableError,
  NotSupportedError,
  checkOptions,
} from '@butler-ts/registry-interfaces';
import { DimensionUniverse } from '@butler-ts/core';
import type {
  ButlerAttributeManager,
  ButlerAttributeManagerClass,
  CollectionManager,
  CollectionManagerClass,
  DatasetRecordStorageManager,
  DatasetRecordStorageManagerClass,
  Database,
  DatasetForeignKeys,
  DimensionRecordStorageManager,
  DimensionRecordStorageManagerClass,
  DatastoreRegistryBridgeManager,
  DatastoreRegistryBridgeManagerClass,
  OpaqueTableStorageManager,
  OpaqueTableStorageManagerClass,
} from '@butler-ts/registry-interfaces';
import { VersionTuple } from '@butler-ts/versioning';
import type { VersionedExtension, VersionedExtensionClass } from '@butler-ts/versioning';
import { DefaultButlerAttributeManager } from './attributes-manager.ts';
import { SynthIntKeyCollectionManager } from './collections-manager.ts';
import { ByDimensionsDatasetRecordStorageManagerUUID } from './datasets-manager.ts';
import { datasetForeignKeysFor, datasetTableForeignKeys } from './dataset-foreign-keys.ts';
import { StaticDimensionRecordStorageManager } from './dimension-manager.ts';
import { redactUrl } from './redact-url.ts';
import { MonolithicDatastoreRegistryBridgeManager } from './monolithic-bridge-manager.ts';
import { ByNameOpaqueTableStorageManager } from './opaque-manager.ts';
import { ButlerVersionsManager, MANAGER_CONFIG_PREFIX } from './versions-manager.ts';
import type { ButlerVersionsManagerOptions, StoredManager } from './versions-manager.ts';

/** A manager class with options: a configured schema version (`"M.m.p"` or a tuple). */
export interface ManagerSpec<C> {
  /** The manager class. */
  readonly cls: C;
  /**
   * The schema version to create (it must be one the class supports exactly), or to assume
   * when opening a registry that stores none.
   */
  readonly schemaVersion?: VersionTuple | string | null;
}

/** A manager class, alone or with options. */
export type ManagerConfig<C> = C | ManagerSpec<C>;

/**
 * The managers of a registry, keyed by daf_butler's manager types. Each defaults to its
 * entry in {@link DEFAULT_MANAGERS}.
 */
export interface RegistryManagersConfig {
  /** The attributes manager, where the others' names and versions are stored. */
  readonly attributes?: ManagerConfig<ButlerAttributeManagerClass>;
  /** The opaque-table manager, for datastore records. */
  readonly opaque?: ManagerConfig<OpaqueTableStorageManagerClass>;
  /** The datastore bridge manager. */
  readonly datastores?: ManagerConfig<DatastoreRegistryBridgeManagerClass>;
  /** The dimensions manager (element records, saved dimension groups). */
  readonly dimensions?: ManagerConfig<DimensionRecordStorageManagerClass>;
  /** The collections manager. */
  readonly collections?: ManagerConfig<CollectionManagerClass>;
  /** The datasets manager. */
  readonly datasets?: ManagerConfig<DatasetRecordStorageManagerClass>;
}

/** The default managers: the ones daf_butler's `registry.yaml` names. */
export const DEFAULT_MANAGERS = Object.freeze({
  /** {@link DefaultButlerAttributeManager}: `butler_attributes`, schema version 1.0.1. */
  attributes: DefaultButlerAttributeManager,
  /** {@link ByNameOpaqueTableStorageManager}: one real table per logical table, 0.2.0. */
  opaque: ByNameOpaqueTableStorageManager,
  /** {@link MonolithicDatastoreRegistryBridgeManager}: `dataset_location(_trash)`, 0.2.1. */
  datastores: MonolithicDatastoreRegistryBridgeManager,
  /** {@link StaticDimensionRecordStorageManager}: element tables and dimension groups, 6.0.2. */
  dimensions: StaticDimensionRecordStorageManager,
  /** {@link SynthIntKeyCollectionManager}: `collection`, `run`, `collection_chain`, 2.0.0. */
  collections: SynthIntKeyCollectionManager,
  /**
   * {@link ByDimensionsDatasetRecordStorageManagerUUID}: `dataset_type`, `dataset`, tags
   * tables and collection summaries, 2.0.0.
   */
  datasets: ByDimensionsDatasetRecordStorageManagerUUID,
}) satisfies Required<RegistryManagersConfig>;

/** Options of {@link createRegistry} and {@link openRegistry}. */
export interface RegistryOptions extends ButlerVersionsManagerOptions {
  /** The manager classes (default {@link DEFAULT_MANAGERS}). */
  readonly managers?: RegistryManagersConfig;
  /**
   * Adds the `dataset_id` columns of the bridge tables (this option was called `datasets`,
   * the key of the datasets manager in `managers`). `createRegistry` defaults to
   * {@link datasetTableForeignKeys}: daf_butler's foreign key to the datasets manager's
   * `dataset` table. `openRegistry` defaults to what the database holds
   * ({@link datasetForeignKeysFor}): that foreign key where the `dataset` table exists.
   */
  readonly datasetForeignKeys?: DatasetForeignKeys;
  /**
   * The dimension universe handed to the bridge manager (default: the registry's). When it
   * is a `DimensionUniverse` read from daf_butler's configuration, `createRegistry` also makes
   * it the registry's universe (stored in `config:dimensions.json`); otherwise a new registry
   * gets `DimensionUniverse.default()`, and an existing one keeps the universe it stores.
   */
  readonly universe?: unknown;
  /** The value autoincrement `origin` columns default to. */
  readonly origin?: number;
  /** The schema (PostgreSQL) or attached database (SQLite) the tables live in. */
  readonly namespace?: string | null;
}

/** Options of {@link openRegistry}. */
export interface OpenRegistryOptions extends RegistryOptions {
  /** Open for writing (default `true`); a read-only registry rejects every write. */
  readonly writeable?: boolean;
}

/** An open registry: its database and managers. */
export interface Registry {
  /** The database the registry lives in. */
  readonly db: Database;
  /** The key/value attributes (`butler_attributes`). */
  readonly attributes: ButlerAttributeManager;
  /** The opaque-table manager (datastore records). */
  readonly opaque: OpaqueTableStorageManager;
  /** The datastore bridge manager. */
  readonly bridges: DatastoreRegistryBridgeManager;
  /** The dimensions manager: the registry's universe, element records, dimension groups. */
  readonly dimensions: DimensionRecordStorageManager;
  /** The collections manager: RUN, TAGGED and CHAINED collections. */
  readonly collections: CollectionManager;
  /** The datasets manager: dataset types, datasets, TAGGED associations. */
  readonly datasets: DatasetRecordStorageManager;
  /** The schema version of each versioned manager, by manager type (as stored). */
  readonly versions: ReadonlyMap<string, VersionTuple>;
  /**
   * The stored managers this registry does not implement, by manager type, as stored: in a
   * registry written by daf_butler, none (all six are implemented).
   * Their tables are neither declared nor written; they do not prevent opening. Empty for a
   * registry made by `createRegistry`.
   */
  readonly otherManagers: ReadonlyMap<string, StoredManager>;
  /** Closes the database. */
  close(): Promise<void>;
}

interface Resolved {
  readonly attributes: ButlerAttributeManagerClass;
  readonly opaque: OpaqueTableStorageManagerClass;
  readonly datastores: DatastoreRegistryBridgeManagerClass;
  readonly dimensions: DimensionRecordStorageManagerClass;
  readonly collections: CollectionManagerClass;
  readonly datasets: DatasetRecordStorageManagerClass;
  readonly configured: ReadonlyMap<string, VersionTuple>;
}

const REGISTRY_OPTIONS = [
  'managers',
  'datasetForeignKeys',
  'universe',
  'origin',
  'namespace',
  'onWarning',
] as const;

function resolveManagers(config: RegistryManagersConfig = {}): Resolved {
  checkOptions('RegistryOptions.managers', config, [
    'attributes',
    'opaque',
    'datastores',
    'dimensions',
    'collections',
    'datasets',
  ]);
  const configured = new Map<string, VersionTuple>();
  function pick<C>(
    type: keyof RegistryManagersConfig,
    entry: ManagerConfig<C> | undefined,
    fallback: C,
  ): C {
    if (entry === undefined) return fallback;
    if (typeof entry === 'function') return entry;
    const spec = entry as ManagerSpec<C>;
    checkOptions(`RegistryOptions.managers.${type}`, spec, ['cls', 'schemaVersion']);
    const version = spec.schemaVersion ?? null;
    if (version !== null)
      configured.set(
        type,
        typeof version === 'string' ? VersionTuple.fromString(version) : version,
      );
    return spec.cls;
  }
  return {
    attributes: pick('attributes', config.attributes, DEFAULT_MANAGERS.attributes),
    opaque: pick('opaque', config.opaque, DEFAULT_MANAGERS.opaque),
    datastores: pick('datastores', config.datastores, DEFAULT_MANAGERS.datastores),
    dimensions: pick('dimensions', config.dimensions, DEFAULT_MANAGERS.dimensions),
    collections: pick('collections', config.collections, DEFAULT_MANAGERS.collections),
    datasets: pick('datasets', config.datasets, DEFAULT_MANAGERS.datasets),
    configured,
  };
}

function classes(managers: Resolved): Map<string, VersionedExtensionClass> {
  return new Map<string, VersionedExtensionClass>([
    ['attributes', managers.attributes],
    ['opaque', managers.opaque],
    ['datastores', managers.datastores],
    ['dimensions', managers.dimensions],
    ['collections', managers.collections],
    ['datasets', managers.datasets],
  ]);
}

async function connect(
  uri: string,
  options: RegistryOptions,
  writeable: boolean,
  create: boolean,
): Promise<Database> {
  if (typeof uri !== 'string')
    throw new InvalidArgumentError(`A registry URI is a string, not ${typeof uri}`);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase();
  if (scheme === 'sqlite') {
    // Loaded on demand, so that users of another engine need not install its driver.
    const { SqliteDatabase } = await import('./sqlite/sqlite-database.ts');
    return SqliteDatabase.fromUri(uri, {
      writeable,
      create,
      ...(options.origin === undefined ? {} : { origin: options.origin }),
      ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    });
  }
  if (scheme === 'postgresql' || scheme === 'postgres') {
    const { PostgresDatabase } = await import('./postgres/postgres-database.ts');
    return PostgresDatabase.fromUri(uri, {
      writeable,
      ...(options.origin === undefined ? {} : { origin: options.origin }),
      ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    });
  }
  throw new NotSupportedError(
    `Unsupported registry URI ${JSON.stringify(redactUrl(uri))}: use sqlite:///<path>, sqlite:// or postgresql://…`,
  );
}

function versionsOptions(options: RegistryOptions): ButlerVersionsManagerOptions {
  return options.onWarning === undefined ? {} : { onWarning: options.onWarning };
}

async function closing<T>(db: Database, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    await db.close();
    throw error;
  }
}

interface Instances {
  readonly attributes: ButlerAttributeManager;
  readonly opaque: OpaqueTableStorageManager;
  readonly bridges: DatastoreRegistryBridgeManager;
  readonly collections: CollectionManager;
  readonly datasets: DatasetRecordStorageManager;
  readonly dimensions: DimensionRecordStorageManager;
}

/** The attribute holding the registry's dimension configuration (daf_butler's key). */
const DIMENSIONS_CONFIG_KEY = 'config:dimensions.json';

/** The universe a new registry stores: the `universe` option when it has daf_butler's configuration. */
function newUniverse(options: RegistryOptions): DimensionUniverse {
  const given = options.universe;
  return given instanceof DimensionUniverse && given.dimensionConfig !== null
    ? given
    : DimensionUniverse.default();
}

async function declareManagers(
  db: Database,
  managers: Resolved,
  options: RegistryOptions,
  create: boolean,
  versions: ReadonlyMap<string, VersionTuple>,
  universe: DimensionUniverse,
  // The tables of an existing registry, or null when creating one.
  tables: ReadonlySet<string> | null,
  init?: (instances: Instances) => Promise<void>,
): Promise<Instances> {
  let instances: Instances | undefined;
  await db.declareStaticTables({ create }, (context) => {
    const attributes = managers.attributes.initialize(
      db,
      context,
      versions.get('attributes') ?? null,
    );
    const dimensions = managers.dimensions.initialize(db, context, {
      universe,
      registrySchemaVersion: versions.get('dimensions') ?? null,
    });
    const collections = managers.collections.initialize(
      db,
      context,
      versions.get('collections') ?? null,
    );
    const datasets = managers.datasets.initialize(db, context, {
      collections,
      dimensions,
      hasDimensionTable: (name) =>
        tables === null ? universe.getElement(name).hasOwnTable : tables.has(name),
      registrySchemaVersion: versions.get('datasets') ?? null,
    });
    const opaque = managers.opaque.initialize(db, context, versions.get('opaque') ?? null);
    const bridges = managers.datastores.initialize(db, context, {
      opaque,
      datasets: options.datasetForeignKeys ?? datasetTableForeignKeys,
      universe: options.universe ?? universe,
      registrySchemaVersion: versions.get('datastores') ?? null,
    });
    const made: Instances = { attributes, opaque, bridges, dimensions, collections, datasets };
    instances = made;
    if (init !== undefined) context.addInitializer(() => init(made));
  });
  return instances!;
}

function registry(
  db: Database,
  instances: Instances,
  versions: ReadonlyMap<string, VersionTuple>,
  otherManagers: ReadonlyMap<string, StoredManager> = new Map(),
): Registry {
  return Object.freeze({
    db,
    ...instances,
    versions,
    otherManagers,
    close: () => db.close(),
  });
}

/**
 * Creates a registry in an empty database: declares every manager's static tables, then
 * stores each manager's name and schema version in `butler_attributes` (both in the same
 * declaration, so a failure leaves no schema behind where the engine supports it).
 *
 * @param uri `sqlite:///<path>` for a file, `sqlite://` for memory.
 * @throws `IncompatibleVersionError` when a configured schema version is not exactly one a
 *   manager supports (before the database is opened).
 * @throws `SchemaAlreadyDefinedError` when the database already holds tables.
 * @throws `NotSupportedError` for a URI scheme other than `sqlite:` or `postgresql:`.
 * @throws `DatabaseOpenError` naming the path when the SQLite file's folder is missing or the
 *   file is no SQLite database, and naming the URL (password hidden) when the server cannot
 *   be reached.
 * @throws `UnknownOptionError` for an option it does not take.
 * @example
 * ```ts
 * const registry = await createRegistry('sqlite:///data/repo/gen3.sqlite3');
 * registry.versions.get('opaque')?.toString(); // '0.2.0'
 * await registry.close();
 * ```
 */
export async function createRegistry(
  uri: string,
  options: RegistryOptions = {},
): Promise<Registry> {
  checkOptions('createRegistry', options, REGISTRY_OPTIONS);
  const managers = resolveManagers(options.managers);
  const byType = classes(managers);
  for (const [type, version] of managers.configured)
    byType.get(type)!.checkNewSchemaVersion(version);
  const db = await connect(uri, options, true, true);
  return closing(db, async () => {
    const stored = new Map<string, VersionTuple>();
    const universe = newUniverse(options);
    const instances = await declareManagers(
      db,
      managers,
      options,
      true,
      managers.configured,
      universe,
      null,
      async (made) => {
        const byInstance = new Map<string, VersionedExtension>([
          ['attributes', made.attributes],
          ['opaque', made.opaque],
          ['datastores', made.bridges],
          ['dimensions', made.dimensions],
          ['collections', made.collections],
          ['datasets', made.datasets],
        ]);
        await made.attributes.set(DIMENSIONS_CONFIG_KEY, universe.toConfigJson()!);
        await new ButlerVersionsManager(
          made.attributes,
          versionsOptions(options),
        ).storeManagersConfig(byInstance);
        for (const [type, manager] of byInstance) {
          const version = manager.newSchemaVersion();
          if (version !== null) stored.set(type, version);
        }
      },
    );
    return registry(db, instances, stored);
  });
}

/**
 * Opens an existing registry: checks that the stored managers are the configured ones and
 * that their stored schema versions can be read (or, when `writeable`, written) by them,
 * then declares the managers with their stored versions. As in daf_butler, the attributes
 * manager is first declared without a version (so the stored versions can be read) and
 * then checked like the others.
 *
 * @param uri `sqlite:///<path>` for a file.
 * @throws `MissingTableError` when the database holds no `butler_attributes` table, and
 *   `LookupError` when that table is empty (no registry was created there).
 * @throws `MissingManagerError` / `ManagerMismatchError` when the stored managers differ.
 * @throws `IncompatibleVersionError` when a stored version is not compatible.
 * @throws `NotSupportedError` for a URI scheme other than `sqlite:` or `postgresql:`.
 * @throws `DatabaseOpenError` naming the path when the SQLite file or its folder is missing
 *   (opening never creates a file), is a folder or is no SQLite database, and naming the URL
 *   (password hidden) when the server cannot be reached.
 * @throws `UnknownOptionError` for an option it does not take (e.g. `writable`).
 * @example
 * ```ts
 * const registry = await openRegistry('sqlite:///data/repo/gen3.sqlite3', { writeable: false });
 * for await (const row of registry.opaque.getOrThrow('file_records').fetch()) console.log(row);
 * ```
 */
export async function openRegistry(
  uri: string,
  options: OpenRegistryOptions = {},
): Promise<Registry> {
  checkOptions('openRegistry', options, [...REGISTRY_OPTIONS, 'writeable']);
  const managers = resolveManagers(options.managers);
  const db = await connect(uri, options, options.writeable ?? true, false);
  return closing(db, async () => {
    const tables = await db.tableNames();
    if (!tables.has('butler_attributes')) {
      throw new MissingTableError(
        'butler_attributes',
        `No registry in ${db.toString()}: table butler_attributes is missing`,
      );
    }
    let attributes!: ButlerAttributeManager;
    await db.declareStaticTables({ create: false }, (context) => {
      attributes = managers.attributes.initialize(db, context, null);
    });
    if (await attributes.empty()) {
      const key = `${MANAGER_CONFIG_PREFIX}attributes`;
      throw new LookupError(key, `No registry in ${db.toString()}: attribute ${key} is missing`);
    }
    const versionsManager = new ButlerVersionsManager(attributes, versionsOptions(options));
    const byType = classes(managers);
    await versionsManager.checkManagersConfig(byType);
    const versions = new Map(managers.configured);
    for (const [type, version] of await versionsManager.managerVersions()) {
      if (byType.has(type)) versions.set(type, version);
    }
    for (const [type, version] of versions)
      byType.get(type)!.checkCompatibility(version, db.isWriteable());
    const otherManagers = new Map(
      [...(await versionsManager.storedManagers())].filter(([type]) => !byType.has(type)),
    );
    // As daf_butler: the stored configuration, or the default for a registry storing none.
    const storedConfig = await attributes.get(DIMENSIONS_CONFIG_KEY);
    const universe =
      storedConfig === null
        ? DimensionUniverse.default()
        : DimensionUniverse.fromConfig(storedConfig);
    const instances = await declareManagers(
      db,
      managers,
      {
        ...options,
        datasetForeignKeys: options.datasetForeignKeys ?? datasetForeignKeysFor(tables),
      },
      false,
      versions,
      universe,
      tables,
    );
    return registry(db, instances, versions, otherManagers);
  });
}
