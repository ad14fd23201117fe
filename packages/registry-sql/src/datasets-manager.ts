import {
  DataCoordinate,
  DatasetIdGenEnum,
  DatasetRef,
  DatasetType,
  makeDatasetId,
} from '@butler-ts/core';
import type { DataIdValue, DimensionGroup, DimensionUniverse } from '@butler-ts/core';
import { TaiTime, getField } from '@butler-ts/ddl';
import type { TableSpec } from '@butler-ts/ddl';
import {
  CollectionType,
  CollectionTypeError,
  ConflictingDatasetTypeError,
  DataIdError,
  DatasetConflictError,
  DatasetRecordStorageManager,
  IntegrityError,
  InvalidArgumentError,
  LookupError,
  MissingDatasetTypeError,
  NotSupportedError,
  OrphanedRecordError,
  and,
  checkOptions,
  col,
  collectionTypeName,
  eq,
  inList,
} from '@butler-ts/registry-interfaces';
import type {
  CollectionManager,
  CollectionRecord,
  DataIdInput,
  Database,
  DatasetManagerInitOptions,
  DatasetRecordStorageManagerClass,
  DimensionRecordStorageManager,
  Expr,
  InsertDatasetsOptions,
  QueryDatasetsOptions,
  Row,
  StaticTablesContext,
  TableHandle,
} from '@butler-ts/registry-interfaces';
import { VersionTuple } from '@butler-ts/versioning';
import { chunked } from './chunks.ts';
import { COLLECTION_SPEC } from './collections-manager.ts';
import { quoteIdentifier as quoteName } from './ddl-names.ts';
import {
  COLLECTION_SUMMARY_DATASET_TYPE_SPEC,
  DATASET_SPEC,
  DATASET_TYPE_SPEC,
  collectionSummaryGovernorSpec,
  tagsTableName,
  tagsTableSpec,
} from './dataset-tables.ts';
import { pgArrayParam } from './postgres/postgres-codec.ts';
import { PostgresDatabase } from './postgres/postgres-database.ts';
import { pgType } from './postgres/postgres-ddl.ts';
import { sqliteUuidTextSql } from './sqlite/sqlite-codec.ts';
import { SqliteDatabase } from './sqlite/sqlite-database.ts';
import type { SqlitePluckStatement, SqliteRawStatement } from './sqlite/sqlite-database.ts';

/** The handles of the datasets manager's static tables. */
export interface DatasetTables {
  /** `dataset_type`. */
  readonly dataset_type: TableHandle;
  /** `dataset`. */
  readonly dataset: TableHandle;
  /** `collection_summary_dataset_type`. */
  readonly collection_summary_dataset_type: TableHandle;
  /** `collection_summary_<governor>`, by governor dimension. */
  readonly governorSummaries: ReadonlyMap<string, TableHandle>;
  /** `collection` (declared by the collections manager; joined for run names). */
  readonly collection: TableHandle;
}

/** {@link DatasetTables} with the specs the manager reads through. */
interface TypedDatasetTables {
  /** `dataset_type`. */
  readonly dataset_type: TableHandle<typeof DATASET_TYPE_SPEC>;
  /** `dataset`. */
  readonly dataset: TableHandle<typeof DATASET_SPEC>;
  /** `collection_summary_dataset_type`. */
  readonly collection_summary_dataset_type: TableHandle<
    typeof COLLECTION_SUMMARY_DATASET_TYPE_SPEC
  >;
  /** `collection_summary_<governor>`, by governor dimension. */
  readonly governorSummaries: ReadonlyMap<string, TableHandle>;
  /** `collection` (declared by the collections manager; joined for run names). */
  readonly collection: TableHandle<typeof COLLECTION_SPEC>;
}

/** A registered dataset type with what its queries need (the manager's cache entry). */
export interface DatasetTypeRecord {
  /** `dataset_type.id`. */
  readonly id: number;
  /** The dataset type. */
  readonly datasetType: DatasetType;
  /** The key of its dimension group. */
  readonly dimensionsKey: number;
  /** Its tags table. */
  readonly tags: TableHandle;
}
type TypeRecord = DatasetTypeRecord;

/** What `#findInCollections` found: per data ID its dataset's ID (or null) and run. */
interface Found {
  readonly ids: (string | null)[];
  readonly runs: string[];
}

/** A prepared SQLite lookup: its first row (or first column) for the parameters. */
type SqliteLookup = SqlitePluckStatement | SqliteRawStatement;

/**
 * The row of `stmt` for one data ID's values in one collection. Up to three dimensions the
 * values are passed directly (the common case, measurably cheaper); beyond that through
 * `apply` with `params`, one array reused by the caller (a spread would copy per call).
 */
function lookupSqlite(
  stmt: SqliteLookup,
  typeId: number,
  key: number,
  v: readonly DataIdValue[],
  params: unknown[],
): unknown {
  switch (v.length) {
    case 1:
      return stmt.get(typeId, key, v[0]);
    case 2:
      return stmt.get(typeId, key, v[0], v[1]);
    case 3:
      return stmt.get(typeId, key, v[0], v[1], v[2]);
    default:
      params[0] = typeId;
      params[1] = key;
      for (let k = 0; k < v.length; k++) params[k + 2] = v[k];
      // eslint-disable-next-line prefer-spread -- a spread copies the array per call
      return stmt.get.apply(stmt, params);
  }
}

/** The SQLite statements `findFirstSqlite` searches one collection of the path with. */
interface SqliteSearch {
  /** A RUN's lookup of one data ID's dataset ID (pluck), or null for a TAGGED collection. */
  readonly byId: SqlitePluckStatement | null;
  /** A TAGGED collection's lookup of one data ID's (ID, run), or null for a RUN. */
  readonly byIdAndRun: SqliteRawStatement | null;
  /** A RUN's rows (required values..., ID), or null where a scan is never taken. */
  readonly scan: SqliteRawStatement | null;
  /** How many rows a RUN holds, up to a limit (pluck; null with `scan`). */
  readonly count: SqlitePluckStatement | null;
}

/**
 * The dataset ID of `v` in `index` (nested maps by each required value, see `scanIndex`).
 * Map keys compare as SQLite's `=` does here: strings of TEXT columns and integers of
 * INTEGER columns, both as read and as checked by `#requiredValuesOfAll`.
 */
function probe(index: Map<unknown, unknown>, v: readonly DataIdValue[]): string | undefined {
  let level: unknown = index;
  for (let k = 0; k < v.length; k++) {
    level = (level as Map<unknown, unknown>).get(v[k]);
    if (level === undefined) return undefined;
  }
  return level as string;
}

/** Rows (required values..., ID) as nested maps by each value in turn, the ID last. */
function scanIndex(rows: readonly unknown[][], width: number): Map<unknown, unknown> {
  const root = new Map<unknown, unknown>();
  for (const row of rows) {
    let level = root;
    for (let k = 0; k < width - 1; k++) {
      let next = level.get(row[k]) as Map<unknown, unknown> | undefined;
      if (next === undefined) level.set(row[k], (next = new Map<unknown, unknown>()));
      level = next;
    }
    level.set(row[width - 1], row[width]);
  }
  return root;
}

/**
 * The fewest data IDs left for which `findFirstSqlite` asks whether a RUN is small enough to
 * read whole. The question (a `count` over the run's index range) costs about two lookups
 * and the read at least one, so with fewer data IDs their lookups cost no more even when the
 * run is small. A find of one data ID (every `Butler.get`) runs one statement per collection.
 */
const SCAN_FROM = 4;

/**
 * For each data ID's values, the first collection of `path` holding a dataset, searched one
 * collection at a time for the data IDs not found yet. A RUN holding no more datasets of the
 * type than there are data IDs left (at least `SCAN_FROM` of them) is read whole (one index
 * range) and joined here, which visits fewer rows than a lookup per data ID; otherwise, and in
 * TAGGED collections, each data ID is looked up. A module function, not a closure made per
 * call: V8 keeps its optimized code from one call to the next (a closure per call was
 * compiled again after each full garbage collection, `bench/find-datasets`).
 */
function findFirstSqlite(
  typeId: number,
  values: readonly (readonly DataIdValue[])[],
  path: readonly CollectionRecord[],
  searches: readonly SqliteSearch[],
): Found {
  const params: unknown[] = [];
  const found: Found = {
    ids: new Array<string | null>(values.length).fill(null),
    runs: new Array<string>(values.length),
  };
  // The positions of the data IDs not found yet.
  let left = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) left[i] = i;
  for (let p = 0; p < path.length && left.length > 0; p++) {
    const n = left.length;
    const { key, name } = path[p]!;
    const { byId, byIdAndRun, scan, count } = searches[p]!;
    const next: number[] = [];
    if (scan !== null && n >= SCAN_FROM && (count!.get(typeId, key, n + 1) as number) <= n) {
      const index = scanIndex(scan.all(typeId, key), values[0]!.length);
      for (let j = 0; j < n; j++) {
        const i = left[j]!;
        const id = probe(index, values[i]!);
        if (id === undefined) next.push(i);
        else {
          found.ids[i] = id;
          found.runs[i] = name;
        }
      }
    } else if (byId !== null) {
      for (let j = 0; j < n; j++) {
        const i = left[j]!;
        const id = lookupSqlite(byId, typeId, key, values[i]!, params);
        if (id === undefined) next.push(i);
        else {
          found.ids[i] = id as string;
          found.runs[i] = name;
        }
      }
    } else {
      for (let j = 0; j < n; j++) {
        const i = left[j]!;
        const row = lookupSqlite(byIdAndRun!, typeId, key, values[i]!, params) as
          unknown[] | undefined;
        if (row === undefined) next.push(i);
        else {
          found.ids[i] = row[0] as string;
          found.runs[i] = row[1] as string;
        }
      }
    }
    left = next;
  }
  return found;
}

/**
 * The refs of what `#findInCollections` found, null where nothing was: the data IDs are the
 * values `#requiredValuesOfAll` checked (their arrays are kept, not copied). A module
 * function, like `findFirstSqlite`, for the same reason: in the async `findDatasets` this
 * loop's optimized code was thrown away after every full garbage collection and compiled
 * again on the next call (`--trace-deopt`: insufficient type feedback), which made a call
 * after a collection about half again slower (`bench/find-datasets --gc-each`).
 */
function refsOfFound(
  datasetType: DatasetType,
  values: readonly (readonly DataIdValue[])[],
  found: Found,
): (DatasetRef | null)[] {
  const { ids, runs } = found;
  const group = datasetType.dimensions;
  const out = new Array<DatasetRef | null>(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    out[i] =
      id === null
        ? null
        : DatasetRef.fromTrustedParts(
            datasetType,
            DataCoordinate.fromTrustedRequiredValues(group, values[i]!),
            runs[i]!,
            id,
          );
  }
  return out;
}

// TAI - UTC since 2017-01-01 (no leap second has been announced since).
const TAI_MINUS_UTC_NS = 37_000_000_000n;

/** Now on the TAI scale, as daf_butler's `ingest_date` stores it. */
function taiNow(): TaiTime {
  return new TaiTime(BigInt(Date.now()) * 1_000_000n + TAI_MINUS_UTC_NS);
}

/** Whether `value` is a key of a dimension whose keys are strings (`isString`) or integers. */
function isKeyValue(isString: boolean, value: unknown): value is DataIdValue {
  return isString ? typeof value === 'string' : Number.isSafeInteger(value);
}

/** `value` as a data ID value of dimension `name`, or a `DataIdError` naming the dimension. */
function checkedValue(universe: DimensionUniverse, name: string, value: unknown): DataIdValue {
  const keyType = universe.getDimension(name).keyType;
  if (isKeyValue(keyType === 'string', value)) return value;
  throw new DataIdError(
    name,
    `Data ID value for dimension '${name}' must be ${keyType === 'string' ? 'a string' : 'an integer'}, got ${JSON.stringify(value)}`,
  );
}

function describeDataId(values: readonly DataIdValue[], group: DimensionGroup): string {
  return `{${group.required.map((d, i) => `${d}: ${JSON.stringify(values[i])}`).join(', ')}}`;
}

function describeType(datasetType: DatasetType): string {
  return `${datasetType.name}(dimensions=[${datasetType.dimensions.required.join(', ')}], storageClass=${datasetType.storageClassName})`;
}

/**
 * daf_butler's default datasets manager (`ByDimensionsDatasetRecordStorageManagerUUID`,
 * schema version 2.0.0): `dataset_type`, `dataset` (UUID keys), one tags table per dimension
 * group (`dataset_tags_XXXXXXXX`, made when a dataset type with a new group is registered)
 * holding the datasets of every RUN and TAGGED collection, and the collection summaries
 * (`collection_summary_dataset_type`, `collection_summary_<governor>`), kept as daf_butler
 * keeps them.
 *
 * Finding datasets takes each engine's fastest path (`bench/find-datasets.mjs`): on SQLite a
 * prepared lookup per collection looped over the data IDs in one read transaction, on
 * PostgreSQL one statement for all the data IDs (bound as arrays); the first match in
 * collection order wins.
 *
 * @example
 * ```ts
 * await registry.datasets.registerDatasetType(new DatasetType('calexp', ['detector'], 'StructuredDataDict', { universe }));
 * const [ref] = await registry.datasets.insert('calexp', 'u/run1', [{ instrument: 'Cam', detector: 1 }]);
 * await registry.datasets.find('calexp', { instrument: 'Cam', detector: 1 }, ['u/chain']); // ref
 * ```
 */
export class ByDimensionsDatasetRecordStorageManagerUUID extends DatasetRecordStorageManager {
  readonly #db: Database;
  readonly #tables: TypedDatasetTables;
  readonly #collections: CollectionManager;
  readonly #dimensions: DimensionRecordStorageManager;
  readonly #hasDimensionTable: (dimension: string) => boolean;
  readonly #types: Map<string, TypeRecord>;

  protected constructor(options: {
    readonly db: Database;
    readonly tables: DatasetTables;
    readonly collections: CollectionManager;
    readonly dimensions: DimensionRecordStorageManager;
    readonly hasDimensionTable: (dimension: string) => boolean;
    readonly types: Map<string, TypeRecord>;
    readonly registrySchemaVersion: VersionTuple | null;
  }) {
    super({ registrySchemaVersion: options.registrySchemaVersion });
    this.#db = options.db;
    this.#tables = options.tables as TypedDatasetTables;
    this.#collections = options.collections;
    this.#dimensions = options.dimensions;
    this.#hasDimensionTable = options.hasDimensionTable;
    this.#types = options.types;
  }

  /** daf_butler's name for this manager, stored in the attributes table. */
  static override extensionName(): string {
    return 'lsst.daf.butler.registry.datasets.byDimensions._manager.ByDimensionsDatasetRecordStorageManagerUUID';
  }

  /** `[2.0.0]`. */
  static override currentVersions(): readonly VersionTuple[] {
    return [new VersionTuple(2, 0, 0)];
  }

  /**
   * Declares `dataset_type`, `dataset` and the collection summaries (one per governor
   * dimension of the universe) in `context` and returns the manager.
   */
  static initialize(
    db: Database,
    context: StaticTablesContext,
    options: DatasetManagerInitOptions,
  ): ByDimensionsDatasetRecordStorageManagerUUID {
    checkOptions('ByDimensionsDatasetRecordStorageManagerUUID.initialize', options, [
      'collections',
      'dimensions',
      'hasDimensionTable',
      'registrySchemaVersion',
    ]);
    const universe = options.dimensions.universe;
    const hasDimensionTable = options.hasDimensionTable ?? (() => false);
    const governorSummaries = new Map<string, TableHandle>();
    const tables: DatasetTables = {
      dataset_type: context.addTable('dataset_type', DATASET_TYPE_SPEC),
      dataset: context.addTable('dataset', DATASET_SPEC),
      collection_summary_dataset_type: context.addTable(
        'collection_summary_dataset_type',
        COLLECTION_SUMMARY_DATASET_TYPE_SPEC,
      ),
      governorSummaries,
      // The collections manager declares it first; adding it again returns its handle.
      collection: context.addTable('collection', COLLECTION_SPEC),
    };
    for (const governor of universe.governors)
      governorSummaries.set(
        governor,
        context.addTable(
          `collection_summary_${governor}`,
          collectionSummaryGovernorSpec(universe, governor, hasDimensionTable),
        ),
      );
    return new this({
      db,
      tables,
      collections: options.collections,
      dimensions: options.dimensions,
      hasDimensionTable,
      types: new Map(),
      registrySchemaVersion: options.registrySchemaVersion ?? null,
    });
  }

  /** The universe of the registry's dimensions. */
  get universe(): DimensionUniverse {
    return this.#dimensions.universe;
  }

  override clone(db: Database): ByDimensionsDatasetRecordStorageManagerUUID {
    const cls = this.constructor as typeof ByDimensionsDatasetRecordStorageManagerUUID;
    return new cls({
      db,
      tables: this.#tables,
      collections: this.#collections.clone(db),
      dimensions: this.#dimensions,
      hasDimensionTable: this.#hasDimensionTable,
      types: this.#types,
      registrySchemaVersion: this.registrySchemaVersion,
    });
  }

  /** The spec of the tags table of `group` in this registry. */
  tagsTableSpec(group: DimensionGroup): TableSpec {
    return tagsTableSpec(group, this.#hasDimensionTable);
  }

  // ---- dataset types ----

  async #typeFromRow(row: Row): Promise<TypeRecord> {
    const group = await this.#dimensions.loadDimensionGroup(row.dimensions_key as number);
    const datasetType = new DatasetType(row.name as string, group, row.storage_class as string, {
      universe: this.universe,
    });
    const tagsName = row.tag_association_table as string;
    const tags = await this.#db.getExistingTable(tagsName, this.tagsTableSpec(group));
    if (tags === null)
      throw new LookupError(
        tagsName,
        `Dataset type ${JSON.stringify(datasetType.name)}: its tags table ${tagsName} is missing`,
      );
    return {
      id: row.id as number,
      datasetType,
      dimensionsKey: row.dimensions_key as number,
      tags,
    };
  }

  async #loadType(name: string): Promise<TypeRecord | null> {
    const cached = this.#types.get(name);
    if (cached !== undefined) return cached;
    const [row] = await this.#db.fetch(this.#tables.dataset_type, { where: { name } });
    if (row === undefined) return null;
    const record = await this.#typeFromRow(row);
    this.#types.set(name, record);
    return record;
  }

  async #requireType(datasetType: string | DatasetType): Promise<TypeRecord> {
    const name = typeof datasetType === 'string' ? datasetType : datasetType?.name;
    if (typeof name !== 'string')
      throw new InvalidArgumentError(
        `A dataset type is a DatasetType or a name, not ${JSON.stringify(datasetType)}`,
      );
    const record = await this.#loadType(DatasetType.splitDatasetTypeName(name)[0]);
    if (record === null)
      throw new MissingDatasetTypeError(name, `Dataset type '${name}' does not exist.`);
    if (typeof datasetType !== 'string' && !record.datasetType.isCompatibleWith(datasetType))
      throw new ConflictingDatasetTypeError(
        name,
        `Dataset type ${describeType(datasetType)} does not match the registered ${describeType(record.datasetType)}`,
      );
    return record;
  }

  override async registerDatasetType(datasetType: DatasetType): Promise<boolean> {
    if (!(datasetType instanceof DatasetType))
      throw new InvalidArgumentError(
        `registerDatasetType takes a DatasetType, not ${String(datasetType)}`,
      );
    if (datasetType.isComponent())
      throw new InvalidArgumentError(
        `Component dataset type ${datasetType.name} cannot be registered; register its parent`,
      );
    if (datasetType.isCalibration())
      throw new NotSupportedError(
        `Cannot register ${datasetType.name}: calibration dataset types are not supported yet`,
      );
    if (!datasetType.dimensions.universe.equals(this.universe))
      throw new InvalidArgumentError(
        `Dataset type ${datasetType.name} has dimensions of another universe than the registry's (${this.universe.toString()})`,
      );
    const conflict = (existing: DatasetType) =>
      new ConflictingDatasetTypeError(
        datasetType.name,
        `Dataset type ${describeType(datasetType)} conflicts with the registered definition ${describeType(existing)}`,
      );
    const existing = await this.#loadType(datasetType.name);
    if (existing !== null) {
      if (
        !existing.datasetType.dimensions.equals(datasetType.dimensions) ||
        existing.datasetType.storageClassName !== datasetType.storageClassName
      )
        throw conflict(existing.datasetType);
      return false;
    }
    const key = await this.#dimensions.saveDimensionGroup(datasetType.dimensions);
    const tagsName = tagsTableName(key);
    await this.#db.ensureTableExists(tagsName, this.tagsTableSpec(datasetType.dimensions));
    try {
      const [, inserted] = await this.#db.sync(this.#tables.dataset_type, {
        keys: { name: datasetType.name },
        compared: {
          storage_class: datasetType.storageClassName,
          dimensions_key: key,
          tag_association_table: tagsName,
        },
        extra: { calibration_association_table: null },
      });
      return inserted === true;
    } catch (error) {
      // Another client registered the name with another definition meanwhile.
      const raced = await this.#loadType(datasetType.name);
      if (raced !== null) throw conflict(raced.datasetType);
      throw error;
    }
  }

  override async getDatasetType(name: string): Promise<DatasetType | null> {
    if (typeof name !== 'string')
      throw new InvalidArgumentError(`A dataset type name is a string, not ${String(name)}`);
    return (await this.#loadType(name))?.datasetType ?? null;
  }

  override async allDatasetTypes(): Promise<DatasetType[]> {
    const rows = await this.#db.fetch(this.#tables.dataset_type, { orderBy: ['name'] });
    const out: DatasetType[] = [];
    for (const row of rows) {
      const name = row.name;
      let record = this.#types.get(name);
      if (record === undefined) {
        record = await this.#typeFromRow(row);
        this.#types.set(name, record);
      }
      out.push(record.datasetType);
    }
    return out;
  }

  // ---- data IDs ----

  /** The required values of `dataId` for `group`, checked: missing or mistyped values fail. */
  #requiredValues(group: DimensionGroup, dataId: DataIdInput): DataIdValue[] {
    if (dataId instanceof DataCoordinate && dataId.dimensions.equals(group))
      return [...dataId.requiredValues];
    const get =
      dataId instanceof DataCoordinate
        ? (k: string) => dataId.get(k)
        : dataId instanceof Map
          ? (k: string) => (dataId as ReadonlyMap<string, unknown>).get(k)
          : typeof dataId === 'object' && dataId !== null
            ? (k: string) => (dataId as Readonly<Record<string, unknown>>)[k]
            : null;
    if (get === null)
      throw new InvalidArgumentError(`A data ID is a mapping, not ${JSON.stringify(dataId)}`);
    return group.required.map((name) => {
      const value = get(name);
      if (value === undefined || value === null)
        throw new DataIdError(
          name,
          `Data ID ${JSON.stringify(dataId instanceof DataCoordinate ? dataId.toJSON() : dataId instanceof Map ? Object.fromEntries(dataId) : dataId)} has no value for required dimension '${name}'`,
        );
      return checkedValue(group.universe, name, value);
    });
  }

  /**
   * {@link #requiredValues} of many data IDs; plain objects (the common input) are read in one
   * loop with the key types looked up once, anything else goes through `#requiredValues`.
   */
  #requiredValuesOfAll(group: DimensionGroup, dataIds: readonly DataIdInput[]): DataIdValue[][] {
    const names = group.required;
    const strings = names.map((name) => group.universe.getDimension(name).keyType === 'string');
    const out = new Array<DataIdValue[]>(dataIds.length);
    for (let i = 0; i < dataIds.length; i++) {
      const dataId = dataIds[i];
      if (
        typeof dataId !== 'object' ||
        dataId === null ||
        dataId instanceof DataCoordinate ||
        dataId instanceof Map
      ) {
        out[i] = this.#requiredValues(group, dataId!);
        continue;
      }
      const record = dataId as Readonly<Record<string, unknown>>;
      const values = new Array<DataIdValue>(names.length);
      for (let k = 0; k < names.length; k++) {
        const value = record[names[k]!];
        if (isKeyValue(strings[k]!, value)) values[k] = value;
        else {
          // Missing or mistyped: the checked path throws the error that names it.
          out[i] = this.#requiredValues(group, dataId);
          break;
        }
      }
      out[i] ??= values;
    }
    return out;
  }

  #coordinate(group: DimensionGroup, values: readonly DataIdValue[]): DataCoordinate {
    return DataCoordinate.fromRequiredValues(group, values);
  }

  /** A data ID of values `#requiredValuesOfAll` checked (their array is kept, not copied). */
  #checkedCoordinate(group: DimensionGroup, values: readonly DataIdValue[]): DataCoordinate {
    return DataCoordinate.fromTrustedRequiredValues(group, values);
  }

  // ---- collections ----

  async #requireCollection(
    name: string,
    type: CollectionType,
    operation: string,
  ): Promise<CollectionRecord> {
    const record = await this.#collections.find(name);
    if (record.type !== type)
      throw new CollectionTypeError(
        name,
        `Cannot ${operation} collection ${JSON.stringify(name)}: it is a ${collectionTypeName(record.type)} collection, not ${collectionTypeName(type)}`,
      );
    return record;
  }

  /** The RUN and TAGGED collections to search, in order (CALIBRATION ones are skipped). */
  async #searchPath(collections: readonly string[]): Promise<CollectionRecord[]> {
    if (!Array.isArray(collections))
      throw new InvalidArgumentError('collections is a list of collection names');
    const records = await this.#collections.resolve(collections);
    return records.filter((r) => r.type === CollectionType.RUN || r.type === CollectionType.TAGGED);
  }

  /** Ensures the summary rows saying that `collection` holds datasets of `type` with these values. */
  async #updateSummaries(
    collection: number,
    type: TypeRecord,
    values: readonly (readonly DataIdValue[])[],
  ): Promise<void> {
    await this.#db.ensure(this.#tables.collection_summary_dataset_type, [
      { collection_id: collection, dataset_type_id: type.id },
    ]);
    const required = type.datasetType.dimensions.required;
    for (const [governor, table] of this.#tables.governorSummaries) {
      const index = required.indexOf(governor);
      if (index < 0) continue;
      const distinct = [...new Set(values.map((v) => v[index]!))];
      await this.#db.ensure(
        table,
        distinct.map((value) => ({ collection_id: collection, [governor]: value })),
      );
    }
  }

  // ---- inserting ----

  override async insert(
    datasetType: string | DatasetType,
    run: string,
    dataIds: readonly DataIdInput[],
    options: InsertDatasetsOptions = {},
  ): Promise<DatasetRef[]> {
    checkOptions('DatasetRecordStorageManager.insert', options, ['idGenerationMode']);
    const mode = options.idGenerationMode ?? DatasetIdGenEnum.UNIQUE;
    if (!Object.values(DatasetIdGenEnum).includes(mode))
      throw new InvalidArgumentError(`Unknown dataset id generation mode ${JSON.stringify(mode)}`);
    if (!Array.isArray(dataIds)) throw new InvalidArgumentError('dataIds is a list of data IDs');
    const type = await this.#requireType(datasetType);
    const runRecord = await this.#requireCollection(
      run,
      CollectionType.RUN,
      'insert datasets into',
    );
    const group = type.datasetType.dimensions;
    const values = dataIds.map((d: DataIdInput) => this.#requiredValues(group, d));
    const seen = new Set<string>();
    for (const v of values) {
      const key = JSON.stringify(v);
      if (seen.has(key))
        throw new DatasetConflictError(
          run,
          `Data ID ${describeDataId(v, group)} is given twice for dataset type ${type.datasetType.name}`,
        );
      seen.add(key);
    }
    const existing = await this.#findInCollections(type, values, [runRecord]);
    const taken = existing.ids.findIndex((id) => id !== null);
    if (taken >= 0)
      throw new DatasetConflictError(
        run,
        `A dataset of type ${type.datasetType.name} with data ID ${describeDataId(values[taken]!, group)} is already in run ${JSON.stringify(run)}`,
      );
    const refs = values.map((v) => {
      const dataId = this.#checkedCoordinate(group, v);
      const id = makeDatasetId(run, type.datasetType.name, dataId, mode);
      return DatasetRef.fromTrustedParts(type.datasetType, dataId, run, id);
    });
    const ingestDate = taiNow();
    try {
      await this.#db.transaction(
        async () => {
          await this.#db.insert(
            this.#tables.dataset,
            refs.map((ref) => ({
              id: ref.id,
              dataset_type_id: type.id,
              ingest_date: ingestDate,
              run_id: runRecord.key,
            })),
          );
          await this.#updateSummaries(runRecord.key, type, values);
          await this.#db.insert(
            type.tags,
            refs.map((ref, i) => this.#tagsRow(type, ref.id, runRecord.key, values[i]!)),
          );
        },
        { savepoint: true },
      );
    } catch (error) {
      if (IntegrityError.is(error) && (error.kind === 'primaryKey' || error.kind === 'unique'))
        throw new DatasetConflictError(
          run,
          `Cannot insert ${refs.length} dataset(s) of type ${type.datasetType.name} into run ${JSON.stringify(run)}: a dataset id or data ID is already taken (${error.message})`,
          { cause: error },
        );
      throw error;
    }
    return refs;
  }

  #tagsRow(
    type: TypeRecord,
    id: string,
    collection: number,
    values: readonly DataIdValue[],
  ): Record<string, DataIdValue> {
    const row: Record<string, DataIdValue> = {
      dataset_type_id: type.id,
      dataset_id: id,
      collection_id: collection,
    };
    type.datasetType.dimensions.required.forEach((name, i) => {
      row[name] = values[i]!;
    });
    return row;
  }

  // ---- finding ----

  /**
   * For each list of required values, the first dataset in `path` order: its ID (null when
   * no collection holds one) and run, in two lists parallel to `values`. On SQLite, in one
   * read transaction, the collections one at a time for the data IDs not found yet: a RUN
   * holding no more datasets of the type than those (at least `SCAN_FROM` of them) is read
   * whole and joined here, else a prepared statement is looped over them (a RUN's reads the
   * tags table alone, the run being the collection; a TAGGED one's joins `dataset` and
   * `collection` for the run). On PostgreSQL: one statement for all, whose data IDs are
   * `= ANY` of one array when at most one dimension varies among them, else `unnest` of one
   * array per dimension with each data ID's position; the first collection in `path` order
   * is picked here.
   */
  async #findInCollections(
    type: TypeRecord,
    values: readonly (readonly DataIdValue[])[],
    path: readonly CollectionRecord[],
  ): Promise<Found> {
    if (values.length === 0 || path.length === 0)
      return { ids: values.map(() => null), runs: new Array<string>(values.length) };
    const db = this.#db;
    if (db instanceof SqliteDatabase) return this.#findSqlite(db, type, values, path);
    if (db instanceof PostgresDatabase) return this.#findPostgres(db, type, values, path);
    throw new NotSupportedError(
      `Cannot find datasets in ${db.toString()}: not SQLite or PostgreSQL`,
    );
  }

  async #findSqlite(
    db: SqliteDatabase,
    type: TypeRecord,
    values: readonly (readonly DataIdValue[])[],
    path: readonly CollectionRecord[],
  ): Promise<Found> {
    const required = type.datasetType.dimensions.required;
    const ofRun = 'WHERE t.dataset_type_id = ? AND t.collection_id = ?';
    const where = ofRun + required.map((name) => ` AND t.${quoteName(name)} = ?`).join('');
    // The ID as its canonical text, made by SQLite: one flat string, where slicing it here
    // would leave pieces that cost the garbage collector more (the refs keep them).
    const idText = sqliteUuidTextSql('t.dataset_id');
    const tags = `${quoteName(type.tags.name)} AS t`;
    const inRun = `SELECT ${idText} FROM ${tags} ${where}`;
    const tagged =
      `SELECT ${idText}, c.name FROM ${tags}` +
      ` JOIN ${quoteName(this.#tables.dataset.name)} AS d ON d.id = t.dataset_id` +
      ` JOIN ${quoteName(this.#tables.collection.name)} AS c ON c.collection_id = d.run_id ${where}`;
    const columns = required.map((name) => `t.${quoteName(name)}, `).join('');
    const scan = `SELECT ${columns}${idText} FROM ${tags} ${ofRun}`;
    // Counts at most the limit given: never more rows than the scan it decides on.
    const count = `SELECT count(*) FROM (SELECT 1 FROM ${tags} ${ofRun} LIMIT ?)`;
    return db.readPrepared((prepare) =>
      findFirstSqlite(
        type.id,
        values,
        path,
        path.map((r): SqliteSearch => {
          // In a RUN the run is the collection and only the ID is read (no row array).
          if (r.type !== CollectionType.RUN)
            return { byId: null, byIdAndRun: prepare(tagged), scan: null, count: null };
          const scans = required.length > 0;
          return {
            byId: prepare(inRun, { pluck: true }),
            byIdAndRun: null,
            scan: scans ? prepare(scan) : null,
            count: scans ? prepare(count, { pluck: true }) : null,
          };
        }),
      ),
    );
  }

  async #findPostgres(
    db: PostgresDatabase,
    type: TypeRecord,
    values: readonly (readonly DataIdValue[])[],
    path: readonly CollectionRecord[],
  ): Promise<Found> {
    const required = type.datasetType.dimensions.required;
    const table = (name: string) => `${quoteName(db.namespace)}.${quoteName(name)}`;
    const field = (name: string) => getField(type.tags.spec, name)!;
    const params: unknown[] = [
      type.id,
      pgArrayParam(
        getField(type.tags.spec, 'collection_id')!,
        path.map((r) => r.key),
      ),
    ];
    const bind = (value: unknown) => `$${params.push(value)}`;
    const withRun = path.some((r) => r.type !== CollectionType.RUN);
    const joins = withRun
      ? ` JOIN ${table(this.#tables.dataset.name)} AS d ON d.id = t.dataset_id` +
        ` JOIN ${table(this.#tables.collection.name)} AS c ON c.collection_id = d.run_id`
      : '';
    const base = `t.dataset_type_id = $1 AND t.collection_id = ANY($2)`;
    // Each row: what locates its data IDs, its id, its collection's position in `path` (from
    // 1), and with TAGGED collections its run.
    const head = `t.dataset_id, array_position($2, t.collection_id)${withRun ? ', c.name' : ''}`;
    const distinct = required.map((_, k) => [...new Set(values.map((v) => v[k]!))]);
    const varying = distinct.flatMap((d, k) => (d.length > 1 ? [k] : []));
    const n = values.length;
    const at = withRun ? 3 : 2;
    // The data IDs a row matches: `first[row]`, then `next[i]` until -1.
    const next = new Int32Array(n).fill(-1);
    let first: (row: unknown[]) => number;
    let text: string;
    if (varying.length <= 1) {
      const k = varying[0] ?? -1;
      const conditions = required.map((name, j) =>
        j === k
          ? ` AND t.${quoteName(name)} = ANY(${bind(pgArrayParam(field(name), distinct[j]!))})`
          : ` AND t.${quoteName(name)} = ${bind(distinct[j]![0])}`,
      );
      // By the varying value (or one key when none varies): the first index, chained.
      const firstByValue = new Map<DataIdValue, number>();
      for (let i = n - 1; i >= 0; i--) {
        const value = k < 0 ? 0 : values[i]![k]!;
        next[i] = firstByValue.get(value) ?? -1;
        firstByValue.set(value, i);
      }
      const numeric = k >= 0 && field(required[k]!).dtype !== 'string';
      first = (row) =>
        firstByValue.get(k < 0 ? 0 : numeric ? Number(row[at]) : (row[at] as string)) ?? -1;
      const key = k < 0 ? '' : `, t.${quoteName(required[k]!)}`;
      text = `SELECT ${head}${key} FROM ${table(type.tags.name)} AS t${joins} WHERE ${base}${conditions.join('')}`;
    } else {
      const arrays = required.map(
        (name, j) =>
          `${bind(
            pgArrayParam(
              field(name),
              values.map((v) => v[j]!),
            ),
          )}::${pgType(field(name))}[]`,
      );
      const on = required.map((name, j) => ` AND t.${quoteName(name)} = k.v${j}`).join('');
      text =
        `SELECT ${head}, k.i::int4 FROM unnest(${arrays.join(', ')})` +
        ` WITH ORDINALITY AS k(${required.map((_, j) => `v${j}`).join(', ')}, i)` +
        ` JOIN ${table(type.tags.name)} AS t ON ${base}${on}${joins}`;
      first = (row) => (row[at] as number) - 1;
    }
    const rank = new Int32Array(n);
    const ids = new Array<string | null>(n).fill(null);
    const runs = new Array<string>(n);
    for (const row of await db.queryRaw(text, params)) {
      const r = row[1] as number;
      for (let i = first(row); i >= 0; i = next[i]!) {
        if (ids[i] !== null && rank[i]! <= r) continue;
        ids[i] = row[0] as string;
        rank[i] = r;
        runs[i] = withRun ? (row[2] as string) : path[r - 1]!.name;
      }
    }
    return { ids, runs };
  }

  override async findDatasets(
    datasetType: string | DatasetType,
    dataIds: readonly DataIdInput[],
    collections: readonly string[],
  ): Promise<(DatasetRef | null)[]> {
    if (!Array.isArray(dataIds)) throw new InvalidArgumentError('dataIds is a list of data IDs');
    const type = await this.#requireType(datasetType);
    const group = type.datasetType.dimensions;
    const values = this.#requiredValuesOfAll(group, dataIds);
    const path = await this.#searchPath(collections);
    return refsOfFound(type.datasetType, values, await this.#findInCollections(type, values, path));
  }

  override async queryDatasets(
    datasetType: string | DatasetType,
    collections: readonly string[],
    options: QueryDatasetsOptions = {},
  ): Promise<DatasetRef[]> {
    checkOptions('DatasetRecordStorageManager.queryDatasets', options, ['where', 'findFirst']);
    const type = await this.#requireType(datasetType);
    const group = type.datasetType.dimensions;
    const where = options.where ?? {};
    const constraints: Expr[] = [];
    for (const [name, value] of Object.entries(where)) {
      if (!group.required.includes(name))
        throw new DataIdError(
          name,
          `Dataset type ${type.datasetType.name} has no required dimension '${name}' to constrain (its dimensions: ${group.required.join(', ') || 'none'})`,
        );
      constraints.push(eq(col('t', name), checkedValue(this.universe, name, value)));
    }
    const path = await this.#searchPath(collections);
    if (path.length === 0) return [];
    const rank = new Map(path.map((r, i) => [r.key, i]));
    const rows = await this.#db.select({
      from: [
        { source: type.tags, alias: 't' },
        { source: this.#tables.dataset, alias: 'd' },
        { source: this.#tables.collection, alias: 'c' },
      ],
      columns: {
        id: col('t', 'dataset_id'),
        collection_id: col('t', 'collection_id'),
        run: col('c', 'name'),
        ...Object.fromEntries(group.required.map((name) => [name, col('t', name)])),
      },
      where: and(
        eq(col('t', 'dataset_type_id'), type.id),
        inList(
          col('t', 'collection_id'),
          path.map((r) => r.key),
        ),
        eq(col('d', 'id'), col('t', 'dataset_id')),
        eq(col('c', 'collection_id'), col('d', 'run_id')),
        ...constraints,
      ),
    });
    const hits = rows.map((row) => ({
      row,
      rank: rank.get(row.collection_id as number)!,
      dataId: this.#coordinate(
        group,
        group.required.map((name) => row[name] as DataIdValue),
      ),
    }));
    hits.sort((a, b) => a.rank - b.rank || a.dataId.compare(b.dataId));
    const seen = new Set<string>();
    const out: DatasetRef[] = [];
    for (const hit of hits) {
      const key = options.findFirst === true ? hit.dataId.hashKey : (hit.row.id as string);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(
        DatasetRef.fromTrustedParts(
          type.datasetType,
          hit.dataId,
          hit.row.run as string,
          hit.row.id as string,
        ),
      );
    }
    return out;
  }

  override async getDatasetRef(id: string): Promise<DatasetRef | null> {
    const [row] = await this.#db.select({
      from: [
        { source: this.#tables.dataset, alias: 'd' },
        { source: this.#tables.dataset_type, alias: 'dt' },
        { source: this.#tables.collection, alias: 'c' },
      ],
      columns: { type: col('dt', 'name'), run: col('c', 'name'), run_id: col('d', 'run_id') },
      where: and(
        eq(col('d', 'id'), id),
        eq(col('dt', 'id'), col('d', 'dataset_type_id')),
        eq(col('c', 'collection_id'), col('d', 'run_id')),
      ),
    });
    if (row === undefined) return null;
    const type = await this.#requireType(row.type as string);
    const group = type.datasetType.dimensions;
    const [tags] = await this.#db.fetch(type.tags, {
      where: { dataset_id: id, collection_id: row.run_id },
    });
    if (tags === undefined) return null;
    return new DatasetRef(
      type.datasetType,
      this.#coordinate(
        group,
        group.required.map((name) => tags[name] as DataIdValue),
      ),
      row.run as string,
      { id, conform: false },
    );
  }

  // ---- tagging and removal ----

  /** The refs grouped by registered dataset type, each checked to be in the registry. */
  async #registeredRefs(refs: readonly DatasetRef[]): Promise<Map<TypeRecord, DatasetRef[]>> {
    if (!Array.isArray(refs)) throw new InvalidArgumentError('refs is a list of DatasetRefs');
    const byType = new Map<TypeRecord, DatasetRef[]>();
    for (const ref of refs) {
      if (!(ref instanceof DatasetRef))
        throw new InvalidArgumentError(`Not a DatasetRef: ${String(ref)}`);
      const type = await this.#requireType(ref.datasetType);
      const list = byType.get(type) ?? [];
      list.push(ref);
      byType.set(type, list);
    }
    for (const [type, list] of byType) {
      const ids = list.map((r) => r.id);
      const stored = new Set<string>();
      for (const chunk of chunked(ids, 10_000))
        for (const row of await this.#db.fetch(this.#tables.dataset, {
          where: { id: chunk, dataset_type_id: type.id },
        }))
          stored.add(row.id);
      const missing = list.find((r) => !stored.has(r.id));
      if (missing !== undefined)
        throw new LookupError(
          missing.id,
          `Dataset ${missing.id} (${missing.datasetType.name} ${missing.dataId.toString()}) is not in the registry`,
        );
    }
    return byType;
  }

  override async associate(collection: string, refs: readonly DatasetRef[]): Promise<void> {
    const tagged = await this.#requireCollection(
      collection,
      CollectionType.TAGGED,
      'associate datasets with',
    );
    const byType = await this.#registeredRefs(refs);
    const writes: (() => Promise<unknown>)[] = [];
    for (const [type, list] of byType) {
      const group = type.datasetType.dimensions;
      const values = list.map((r) => this.#requiredValues(group, r.dataId));
      const present = (await this.#findInCollections(type, values, [tagged])).ids;
      const rows: Record<string, DataIdValue>[] = [];
      list.forEach((ref, i) => {
        const hit = present[i];
        if (hit === null || hit === undefined) {
          rows.push(this.#tagsRow(type, ref.id, tagged.key, values[i]!));
        } else if (hit !== ref.id) {
          throw new DatasetConflictError(
            collection,
            `Cannot associate dataset ${ref.id} with ${JSON.stringify(collection)}: dataset ${hit} of type ${type.datasetType.name} with data ID ${describeDataId(values[i]!, group)} is already there`,
          );
        }
      });
      if (rows.length > 0)
        writes.push(async () => {
          await this.#updateSummaries(tagged.key, type, values);
          await this.#db.ensure(type.tags, rows, { primaryKeyOnly: true });
        });
    }
    if (writes.length === 0) return;
    try {
      await this.#db.transaction(
        async () => {
          for (const write of writes) await write();
        },
        { savepoint: true },
      );
    } catch (error) {
      if (IntegrityError.is(error) && error.kind === 'unique')
        throw new DatasetConflictError(
          collection,
          `Cannot associate datasets with ${JSON.stringify(collection)}: another dataset with the same type and data ID is there (${error.message})`,
          { cause: error },
        );
      throw error;
    }
  }

  override async disassociate(collection: string, refs: readonly DatasetRef[]): Promise<void> {
    const tagged = await this.#requireCollection(
      collection,
      CollectionType.TAGGED,
      'disassociate datasets from',
    );
    if (!Array.isArray(refs)) throw new InvalidArgumentError('refs is a list of DatasetRefs');
    const byType = new Map<TypeRecord, string[]>();
    for (const ref of refs) {
      if (!(ref instanceof DatasetRef))
        throw new InvalidArgumentError(`Not a DatasetRef: ${String(ref)}`);
      const type = await this.#requireType(ref.datasetType);
      byType.set(type, [...(byType.get(type) ?? []), ref.id]);
    }
    await this.#db.transaction(async () => {
      for (const [type, ids] of byType)
        await this.#db.delete(
          type.tags,
          ['dataset_id', 'collection_id'],
          ids.map((id) => ({ dataset_id: id, collection_id: tagged.key })),
        );
    });
  }

  override async remove(refs: readonly DatasetRef[]): Promise<void> {
    if (!Array.isArray(refs)) throw new InvalidArgumentError('refs is a list of DatasetRefs');
    const ids = refs.map((ref) => {
      if (!(ref instanceof DatasetRef))
        throw new InvalidArgumentError(`Not a DatasetRef: ${String(ref)}`);
      return ref.id;
    });
    if (ids.length === 0) return;
    try {
      await this.#db.transaction(
        () =>
          this.#db.delete(
            this.#tables.dataset,
            ['id'],
            ids.map((id) => ({ id })),
          ),
        { savepoint: true },
      );
    } catch (error) {
      if (IntegrityError.is(error) && error.kind === 'foreignKey')
        throw new OrphanedRecordError(
          ids.length === 1 ? ids[0]! : `${ids.length} datasets`,
          `Cannot remove ${ids.length === 1 ? `dataset ${ids[0]}` : `${ids.length} datasets`}: a datastore still holds some of them (remove them from the datastore first)`,
          { cause: error },
        );
      throw error;
    }
  }
}

// Checks at compile time that the class has the static side a registry is configured with.
ByDimensionsDatasetRecordStorageManagerUUID satisfies DatasetRecordStorageManagerClass;
