import { DimensionGroup } from './dimensions.ts';
import type { DimensionUniverse } from './dimensions.ts';
import { InvalidValueError, TypeMismatchError } from './errors.ts';
import { isPlainObject, pyRepr, typeName } from './format.ts';

/** A data-ID restriction on a {@link LookupKey}, e.g. `{instrument: 'HSC'}`. */
export type LookupDataId = Readonly<Record<string, unknown>>;

/** Options of the {@link LookupKey} constructor. */
export interface LookupKeyOptions {
  /**
   * A dataset type or storage class name, or dimension names joined by `+`
   * (`instrument+visit`; a single dimension is written `visit+`).
   */
  readonly name?: string | null;
  /** The dimensions to match instead of a name. */
  readonly dimensions?: DimensionGroup | null;
  /** Restrict the key to data IDs with these values. */
  readonly dataId?: LookupDataId | null;
  /** Resolves a `+`-joined name into dimensions. */
  readonly universe?: DimensionUniverse | null;
}

/** Options of {@link LookupKey.clone}. */
export interface LookupKeyCloneOptions {
  /** A new name (as in {@link LookupKeyOptions.name}); not together with `dimensions`. */
  readonly name?: string | null;
  /** New dimensions to match; not together with `name`. */
  readonly dimensions?: DimensionGroup | null;
  /** A new data-ID restriction; default the key's own, `null` drops it. */
  readonly dataId?: LookupDataId | null;
}

/**
 * A key of configuration lookups (datastore constraints, formatters, templates): a dataset
 * type or storage class *name*, or a set of *dimensions*, optionally restricted to a data ID.
 * Dataset types, refs and storage classes list the keys they match in priority order
 * (`lookupNames()`).
 *
 * Immutable. {@link LookupKey.hashKey} is a canonical string for `Map`/`Set` membership;
 * equal keys have equal hash keys.
 *
 * @example
 * ```ts
 * new LookupKey({ name: 'calexp' });
 * new LookupKey({ name: 'instrument+visit', universe }).dimensions; // {instrument, visit}
 * new LookupKey({ name: 'pvi', dataId: { instrument: 'HSC' } }).toString(); // "pvi ({instrument: 'HSC'})"
 * ```
 */
export class LookupKey {
  /** The name, or `null` for a dimensions key. */
  readonly name: string | null;
  /** The dimensions, or `null` for a name key. */
  readonly dimensions: DimensionGroup | null;
  readonly #dataId: readonly (readonly [string, unknown])[] | null;
  // Kept so that a clone of a `+`-name that fell back to a name key resolves the same way.
  readonly #universe: DimensionUniverse | null;

  /**
   * @throws {@link InvalidValueError} unless exactly one of `name` and `dimensions` is given,
   *   or for a `+`-joined name without a universe.
   * @throws {@link TypeMismatchError} for a name that is not a string (a `typeof` guard),
   *   dimensions that are not a {@link DimensionGroup} (a constructor check), or a data ID
   *   that is not a plain object (a type guard).
   */
  constructor(options: LookupKeyOptions) {
    const { name = null, dimensions = null, dataId = null, universe = null } = options ?? {};
    if ((name === null) === (dimensions === null)) {
      throw new InvalidValueError('A LookupKey needs exactly one of name or dimensions', options);
    }
    if (name !== null && typeof name !== 'string') {
      throw new TypeMismatchError(`LookupKey name must be a string, got ${typeName(name)}`, {
        expected: 'str',
        actual: typeName(name),
      });
    }
    if (dimensions !== null && !(dimensions instanceof DimensionGroup)) {
      throw new TypeMismatchError('LookupKey dimensions must be a DimensionGroup', {
        expected: 'DimensionGroup',
        actual: typeName(dimensions),
      });
    }
    if (dataId !== null && !isPlainObject(dataId)) {
      throw new TypeMismatchError('A LookupKey data ID must be a mapping', {
        expected: 'dict',
        actual: typeName(dataId),
      });
    }
    let resolvedName = name;
    let resolvedDimensions = dimensions;
    if (name !== null && name.includes('+')) {
      if (universe === null) {
        throw new InvalidValueError(
          `A universe is needed to turn ${JSON.stringify(name)} into dimensions`,
          name,
        );
      }
      const pieces = name.split('+').filter((piece) => piece !== '');
      // Unknown dimensions make the key an ordinary name key, as daf_butler does.
      if (pieces.every((piece) => universe.has(piece))) {
        resolvedDimensions = universe.conform(pieces);
        resolvedName = null;
      }
    }
    this.#universe = universe;
    this.name = resolvedName;
    this.dimensions = resolvedDimensions;
    this.#dataId =
      dataId === null
        ? null
        : Object.freeze(
            Object.entries(dataId)
              .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
              .map(([k, v]) => Object.freeze([k, v] as const)),
          );
  }

  /** The data-ID restriction (a copy), or `null`. */
  get dataId(): Record<string, unknown> | null {
    return this.#dataId === null ? null : Object.fromEntries(this.#dataId);
  }

  /**
   * A copy with another name, dimensions or data ID. With neither `name` nor `dimensions`
   * both are copied from this key; `dataId` defaults to this key's (pass `null` to drop it).
   *
   * @throws {@link InvalidValueError} if both `name` and `dimensions` are given.
   */
  clone(options: LookupKeyCloneOptions = {}): LookupKey {
    const name = options.name ?? null;
    const dimensions = options.dimensions ?? null;
    if (name !== null && dimensions !== null) {
      throw new InvalidValueError(
        'Cannot clone a LookupKey with both name and dimensions',
        options,
      );
    }
    const dataId = options.dataId === undefined ? this.dataId : options.dataId;
    const universe = this.#universe;
    if (name === null && dimensions === null) {
      return new LookupKey({ name: this.name, dimensions: this.dimensions, dataId, universe });
    }
    return new LookupKey({ name, dimensions, dataId, universe });
  }

  /** Same name, dimensions and data-ID pairs. */
  equals(other: unknown): boolean {
    return other instanceof LookupKey && other.hashKey === this.hashKey;
  }

  /** A canonical string of the name, dimensions and data ID: equal keys, equal hash keys. */
  get hashKey(): string {
    return JSON.stringify([
      this.name,
      this.dimensions === null
        ? null
        : [
            this.dimensions.universe.namespace,
            this.dimensions.universe.version,
            this.dimensions.names,
          ],
      this.#dataId === null
        ? null
        : this.#dataId.map(([k, v]) => [k, typeof v === 'string' ? 's' : typeof v, String(v)]),
    ]);
  }

  /** The name or the `+`-joined dimension names, followed by ` (<dataId>)` if restricted. */
  toString(): string {
    let text = this.name ?? this.dimensions!.names.join('+');
    if (this.#dataId !== null) {
      text += ` ({${this.#dataId.map(([k, v]) => `${k}: ${pyRepr(v)}`).join(', ')}})`;
    }
    return text;
  }
}
