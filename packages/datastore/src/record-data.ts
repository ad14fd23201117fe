import { InvalidValueError, LookupError, TypeMismatchError } from '@butler-ts/core';
import type { DatasetId } from '@butler-ts/core';
import type { Row, StoredItemInfoClass } from '@butler-ts/registry-interfaces';
import { DatastoreLogicError, DatastoreNotSupportedError } from './errors.ts';

/**
 * The static side of a datastore record class: how rows of its opaque table become records,
 * and the name records of the class are serialized under.
 */
export interface StoredDatastoreItemInfoClass<
  Info extends StoredDatastoreItemInfo = StoredDatastoreItemInfo,
> extends StoredItemInfoClass<Info> {
  /** The class name used in serialized record data (daf_butler uses the Python path). */
  readonly recordClassName: string;
}

/**
 * Base of a datastore's per-dataset bookkeeping records (Python `StoredDatastoreItemInfo`).
 *
 * Record classes that live in an opaque table override {@link StoredDatastoreItemInfo.toRecord},
 * the static `fromRecord` and `recordClassName`; the base versions refuse, as a record that
 * never leaves memory (the in-memory datastore's) needs none of them.
 */
export abstract class StoredDatastoreItemInfo {
  /** The serialization name of the record class; override it in classes that serialize. */
  static readonly recordClassName: string = 'StoredDatastoreItemInfo';

  /**
   * Builds a record from a row of its opaque table.
   *
   * @throws Fails with {@link DatastoreNotSupportedError} in the base class.
   */
  static fromRecord(_row: Row): StoredDatastoreItemInfo {
    throw new DatastoreNotSupportedError(`${this.name} cannot be built from a table row`, {
      operation: 'fromRecord',
    });
  }

  /**
   * The row of its opaque table, with `extra` columns added.
   *
   * @throws Fails with {@link DatastoreNotSupportedError} in the base class.
   */
  toRecord(_extra?: Readonly<Record<string, unknown>>): Row {
    throw new DatastoreNotSupportedError(`${this.constructor.name} has no table row`, {
      operation: 'toRecord',
    });
  }

  /**
   * The location of the artifact this record describes.
   *
   * @throws Fails with {@link DatastoreNotSupportedError} in the base class.
   */
  fileLocation(_factory: unknown): unknown {
    throw new DatastoreNotSupportedError(`${this.constructor.name} has no file location`, {
      operation: 'fileLocation',
    });
  }

  /**
   * A copy with some fields changed.
   *
   * @throws Fails with {@link DatastoreNotSupportedError} in the base class.
   */
  update(_changes: Readonly<Record<string, unknown>>): StoredDatastoreItemInfo {
    throw new DatastoreNotSupportedError(`${this.constructor.name} cannot be updated`, {
      operation: 'update',
    });
  }

  /**
   * The rows of `records` and the name of their (single) class: `['', []]` for no records.
   *
   * @throws Fails with {@link DatastoreLogicError} if the records are of different classes.
   */
  static toRecords(
    records: readonly StoredDatastoreItemInfo[],
    extra?: Readonly<Record<string, unknown>>,
  ): [string, Row[]] {
    if (records.length === 0) return ['', []];
    const cls = records[0]!.constructor as unknown as StoredDatastoreItemInfoClass;
    if (records.some((record) => (record.constructor as unknown) !== cls)) {
      throw new DatastoreLogicError('All records passed to toRecords must be of one class');
    }
    return [cls.recordClassName, records.map((record) => record.toRecord(extra))];
  }

  /**
   * Records of the class registered under `className` in `classes`, from their rows.
   *
   * @throws `LookupError` (kind `'record class'`) if no class is registered under it.
   */
  static fromRecords(
    className: string,
    rows: readonly Row[],
    classes: ReadonlyMap<string, StoredDatastoreItemInfoClass>,
  ): StoredDatastoreItemInfo[] {
    const cls = classes.get(className);
    if (cls === undefined) {
      throw new LookupError(`Unknown datastore record class ${className}`, {
        kind: 'record class',
        key: className,
      });
    }
    return rows.map((row) => cls.fromRecord(row));
  }
}

/**
 * The JSON form of {@link DatastoreRecordData}: record class name → dataset ID (32 hex
 * digits) → opaque table name → rows.
 */
export interface SerializedDatastoreRecordData {
  /** Rows by record class name, dataset ID in hex, and table name. */
  readonly records: Readonly<
    Record<string, Readonly<Record<string, Readonly<Record<string, readonly Row[]>>>>>
  >;
}

/** Records of one datastore: dataset ID → opaque table name → records. */
export type DatastoreRecordMap = Map<DatasetId, Map<string, StoredDatastoreItemInfo[]>>;

function hexToUuid(hex: string): DatasetId {
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) {
    throw new InvalidValueError(`Not a dataset ID in hex form: ${hex}`, hex);
  }
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The records a datastore keeps about some datasets, as it exports them for the registry or
 * another datastore (Python `DatastoreRecordData`).
 *
 * @example
 * ```ts
 * const merged = DatastoreRecordData.mergeMappings(await a.exportRecords(refs), other);
 * merged.get('FileDatastore@<root>')?.subset([ref.id]);
 * ```
 */
export class DatastoreRecordData {
  /** The records, by dataset ID then table name. */
  readonly records: DatastoreRecordMap;

  constructor(records: DatastoreRecordMap = new Map()) {
    if (!(records instanceof Map)) {
      throw new TypeMismatchError('DatastoreRecordData records must be a Map', {
        expected: 'Map',
      });
    }
    this.records = records;
  }

  /**
   * Adds `other`'s records: for each (dataset, table) pair that has no records here yet,
   * `other`'s list is taken; existing pairs are kept as they are.
   */
  update(other: DatastoreRecordData): void {
    for (const [datasetId, tables] of other.records) {
      let mine = this.records.get(datasetId);
      if (mine === undefined) {
        mine = new Map();
        this.records.set(datasetId, mine);
      }
      for (const [table, records] of tables) if (!mine.has(table)) mine.set(table, records);
    }
  }

  /** A new object holding (sharing) the records of `datasetIds`, or `null` when none match. */
  subset(datasetIds: Iterable<DatasetId>): DatastoreRecordData | null {
    const matching: DatastoreRecordMap = new Map();
    for (const id of datasetIds) {
      const tables = this.records.get(id);
      if (tables !== undefined) matching.set(id, tables);
    }
    return matching.size === 0 ? null : new DatastoreRecordData(matching);
  }

  /** Merges per-datastore record data: the result holds every datastore name with merged data. */
  static mergeMappings(
    ...mappings: ReadonlyMap<string, DatastoreRecordData>[]
  ): Map<string, DatastoreRecordData> {
    const result = new Map<string, DatastoreRecordData>();
    for (const mapping of mappings) {
      for (const [name, data] of mapping) {
        let merged = result.get(name);
        if (merged === undefined) {
          merged = new DatastoreRecordData();
          result.set(name, merged);
        }
        merged.update(data);
      }
    }
    return result;
  }

  /**
   * The JSON form.
   *
   * @throws Fails with {@link DatastoreNotSupportedError} for records that have no table row.
   */
  toSimple(): SerializedDatastoreRecordData {
    const records: Record<string, Record<string, Record<string, Row[]>>> = {};
    for (const [datasetId, tables] of this.records) {
      for (const [table, infos] of tables) {
        const [className, rows] = StoredDatastoreItemInfo.toRecords(infos);
        if (rows.length === 0) continue;
        const byDataset = (records[className] ??= {});
        const byTable = (byDataset[datasetId.replaceAll('-', '')] ??= {});
        (byTable[table] ??= []).push(...rows);
      }
    }
    return { records };
  }

  /**
   * Rebuilds record data from its JSON form with the record classes registered by name.
   *
   * @throws `LookupError` for an unknown record class.
   * @throws `InvalidValueError` for a dataset ID that is not 32 hex digits.
   */
  static fromSimple(
    simple: SerializedDatastoreRecordData,
    classes: ReadonlyMap<string, StoredDatastoreItemInfoClass>,
  ): DatastoreRecordData {
    const data = new DatastoreRecordData();
    for (const [className, byDataset] of Object.entries(simple.records)) {
      for (const [hex, byTable] of Object.entries(byDataset)) {
        const datasetId = hexToUuid(hex);
        let tables = data.records.get(datasetId);
        if (tables === undefined) {
          tables = new Map();
          data.records.set(datasetId, tables);
        }
        for (const [table, rows] of Object.entries(byTable)) {
          const infos = StoredDatastoreItemInfo.fromRecords(className, rows, classes);
          tables.set(table, [...(tables.get(table) ?? []), ...infos]);
        }
      }
    }
    return data;
  }
}
