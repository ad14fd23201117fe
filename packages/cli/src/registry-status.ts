import { InvalidIdentifierError } from '@butler-ts/ddl';
import type { TableSpec } from '@butler-ts/ddl';
import type { ButlerAttributeManager, Database, TableHandle } from '@butler-ts/registry-interfaces';
import {
  DEFAULT_MANAGERS,
  MANAGER_CONFIG_PREFIX,
  OPAQUE_META_SPEC,
  VERSION_PREFIX,
} from '@butler-ts/registry-sql';
import { VersionTuple } from '@butler-ts/versioning';
import type { VersionedExtensionClass } from '@butler-ts/versioning';
import { NotARegistryError } from './errors.ts';

/** Whether this build may use a manager's stored schema, and why not. */
export type Verdict =
  | {
      /** This build can use the registry. */
      readonly ok: true;
    }
  | {
      /** This build cannot use the registry. */
      readonly ok: false;
      /** Why not: the compatibility error's message. */
      readonly reason: string;
    };

/** One manager of a registry: what is stored and what this build makes of it. */
export interface ManagerStatus {
  /** The manager type: `attributes`, `opaque`, `datastores`, or another stored type. */
  readonly type: string;
  /** The extension name stored in `butler_attributes`, or `null` when none is. */
  readonly stored: string | null;
  /** The extension name this build uses for the type, or `null` when it uses none. */
  readonly expected: string | null;
  /** The stored schema version (`M.m.p`), or `null` when none is stored. */
  readonly version: string | null;
  /** The schema versions this build's manager supports (empty when it uses none). */
  readonly supported: readonly string[];
  /** Whether this build can read it; `null` for a type this build does not use. */
  readonly read: Verdict | null;
  /** Whether this build can write it; `null` for a type this build does not use. */
  readonly write: Verdict | null;
}

/** What `info` and `check` learn from a registry's `butler_attributes`. */
export interface RegistryStatus {
  /** The database, as `Database.toString()` names it. */
  readonly database: string;
  /** Configured types first (in daf_butler's order), then other stored types by name. */
  readonly managers: readonly ManagerStatus[];
  /** Whether every manager this build uses can read its stored schema. */
  readonly canRead: boolean;
  /** Whether every manager this build uses can write its stored schema. */
  readonly canWrite: boolean;
}

/** One opaque table listed in `opaque_meta`, with its row count (`null` when the table is missing). */
export interface OpaqueTableInfo {
  /** The table name recorded in `opaque_meta`. */
  readonly name: string;
  /** Its row count, or `null` when the table is recorded but missing from the database. */
  readonly rows: number | null;
}

function verdict(check: () => void): Verdict {
  try {
    check();
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

/**
 * Declares `butler_attributes` (only) on a database opened with `openDatabase`, so that its
 * attributes can be read whatever the stored versions say.
 *
 * @throws {@link NotARegistryError} when the table is missing or empty.
 */
export async function readAttributes(db: Database): Promise<Map<string, string>> {
  if (!(await db.tableNames()).has('butler_attributes'))
    throw new NotARegistryError(
      db.toString(),
      `No registry in ${db.toString()}: table butler_attributes is missing`,
    );
  let attributes!: ButlerAttributeManager;
  await db.declareStaticTables({ create: false }, (context) => {
    attributes = DEFAULT_MANAGERS.attributes.initialize(db, context, null);
  });
  const all = new Map<string, string>();
  for await (const [name, value] of attributes.items()) all.set(name, value);
  if (all.size === 0)
    throw new NotARegistryError(
      db.toString(),
      `No registry in ${db.toString()}: table butler_attributes is empty`,
    );
  return all;
}

/**
 * The managers stored in a registry and whether this build's managers ({@link DEFAULT_MANAGERS})
 * can read and write them, by the same rules as `openRegistry`: every configured type must be
 * stored under this build's extension name, and each stored version must pass the class's
 * static `checkCompatibility`. Types stored without a version are not checked, as in
 * `openRegistry`.
 */
export function registryStatus(
  database: string,
  attributes: ReadonlyMap<string, string>,
): RegistryStatus {
  const stored = new Map<string, string>();
  for (const [key, className] of attributes) {
    if (!key.startsWith(MANAGER_CONFIG_PREFIX)) continue;
    // As in daf_butler (and registry-sql), the type is the text after the last dot.
    stored.set(key.slice(key.lastIndexOf('.') + 1), className);
  }
  const configured = new Map<string, VersionedExtensionClass>(Object.entries(DEFAULT_MANAGERS));
  const managers: ManagerStatus[] = [];
  const types = [
    ...configured.keys(),
    ...[...stored.keys()].filter((t) => !configured.has(t)).sort(),
  ];
  for (const type of types) {
    const cls = configured.get(type);
    const className = stored.get(type) ?? null;
    const versionText = className === null ? undefined : attributes.get(VERSION_PREFIX + className);
    const supported = cls === undefined ? [] : cls.currentVersions().map(String);
    const base = {
      type,
      stored: className,
      expected: cls === undefined ? null : cls.extensionName(),
      version: versionText ?? null,
      supported,
    };
    if (cls === undefined) {
      managers.push({ ...base, read: null, write: null });
      continue;
    }
    const check = (update: boolean): Verdict =>
      verdict(() => {
        if (className === null)
          throw new Error(`Cannot find stored configuration for manager ${type}`);
        if (className !== cls.extensionName())
          throw new Error(`${type}: configured ${cls.extensionName()}, stored: ${className}`);
        if (versionText !== undefined)
          cls.checkCompatibility(VersionTuple.fromString(versionText), update);
      });
    managers.push({ ...base, read: check(false), write: check(true) });
  }
  return {
    database,
    managers,
    canRead: managers.every((m) => m.read === null || m.read.ok),
    canWrite: managers.every((m) => m.write === null || m.write.ok),
  };
}

/** The reasons a registry cannot be read (or written), one per failing manager. */
export function problems(status: RegistryStatus, mode: 'read' | 'write'): string[] {
  const reasons: string[] = [];
  for (const manager of status.managers) {
    const v = mode === 'read' ? manager.read : manager.write;
    if (v !== null && !v.ok) reasons.push(v.reason);
  }
  return reasons;
}

/**
 * The table spec of `name` as the database describes it, and a handle for it, or `null`
 * when the table does not exist.
 */
export async function existingTable(
  db: Database,
  name: string,
): Promise<{ spec: TableSpec; handle: TableHandle } | null> {
  const spec = await db.inspectTable(name);
  if (spec === null) return null;
  const handle = await db.getExistingTable(name, spec);
  return handle === null ? null : { spec, handle };
}

/**
 * The names in `opaque_meta`, sorted (empty when the registry has no such table). The static
 * tables must have been declared on `db`.
 */
export async function opaqueTableNames(db: Database): Promise<string[]> {
  const meta = await db.getExistingTable('opaque_meta', OPAQUE_META_SPEC);
  if (meta === null) return [];
  const rows = await db.fetch(meta, { orderBy: ['table_name'] });
  return rows.map((row) => row.table_name);
}

/** Every opaque table with its row count. */
export async function opaqueTables(db: Database): Promise<OpaqueTableInfo[]> {
  const out: OpaqueTableInfo[] = [];
  for (const name of await opaqueTableNames(db)) {
    let table: { handle: TableHandle } | null = null;
    try {
      table = await existingTable(db, name);
    } catch (error) {
      // A name no SQL identifier can have cannot be a table this build made; report it missing.
      if (!InvalidIdentifierError.is(error)) throw error;
    }
    out.push({ name, rows: table === null ? null : await db.count(table.handle) });
  }
  return out;
}
