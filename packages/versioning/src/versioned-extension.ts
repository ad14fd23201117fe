import { IncompatibleVersionError, NotImplementedError } from './errors.ts';
import type { VersionTuple } from './version-tuple.ts';

function listing(versions: readonly VersionTuple[]): string {
  return `[${versions.map(String).join(', ')}]`;
}

/**
 * The static side of a {@link VersionedExtension} subclass: what a registry needs from a
 * manager class before it has an instance, so registries can be configured with classes.
 */
export interface VersionedExtensionClass<T extends VersionedExtension = VersionedExtension> {
  /**
   * The class's prototype, present on every class; it ties this static side to the instance
   * type `T`, since the protected constructor gives no `new` signature to do so.
   */
  readonly prototype: T;
  /** The name stored in the database for this extension. */
  extensionName(): string;
  /** The schema versions this implementation supports; empty means "never versioned". */
  currentVersions(): readonly VersionTuple[];
  /** The version a new registry gets, given the configured one. */
  clsNewSchemaVersion(schemaVersion: VersionTuple | null): VersionTuple | null;
  /** Throws unless some supported version can read (or, with `update`, write) the stored one. */
  checkCompatibility(registrySchemaVersion: VersionTuple, update: boolean): void;
  /** Throws unless `schemaVersion` is exactly one of the supported versions. */
  checkNewSchemaVersion(schemaVersion: VersionTuple): void;
}

// Member comments name errors and members in code spans rather than {@link}: subclasses in
// other packages inherit these comments, and their typedoc cannot resolve links into this one.
/**
 * The base of every registry manager that carries a schema version.
 *
 * Python's class methods are static members here; `VersionedExtensionClass` describes that
 * static side. A subclass declares its supported versions with a static `currentVersions()`
 * and, when its name is stored in a database, a static `extensionName()` returning a fixed
 * string: the default, the JavaScript class name, changes under minification.
 *
 * @example
 * ```ts
 * class MyManager extends VersionedExtension {
 *   static override extensionName() { return 'my.plugin.MyManager'; }
 *   static override currentVersions() { return [new VersionTuple(1, 0, 0)]; }
 * }
 * MyManager.checkCompatibility(VersionTuple.fromString('1.0.3'), true); // passes
 * ```
 */
export abstract class VersionedExtension {
  /**
   * The version stored in (or configured for) the registry; `null` while the registry is
   * being created, when `newSchemaVersion()` decides.
   */
  protected readonly registrySchemaVersion: VersionTuple | null;

  protected constructor(options: { registrySchemaVersion?: VersionTuple | null } = {}) {
    this.registrySchemaVersion = options.registrySchemaVersion ?? null;
  }

  /**
   * The name stored in the database for this extension (`version:<name>` attribute keys).
   *
   * Defaults to the class's own name. Managers whose names are stored must override it with
   * a fixed string; butler-ts managers return daf_butler's fully qualified Python names.
   *
   * @throws `NotImplementedError` for an anonymous class.
   */
  static extensionName(): string {
    if (this.name === '') {
      throw new NotImplementedError(
        'an anonymous VersionedExtension class must override extensionName()',
      );
    }
    return this.name;
  }

  /**
   * The schema versions this implementation supports. An empty list means the extension
   * wants no version saved or checked.
   *
   * @throws `NotImplementedError` unless a subclass overrides it.
   */
  static currentVersions(): readonly VersionTuple[] {
    throw new NotImplementedError(
      `extension ${this.extensionName()} must implement currentVersions()`,
    );
  }

  /**
   * The version a new registry stores for this extension.
   *
   * No supported versions: `null`. One: that version, whatever is configured. Several: the
   * configured one, or `_newDefaultSchemaVersion()` when none is.
   *
   * @throws `IncompatibleVersionError` when several versions are supported and the
   *   configured one is not among them (Python asserts this; a typed error is clearer).
   */
  static clsNewSchemaVersion(schemaVersion: VersionTuple | null): VersionTuple | null {
    const versions = this.currentVersions();
    if (versions.length === 0) return null;
    if (versions.length === 1) return versions[0] ?? null;
    if (schemaVersion === null) return this._newDefaultSchemaVersion();
    if (!versions.some((v) => v.equals(schemaVersion))) {
      const name = this.extensionName();
      throw new IncompatibleVersionError(
        `Extension ${name} does not support configured schema version ${schemaVersion.toString()}, supported schema versions: ${listing(versions)}`,
        { extensionName: name, found: schemaVersion.toString(), supported: versions.map(String) },
      );
    }
    return schemaVersion;
  }

  /**
   * The default version for a new registry, for extensions that support several.
   *
   * @throws `NotImplementedError` unless a multi-version subclass overrides it.
   */
  protected static _newDefaultSchemaVersion(): VersionTuple {
    throw new NotImplementedError(
      `Extension ${this.extensionName()} supports multiple schema versions and must re-implement _newDefaultSchemaVersion()`,
    );
  }

  /**
   * Passes when any supported version can use the registry's version (for writing when
   * `update`); an extension with no versions always passes.
   *
   * @throws `IncompatibleVersionError` naming the extension, its versions and the
   *   registry's version.
   */
  static checkCompatibility(registrySchemaVersion: VersionTuple, update: boolean): void {
    const versions = this.currentVersions();
    if (versions.length === 0) return;
    if (versions.some((v) => v.checkCompatibility(registrySchemaVersion, update))) return;
    const name = this.extensionName();
    throw new IncompatibleVersionError(
      `Extension versions ${listing(versions)} are not compatible with registry schema version ${registrySchemaVersion.toString()} for extension ${name}${update ? ' (read-write)' : ' (read-only)'}`,
      {
        extensionName: name,
        found: registrySchemaVersion.toString(),
        supported: versions.map(String),
      },
    );
  }

  /**
   * Passes when a new registry may be created at `schemaVersion`: it must equal a supported
   * version exactly, patch included. An extension with no versions always passes.
   *
   * @throws `IncompatibleVersionError` naming the extension and both versions.
   */
  static checkNewSchemaVersion(schemaVersion: VersionTuple): void {
    const versions = this.currentVersions();
    if (versions.length === 0) return;
    if (versions.some((v) => v.equals(schemaVersion))) return;
    const name = this.extensionName();
    throw new IncompatibleVersionError(
      `Extension ${name} cannot create schema version ${schemaVersion.toString()}, supported schema versions: ${listing(versions)}`,
      { extensionName: name, found: schemaVersion.toString(), supported: versions.map(String) },
    );
  }

  /** The name of this instance's class as stored in the database. */
  extensionName(): string {
    return this.#cls().extensionName();
  }

  /** The version a new registry stores for this instance (see `clsNewSchemaVersion`). */
  newSchemaVersion(): VersionTuple | null {
    return this.#cls().clsNewSchemaVersion(this.registrySchemaVersion);
  }

  #cls(): VersionedExtensionClass {
    return this.constructor as unknown as VersionedExtensionClass;
  }
}
