import {
  ManagerMismatchError,
  MissingManagerError,
  checkOptions,
} from '@butler-ts/registry-interfaces';
import type { ButlerAttributeManager } from '@butler-ts/registry-interfaces';
import { VersionTuple, checkCompatibility } from '@butler-ts/versioning';
import type { VersionedExtension, VersionedExtensionClass } from '@butler-ts/versioning';

/** The attribute key prefix under which manager class names are stored, by manager type. */
export const MANAGER_CONFIG_PREFIX = 'config:registry.managers.';

/** The attribute key prefix under which schema versions are stored, by extension name. */
export const VERSION_PREFIX = 'version:';

/** Managers keyed by manager type (`attributes`, `opaque`, `datastores`, …), in order. */
export type ManagerMapping<T> = ReadonlyMap<string, T> | Readonly<Record<string, T>>;

/** Options of {@link ButlerVersionsManager}. */
export interface ButlerVersionsManagerOptions {
  /**
   * Receives warnings (an empty attributes table when checking managers). Defaults to
   * `process.emitWarning`.
   */
  readonly onWarning?: (message: string) => void;
}

/** A manager as a registry stores it: its extension name and schema version. */
export interface StoredManager {
  /** The extension name (`config:registry.managers.<type>`), daf_butler's class name. */
  readonly className: string;
  /** The stored schema version (`version:<className>`), or `null` when none is stored. */
  readonly version: VersionTuple | null;
}

function entries<T>(managers: ManagerMapping<T>): [string, T][] {
  if (managers instanceof Map) return [...(managers as ReadonlyMap<string, T>)];
  return Object.entries(managers as Readonly<Record<string, T>>);
}

/**
 * Reads and writes the configured managers' names and schema versions through an attributes
 * manager: `config:registry.managers.<type>` holds the extension name of each manager, and
 * `version:<extension name>` its schema version (keys compatible with daf_butler).
 *
 * @example
 * ```ts
 * const versions = new ButlerVersionsManager(attributes);
 * await versions.storeManagersConfig(new Map([['attributes', attributes], ['opaque', opaque]]));
 * // later, on open:
 * await versions.checkManagersConfig(new Map([['attributes', DefaultButlerAttributeManager]]));
 * (await versions.managerVersions()).get('opaque'); // VersionTuple 0.2.0
 * ```
 */
export class ButlerVersionsManager {
  readonly #attributes: ButlerAttributeManager;
  readonly #onWarning: (message: string) => void;
  #empty: boolean | undefined;
  #stored: Map<string, StoredManager> | undefined;

  constructor(attributes: ButlerAttributeManager, options: ButlerVersionsManagerOptions = {}) {
    checkOptions('ButlerVersionsManager', options, ['onWarning']);
    this.#attributes = attributes;
    this.#onWarning =
      options.onWarning ?? ((message) => process.emitWarning(message, 'ButlerVersionsWarning'));
  }

  /**
   * Same rule as `VersionTuple.checkCompatibility` with `newVersion` as the code's version:
   * majors must match; differing minors are allowed only for reading an older schema.
   */
  static checkCompatibility(
    oldVersion: VersionTuple,
    newVersion: VersionTuple,
    update: boolean,
  ): boolean {
    return checkCompatibility(oldVersion, newVersion, update);
  }

  /**
   * Stores, in iteration order, each manager's extension name and (when it has one) the
   * version it writes into a new registry. Keys are never overwritten.
   *
   * @throws `ButlerAttributeExistsError` when a key exists already (for instance two
   *   manager types configured with the same class collide on `version:<name>`).
   */
  async storeManagersConfig(managers: ManagerMapping<VersionedExtension>): Promise<void> {
    for (const [managerType, manager] of entries(managers)) {
      const name = manager.extensionName();
      await this.#attributes.set(MANAGER_CONFIG_PREFIX + managerType, name);
      const version = manager.newSchemaVersion();
      if (version !== null) await this.#attributes.set(VERSION_PREFIX + name, version.toString());
    }
    this.#empty = undefined;
    this.#stored = undefined;
  }

  /**
   * Checks that every configured manager type has a stored manager of the same extension
   * name. Stored managers that are not configured are ignored. An empty attributes table
   * (a repository from before manager names were stored) passes with a warning.
   *
   * @throws `MissingManagerError` listing the types with no stored entry (checked
   *   before mismatches).
   * @throws `ManagerMismatchError` with one line per differing manager.
   * @throws `VersionParseError` when a stored version is malformed.
   */
  async checkManagersConfig(managers: ManagerMapping<VersionedExtensionClass>): Promise<void> {
    this.#empty ??= await this.#attributes.empty();
    if (this.#empty) {
      this.#onWarning(
        'The butler_attributes table is empty, schema may need an upgrade; manager configuration is not checked.',
      );
      return;
    }
    const stored = await this.#read();
    const missing: string[] = [];
    const mismatches: string[] = [];
    for (const [managerType, cls] of entries(managers)) {
      const entry = stored.get(managerType);
      const name = cls.extensionName();
      if (entry === undefined) missing.push(managerType);
      else if (entry.className !== name)
        mismatches.push(`${managerType}: configured ${name}, stored: ${entry.className}`);
    }
    if (missing.length > 0) throw new MissingManagerError(missing);
    if (mismatches.length > 0) throw new ManagerMismatchError(mismatches);
  }

  /**
   * The stored version of each stored manager type that has one (types stored without a
   * version are left out).
   *
   * @throws `VersionParseError` when a stored version is malformed.
   */
  async managerVersions(): Promise<Map<string, VersionTuple>> {
    const versions = new Map<string, VersionTuple>();
    for (const [managerType, entry] of await this.#read()) {
      if (entry.version !== null) versions.set(managerType, entry.version);
    }
    return versions;
  }

  /**
   * Every stored manager by manager type, in stored order: the ones this build implements
   * and the others (daf_butler's `collections`, `datasets`, `dimensions`, …).
   *
   * @throws `VersionParseError` when a stored version is malformed.
   */
  async storedManagers(): Promise<Map<string, StoredManager>> {
    return new Map(await this.#read());
  }

  async #read(): Promise<Map<string, StoredManager>> {
    if (this.#stored !== undefined) return this.#stored;
    const all = new Map<string, string>();
    for await (const [name, value] of this.#attributes.items()) all.set(name, value);
    const stored = new Map<string, StoredManager>();
    for (const [key, className] of all) {
      if (!key.startsWith(MANAGER_CONFIG_PREFIX)) continue;
      // As in daf_butler, the manager type is the text after the last dot.
      const managerType = key.slice(key.lastIndexOf('.') + 1);
      const versionText = all.get(VERSION_PREFIX + className);
      const version = versionText === undefined ? null : VersionTuple.fromString(versionText);
      stored.set(managerType, { className, version });
    }
    // Cached only when something was found, so a registry filled later is read again.
    if (stored.size > 0) this.#stored = stored;
    return stored;
  }
}
