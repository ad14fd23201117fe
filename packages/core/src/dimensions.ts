import { DimensionNameError, InvalidValueError, TypeMismatchError } from './errors.ts';
import { isPlainObject, typeName } from './format.ts';

/** The type of a dimension's key values: a string (e.g. `instrument`) or an integer (`visit`). */
export type DimensionKeyType = 'string' | 'int';

/** How a dimension is declared to a {@link DimensionUniverse}. */
export interface DimensionDefinition {
  /** The type of its key values. */
  readonly keyType: DimensionKeyType;
  /** Dimensions that are part of this one's key (e.g. `visit` requires `instrument`). */
  readonly requires?: readonly string[];
  /** Dimensions whose values this one determines (e.g. `visit` implies `physical_filter`). */
  readonly implies?: readonly string[];
  /** A governor dimension (e.g. `instrument`); its name may not name a dataset type. */
  readonly governor?: boolean;
}

/** The definition of a whole {@link DimensionUniverse}. */
export interface DimensionUniverseConfig {
  /** The universe's namespace; default `butler-ts`. */
  readonly namespace?: string;
  /** The universe's version; default 0. */
  readonly version?: number;
  /** The dimensions by name. */
  readonly dimensions: Readonly<Record<string, DimensionDefinition>>;
}

/** One dimension of a universe, as resolved from its {@link DimensionDefinition}. */
export interface Dimension {
  /** The dimension's name: lowercase letters, digits and `_`, starting with a letter. */
  readonly name: string;
  /** The type of its key values in data IDs. */
  readonly keyType: DimensionKeyType;
  /** Dimensions that are part of this one's key, as declared; empty when none. */
  readonly requires: readonly string[];
  /** Dimensions whose values this one determines, as declared; empty when none. */
  readonly implies: readonly string[];
  /** Whether it is a governor dimension (its name may not name a dataset type). */
  readonly governor: boolean;
}

const DIMENSION_NAME = /^[a-z][a-z0-9_]*$/;

function stringList(value: unknown, what: string): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new TypeMismatchError(`${what} must be a list of dimension names`, {
      expected: 'list',
      actual: typeName(value),
    });
  }
  return Object.freeze([...value]);
}

/**
 * The set of all dimensions a repository knows, and how they relate: each dimension
 * *requires* some dimensions (they are part of its key) and *implies* others (it determines
 * their values). A minimal stand-in for daf_butler's universe, which is read from
 * `dimensions.yaml`.
 *
 * Dimensions are kept in a topological order (a dimension after everything it requires or
 * implies; ties alphabetical), which is the order of names in every {@link DimensionGroup}
 * and of values in every data ID.
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
  readonly #dimensions: ReadonlyMap<string, Dimension>;
  readonly #order: readonly string[];
  #empty: DimensionGroup | undefined;

  /**
   * @throws {@link TypeMismatchError} if the config or a definition has the wrong shape.
   * @throws {@link InvalidValueError} for a bad dimension name or key type, a reference to an
   *   undefined dimension, or a cycle.
   */
  constructor(config: DimensionUniverseConfig) {
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
    const dimensions = new Map<string, Dimension>();
    for (const [name, definition] of Object.entries(config.dimensions)) {
      if (!DIMENSION_NAME.test(name)) {
        throw new InvalidValueError(`Invalid dimension name ${JSON.stringify(name)}`, name);
      }
      if (!isPlainObject(definition)) {
        throw new TypeMismatchError(`The definition of dimension ${name} must be a mapping`, {
          expected: 'dict',
          actual: typeName(definition),
        });
      }
      if (definition.keyType !== 'string' && definition.keyType !== 'int') {
        throw new InvalidValueError(
          `Dimension ${name} has key type ${JSON.stringify(definition.keyType)}; expected 'string' or 'int'`,
          definition.keyType,
        );
      }
      dimensions.set(
        name,
        Object.freeze({
          name,
          keyType: definition.keyType,
          requires: stringList(definition.requires, `requires of ${name}`),
          implies: stringList(definition.implies, `implies of ${name}`),
          governor: definition.governor === true,
        }),
      );
    }
    for (const dimension of dimensions.values()) {
      for (const other of [...dimension.requires, ...dimension.implies]) {
        if (!dimensions.has(other)) {
          throw new InvalidValueError(
            `Dimension ${dimension.name} refers to undefined dimension ${other}`,
            other,
          );
        }
      }
    }
    this.#dimensions = dimensions;
    this.#order = Object.freeze(topologicalOrder(dimensions));
  }

  /** All dimension names, in universe order. */
  get names(): readonly string[] {
    return this.#order;
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

  /** Whether `name` is a governor dimension. */
  isGovernor(name: string): boolean {
    return this.#dimensions.get(name)?.governor === true;
  }

  /** The position of a dimension in universe order (for sorting). */
  indexOf(name: string): number {
    return this.#order.indexOf(name);
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

function topologicalOrder(dimensions: ReadonlyMap<string, Dimension>): string[] {
  const pending = new Map<string, Set<string>>();
  for (const dimension of dimensions.values()) {
    pending.set(dimension.name, new Set([...dimension.requires, ...dimension.implies]));
  }
  const order: string[] = [];
  while (pending.size > 0) {
    const ready = [...pending].filter(([, deps]) => deps.size === 0).map(([name]) => name);
    if (ready.length === 0) {
      throw new InvalidValueError(
        `Dimension relations form a cycle among ${[...pending.keys()].sort().join(', ')}`,
        [...pending.keys()],
      );
    }
    const next = ready.sort()[0]!;
    order.push(next);
    pending.delete(next);
    for (const deps of pending.values()) deps.delete(next);
  }
  return order;
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
