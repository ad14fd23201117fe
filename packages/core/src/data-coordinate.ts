import { DimensionGroup, DimensionUniverse } from './dimensions.ts';
import type { DimensionKeyType } from './dimension-types.ts';
import { DimensionNameError, InvalidValueError, TypeMismatchError } from './errors.ts';
import { isPlainObject, pyRepr, typeName } from './format.ts';

/** The values of one dimension record, by field name (e.g. `{instrument, id, full_name, …}`). */
export type DimensionRecordValues = Readonly<Record<string, unknown>>;

/** A data ID value: a string or an integer (Python `str` or `int`). */
export type DataIdValue = string | number;

/** A data ID as a plain mapping, e.g. `{instrument: 'dummy', visit: 52}`. */
export type DataIdMapping = Readonly<Record<string, unknown>> | ReadonlyMap<string, unknown>;

/** Options of {@link DataCoordinate.standardize}. */
export interface StandardizeOptions {
  /** The dimensions of the result; names need a universe. Default: the keys of the mapping. */
  readonly dimensions?: DimensionGroup | Iterable<string>;
  /** The universe, when it cannot be taken from `dimensions` or the input. */
  readonly universe?: DimensionUniverse;
}

function normalizeValue(dimension: string, keyType: DimensionKeyType, value: unknown): DataIdValue {
  if (keyType === 'string') {
    if (typeof value === 'string') return value;
  } else if (typeof value === 'number' && Number.isSafeInteger(value)) {
    return value;
  } else if (
    typeof value === 'bigint' &&
    value <= BigInt(Number.MAX_SAFE_INTEGER) &&
    value >= BigInt(Number.MIN_SAFE_INTEGER)
  ) {
    return Number(value);
  }
  const expected = keyType === 'string' ? 'str' : 'int';
  throw new TypeMismatchError(
    `Data ID value for dimension '${dimension}' must be ${expected === 'str' ? 'a string' : 'an integer'}, got ${pyRepr(value)} (${typeName(value)})`,
    { expected, actual: typeName(value) },
  );
}

// Shared by every data ID whose dimensions imply none: never mutated (the field is private).
const NO_IMPLIED_VALUES: ReadonlyMap<string, DataIdValue> = new Map();

// The key types of a group's required and implied dimensions, in their order.
interface GroupKeyTypes {
  readonly required: readonly DimensionKeyType[];
  readonly implied: readonly DimensionKeyType[];
}
const keyTypesByGroup = new WeakMap<DimensionGroup, GroupKeyTypes>();

function keyTypesOf(group: DimensionGroup): GroupKeyTypes {
  let keyTypes = keyTypesByGroup.get(group);
  if (keyTypes === undefined) {
    const keyType = (name: string) => group.universe.getDimension(name).keyType;
    keyTypes = { required: group.required.map(keyType), implied: group.implied.map(keyType) };
    keyTypesByGroup.set(group, keyTypes);
  }
  return keyTypes;
}

// What `new Map(Object.entries(mapping)).get(name)` gives: own enumerable properties only.
function ownValue(mapping: Readonly<Record<string, unknown>>, name: string): unknown {
  return Object.prototype.propertyIsEnumerable.call(mapping, name) ? mapping[name] : undefined;
}

// A value normalizeValue would return unchanged.
function isWellTyped(value: unknown, keyType: DimensionKeyType): value is DataIdValue {
  return keyType === 'string'
    ? typeof value === 'string'
    : typeof value === 'number' && Number.isSafeInteger(value);
}

function compareValues(a: DataIdValue, b: DataIdValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return typeof a === 'number' ? -1 : 1;
}

// Python's urllib quote_plus: unreserved characters kept, space as '+', the rest %XX of UTF-8.
function quotePlus(text: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) {
    const char = String.fromCharCode(byte);
    if (/[A-Za-z0-9_.~-]/.test(char)) out += char;
    else if (char === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * A data ID: values for the dimensions of a {@link DimensionGroup}. It always has the
 * required values; it *has full* values when the implied ones are known too.
 *
 * Immutable. Equality uses only the dimensions and the required values (implied values are
 * ignored), and {@link DataCoordinate.hashKey} is the matching canonical string for `Map`
 * keys. Build one with {@link DataCoordinate.standardize}.
 *
 * @example
 * ```ts
 * const dataId = DataCoordinate.standardize({ instrument: 'dummy', visit: 52 }, { universe });
 * dataId.get('visit'); // 52
 * String(dataId); // "{instrument: 'dummy', visit: 52}"
 * ```
 */
export class DataCoordinate {
  /** The dimensions this data ID identifies. */
  readonly dimensions: DimensionGroup;
  /** The required values, in the order of `dimensions.required`. */
  readonly requiredValues: readonly DataIdValue[];
  readonly #implied: ReadonlyMap<string, DataIdValue> | null;
  readonly #records: ReadonlyMap<string, DimensionRecordValues | null> | null;

  private constructor(
    dimensions: DimensionGroup,
    requiredValues: readonly DataIdValue[],
    implied: ReadonlyMap<string, DataIdValue> | null,
    records: ReadonlyMap<string, DimensionRecordValues | null> | null = null,
  ) {
    this.dimensions = dimensions;
    // Callers pass an array of their own, so it is frozen rather than copied.
    this.requiredValues = Object.freeze(requiredValues);
    this.#implied = implied;
    this.#records = records;
  }

  /**
   * Makes a data ID from a mapping (or another data ID) for a set of dimensions. Keys that
   * are not in the dimensions are dropped; if every dimension, implied ones included, has a
   * value the result has full values, otherwise only the required ones are kept.
   *
   * @throws {@link DimensionNameError} if a required dimension has no value, or (when the
   *   dimensions come from the mapping's keys) a key is not a dimension.
   * The input is recognised by constructor checks (`DataCoordinate`, `Map`) or the plain
   * object type guard; values by `typeof` guards.
   *
   * @throws {@link TypeMismatchError} if a value has the wrong type for its dimension
   *   (strings for string keys, safe integers or `bigint`s for integer keys), or the input is
   *   not a mapping.
   * @throws {@link InvalidValueError} if no universe is available to resolve dimension names.
   * @example
   * ```ts
   * DataCoordinate.standardize({ instrument: 'dummy', visit: 52, extra: 1 }, {
   *   dimensions: universe.conform(['visit']),
   * }); // {instrument: 'dummy', visit: 52}
   * ```
   */
  static standardize(
    mapping: DataCoordinate | DataIdMapping | null | undefined,
    options: StandardizeOptions = {},
  ): DataCoordinate {
    const group = options.dimensions;
    if (group instanceof DimensionGroup && isPlainObject(mapping)) {
      const fast = DataCoordinate.#fromPlainObject(mapping, group);
      if (fast !== null) return fast;
    }
    let values: ReadonlyMap<string, unknown>;
    let fromCoordinate: DataCoordinate | undefined;
    if (mapping instanceof DataCoordinate) {
      fromCoordinate = mapping;
      values = mapping.mapping;
    } else if (mapping === null || mapping === undefined) {
      values = new Map();
    } else if (mapping instanceof Map) {
      values = mapping;
    } else if (isPlainObject(mapping)) {
      values = new Map(Object.entries(mapping));
    } else {
      throw new TypeMismatchError(`A data ID must be a mapping, got ${typeName(mapping)}`, {
        expected: 'dict',
        actual: typeName(mapping),
      });
    }
    const dimensions = resolveDimensions(values, options, fromCoordinate);
    const universe = dimensions.universe;
    const required = dimensions.required.map((name) => {
      const value = values.get(name);
      if (value === undefined || value === null) {
        throw new DimensionNameError(
          `No value in data ID (${describeMapping(values)}) for required dimension '${name}'.`,
          name,
        );
      }
      return normalizeValue(name, universe.getDimension(name).keyType, value);
    });
    let implied: Map<string, DataIdValue> | null = null;
    if (
      dimensions.implied.every(
        (name) => values.get(name) !== undefined && values.get(name) !== null,
      )
    ) {
      implied = new Map(
        dimensions.implied.map((name) => [
          name,
          normalizeValue(name, universe.getDimension(name).keyType, values.get(name)),
        ]),
      );
    }
    return new DataCoordinate(dimensions, required, implied);
  }

  // The common case of a DatasetRef: a plain object of well-typed values for known dimensions,
  // read without building a Map of it. Returns null for anything the general path must handle
  // (a missing value, a value to convert or reject), which then gives the same result or error.
  static #fromPlainObject(
    mapping: Readonly<Record<string, unknown>>,
    dimensions: DimensionGroup,
  ): DataCoordinate | null {
    const keyTypes = keyTypesOf(dimensions);
    const names = dimensions.required;
    const required: DataIdValue[] = new Array<DataIdValue>(names.length);
    for (let i = 0; i < names.length; i++) {
      const value = ownValue(mapping, names[i]!);
      if (!isWellTyped(value, keyTypes.required[i]!)) return null;
      required[i] = value;
    }
    const impliedNames = dimensions.implied;
    let implied: ReadonlyMap<string, DataIdValue> | null = NO_IMPLIED_VALUES;
    if (impliedNames.length > 0) {
      const values = new Map<string, DataIdValue>();
      for (let i = 0; i < impliedNames.length; i++) {
        const value = ownValue(mapping, impliedNames[i]!);
        if (value === undefined || value === null) {
          implied = null;
          break;
        }
        if (!isWellTyped(value, keyTypes.implied[i]!)) return null;
        values.set(impliedNames[i]!, value);
      }
      if (implied !== null) implied = values;
    }
    return new DataCoordinate(dimensions, required, implied);
  }

  /**
   * The data ID of `dimensions` with these required values, in the order of
   * `dimensions.required` (daf_butler's `from_required_values`): cheaper than `standardize`
   * for values already in order. It has full values when the dimensions imply none.
   *
   * @throws {@link InvalidValueError} if the number of values is not the number of required
   *   dimensions.
   * @throws {@link TypeMismatchError} if a value has the wrong type for its dimension.
   * @example
   * ```ts
   * DataCoordinate.fromRequiredValues(universe.conform(['detector']), ['Cam', 1]); // {instrument: 'Cam', detector: 1}
   * ```
   */
  static fromRequiredValues(
    dimensions: DimensionGroup,
    values: readonly DataIdValue[],
  ): DataCoordinate {
    const keyTypes = keyTypesOf(dimensions).required;
    if (!Array.isArray(values) || values.length !== keyTypes.length)
      throw new InvalidValueError(
        `Expected ${keyTypes.length} required value(s) for ${dimensions.toString()}, got ${pyRepr(values)}`,
        values,
      );
    const required = new Array<DataIdValue>(keyTypes.length);
    for (let i = 0; i < keyTypes.length; i++) {
      const value: unknown = values[i];
      required[i] = isWellTyped(value, keyTypes[i]!)
        ? value
        : normalizeValue(dimensions.required[i]!, keyTypes[i]!, value);
    }
    return DataCoordinate.fromTrustedRequiredValues(dimensions, required);
  }

  /**
   * A data ID from required values that are already known to be right, with no check and no
   * copy: for registry managers building data IDs from values they checked or stored
   * themselves. `values` must be of the dimensions' key types, in the order of
   * `dimensions.required`; the array is frozen and kept, so the caller gives it up. Everyone
   * else uses {@link DataCoordinate.fromRequiredValues}.
   *
   * @example
   * ```ts
   * DataCoordinate.fromTrustedRequiredValues(group, [row.instrument, row.detector]);
   * ```
   */
  static fromTrustedRequiredValues(
    dimensions: DimensionGroup,
    values: readonly DataIdValue[],
  ): DataCoordinate {
    return new DataCoordinate(
      dimensions,
      values,
      dimensions.implied.length === 0 ? NO_IMPLIED_VALUES : null,
    );
  }

  /** The empty data ID of a universe. */
  static makeEmpty(universe: DimensionUniverse): DataCoordinate {
    return new DataCoordinate(universe.empty, [], NO_IMPLIED_VALUES);
  }

  /** The required values by dimension name, in group order (a fresh map). */
  get required(): ReadonlyMap<string, DataIdValue> {
    return new Map(this.dimensions.required.map((name, i) => [name, this.requiredValues[i]!]));
  }

  /** The required values and, when known, the implied ones (a fresh map, group order). */
  get mapping(): ReadonlyMap<string, DataIdValue> {
    const result = new Map<string, DataIdValue>();
    const required = this.required;
    for (const name of this.dimensions.names) {
      const value = required.get(name) ?? this.#implied?.get(name);
      if (value !== undefined) result.set(name, value);
    }
    return result;
  }

  /** Whether the implied values are known. */
  hasFull(): boolean {
    return this.#implied !== null;
  }

  /**
   * The names of the dimension elements whose records an expanded data ID carries: every
   * element of the universe whose required dimensions are all in this data ID's dimensions,
   * in universe order.
   */
  get elements(): readonly string[] {
    const group = this.dimensions;
    return group.universe.elements
      .filter((e) => e.required.every((d) => group.has(d)))
      .map((e) => e.name);
  }

  /**
   * This data ID with the records of its {@link DataCoordinate.elements} (daf_butler's
   * expanded data ID): each element maps to its record, or `null` when it has none. Records
   * are frozen copies.
   *
   * @throws {@link InvalidValueError} when the implied values are not known, an element is
   *   missing from `records`, or `records` names an element that is not one of this data ID's.
   */
  withRecords(
    records:
      | ReadonlyMap<string, DimensionRecordValues | null>
      | Readonly<Record<string, DimensionRecordValues | null>>,
  ): DataCoordinate {
    if (this.#implied === null) {
      throw new InvalidValueError(
        `Data ID ${this.toString()} needs its implied values before records can be attached`,
        this.toString(),
      );
    }
    const given: ReadonlyMap<string, DimensionRecordValues | null> =
      records instanceof Map ? records : new Map(Object.entries(records));
    const elements = this.elements;
    for (const name of given.keys()) {
      if (!elements.includes(name)) {
        throw new InvalidValueError(
          `Element ${name} is not an element of data ID ${this.toString()}`,
          name,
        );
      }
    }
    const copy = new Map<string, DimensionRecordValues | null>();
    for (const name of elements) {
      const record = given.get(name);
      if (record === undefined) {
        throw new InvalidValueError(
          `No record (or null) for element ${name} of data ID ${this.toString()}`,
          name,
        );
      }
      copy.set(name, record === null ? null : Object.freeze({ ...record }));
    }
    return new DataCoordinate(this.dimensions, [...this.requiredValues], this.#implied, copy);
  }

  /** Whether this data ID carries the records of its elements (see {@link DataCoordinate.withRecords}). */
  hasRecords(): boolean {
    return this.#records !== null;
  }

  /**
   * The record of element `element` (e.g. `detector`, whose `full_name` file templates use),
   * or `null` when the element has none.
   *
   * @throws {@link InvalidValueError} when this data ID carries no records.
   * @throws {@link DimensionNameError} when `element` is not one of its elements.
   */
  record(element: string): DimensionRecordValues | null {
    if (this.#records === null) {
      throw new InvalidValueError(`Data ID ${this.toString()} carries no records`, element);
    }
    const record = this.#records.get(element);
    if (record === undefined) {
      throw new DimensionNameError(
        `${JSON.stringify(element)} is not an element of data ID ${this.toString()}`,
        String(element),
      );
    }
    return record;
  }

  /** The value of a required dimension, or of an implied one when full; else `undefined`. */
  get(key: string): DataIdValue | undefined {
    const index = this.dimensions.required.indexOf(key);
    if (index >= 0) return this.requiredValues[index];
    return this.#implied?.get(key);
  }

  /** Whether {@link DataCoordinate.get} has a value for `key` (Python `in`). */
  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /**
   * Same dimensions and same required values. A plain mapping is standardized against these
   * dimensions first; one that cannot be is not equal.
   */
  equals(other: unknown): boolean {
    if (other === this) return true;
    let coordinate: DataCoordinate;
    if (other instanceof DataCoordinate) {
      coordinate = other;
    } else if (other instanceof Map || isPlainObject(other)) {
      try {
        coordinate = DataCoordinate.standardize(other as DataIdMapping, {
          dimensions: this.dimensions,
        });
      } catch {
        return false;
      }
    } else {
      return false;
    }
    return (
      coordinate.dimensions.equals(this.dimensions) &&
      coordinate.requiredValues.every((value, i) => value === this.requiredValues[i])
    );
  }

  /**
   * Orders data IDs by their required values (numbers numerically, strings by code unit,
   * numbers before strings); negative, zero or positive.
   */
  compare(other: DataCoordinate): number {
    const n = Math.min(this.requiredValues.length, other.requiredValues.length);
    for (let i = 0; i < n; i++) {
      const result = compareValues(this.requiredValues[i]!, other.requiredValues[i]!);
      if (result !== 0) return result;
    }
    return this.requiredValues.length - other.requiredValues.length;
  }

  /** A canonical string of the dimensions and required values: equal data IDs, equal keys. */
  get hashKey(): string {
    return JSON.stringify([this.dimensions.required, this.requiredValues]);
  }

  /**
   * The required values form-encoded as Python's `urlencode` does (`instrument=dummy&visit=52`;
   * unreserved characters kept, space as `+`); empty for the empty data ID.
   */
  toQueryString(): string {
    return this.dimensions.required
      .map((name, i) => `${quotePlus(name)}=${quotePlus(String(this.requiredValues[i]))}`)
      .join('&');
  }

  /** The values as a plain object (what {@link DataCoordinate.mapping} holds). */
  toJSON(): Record<string, DataIdValue> {
    return Object.fromEntries(this.mapping);
  }

  /** `{instrument: 'dummy', visit: 52}` (the full values when known). */
  toString(): string {
    return describeMapping(this.mapping);
  }
}

function describeMapping(values: ReadonlyMap<string, unknown>): string {
  return `{${[...values].map(([k, v]) => `${k}: ${pyRepr(v)}`).join(', ')}}`;
}

function resolveDimensions(
  values: ReadonlyMap<string, unknown>,
  options: StandardizeOptions,
  fromCoordinate: DataCoordinate | undefined,
): DimensionGroup {
  const { dimensions, universe } = options;
  if (dimensions instanceof DimensionGroup) return dimensions;
  const known = universe ?? fromCoordinate?.dimensions.universe;
  if (dimensions !== undefined) {
    if (known === undefined) {
      throw new InvalidValueError(
        'Dimension names were given without a universe to resolve them',
        dimensions,
      );
    }
    return known.conform(dimensions);
  }
  if (fromCoordinate !== undefined) return fromCoordinate.dimensions;
  if (known === undefined) {
    throw new InvalidValueError('A data ID needs dimensions or a universe', undefined);
  }
  if (!(known instanceof DimensionUniverse)) {
    throw new TypeMismatchError('universe must be a DimensionUniverse', {
      expected: 'DimensionUniverse',
      actual: typeName(known),
    });
  }
  return known.conform(values.keys());
}
