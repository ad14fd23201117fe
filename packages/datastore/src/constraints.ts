import { Config, DimensionUniverse, LookupKey, TypeMismatchError } from '@butler-ts/core';
import type { ConfigData, DatasetRef, DatasetType, StorageClass } from '@butler-ts/core';
import { ConstraintsValidationError } from './errors.ts';
import { RefAnswers } from './ref-answers.ts';

/** What {@link Constraints.isAcceptable} can judge: anything that lists its lookup keys. */
export type ConstrainedEntity = DatasetRef | DatasetType | StorageClass;

/** Options of the {@link Constraints} constructor. */
export interface ConstraintsOptions {
  /**
   * Turns `instrument+visit` entries into dimension keys. Without one (or with a value that
   * is not a `DimensionUniverse`) such entries are a configuration error.
   */
  readonly universe?: DimensionUniverse | null;
}

const HIERARCHICAL = /^([a-z_]+)<(.*)>$/;
const ALL = 'all';

function describeEntry(entry: unknown): string {
  try {
    return JSON.stringify(entry);
  } catch {
    return String(entry);
  }
}

function makeKey(
  name: unknown,
  dataId: Readonly<Record<string, string>> | null,
  universe: DimensionUniverse | null,
): LookupKey {
  if (typeof name !== 'string' || name === '') {
    throw new ConstraintsValidationError(
      `A constraints entry must be a dataset type, storage class or dimensions name, got ${describeEntry(name)}`,
      name,
    );
  }
  try {
    return new LookupKey({ name, dataId, universe });
  } catch (error) {
    throw new ConstraintsValidationError(
      `Invalid constraints entry ${JSON.stringify(name)}: ${error instanceof Error ? error.message : String(error)}`,
      name,
      { cause: error },
    );
  }
}

// One `accept` or `reject` list: names, or `{"field<value>": [names]}` mappings.
function parseList(
  value: unknown,
  what: string,
  universe: DimensionUniverse | null,
): Map<string, LookupKey> {
  const keys = new Map<string, LookupKey>();
  if (value === null || value === undefined) return keys;
  if (!Array.isArray(value)) {
    throw new ConstraintsValidationError(
      `constraints.${what} must be a list, got ${describeEntry(value)}`,
      value,
    );
  }
  const add = (key: LookupKey) => keys.set(key.hashKey, key);
  for (const entry of value as unknown[]) {
    if (typeof entry === 'string') {
      add(makeKey(entry, null, universe));
      continue;
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new ConstraintsValidationError(
        `constraints.${what} entries must be names or {"key<value>": [names]} mappings, got ${describeEntry(entry)}`,
        entry,
      );
    }
    const pairs = Object.entries(entry as Readonly<Record<string, unknown>>);
    if (pairs.length !== 1) {
      throw new ConstraintsValidationError(
        `Can only have one key in a hierarchical constraints entry, got ${pairs.length} in ${describeEntry(entry)}`,
        entry,
      );
    }
    const [hierarchy, names] = pairs[0]!;
    const match = HIERARCHICAL.exec(hierarchy);
    if (match === null) {
      throw new ConstraintsValidationError(
        `Hierarchical key '${hierarchy}' not in form 'key<value>'`,
        entry,
      );
    }
    const dataId = { [match[1]!]: match[2]! };
    const list: unknown[] = Array.isArray(names) ? (names as unknown[]) : [names];
    for (const name of list) add(makeKey(name, dataId, universe));
  }
  return keys;
}

function hasAny(keys: ReadonlyMap<string, LookupKey>, candidates: readonly LookupKey[]): boolean {
  return candidates.some((key) => keys.has(key.hashKey));
}

/**
 * Decides whether a datastore accepts a dataset, from `accept` and `reject` lists of
 * dataset type names, storage class names, dimensions (`instrument+visit`; one dimension is
 * written `visit+`) and per-instrument overrides (`{"instrument<HSC>": [names]}`), with `all`
 * as a wildcard.
 *
 * Precedence: an explicit accept wins; then an explicit reject; then a wildcard reject
 * (`all`, or `all` restricted to the entity's instrument); then a wildcard accept or an empty
 * accept list accepts; anything else is rejected. No configuration accepts everything.
 *
 * @example
 * ```ts
 * const constraints = new Constraints(
 *   { accept: ['metric', 'StructuredDataJson', { 'instrument<DummyCamComp>': ['metric33'] }] },
 *   { universe },
 * );
 * constraints.isAcceptable(ref);
 * ```
 */
export class Constraints {
  /** The wildcard key, named `all`. */
  static readonly matchAllKey: LookupKey = new LookupKey({ name: ALL });

  readonly #accept: ReadonlyMap<string, LookupKey>;
  readonly #reject: ReadonlyMap<string, LookupKey>;
  readonly #acceptAll: boolean;
  // Answers for refs, kept per dataset type and instrument.
  readonly #refAnswers = new RefAnswers<boolean>();

  /**
   * `config` is a `constraints` section: a `Config` or plain object (a constructor
   * check and a type guard) holding optional `accept` and `reject` lists, or a mapping with a
   * `constraints` key; `null` accepts everything.
   *
   * @throws {@link ConstraintsValidationError} when `all` is both accepted and rejected, or
   *   for a malformed entry (Python raises a `RuntimeError` for the latter).
   * @throws `TypeMismatchError` if `config` is neither a mapping nor null.
   */
  constructor(config: Config | ConfigData | null | undefined, options: ConstraintsOptions = {}) {
    const universe = options.universe instanceof DimensionUniverse ? options.universe : null;
    let section: Config;
    if (config === null || config === undefined) {
      section = new Config();
    } else if (config instanceof Config || (typeof config === 'object' && !Array.isArray(config))) {
      section = config instanceof Config ? config : new Config(config);
    } else {
      throw new TypeMismatchError('A constraints configuration must be a mapping or null', {
        expected: 'dict',
      });
    }
    const nested = section.section('constraints');
    if (nested !== undefined && !section.has('accept') && !section.has('reject')) {
      section = nested;
    }
    this.#accept = parseList(section.get('accept'), 'accept', universe);
    this.#reject = parseList(section.get('reject'), 'reject', universe);
    const all = Constraints.matchAllKey.hashKey;
    if (this.#accept.has(all) && this.#reject.has(all)) {
      throw new ConstraintsValidationError(
        'Can not explicitly accept "all" and reject "all" in one configuration',
        section.data,
      );
    }
    this.#acceptAll = this.#accept.size === 0 && this.#reject.size === 0;
  }

  /**
   * Whether the datastore accepts `entity`, judged on its lookup keys (a ref's include
   * copies restricted to its instrument). The answer for a `DatasetRef` is kept per dataset
   * type and instrument, which are all its keys are made of.
   */
  isAcceptable(entity: ConstrainedEntity): boolean {
    // Nothing configured accepts everything; skip building the lookup keys.
    if (this.#acceptAll) return true;
    return this.#refAnswers.get(entity, (e) => this.#judge(e));
  }

  #judge(entity: ConstrainedEntity): boolean {
    const names = entity.lookupNames();
    if (hasAny(this.#accept, names)) return true;
    if (hasAny(this.#reject, names)) return false;
    const wildcards = names.map((key) => key.clone({ name: ALL }));
    if (hasAny(this.#reject, wildcards)) return false;
    return this.#accept.size === 0 || hasAny(this.#accept, wildcards);
  }

  /**
   * Every key the configuration names, accepted ones first, without duplicates and without
   * `all` wildcards. (daf_butler returns only the accept keys, by a slip that unions the
   * accept set with itself; here the reject keys are included as intended.)
   */
  getLookupKeys(): readonly LookupKey[] {
    const keys = new Map<string, LookupKey>();
    for (const key of [...this.#accept.values(), ...this.#reject.values()]) {
      if (key.name !== ALL) keys.set(key.hashKey, key);
    }
    return Object.freeze([...keys.values()]);
  }

  /** The accept keys (a copy). */
  get accept(): readonly LookupKey[] {
    return Object.freeze([...this.#accept.values()]);
  }

  /** The reject keys (a copy). */
  get reject(): readonly LookupKey[] {
    return Object.freeze([...this.#reject.values()]);
  }

  /** `Accepts: all` with nothing configured, else `Accepts: <keys>; Rejects: <keys>`. */
  toString(): string {
    if (this.#acceptAll) return 'Accepts: all';
    const list = (keys: ReadonlyMap<string, LookupKey>) =>
      [...keys.values()].map((key) => key.toString()).join(', ');
    return `Accepts: ${list(this.#accept)}; Rejects: ${list(this.#reject)}`;
  }
}
