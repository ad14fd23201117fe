import { tableSpec } from '@butler-ts/ddl';
import type { TableSpec } from '@butler-ts/ddl';
import {
  CollectionCycleError,
  CollectionManager,
  CollectionType,
  CollectionTypeError,
  ConflictingDefinitionError,
  IntegrityError,
  InvalidArgumentError,
  NotSupportedError,
  OrphanedRecordError,
  checkOptions,
  and,
  col,
  collectionTypeName,
  eq,
  missingCollections,
} from '@butler-ts/registry-interfaces';
import type {
  CollectionManagerClass,
  CollectionRecord,
  Database,
  RegisterCollectionOptions,
  Row,
  RunRecord,
  RunTimespan,
  StaticTablesContext,
  TableHandle,
} from '@butler-ts/registry-interfaces';
import { VersionTuple } from '@butler-ts/versioning';
import type { RowOf, TaiTime } from '@butler-ts/ddl';
import { SqlDatabase } from './sql-database.ts';
import { checkTimespan, timespanColumns, timespanOfColumns } from './timespans.ts';

/** The spec of `collection`: one row per collection, keyed by a synthetic integer. */
export const COLLECTION_SPEC = tableSpec({
  fields: [
    { name: 'collection_id', dtype: 'bigint', primaryKey: true, autoincrement: true },
    { name: 'name', dtype: 'string', length: 64, nullable: false },
    { name: 'type', dtype: 'smallint', nullable: false },
    { name: 'doc', dtype: 'text', nullable: true },
  ],
  unique: [['name']],
} as const);

const RUN_FOREIGN_KEY = {
  table: 'collection',
  source: ['collection_id'],
  target: ['collection_id'],
  onDelete: 'CASCADE',
} as const;

/**
 * The spec of `run` on SQLite: the run's `host` and its timespan as two TAI-nanosecond
 * columns, as daf_butler's SQLite timespan representation stores it.
 */
export const RUN_SPEC_SQLITE = tableSpec({
  fields: [
    { name: 'collection_id', dtype: 'bigint', primaryKey: true },
    { name: 'host', dtype: 'string', length: 128, nullable: true },
    { name: 'timespan_begin', dtype: 'timeNsecTai', nullable: true },
    { name: 'timespan_end', dtype: 'timeNsecTai', nullable: true },
  ],
  foreignKeys: [RUN_FOREIGN_KEY],
} as const);

/**
 * The spec of `run` on PostgreSQL: the timespan is one INT8RANGE column of TAI nanoseconds,
 * as daf_butler's PostgreSQL timespan representation stores it.
 */
export const RUN_SPEC_POSTGRES = tableSpec({
  fields: [
    { name: 'collection_id', dtype: 'bigint', primaryKey: true },
    { name: 'host', dtype: 'string', length: 128, nullable: true },
    { name: 'timespan', dtype: 'timeNsecTai', nullable: true, range: true },
  ],
  foreignKeys: [RUN_FOREIGN_KEY],
} as const);

/** The spec of `collection_chain`: the ordered children of each CHAINED collection. */
export const COLLECTION_CHAIN_SPEC = tableSpec({
  fields: [
    { name: 'parent', dtype: 'bigint', primaryKey: true },
    { name: 'position', dtype: 'smallint', primaryKey: true },
    { name: 'child', dtype: 'bigint', nullable: false },
  ],
  foreignKeys: [
    { table: 'collection', source: ['parent'], target: ['collection_id'], onDelete: 'CASCADE' },
    { table: 'collection', source: ['child'], target: ['collection_id'] },
  ],
} as const);

/** The handles of the collections manager's tables. */
export interface CollectionTables {
  /** `collection`. */
  readonly collection: TableHandle;
  /** `run`. */
  readonly run: TableHandle;
  /** `collection_chain`. */
  readonly collection_chain: TableHandle;
}

/** {@link CollectionTables} with the specs the manager reads through. */
interface TypedCollectionTables {
  /** `collection`. */
  readonly collection: TableHandle<typeof COLLECTION_SPEC>;
  /** `run`. */
  readonly run: TableHandle;
  /** `collection_chain`. */
  readonly collection_chain: TableHandle<typeof COLLECTION_CHAIN_SPEC>;
}

const TYPES: ReadonlySet<number> = new Set(Object.values(CollectionType));
const MAX_CHAIN_LENGTH = 32767;

function timespanOf(row: Row | undefined): RunTimespan | null {
  if (row === undefined) return null;
  if ('timespan' in row) return (row.timespan ?? null) as RunTimespan | null;
  return timespanOfColumns(
    row.timespan_begin as TaiTime | null | undefined,
    row.timespan_end as TaiTime | null | undefined,
  );
}

/** The `run` columns of a timespan on `dialect`. */
function timespanRow(dialect: Database['dialect'], timespan: RunTimespan | null): Row {
  if (dialect === 'postgresql') return { timespan };
  const { begin, end } = timespanColumns(timespan);
  return { timespan_begin: begin, timespan_end: end };
}

function checkName(name: unknown, what = 'collection name'): asserts name is string {
  if (typeof name !== 'string' || name.length === 0)
    throw new InvalidArgumentError(`A ${what} is a non-empty string, not ${JSON.stringify(name)}`);
}

/**
 * daf_butler's default collections manager (`SynthIntKeyCollectionManager`, schema version
 * 2.0.0): collections keyed by a synthetic integer `collection_id`, with the tables
 * `collection`, `run` and `collection_chain` exactly as daf_butler declares them.
 *
 * Nothing is cached: every call reads the database, so collections made by other clients
 * are seen at once.
 *
 * @example
 * ```ts
 * await registry.collections.registerRun('u/alice/run1');
 * await registry.collections.register('u/alice/chain', CollectionType.CHAINED);
 * await registry.collections.setChain('u/alice/chain', ['u/alice/run1']);
 * (await registry.collections.resolve(['u/alice/chain'])).map((r) => r.name); // ['u/alice/run1']
 * ```
 */
export class SynthIntKeyCollectionManager extends CollectionManager {
  readonly #db: Database;
  readonly #tables: TypedCollectionTables;

  protected constructor(
    db: Database,
    tables: CollectionTables,
    registrySchemaVersion: VersionTuple | null,
  ) {
    super({ registrySchemaVersion });
    this.#db = db;
    this.#tables = tables as TypedCollectionTables;
  }

  /** daf_butler's name for this manager, stored in the attributes table. */
  static override extensionName(): string {
    return 'lsst.daf.butler.registry.collections.synthIntKey.SynthIntKeyCollectionManager';
  }

  /** `[2.0.0]`. */
  static override currentVersions(): readonly VersionTuple[] {
    return [new VersionTuple(2, 0, 0)];
  }

  /** The specs of the manager's tables on `dialect`, keyed by table name. */
  static tableSpecs(dialect: Database['dialect']): Readonly<Record<string, TableSpec>> {
    return {
      collection: COLLECTION_SPEC,
      run: dialect === 'postgresql' ? RUN_SPEC_POSTGRES : RUN_SPEC_SQLITE,
      collection_chain: COLLECTION_CHAIN_SPEC,
    };
  }

  /**
   * Declares `collection`, `run` and `collection_chain` in `context` and returns the manager.
   *
   * @param registrySchemaVersion the stored version, or `null` while creating a registry.
   */
  static initialize(
    db: Database,
    context: StaticTablesContext,
    registrySchemaVersion: VersionTuple | null = null,
  ): SynthIntKeyCollectionManager {
    const tables: CollectionTables = {
      collection: context.addTable('collection', COLLECTION_SPEC),
      run: context.addTable(
        'run',
        db.dialect === 'postgresql' ? RUN_SPEC_POSTGRES : RUN_SPEC_SQLITE,
      ),
      collection_chain: context.addTable('collection_chain', COLLECTION_CHAIN_SPEC),
    };
    return new this(db, tables, registrySchemaVersion);
  }

  override clone(db: Database): SynthIntKeyCollectionManager {
    const cls = this.constructor as typeof SynthIntKeyCollectionManager;
    return new cls(db, this.#tables, this.registrySchemaVersion);
  }

  override async register(
    name: string,
    type: CollectionType,
    options: RegisterCollectionOptions = {},
  ): Promise<[CollectionRecord, boolean]> {
    checkOptions('CollectionManager.register', options, ['doc', 'host', 'timespan']);
    checkName(name);
    if (!TYPES.has(type))
      throw new InvalidArgumentError(
        `Collection ${JSON.stringify(name)}: ${JSON.stringify(type)} is not a collection type (1 to 4)`,
      );
    if (type === CollectionType.CALIBRATION)
      throw new NotSupportedError(
        `Cannot register ${JSON.stringify(name)}: CALIBRATION collections are not supported yet`,
      );
    if (options.host !== undefined && options.host !== null && type !== CollectionType.RUN)
      throw new InvalidArgumentError(`Collection ${JSON.stringify(name)}: only a RUN has a host`);
    const timespan = checkTimespan(options.timespan, `The timespan of run ${JSON.stringify(name)}`);
    if (timespan !== null && type !== CollectionType.RUN)
      throw new InvalidArgumentError(
        `Collection ${JSON.stringify(name)}: only a RUN has a timespan`,
      );
    const existing = await this.get(name);
    if (existing !== null) {
      if (existing.type !== type)
        throw new ConflictingDefinitionError(
          `Collection ${JSON.stringify(name)} is a ${collectionTypeName(existing.type)} collection, not ${collectionTypeName(type)}`,
        );
      return [existing, false];
    }
    const doc = options.doc ?? null;
    const [row, inserted] = await this.#db.transaction(async () => {
      const synced = await this.#db.sync(this.#tables.collection, {
        keys: { name },
        compared: { type },
        extra: { doc },
        returning: ['collection_id'],
      });
      const key = synced[0]!.collection_id as number;
      if (type === CollectionType.RUN)
        await this.#db.sync(this.#tables.run, {
          keys: { collection_id: key },
          extra: { host: options.host ?? null, ...timespanRow(this.#db.dialect, timespan) },
        });
      return synced;
    });
    const record = await this.getByKey(row!.collection_id as number);
    return [record!, inserted === true];
  }

  override async get(name: string): Promise<CollectionRecord | null> {
    checkName(name);
    return (await this.#fetch('name', [name]))[0] ?? null;
  }

  override async getByKey(key: number): Promise<CollectionRecord | null> {
    if (!Number.isSafeInteger(key))
      throw new InvalidArgumentError(`A collection key is an integer, not ${JSON.stringify(key)}`);
    return (await this.#fetch('collection_id', [key]))[0] ?? null;
  }

  override all(): Promise<CollectionRecord[]> {
    return this.#fetch(null, []);
  }

  /**
   * The rows of `table` whose `column` is one of `values`, ordered by `orderBy`. On this
   * package's databases through `SqlDatabase.fetchIn`, whose statement is rendered once per
   * shape: resolving a chain, as every dataset search does, then builds no SQL.
   */
  #fetchIn<S extends TableSpec>(
    table: TableHandle<S>,
    column: string,
    values: readonly unknown[],
    orderBy: readonly string[] = [],
  ): Promise<RowOf<S>[]> {
    const db = this.#db;
    if (db instanceof SqlDatabase) return db.fetchIn(table, { column, values }, [], [], orderBy);
    return db.fetch(table, { where: { [column]: [...values] }, orderBy: [...orderBy] });
  }

  /**
   * The records of the collections whose `column` is one of `values` (every collection for a
   * null column), RUNs with their `run` row, by key.
   */
  async #fetch(
    column: 'name' | 'collection_id' | null,
    values: readonly unknown[],
  ): Promise<CollectionRecord[]> {
    const rows =
      column === null
        ? await this.#db.fetch(this.#tables.collection, { orderBy: ['collection_id'] })
        : await this.#fetchIn(this.#tables.collection, column, values, ['collection_id']);
    const runKeys = rows.filter((r) => r.type === CollectionType.RUN).map((r) => r.collection_id);
    const runs = new Map<number, Row>();
    if (runKeys.length > 0)
      for (const run of await this.#fetchIn(this.#tables.run, 'collection_id', runKeys))
        runs.set(run.collection_id as number, run);
    return rows.map((row) => {
      const base = {
        key: row.collection_id,
        name: row.name,
        type: row.type as CollectionType,
        doc: row.doc ?? null,
      };
      if (base.type !== CollectionType.RUN) return Object.freeze(base);
      const run = runs.get(base.key);
      return Object.freeze({
        ...base,
        type: CollectionType.RUN,
        host: (run?.host ?? null) as string | null,
        timespan: timespanOf(run),
      } satisfies RunRecord);
    });
  }

  /** Records of `names`, in that order; fails naming every missing one. */
  async #findMany(names: readonly string[]): Promise<CollectionRecord[]> {
    for (const name of names) checkName(name);
    const unique = [...new Set(names)];
    const found = new Map<string, CollectionRecord>();
    if (unique.length > 0)
      for (const record of await this.#fetch('name', unique)) found.set(record.name, record);
    const missing = unique.filter((n) => !found.has(n));
    if (missing.length > 0) throw missingCollections(missing);
    return names.map((n) => found.get(n)!);
  }

  /** The children keys of each chain in `parents`, in position order. */
  async #childKeys(parents: readonly number[]): Promise<Map<number, number[]>> {
    const out = new Map<number, number[]>(parents.map((p) => [p, []]));
    if (parents.length === 0) return out;
    const rows = await this.#fetchIn(this.#tables.collection_chain, 'parent', parents, [
      'parent',
      'position',
    ]);
    for (const row of rows) out.get(row.parent)!.push(row.child);
    return out;
  }

  /**
   * Every collection reachable from `roots`, with the children of each chain: one query per
   * level of nesting.
   */
  async #graph(
    roots: readonly CollectionRecord[],
  ): Promise<{ byKey: Map<number, CollectionRecord>; children: Map<number, number[]> }> {
    const byKey = new Map(roots.map((r) => [r.key, r]));
    const children = new Map<number, number[]>();
    let pending = roots.filter((r) => r.type === CollectionType.CHAINED).map((r) => r.key);
    while (pending.length > 0) {
      const level = await this.#childKeys(pending.filter((k) => !children.has(k)));
      const unknown: number[] = [];
      for (const [parent, keys] of level) {
        children.set(parent, keys);
        for (const key of keys) if (!byKey.has(key)) unknown.push(key);
      }
      if (unknown.length > 0)
        for (const record of await this.#fetch('collection_id', [...new Set(unknown)]))
          byKey.set(record.key, record);
      pending = [...level.values()]
        .flat()
        .filter((k) => byKey.get(k)?.type === CollectionType.CHAINED && !children.has(k));
    }
    return { byKey, children };
  }

  async #findChain(name: string): Promise<CollectionRecord> {
    const chain = await this.find(name);
    if (chain.type !== CollectionType.CHAINED)
      throw new CollectionTypeError(
        name,
        `Collection ${JSON.stringify(name)} is a ${collectionTypeName(chain.type)} collection, not CHAINED`,
      );
    return chain;
  }

  override async getChain(name: string): Promise<string[]> {
    const chain = await this.#findChain(name);
    const { byKey, children } = await this.#graph([chain]);
    return (children.get(chain.key) ?? []).map((k) => byKey.get(k)!.name);
  }

  override async resolve(names: readonly string[]): Promise<CollectionRecord[]> {
    return this.#flatten(await this.#findMany(names), false);
  }

  async #flatten(
    roots: readonly CollectionRecord[],
    includeChains: boolean,
  ): Promise<CollectionRecord[]> {
    const { byKey, children } = await this.#graph(roots);
    const done = new Set<number>();
    const out: CollectionRecord[] = [];
    const visit = (record: CollectionRecord): void => {
      if (done.has(record.key)) return;
      done.add(record.key);
      if (record.type !== CollectionType.CHAINED || includeChains) out.push(record);
      if (record.type === CollectionType.CHAINED)
        for (const key of children.get(record.key) ?? []) visit(byKey.get(key)!);
    };
    for (const root of roots) visit(root);
    return out;
  }

  override async setChain(name: string, children: readonly string[]): Promise<void> {
    if (!Array.isArray(children))
      throw new InvalidArgumentError(
        `The children of chain ${JSON.stringify(name)} are a list of names`,
      );
    const chain = await this.#findChain(name);
    const records = await this.#findMany(children);
    for (const record of await this.#flatten(records, true))
      if (record.key === chain.key)
        throw new CollectionCycleError(
          name,
          `Cycle in collection chaining when defining '${name}'.`,
        );
    const keys = [...new Set(records.map((r) => r.key))];
    if (keys.length > MAX_CHAIN_LENGTH)
      throw new InvalidArgumentError(
        `Chain ${JSON.stringify(name)}: at most ${MAX_CHAIN_LENGTH} children`,
      );
    await this.#db.transaction(async () => {
      await this.#db.delete(this.#tables.collection_chain, ['parent'], [{ parent: chain.key }]);
      if (keys.length > 0)
        await this.#db.insert(
          this.#tables.collection_chain,
          keys.map((child, position) => ({ parent: chain.key, position, child })),
        );
    });
  }

  /** One query: the chains whose `collection_chain` rows name `name`'s key as a child. */
  override async getParentChains(name: string): Promise<string[]> {
    checkName(name);
    const parents = await this.#db.select({
      from: [
        { source: this.#tables.collection_chain, alias: 'c' },
        { source: this.#tables.collection, alias: 'p' },
        { source: this.#tables.collection, alias: 'k' },
      ],
      columns: { name: col('p', 'name') },
      where: and(
        eq(col('c', 'parent'), col('p', 'collection_id')),
        eq(col('c', 'child'), col('k', 'collection_id')),
        eq(col('k', 'name'), name),
      ),
    });
    // No parent: either a collection outside every chain, or no collection at all.
    if (parents.length === 0) await this.find(name);
    // Sorted here, not by ORDER BY: PostgreSQL's collation may not order by code point.
    return parents.map((p) => p.name as string).sort();
  }

  override async remove(name: string): Promise<void> {
    const parents = await this.getParentChains(name);
    if (parents.length > 0)
      throw new OrphanedRecordError(
        name,
        `Cannot remove collection ${JSON.stringify(name)}: it is a child of ${parents
          .map((p) => JSON.stringify(p))
          .join(', ')}`,
      );
    const record = await this.find(name);
    try {
      await this.#db.transaction(
        () =>
          this.#db.delete(
            this.#tables.collection,
            ['collection_id'],
            [{ collection_id: record.key }],
          ),
        { savepoint: true },
      );
    } catch (error) {
      if (IntegrityError.is(error) && error.kind === 'foreignKey')
        throw new OrphanedRecordError(
          name,
          `Cannot remove collection ${JSON.stringify(name)}: rows of other tables (a datastore's records of its datasets, say) still refer to it`,
          { cause: error },
        );
      throw error;
    }
  }
}

// Checks at compile time that the class has the static side a registry is configured with.
SynthIntKeyCollectionManager satisfies CollectionManagerClass;
