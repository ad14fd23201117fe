// Saved dimension groups (daf_butler's `dimension_graph_key` / `dimension_graph_definition`):
// the key table exists only so that the autoincrement key is the sole primary-key column (as
// SQLite requires); each group's required dimension names are rows of the definition table.
import { DimensionGroup } from '@butler-ts/core';
import type { DimensionUniverse } from '@butler-ts/core';
import { tableSpec } from '@butler-ts/ddl';
import { InvalidArgumentError, LookupError } from '@butler-ts/registry-interfaces';
import type { Database, StaticTablesContext, TableHandle } from '@butler-ts/registry-interfaces';

/** The spec of `dimension_graph_key`: one autoincrement id per saved group. */
export const DIMENSION_GRAPH_KEY_SPEC = tableSpec({
  fields: [{ name: 'id', dtype: 'bigint', primaryKey: true, autoincrement: true }],
  // daf_butler's SQLite table is a plain INTEGER PRIMARY KEY (rowid), without AUTOINCREMENT.
  recycleIds: true,
} as const);

/** The spec of `dimension_graph_definition`: the required dimension names of each group. */
export const DIMENSION_GRAPH_DEFINITION_SPEC = tableSpec({
  fields: [
    { name: 'dimension_graph_id', dtype: 'bigint', primaryKey: true },
    { name: 'dimension_name', dtype: 'text', primaryKey: true },
  ],
  foreignKeys: [
    {
      table: 'dimension_graph_key',
      source: ['dimension_graph_id'],
      target: ['id'],
      onDelete: 'CASCADE',
    },
  ],
} as const);

interface GroupTables {
  readonly key: TableHandle<typeof DIMENSION_GRAPH_KEY_SPEC>;
  readonly definition: TableHandle<typeof DIMENSION_GRAPH_DEFINITION_SPEC>;
}

/** The two tables and a cache of the groups read or saved, shared by clones. */
export class DimensionGroupStorage {
  readonly #universe: DimensionUniverse;
  readonly #tables: GroupTables;
  #keysByGroup = new Map<string, number>();
  #groupsByKey = new Map<number, DimensionGroup>();

  private constructor(universe: DimensionUniverse, tables: GroupTables) {
    this.#universe = universe;
    this.#tables = tables;
    this.#reset();
  }

  static initialize(
    context: StaticTablesContext,
    universe: DimensionUniverse,
  ): DimensionGroupStorage {
    return new DimensionGroupStorage(universe, {
      key: context.addTable('dimension_graph_key', DIMENSION_GRAPH_KEY_SPEC),
      definition: context.addTable('dimension_graph_definition', DIMENSION_GRAPH_DEFINITION_SPEC),
    });
  }

  #reset(): void {
    const empty = this.#universe.empty;
    this.#keysByGroup = new Map([[empty.hashKey, 0]]);
    this.#groupsByKey = new Map([[0, empty]]);
  }

  async #refresh(db: Database): Promise<void> {
    const names = new Map<number, string[]>();
    for (const row of await db.fetch(this.#tables.definition)) {
      let list = names.get(row.dimension_graph_id);
      if (list === undefined) names.set(row.dimension_graph_id, (list = []));
      list.push(row.dimension_name);
    }
    this.#reset();
    for (const [key, list] of names) {
      const group = new DimensionGroup(this.#universe, list);
      this.#keysByGroup.set(group.hashKey, key);
      this.#groupsByKey.set(key, group);
    }
  }

  async save(db: Database, group: DimensionGroup): Promise<number> {
    if (!(group instanceof DimensionGroup) || !group.universe.equals(this.#universe)) {
      throw new InvalidArgumentError(
        `Cannot save dimension group ${String(group)}: it is not a group of ${this.#universe.toString()}`,
      );
    }
    const known = this.#keysByGroup.get(group.hashKey);
    if (known !== undefined) return known;
    // Another client may be saving the same group: lock, re-read, and insert only if absent.
    return db.transaction(
      async () => {
        await this.#refresh(db);
        let key = this.#keysByGroup.get(group.hashKey);
        if (key === undefined) {
          [key] = (await db.insert(this.#tables.key, [{}], { returnIds: true })) as [number];
          await db.insert(
            this.#tables.definition,
            group.required.map((name) => ({ dimension_graph_id: key!, dimension_name: name })),
          );
          this.#keysByGroup.set(group.hashKey, key);
          this.#groupsByKey.set(key, group);
        }
        return key;
      },
      { lock: [this.#tables.key, this.#tables.definition] },
    );
  }

  async load(db: Database, key: number): Promise<DimensionGroup> {
    if (!Number.isSafeInteger(key)) {
      throw new InvalidArgumentError(`A dimension group key is an integer, not ${String(key)}`);
    }
    let group = this.#groupsByKey.get(key);
    if (group === undefined) {
      await this.#refresh(db);
      group = this.#groupsByKey.get(key);
    }
    if (group === undefined) {
      throw new LookupError(String(key), `No dimension group is saved with key ${key}`);
    }
    return group;
  }
}
