import DAF_BUTLER_DIMENSIONS from './daf-butler-dimensions.json' with { type: 'json' };
import { pythonJsonDumps, universeConfigFromDafButler } from './dimension-config.ts';
import { resolveUniverse } from './dimension-elements.ts';
import type { Dimension, DimensionElement, DimensionUniverseConfig } from './dimension-types.ts';
import { DimensionNameError, InvalidValueError, TypeMismatchError } from './errors.ts';
import { isPlainObject, typeName } from './format.ts';

/**
 * The set of all dimensions a repository knows, and how they relate: each dimension
 * *requires* some dimensions (they are part of its key) and *implies* others (it determines
 * their values). Besides dimensions a universe has elements that relate dimensions (e.g.
 * `visit_detector_region`), skypix dimensions (`htm7`, …) and topological families.
 *
 * Built either from a small config of dimensions ({@link DimensionUniverseConfig}) or from
 * daf_butler's dimension configuration ({@link DimensionUniverse.fromConfig}, e.g. the
 * `config:dimensions.json` attribute of a registry, or {@link DimensionUniverse.default}).
 *
 * Elements are kept in daf_butler's order: built in waves, each wave every element whose
 * dependencies are built, sorted by name. That order is the order of names in every
 * {@link DimensionGroup}, of values in every data ID and of columns in record tables.
 *
 * @example
 * ```ts
 * const universe = new DimensionUniverse({
 *   dimensions: {
 *     instrument: { keyType: 'string', governor: true },
 *     visit: { keyType: 'int', requires: ['instrument'] },
 *     detector: { keyType: 'int', requires: ['instrument'] },
 *   },
 * });
 * universe.conform(['visit']).required; // ['instrument', 'visit']
 * ```
 */
export class DimensionUniverse {
  /** The universe's namespace. */
  readonly namespace: string;
  /** The universe's version. */
  readonly version: number;
  /**
   * The daf_butler dimension configuration this universe was read from (parsed JSON, key
   * order kept), or `null` for a universe built from a {@link DimensionUniverseConfig}.
   */
  readonly dimensionConfig: Readonly<Record<string, unknown>> | null;
  /** The common skypix dimension (e.g. `htm7`), or `null` when there are no skypix systems. */
  readonly commonSkyPix: string | null;
  readonly #dimensions: ReadonlyMap<string, Dimension>;
  readonly #elements: ReadonlyMap<string, DimensionElement>;
  readonly #order: readonly string[];
  readonly #index: ReadonlyMap<string, number>;
  #empty: DimensionGroup | undefined;

  /**
   * @param dimensionConfig the daf_butler configuration `config` was read from, kept for
   *   {@link DimensionUniverse.toConfigJson} (used by {@link DimensionUniverse.fromConfig}).
   * @throws {@link TypeMismatchError} if the config or a definition has the wrong shape.
   * @throws {@link InvalidValueError} for a bad dimension name or key type, a reference to an
   *   undefined dimension, or a cycle.
   */
  constructor(config: DimensionUniverseConfig, dimensionConfig: unknown = null) {
    if (!isPlainObject(config) || !isPlainObject(config.dimensions)) {
      throw new TypeMismatchError('A universe config needs a `dimensions` mapping', {
        expected: 'dict',
        actual: typeName(config),
      });
    }
    this.namespace = config.namespace ?? 'butler-ts';
    this.version = config.version ?? 0;
    if (typeof this.namespace !== 'string' || !Number.isInteger(this.version)) {
      throw new TypeMismatchError('A universe namespace is a string and its version an integer');
    }
    const resolved = resolveUniverse(config);
    this.#dimensions = resolved.dimensions;
    this.#elements = new Map(resolved.elements.map((e) => [e.name, e]));
    this.#order = Object.freeze([...resolved.dimensions.keys()]);
    this.#index = new Map(this.#order.map((name, i) => [name, i]));
    this.commonSkyPix = resolved.commonSkyPix;
    this.dimensionConfig = isPlainObject(dimensionConfig)
      ? (deepFreeze(structuredClone(dimensionConfig)) as Readonly<Record<string, unknown>>)
      : null;
  }

  /**
   * The universe of daf_butler's dimension configuration: a parsed `dimensions.yaml` or the
   * JSON text of a registry's `config:dimensions.json` attribute.
   *
   * @throws {@link TypeMismatchError} / {@link InvalidValueError} for malformed configuration
   *   (a JSON syntax error is an {@link InvalidValueError}).
   * @example
   * ```ts
   * const universe = DimensionUniverse.fromConfig(await attributes.get('config:dimensions.json'));
   * universe.conform(['visit']).implied; // ['day_obs', 'physical_filter', 'band']
   * ```
   */
  static fromConfig(config: unknown): DimensionUniverse {
    let parsed = config;
    if (typeof config === 'string') {
      try {
        parsed = JSON.parse(config) as unknown;
      } catch (error) {
        throw new InvalidValueError(
          `The dimension configuration is not JSON: ${(error as Error).message}`,
          config.slice(0, 80),
          { cause: error },
        );
      }
    }
    return new DimensionUniverse(universeConfigFromDafButler(parsed), parsed);
  }

  /** daf_butler's default universe (namespace `daf_butler`, version 8), as new registries store it. */
  static default(): DimensionUniverse {
    defaultUniverse ??= DimensionUniverse.fromConfig(DAF_BUTLER_DIMENSIONS);
    return defaultUniverse;
  }

  /**
   * The dimension configuration as daf_butler stores it in `config:dimensions.json`
   * (Python's `json.dumps` of it, byte for byte), or `null` for a universe not read from one.
   */
  toConfigJson(): string | null {
    return this.dimensionConfig === null ? null : pythonJsonDumps(this.dimensionConfig);
  }

  /** All dimension names, in universe order. */
  get names(): readonly string[] {
    return this.#order;
  }

  /** Every element (dimensions included), in universe order. */
  get elements(): readonly DimensionElement[] {
    return [...this.#elements.values()];
  }

  /** The names of the governor dimensions, in universe order. */
  get governors(): readonly string[] {
    return this.#order.filter((name) => this.#dimensions.get(name)!.governor);
  }

  /** The empty dimension group. */
  get empty(): DimensionGroup {
    this.#empty ??= new DimensionGroup(this, []);
    return this.#empty;
  }

  /** Whether `name` is a dimension of this universe. */
  has(name: string): boolean {
    return this.#dimensions.has(name);
  }

  /**
   * The dimension called `name`.
   *
   * @throws {@link DimensionNameError} if there is none.
   */
  getDimension(name: string): Dimension {
    const dimension = this.#dimensions.get(name);
    if (dimension === undefined) {
      throw new DimensionNameError(`Unknown dimension ${JSON.stringify(name)}`, String(name));
    }
    return dimension;
  }

  /**
   * The element (dimension or not) called `name`.
   *
   * @throws {@link DimensionNameError} if there is none.
   */
  getElement(name: string): DimensionElement {
    const element = this.#elements.get(name);
    if (element === undefined) {
      throw new DimensionNameError(
        `Unknown dimension element ${JSON.stringify(name)}`,
        String(name),
      );
    }
    return element;
  }

  /** Whether `name` is a governor dimension. */
  isGovernor(name: string): boolean {
    return this.#dimensions.get(name)?.governor === true;
  }

  /** The position of a dimension in universe order (for sorting); -1 for none. */
  indexOf(name: string): number {
    return this.#index.get(name) ?? -1;
  }

  /**
   * The group of `names` closed over requires and implies.
   *
   * @throws {@link DimensionNameError} for a name not in this universe.
   */
  conform(names: Iterable<string> | DimensionGroup): DimensionGroup {
    if (names instanceof DimensionGroup) {
      if (!names.universe.equals(this)) {
        throw new InvalidValueError('The dimension group belongs to another universe', names);
      }
      return names;
    }
    return new DimensionGroup(this, names);
  }

  /** Same namespace, version and dimension names. */
  equals(other: unknown): boolean {
    if (other === this) return true;
    return (
      other instanceof DimensionUniverse &&
      other.namespace === this.namespace &&
      other.version === this.version &&
      other.names.length === this.names.length &&
      other.names.every((name, i) => name === this.names[i])
    );
  }

  /** `DimensionUniverse(<namespace>, <version>)`. */
  toString(): string {
    return `DimensionUniverse(${this.namespace}, ${this.version})`;
  }
}

let defaultUniverse: DimensionUniverse | undefined;

function deepFreeze(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

/**
 * A set of dimensions closed over their relations, split into the *required* dimensions
 * (whose values identify a data ID) and the *implied* ones (determined by the required).
 * Made by {@link DimensionUniverse.conform} (or this constructor, which does the same).
 *
 * Groups are equal when they have the same names in the same universe; the empty group has
 * `isEmpty` true (Python: the empty group is falsy).
 */
export class DimensionGroup implements Iterable<string> {
  /** The universe the dimensions belong to. */
  readonly universe: DimensionUniverse;
  /** All dimension names, in universe order. */
  readonly names: readonly string[];
  /** The required dimension names, in universe order. */
  readonly required: readonly string[];
  /** The implied dimension names, in universe order. */
  readonly implied: readonly string[];

  /**
   * @throws {@link DimensionNameError} for a name not in `universe`.
   * @throws {@link TypeMismatchError} if `universe` is not a DimensionUniverse (a constructor
   *   check) or a name is not a string.
   */
  constructor(universe: DimensionUniverse, names: Iterable<string>) {
    if (!(universe instanceof DimensionUniverse)) {
      throw new TypeMismatchError('A DimensionGroup needs a DimensionUniverse', {
        expected: 'DimensionUniverse',
        actual: typeName(universe),
      });
    }
    if (typeof names === 'string' || names === null || typeof names !== 'object') {
      throw new TypeMismatchError('Dimension names must be given as a list', {
        expected: 'list',
        actual: typeName(names),
      });
    }
    this.universe = universe;
    const all = new Set<string>();
    const implied = new Set<string>();
    const pending: string[] = [];
    for (const name of names) {
      if (typeof name !== 'string') {
        throw new TypeMismatchError(`A dimension name must be a string, got ${typeName(name)}`, {
          expected: 'str',
          actual: typeName(name),
        });
      }
      universe.getDimension(name);
      pending.push(name);
    }
    while (pending.length > 0) {
      const name = pending.pop()!;
      if (all.has(name)) continue;
      all.add(name);
      const dimension = universe.getDimension(name);
      pending.push(...dimension.requires, ...dimension.implies);
      for (const other of dimension.implies) implied.add(other);
    }
    const order = (list: Iterable<string>): readonly string[] =>
      Object.freeze([...list].sort((a, b) => universe.indexOf(a) - universe.indexOf(b)));
    this.names = order(all);
    this.implied = order(implied);
    this.required = order([...all].filter((name) => !implied.has(name)));
  }

  /** The number of dimensions. */
  get size(): number {
    return this.names.length;
  }

  /** Whether the group has no dimensions (Python: the group is falsy). */
  get isEmpty(): boolean {
    return this.names.length === 0;
  }

  /** Whether `name` is in the group. */
  has(name: string): boolean {
    return this.names.includes(name);
  }

  /** Same universe and same names. */
  equals(other: unknown): boolean {
    if (other === this) return true;
    return (
      other instanceof DimensionGroup &&
      other.universe.equals(this.universe) &&
      other.names.length === this.names.length &&
      other.names.every((name, i) => name === this.names[i])
    );
  }

  /** A canonical string: equal groups (of one universe) have equal keys. */
  get hashKey(): string {
    return this.names.join('+');
  }

  /** Iterates the names in universe order. */
  [Symbol.iterator](): Iterator<string> {
    return this.names[Symbol.iterator]();
  }

  /** `{instrument, visit}`. */
  toString(): string {
    return `{${this.names.join(', ')}}`;
  }
}
