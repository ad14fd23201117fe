import { DataCoordinate } from '@butler-ts/core';
import type {
  DataIdMapping,
  DataIdValue,
  DimensionElement,
  DimensionRecordValues,
  DimensionUniverse,
  DimensionGroup,
} from '@butler-ts/core';
import type { InsertRowOf, TableSpec } from '@butler-ts/ddl';
import {
  DimensionRecordStorageManager,
  InvalidArgumentError,
  LookupError,
  NotSupportedError,
  checkOptions,
} from '@butler-ts/registry-interfaces';
import type {
  Database,
  DimensionManagerInitOptions,
  DimensionRecordStorageManagerClass,
  StaticTablesContext,
  TableHandle,
} from '@butler-ts/registry-interfaces';
import { VersionTuple } from '@butler-ts/versioning';
import { DimensionGroupStorage } from './dimension-groups.ts';
import { recordOfRow, rowOfRecord, whereOfRecord } from './dimension-records.ts';
import { dimensionTableSpecs, elementColumns } from './dimension-tables.ts';

/**
 * daf_butler's default dimensions manager (schema version 6.0.2): one table per dimension
 * element with records of its own (`instrument`, `detector`, `visit`, …, with daf_butler's
 * columns, keys and foreign keys), the overlap tables of spatial elements (created, not
 * written), and the saved dimension groups (`dimension_graph_key`,
 * `dimension_graph_definition`), keyed as daf_butler keys them (the empty group is 0, new keys
 * come from the autoincrement column, on PostgreSQL from daf_butler's sequence).
 *
 * @example
 * ```ts
 * await registry.dimensions.insertRecords('instrument', [{ name: 'Cam', detector_max: 4 }]);
 * await registry.dimensions.insertRecords('detector', [{ instrument: 'Cam', id: 1, full_name: 'd1' }]);
 * const dataId = await registry.dimensions.expandDataId({ instrument: 'Cam', detector: 1 });
 * dataId.record('detector')?.['full_name']; // 'd1'
 * ```
 */
export class StaticDimensionRecordStorageManager extends DimensionRecordStorageManager {
  /** The dimensions of the registry. */
  override readonly universe: DimensionUniverse;
  readonly #db: Database;
  readonly #groups: DimensionGroupStorage;
  readonly #tables: ReadonlyMap<string, TableHandle>;

  // Private: its parameters are internal; subclasses are not supported yet.
  private constructor(
    db: Database,
    universe: DimensionUniverse,
    groups: DimensionGroupStorage,
    tables: ReadonlyMap<string, TableHandle>,
    registrySchemaVersion: VersionTuple | null,
  ) {
    super({ registrySchemaVersion });
    this.#db = db;
    this.universe = universe;
    this.#groups = groups;
    this.#tables = tables;
  }

  /** daf_butler's name for this manager, stored in the attributes table. */
  static override extensionName(): string {
    return 'lsst.daf.butler.registry.dimensions.static.StaticDimensionRecordStorageManager';
  }

  /** `[6.0.2]`. */
  static override currentVersions(): readonly VersionTuple[] {
    return [new VersionTuple(6, 0, 2)];
  }

  /**
   * The specs of every table the manager declares for `universe` on an engine (element
   * tables, overlap tables; not the group tables `dimension_graph_key` and
   * `dimension_graph_definition`).
   */
  static tableSpecs(
    universe: DimensionUniverse,
    dialect: 'sqlite' | 'postgresql',
  ): Map<string, TableSpec> {
    return dimensionTableSpecs(universe, dialect);
  }

  /** Declares the manager's tables in `context` and returns the manager. */
  static initialize(
    db: Database,
    context: StaticTablesContext,
    options: DimensionManagerInitOptions,
  ): StaticDimensionRecordStorageManager {
    const { universe } = options;
    const tables = new Map<string, TableHandle>();
    for (const [name, spec] of dimensionTableSpecs(universe, db.dialect))
      tables.set(name, context.addTable(name, spec));
    const groups = DimensionGroupStorage.initialize(context, universe);
    return new this(db, universe, groups, tables, options.registrySchemaVersion ?? null);
  }

  override saveDimensionGroup(group: DimensionGroup): Promise<number> {
    return this.#groups.save(this.#db, group);
  }

  override loadDimensionGroup(key: number): Promise<DimensionGroup> {
    return this.#groups.load(this.#db, key);
  }

  #element(name: string): { element: DimensionElement; table: TableHandle } {
    const element = this.universe.getElement(name);
    const table = this.#tables.get(element.name);
    if (table === undefined || !element.hasOwnTable) {
      throw new NotSupportedError(
        `Dimension element ${name} has no table of its own: its records are not stored`,
      );
    }
    return { element, table };
  }

  override async fetchRecords(
    name: string,
    where: Readonly<Record<string, unknown>> = {},
  ): Promise<DimensionRecordValues[]> {
    const { element, table } = this.#element(name);
    const rows = await this.#db.fetch(table, { where: whereOfRecord(element, where) });
    return rows.map((row) => recordOfRow(element, row));
  }

  override async insertRecords(
    name: string,
    records: readonly Readonly<Record<string, unknown>>[],
    options: { readonly replace?: boolean; readonly skipExisting?: boolean } = {},
  ): Promise<void> {
    checkOptions('insertRecords', options, ['replace', 'skipExisting']);
    if (options.replace === true && options.skipExisting === true) {
      throw new InvalidArgumentError('insertRecords takes replace or skipExisting, not both');
    }
    const { element, table } = this.#element(name);
    // Values are checked against the column types by the database before any SQL runs.
    const rows = records.map(
      (record) => rowOfRecord(element, record, this.#db.dialect) as InsertRowOf<TableSpec>,
    );
    if (options.replace === true) await this.#db.replace(table, rows);
    else if (options.skipExisting === true)
      await this.#db.ensure(table, rows, { primaryKeyOnly: true });
    else await this.#db.insert(table, rows);
  }

  override async syncRecord(
    name: string,
    record: Readonly<Record<string, unknown>>,
    options: { readonly update?: boolean } = {},
  ): Promise<boolean | Readonly<Record<string, unknown>>> {
    checkOptions('syncRecord', options, ['update']);
    const { element, table } = this.#element(name);
    const row = rowOfRecord(element, record, this.#db.dialect);
    const keyColumns = new Set(elementColumns(element).required.map((c) => c.column));
    const keys = Object.fromEntries(Object.entries(row).filter(([k]) => keyColumns.has(k)));
    const compared = Object.fromEntries(Object.entries(row).filter(([k]) => !keyColumns.has(k)));
    const [, result] = await this.#db.sync(table, {
      keys,
      compared,
      update: options.update === true,
    });
    return result;
  }

  override async expandDataId(
    dataId: DataCoordinate | DataIdMapping,
    options: { readonly dimensions?: DimensionGroup | Iterable<string> } = {},
  ): Promise<DataCoordinate> {
    checkOptions('expandDataId', options, ['dimensions']);
    const standardized = DataCoordinate.standardize(dataId, {
      universe: this.universe,
      ...(options.dimensions === undefined ? {} : { dimensions: options.dimensions }),
    });
    const group = standardized.dimensions;
    const values = new Map<string, DataIdValue>(standardized.mapping);
    const elements = standardized.elements.map((name) => this.universe.getElement(name));
    const records = new Map<string, DimensionRecordValues | null>();
    // An element's record gives the values of the dimensions it implies, so elements are
    // read as their required values become known (daf_butler's lookup order).
    let pending = elements;
    while (pending.length > 0) {
      const ready = pending.filter((e) => e.required.every((d) => values.has(d)));
      if (ready.length === 0) {
        const missing = group.implied.filter((d) => !values.has(d));
        throw new LookupError(
          missing.join(', '),
          `Cannot find values for dimensions ${missing.join(', ')} of data ID ${standardized.toString()}`,
        );
      }
      for (const element of ready) {
        const record = await this.#recordFor(element, values);
        records.set(element.name, record);
        if (record === null) continue;
        for (const implied of element.implied) {
          const value = record[implied] as DataIdValue;
          const known = values.get(implied);
          if (known !== undefined && known !== value) {
            throw new InvalidArgumentError(
              `Data ID ${standardized.toString()} gives ${implied}=${String(known)}, but the ${element.name} record implies ${String(value)}`,
            );
          }
          values.set(implied, value);
        }
      }
      pending = pending.filter((e) => !ready.includes(e));
    }
    const full = DataCoordinate.standardize(Object.fromEntries(values), { dimensions: group });
    return full.withRecords(records);
  }

  async #recordFor(
    element: DimensionElement,
    values: ReadonlyMap<string, DataIdValue>,
  ): Promise<DimensionRecordValues | null> {
    if (!element.hasOwnTable) {
      // Skypix and implied-union dimensions (e.g. band) have no table: the record is the key.
      return element.isDimension
        ? Object.freeze({ [element.keys[0]!.name]: values.get(element.name) })
        : null;
    }
    const where = Object.fromEntries(element.required.map((d) => [d, values.get(d)]));
    const [record] = await this.fetchRecords(element.name, where);
    if (record !== undefined) return record;
    if (!element.isDimension) return null;
    throw new LookupError(
      `${element.name}=${String(values.get(element.name))}`,
      `No ${element.name} record for ${element.required.map((d) => `${d}=${JSON.stringify(values.get(d))}`).join(', ')}`,
    );
  }
}

// Checks at compile time that the class has the static side a registry is configured with.
StaticDimensionRecordStorageManager satisfies DimensionRecordStorageManagerClass;
