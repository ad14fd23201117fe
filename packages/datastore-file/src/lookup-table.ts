import { LookupKey } from '@butler-ts/core';
import type { DimensionUniverse } from '@butler-ts/core';
import { RefAnswers } from '@butler-ts/datastore';
import { FileDatastoreConfigError } from './errors.ts';

/** An entry of a {@link LookupTable}: the key that matched and its value. */
export interface LookupMatch<T> {
  /** The key of the table that matched. */
  readonly key: LookupKey;
  /** Its value. */
  readonly value: T;
}

/** Anything that lists the lookup keys it matches, most specific first. */
export interface LookupEntity {
  /** The keys, most specific first (a ref: instrument-qualified keys, then the plain ones). */
  lookupNames(): readonly LookupKey[];
  /** A description for messages. */
  toString(): string;
}

const HIERARCHY = /^(\w+)<(.*)>$/;

function isMapping(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A configuration mapping keyed by dataset type names, storage class names or dimensions
 * (`instrument+visit`), with `instrument<HSC>:` sections restricting their entries to one
 * data ID value, as daf_butler reads its `templates`, `formatters` and `composites` sections
 * (`processLookupConfigs`). {@link LookupTable.lookup} returns the entry of the first key an
 * entity lists that the table holds.
 */
export class LookupTable<T> {
  readonly #entries = new Map<string, LookupMatch<T>>();
  // Answers for refs, kept per dataset type and instrument.
  readonly #refAnswers = new RefAnswers<LookupMatch<T> | null>();

  /**
   * @param mapping the configuration section (`null` for an empty table).
   * @param options `exclude` names keys that are not lookup keys (e.g. `default`); `universe`
   *   turns `a+b` names into dimensions; `convert` checks and converts each value.
   * @throws {@link FileDatastoreConfigError} for a section that is not a mapping, or a value
   *   `convert` refuses.
   */
  constructor(
    mapping: unknown,
    options: {
      readonly section: string;
      readonly exclude?: readonly string[];
      readonly universe?: DimensionUniverse | null;
      readonly convert: (value: unknown, key: string) => T;
    },
  ) {
    if (mapping === null || mapping === undefined) return;
    if (!isMapping(mapping)) {
      throw new FileDatastoreConfigError(
        `Datastore configuration section ${options.section} must be a mapping`,
      );
    }
    const exclude = new Set(options.exclude ?? []);
    const universe = options.universe ?? null;
    // A `+` name needs a universe to become dimensions; without one it can match nothing.
    const makeKey = (name: string, dataId: Record<string, string> | null): LookupKey | null =>
      name.includes('+') && universe === null ? null : new LookupKey({ name, dataId, universe });
    for (const [name, value] of Object.entries(mapping)) {
      if (exclude.has(name)) continue;
      const hierarchy = HIERARCHY.exec(name);
      if (hierarchy !== null && isMapping(value)) {
        const dataId = { [hierarchy[1]!]: hierarchy[2]! };
        for (const [subName, subValue] of Object.entries(value)) {
          this.#add(makeKey(subName, dataId), options.convert(subValue, `${name}.${subName}`));
        }
      } else {
        this.#add(makeKey(name, null), options.convert(value, name));
      }
    }
  }

  #add(key: LookupKey | null, value: T): void {
    if (key !== null) this.#entries.set(key.hashKey, { key, value });
  }

  /** The keys of the table. */
  keys(): LookupKey[] {
    return [...this.#entries.values()].map((entry) => entry.key);
  }

  /** The value of `key`, or `undefined`. */
  get(key: LookupKey): T | undefined {
    return this.#entries.get(key.hashKey)?.value;
  }

  /**
   * The first of the entity's keys that the table holds, with its value; or `null`. The
   * answer for a `DatasetRef` is kept per dataset type and instrument, which are all its keys
   * are made of.
   */
  lookup(entity: LookupEntity): LookupMatch<T> | null {
    return this.#refAnswers.get(entity, (e) => this.#lookup(e));
  }

  #lookup(entity: LookupEntity): LookupMatch<T> | null {
    for (const key of entity.lookupNames()) {
      const entry = this.#entries.get(key.hashKey);
      if (entry !== undefined) return entry;
    }
    return null;
  }
}
