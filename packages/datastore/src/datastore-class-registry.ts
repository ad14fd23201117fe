import { InvalidValueError, TypeMismatchError } from '@butler-ts/core';
import type { DatastoreClass } from './datastore.ts';
import { UnknownDatastoreClassError } from './errors.ts';

/** Options of {@link DatastoreClassRegistry.register}. */
export interface RegisterDatastoreOptions {
  /** Replace a different class already registered under the name; default false. */
  readonly replace?: boolean;
}

/**
 * Datastore classes by the names configurations give in `cls`.
 *
 * daf_butler imports the class named by a config's `cls` (`lsst.daf.butler.datastores.
 * inMemoryDatastore.InMemoryDatastore`); JavaScript cannot import by such a path, so each
 * datastore package registers its classes here when its module loads, under the Python path
 * (so daf_butler configurations work unchanged) and under a short name. A configuration may
 * also give the class itself as `cls`. Use {@link DatastoreClassRegistry.shared} (the
 * default of `Datastore.fromConfig`) or pass a registry of your own.
 *
 * @example
 * ```ts
 * DatastoreClassRegistry.shared
 *   .register('my.pkg.S3Datastore', S3Datastore)
 *   .register('S3Datastore', S3Datastore);
 * await Datastore.fromConfig({ datastore: { cls: 'S3Datastore', root: 's3://bucket' } }, bridges);
 * ```
 */
export class DatastoreClassRegistry {
  static #shared: DatastoreClassRegistry | undefined;
  readonly #classes = new Map<string, DatastoreClass>();

  /** The process-wide registry that datastore packages register into. */
  static get shared(): DatastoreClassRegistry {
    DatastoreClassRegistry.#shared ??= new DatastoreClassRegistry();
    return DatastoreClassRegistry.#shared;
  }

  /**
   * Registers `cls` under `name`. Registering the same class again is a no-op.
   *
   * @throws `TypeMismatchError` if `cls` has no static `createFromConfig` (a structural
   *   type guard; `Datastore.fromConfig` also checks that it extends `Datastore`).
   * @throws `InvalidValueError` for an empty name, or a name that holds another class
   *   (unless `replace`).
   */
  register(name: string, cls: DatastoreClass, options: RegisterDatastoreOptions = {}): this {
    if (typeof name !== 'string' || name === '') {
      throw new InvalidValueError('A datastore class name must be a non-empty string', name);
    }
    if (
      typeof cls !== 'function' ||
      typeof (cls as { createFromConfig?: unknown }).createFromConfig !== 'function'
    ) {
      throw new TypeMismatchError(`Datastore class ${name} must have a static createFromConfig`, {
        expected: 'Datastore class',
      });
    }
    const existing = this.#classes.get(name);
    if (existing !== undefined && existing !== cls && options.replace !== true) {
      throw new InvalidValueError(
        `Datastore class name ${name} is already registered to ${existing.name}`,
        name,
      );
    }
    this.#classes.set(name, cls);
    return this;
  }

  /** Registers `cls` under each name that is still free; taken names are left alone. */
  registerDefault(cls: DatastoreClass, ...names: string[]): this {
    for (const name of names) if (!this.#classes.has(name)) this.register(name, cls);
    return this;
  }

  /** The class registered under `name`, or `undefined`. */
  find(name: string): DatastoreClass | undefined {
    return this.#classes.get(name);
  }

  /**
   * The class registered under `name`.
   *
   * @throws {@link UnknownDatastoreClassError} naming it and the registered names.
   */
  get(name: string): DatastoreClass {
    const cls = this.#classes.get(name);
    if (cls === undefined) throw new UnknownDatastoreClassError(name, this.names());
    return cls;
  }

  /** Whether a class is registered under `name`. */
  has(name: string): boolean {
    return this.#classes.has(name);
  }

  /** The registered names, sorted. */
  names(): string[] {
    return [...this.#classes.keys()].sort();
  }

  /** Removes `name`; returns whether it was registered. */
  unregister(name: string): boolean {
    return this.#classes.delete(name);
  }
}
