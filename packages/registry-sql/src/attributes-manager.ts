import { tableSpec } from '@butler-ts/ddl';
import {
  ButlerAttributeExistsError,
  ButlerAttributeManager,
  checkOptions,
  col,
  eq,
  IntegrityError,
  InvalidArgumentError,
} from '@butler-ts/registry-interfaces';
import type {
  ButlerAttributeManagerClass,
  Database,
  IntegrityKind,
  StaticTablesContext,
  TableHandle,
} from '@butler-ts/registry-interfaces';
import { VersionTuple } from '@butler-ts/versioning';

/**
 * The spec of `butler_attributes`, as daf_butler declares it: `name` string(1024) primary
 * key and `value` string(65535) NOT NULL.
 */
export const BUTLER_ATTRIBUTES_SPEC = tableSpec({
  fields: [
    {
      /** Column `name`: the attribute's key, e.g. `version:<extension>`. */
      name: 'name',
      /** A string column, at most `length` characters. */
      dtype: 'string',
      /** 1024 characters, as daf_butler declares it. */
      length: 1024,
      /** Names are unique: setting an existing one fails unless forced. */
      primaryKey: true,
    },
    {
      /** Column `value`: the attribute's value. */
      name: 'value',
      /** A string column, at most `length` characters (unsized TEXT in the DDL). */
      dtype: 'string',
      /** 65535 characters, as daf_butler declares it. */
      length: 65535,
      /** NOT NULL; the manager also refuses empty strings, which some engines store as NULL. */
      nullable: false,
    },
  ],
});

const KEY_CONFLICTS: ReadonlySet<IntegrityKind> = new Set(['primaryKey', 'unique', 'unknown']);

/**
 * The handle of `butler_attributes`, typed by {@link BUTLER_ATTRIBUTES_SPEC}: what a subclass
 * of {@link DefaultButlerAttributeManager} passes to its protected constructor.
 */
export type AttributesTable = TableHandle<typeof BUTLER_ATTRIBUTES_SPEC>;

/**
 * The default attributes manager: string key/value pairs in the static table
 * `butler_attributes` (schema version 1.0.1), where the registry stores its manager names
 * and schema versions.
 *
 * Build it with {@link DefaultButlerAttributeManager.initialize} inside
 * `Database.declareStaticTables`. Its own version is never checked when a registry is
 * opened: the table must stay readable by every version.
 *
 * @example
 * ```ts
 * let attributes!: DefaultButlerAttributeManager;
 * await db.declareStaticTables({ create: true }, (context) => {
 *   attributes = DefaultButlerAttributeManager.initialize(db, context);
 * });
 * await attributes.set('config:answer', '42');
 * await attributes.get('config:answer'); // '42'
 * ```
 */
export class DefaultButlerAttributeManager extends ButlerAttributeManager {
  readonly #db: Database;
  readonly #table: AttributesTable;

  protected constructor(
    db: Database,
    table: AttributesTable,
    registrySchemaVersion: VersionTuple | null,
  ) {
    super({ registrySchemaVersion });
    this.#db = db;
    this.#table = table;
  }

  /** daf_butler's name for this manager, stored in the attributes table. */
  static override extensionName(): string {
    return 'lsst.daf.butler.registry.attributes.DefaultButlerAttributeManager';
  }

  /** `[1.0.1]`: the patch level records that schema digests are no longer written. */
  static override currentVersions(): readonly VersionTuple[] {
    return [new VersionTuple(1, 0, 1)];
  }

  /**
   * Declares `butler_attributes` in `context` and returns a manager bound to it.
   *
   * @param registrySchemaVersion the stored version, or `null` while creating a registry.
   */
  static initialize(
    db: Database,
    context: StaticTablesContext,
    registrySchemaVersion: VersionTuple | null = null,
  ): DefaultButlerAttributeManager {
    const table = context.addTable('butler_attributes', BUTLER_ATTRIBUTES_SPEC);
    return new this(db, table, registrySchemaVersion);
  }

  override clone(db: Database): DefaultButlerAttributeManager {
    const cls = this.constructor as typeof DefaultButlerAttributeManager;
    return new cls(db, this.#table, this.registrySchemaVersion);
  }

  override async get(name: string, defaultValue: string | null = null): Promise<string | null> {
    const rows = await this.#db.fetch(this.#table, { where: eq(col('name'), name), limit: 1 });
    return rows[0]?.value ?? defaultValue;
  }

  /**
   * Stores a value: a plain insert, or an upsert with `force`.
   *
   * @throws `InvalidArgumentError` for an empty name or value (checked first, even
   *   with `force`: some engines turn empty strings into NULL).
   * @throws `ButlerAttributeExistsError` when `name` exists and `force` is not set;
   *   the database's `IntegrityError` is kept as its `cause`.
   * @throws `ReadOnlyDatabaseError` on a read-only database.
   */
  override async set(
    name: string,
    value: string,
    options: { readonly force?: boolean } = {},
  ): Promise<void> {
    checkOptions('ButlerAttributeManager.set', options, ['force']);
    if (typeof name !== 'string' || typeof value !== 'string' || name === '' || value === '') {
      throw new InvalidArgumentError('name and value cannot be empty');
    }
    const row = { name, value };
    if (options.force === true) {
      await this.#db.replace(this.#table, [row]);
      return;
    }
    try {
      await this.#db.insert(this.#table, [row]);
    } catch (error) {
      // Only the key can clash: the value was checked above and has no other constraint.
      if (IntegrityError.is(error) && KEY_CONFLICTS.has(error.kind)) {
        throw new ButlerAttributeExistsError(name, { cause: error });
      }
      throw error;
    }
  }

  override async delete(name: string): Promise<boolean> {
    return (await this.#db.delete(this.#table, ['name'], [{ name }])) > 0;
  }

  /** Every pair, read in one query before the first is yielded. */
  override async *items(): AsyncIterable<[string, string]> {
    const rows = await this.#db.fetch(this.#table);
    for (const row of rows) yield [row.name, row.value];
  }

  override async empty(): Promise<boolean> {
    return (await this.#db.count(this.#table)) === 0;
  }
}

// Checks at compile time that the class has the static side a registry is configured with.
DefaultButlerAttributeManager satisfies ButlerAttributeManagerClass;
