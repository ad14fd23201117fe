import { readFile } from 'node:fs/promises';
import { YAMLError, parse, stringify } from 'yaml';
import { deepEqual } from './deep-equal.ts';
import { LookupError, TypeMismatchError, ValidationError } from './errors.ts';
import { isPlainObject, typeName } from './format.ts';

/** A configuration tree: nested mappings of JSON-like values. */
export type ConfigData = Readonly<Record<string, unknown>>;

/**
 * A hierarchical key: a dotted string (`datastore.constraints.accept`), a string starting
 * with another delimiter (`/datastore/records.table` splits on `/`), or an array of parts.
 * A numeric part indexes into a list.
 */
export type ConfigKey = string | readonly (string | number)[];

/** What a {@link Config} can be made from. */
export type ConfigInput = Config | ConfigData | null | undefined;

/** Options of the {@link Config} constructor and parsers. */
export interface ConfigOptions {
  /** Where the data came from (file paths or labels), kept for error messages. */
  readonly source?: string | readonly string[];
}

/** Options of {@link configSubset}. */
export interface ConfigSubsetOptions {
  /** The section this subset holds, e.g. `datastore`. */
  readonly component: string;
  /**
   * Default layers, lowest priority first. Each may hold the section under `component` or be
   * the section itself; the input is applied over all of them.
   */
  readonly defaults?: readonly ConfigInput[];
  /** Keys that must be present after merging (dotted keys allowed). */
  readonly requiredKeys?: readonly string[];
}

function freezeTree(value: unknown): unknown {
  if (Array.isArray(value)) return Object.freeze(value.map(freezeTree));
  if (isPlainObject(value)) {
    const result: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) result[k] = freezeTree(v);
    return Object.freeze(result);
  }
  if (value instanceof Config) return value.data;
  return value;
}

function thawTree(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(thawTree);
  if (isPlainObject(value)) {
    const result: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) result[k] = thawTree(v);
    return result;
  }
  return value;
}

function splitKey(key: ConfigKey): (string | number)[] {
  if (Array.isArray(key)) {
    for (const part of key) {
      if (typeof part !== 'string' && typeof part !== 'number') {
        throw new TypeMismatchError(`A config key part must be a string or number`, {
          expected: 'str',
          actual: typeName(part),
        });
      }
    }
    return [...(key as (string | number)[])];
  }
  if (typeof key !== 'string' || key === '') {
    throw new TypeMismatchError(`A config key must be a non-empty string or a list`, {
      expected: 'str',
      actual: typeName(key),
    });
  }
  const first = key.charAt(0);
  if (!/[A-Za-z0-9_]/.test(first)) return key.slice(1).split(first);
  return key.split('.');
}

// Merges `over` onto `under`: mappings recursively, anything else replaced by `over`.
function mergeTrees(under: unknown, over: unknown): unknown {
  if (isPlainObject(under) && isPlainObject(over)) {
    const result: Record<string, unknown> = { ...under };
    for (const [k, v] of Object.entries(over)) {
      result[k] = Object.hasOwn(under, k) ? mergeTrees(under[k], v) : v;
    }
    return result;
  }
  return over;
}

function child(node: unknown, part: string | number): unknown {
  if (Array.isArray(node)) {
    const index = typeof part === 'number' ? part : /^\d+$/.test(part) ? Number(part) : NaN;
    return Number.isInteger(index) ? (node as unknown[])[index] : undefined;
  }
  if (isPlainObject(node) && Object.hasOwn(node, String(part))) return node[String(part)];
  return undefined;
}

function setIn(node: unknown, parts: readonly (string | number)[], value: unknown): unknown {
  if (parts.length === 0) return value;
  const [head, ...rest] = parts as [string | number, ...(string | number)[]];
  if (Array.isArray(node) && (typeof head === 'number' || /^\d+$/.test(head))) {
    const copy = [...(node as unknown[])];
    const index = Number(head);
    copy[index] = setIn(copy[index], rest, value);
    return copy;
  }
  const base = isPlainObject(node) ? { ...node } : {};
  base[String(head)] = setIn(base[String(head)], rest, value);
  return base;
}

function deleteIn(node: unknown, parts: readonly (string | number)[]): unknown {
  const [head, ...rest] = parts as [string | number, ...(string | number)[]];
  if (!isPlainObject(node) || !Object.hasOwn(node, String(head))) return node;
  const copy = { ...node };
  if (rest.length === 0) delete copy[String(head)];
  else copy[String(head)] = deleteIn(copy[String(head)], rest);
  return copy;
}

function collectNames(node: unknown, prefix: string, out: string[]): void {
  if (!isPlainObject(node)) return;
  for (const [k, v] of Object.entries(node)) {
    const name = prefix === '' ? k : `${prefix}.${k}`;
    out.push(name);
    collectNames(v, name, out);
  }
}

/**
 * A hierarchical configuration: nested mappings read from YAML or given as objects, with
 * dotted-key access and merging of defaults under overrides (daf_butler's `Config`).
 *
 * Immutable: the tree is deep-frozen and every change returns a new `Config`.
 * {@link Config.merge} fills in defaults; {@link Config.update} applies overrides. Both merge
 * mappings recursively and replace lists and scalars whole. YAML is read with the YAML 1.2
 * core schema (so `yes`/`no` stay strings) and duplicate keys are an error.
 *
 * @example
 * ```ts
 * const defaults = Config.fromYaml('datastore:\n  cls: InMemoryDatastore\n  records: {table: x}');
 * const config = new Config({ datastore: { records: { table: 'y' } } }).merge(defaults);
 * config.get('datastore.cls'); // 'InMemoryDatastore'
 * config.get('datastore.records.table'); // 'y'
 * ```
 */
export class Config {
  /** The frozen configuration tree. */
  readonly data: ConfigData;
  /** The files or labels the values came from, oldest first. */
  readonly sources: readonly string[];

  /**
   * @throws {@link ValidationError} if `input` is not a mapping.
   */
  constructor(input?: ConfigInput, options: ConfigOptions = {}) {
    const given = options.source === undefined ? [] : [options.source].flat();
    const sources: string[] = [];
    if (input instanceof Config) {
      this.data = input.data;
      sources.push(...input.sources);
    } else if (input === null || input === undefined) {
      this.data = Object.freeze({});
    } else if (isPlainObject(input)) {
      this.data = freezeTree(input) as ConfigData;
    } else {
      throw new ValidationError(`A configuration must be a mapping, got ${typeName(input)}`, given);
    }
    for (const source of given) if (!sources.includes(source)) sources.push(source);
    this.sources = Object.freeze(sources);
  }

  /**
   * Parses YAML text; an empty document is an empty config.
   *
   * @throws {@link ValidationError} for malformed YAML (the parser's message is kept, with the
   *   source) or a document that is not a mapping.
   * @example
   * ```ts
   * Config.fromYaml('storageClasses:\n  Thing:\n    pytype: dict\n', { source: 'inline' });
   * ```
   */
  static fromYaml(text: string, options: ConfigOptions = {}): Config {
    if (typeof text !== 'string') {
      throw new TypeMismatchError('YAML text must be a string', {
        expected: 'str',
        actual: typeName(text),
      });
    }
    const sources = options.source === undefined ? [] : [options.source].flat();
    let data: unknown;
    try {
      data = parse(text, { schema: 'core', uniqueKeys: true, prettyErrors: true });
    } catch (error) {
      if (error instanceof YAMLError) {
        throw new ValidationError(`Malformed YAML: ${error.message}`, sources, { cause: error });
      }
      throw error;
    }
    if (data === null || data === undefined) return new Config({}, options);
    if (!isPlainObject(data)) {
      throw new ValidationError(
        `A YAML configuration must be a mapping at the top level, got ${typeName(data)}`,
        sources,
      );
    }
    return new Config(data, options);
  }

  /**
   * Reads a YAML file.
   *
   * @throws {@link ValidationError} as {@link Config.fromYaml}.
   * @throws the file system error (e.g. `ENOENT`) if the file cannot be read.
   */
  static async fromFile(path: string): Promise<Config> {
    const text = await readFile(path, 'utf8');
    return Config.fromYaml(text, { source: path });
  }

  /** The value at `key` (frozen), or `undefined`. */
  get(key: ConfigKey): unknown {
    let node: unknown = this.data;
    for (const part of splitKey(key)) {
      node = child(node, part);
      if (node === undefined) return undefined;
    }
    return node;
  }

  /**
   * The value at `key`.
   *
   * @throws {@link LookupError} (kind `config key`) if there is none.
   */
  require(key: ConfigKey): unknown {
    const value = this.get(key);
    if (value === undefined) {
      const name = Array.isArray(key) ? key.join('.') : String(key);
      throw new LookupError(
        `Configuration key ${JSON.stringify(name)} is missing${this.sources.length > 0 ? ` (read from ${this.sources.join(', ')})` : ''}`,
        { kind: 'config key', key: name },
      );
    }
    return value;
  }

  /** Whether `key` has a value (`null` counts as a value). */
  has(key: ConfigKey): boolean {
    return this.get(key) !== undefined;
  }

  /** The mapping at `key` as a `Config` (same sources), or `undefined` if it is not a mapping. */
  section(key: ConfigKey): Config | undefined {
    const value = this.get(key);
    if (!isPlainObject(value)) return undefined;
    return new Config(value, { source: this.sources });
  }

  /** A copy with `value` at `key`, creating intermediate mappings. */
  with(key: ConfigKey, value: unknown): Config {
    const parts = splitKey(key);
    return this.#derive(setIn(this.data, parts, value) as ConfigData);
  }

  /** A copy without `key` (unchanged if it is absent). */
  without(key: ConfigKey): Config {
    return this.#derive(deleteIn(this.data, splitKey(key)) as ConfigData);
  }

  /** A copy with `other`'s values applied over these (overrides win). */
  update(other: ConfigInput): Config {
    const config = other instanceof Config ? other : new Config(other);
    return this.#derive(mergeTrees(this.data, config.data) as ConfigData, config.sources);
  }

  /** A copy with `other`'s values filling only what is missing here (defaults lose). */
  merge(other: ConfigInput): Config {
    const config = other instanceof Config ? other : new Config(other);
    return this.#derive(mergeTrees(config.data, this.data) as ConfigData, config.sources);
  }

  /** The top-level keys. */
  keys(): string[] {
    return Object.keys(this.data);
  }

  /** Every hierarchical key, depth first, as dotted strings (mappings only, not list items). */
  names(): string[] {
    const out: string[] = [];
    collectNames(this.data, '', out);
    return out;
  }

  /** A mutable deep copy of the tree. */
  toObject(): Record<string, unknown> {
    return thawTree(this.data) as Record<string, unknown>;
  }

  /** The tree as YAML. */
  toYaml(): string {
    return stringify(this.data);
  }

  /** Same tree (sources are not compared). */
  equals(other: unknown): boolean {
    return other instanceof Config && deepEqual(this.data, other.data);
  }

  /** The tree as YAML. */
  toString(): string {
    return this.toYaml();
  }

  #derive(data: ConfigData, moreSources: readonly string[] = []): Config {
    return new Config(data, { source: [...this.sources, ...moreSources] });
  }
}

function componentOf(input: ConfigInput, component: string): Config {
  const config = input instanceof Config ? input : new Config(input);
  const nested = config.section([component, component]);
  if (nested !== undefined) return nested;
  return config.section([component]) ?? config;
}

/**
 * One section of a configuration with its defaults merged in (daf_butler's `ConfigSubset`):
 * the input's `<component>.<component>` section if present, else its `<component>` section,
 * else the whole input; each default layer is reduced the same way and merged under it,
 * lowest priority first.
 *
 * @throws {@link LookupError} (kind `config key`) naming the missing required keys.
 * @throws {@link ValidationError} if the input or a layer is not a mapping.
 * @example
 * ```ts
 * const config = configSubset({ datastore: { root: '/repo' } }, {
 *   component: 'datastore',
 *   defaults: [{ datastore: { cls: 'InMemoryDatastore' } }],
 *   requiredKeys: ['cls'],
 * });
 * config.get('cls'); // 'InMemoryDatastore'
 * ```
 */
export function configSubset(input: ConfigInput, options: ConfigSubsetOptions): Config {
  let result = new Config();
  for (const layer of options.defaults ?? []) {
    result = result.update(componentOf(layer, options.component));
  }
  result = result.update(componentOf(input, options.component));
  const missing = (options.requiredKeys ?? []).filter((key) => !result.has(key));
  if (missing.length > 0) {
    throw new LookupError(
      `Mandatory keys (${missing.join(', ')}) missing from supplied configuration for ${options.component}${
        result.sources.length > 0 ? ` (read from ${result.sources.join(', ')})` : ''
      }`,
      { kind: 'config key', key: missing.join(', ') },
    );
  }
  return result;
}
