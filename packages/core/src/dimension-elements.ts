// Resolves a DimensionUniverseConfig into dimension and element objects in daf_butler's order.
//
// daf_butler builds a universe in waves: every definition whose dependencies (what it requires
// and implies) are all built is built in the next wave, the wave's names sorted; a skypix
// system has no dependencies and adds its levels as dimensions. Element order, and so the
// order of dimensions in groups, data IDs, table columns and stored group definitions, is
// the order in which they were built.
import type {
  Dimension,
  DimensionColumn,
  DimensionColumnDefinition,
  DimensionElement,
  DimensionKeyType,
  DimensionUniverseConfig,
} from './dimension-types.ts';
import { InvalidValueError, TypeMismatchError } from './errors.ts';
import { isPlainObject, typeName } from './format.ts';

const NAME = /^[a-z][a-z0-9_]*$/;
const COLUMN_TYPES: ReadonlySet<string> = new Set(['string', 'int', 'float', 'bool', 'hash']);

/** The resolved elements of a universe. */
export interface ResolvedUniverse {
  /** Every element, in universe order. */
  readonly elements: readonly DimensionElement[];
  /** The dimensions by name, in universe order. */
  readonly dimensions: ReadonlyMap<string, Dimension>;
  /** The common skypix dimension, or `null`. */
  readonly commonSkyPix: string | null;
}

function checkName(name: unknown, what: string): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new InvalidValueError(`Invalid ${what} name ${JSON.stringify(name)}`, name);
  }
  return name;
}

function checkMapping(definition: unknown, what: string): void {
  if (!isPlainObject(definition)) {
    throw new TypeMismatchError(`The definition of ${what} must be a mapping`, {
      expected: 'dict',
      actual: typeName(definition),
    });
  }
}

function nameList(value: unknown, what: string): readonly string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new TypeMismatchError(`${what} must be a list of dimension names`, {
      expected: 'list',
      actual: typeName(value),
    });
  }
  return Object.freeze([...(value)]);
}

function optionalString(value: unknown, what: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    throw new TypeMismatchError(`${what} must be a string`, {
      expected: 'str',
      actual: typeName(value),
    });
  }
  return value;
}

function columns(value: unknown, what: string): readonly DimensionColumn[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw new TypeMismatchError(`${what} must be a list of columns`, {
      expected: 'list',
      actual: typeName(value),
    });
  }
  return Object.freeze(
    value.map((column: unknown) => {
      if (!isPlainObject(column)) {
        throw new TypeMismatchError(`A column of ${what} must be a mapping`, {
          expected: 'dict',
          actual: typeName(column),
        });
      }
      const definition = column as unknown as DimensionColumnDefinition;
      const name = checkName(definition.name, `column of ${what}`);
      if (!COLUMN_TYPES.has(definition.type)) {
        throw new InvalidValueError(
          `Column ${name} of ${what} has type ${JSON.stringify(definition.type)}; expected one of ${[...COLUMN_TYPES].join(', ')}`,
          definition.type,
        );
      }
      const size = (key: 'length' | 'nbytes'): number | null => {
        const n = definition[key];
        if (n === undefined || n === null) return null;
        if (!Number.isSafeInteger(n) || n <= 0) {
          throw new InvalidValueError(`Column ${name} of ${what} has a bad ${key}`, n);
        }
        return n;
      };
      return Object.freeze({
        name,
        type: definition.type,
        length: size('length'),
        nbytes: size('nbytes'),
        doc: optionalString(definition.doc, `doc of column ${name}`) ?? '',
      });
    }),
  );
}

interface Pending {
  readonly name: string;
  readonly deps: readonly string[];
  readonly build: (built: ReadonlyMap<string, DimensionElement>) => DimensionElement[];
}

function familyOf(
  families: Readonly<Record<string, readonly string[]>> | undefined,
  what: string,
): Map<string, string> {
  const result = new Map<string, string>();
  if (families === undefined) return result;
  if (!isPlainObject(families)) {
    throw new TypeMismatchError(`topology.${what} must be a mapping of families`, {
      expected: 'dict',
      actual: typeName(families),
    });
  }
  for (const [family, members] of Object.entries(families)) {
    for (const member of nameList(members, `members of ${what} family ${family}`))
      result.set(member, family);
  }
  return result;
}

/**
 * Resolves `config` into its elements in daf_butler's order.
 *
 * @throws {@link TypeMismatchError} / {@link InvalidValueError} for a malformed config, an
 *   undefined dimension, a name defined twice or a cycle.
 */
export function resolveUniverse(config: DimensionUniverseConfig): ResolvedUniverse {
  const spatial = familyOf(config.topology?.spatial, 'spatial');
  const temporal = familyOf(config.topology?.temporal, 'temporal');
  const pending: Pending[] = [];
  const declared = new Set<string>();
  const declare = (name: string) => {
    if (declared.has(name))
      throw new InvalidValueError(`Dimension element ${name} is defined twice`, name);
    declared.add(name);
  };
  const common = (name: string) => ({
    spatial: spatial.get(name) ?? null,
    temporal: temporal.get(name) ?? null,
  });
  // What a record is identified by: the dependencies' own required dimensions, in order.
  const requiredOf = (
    built: ReadonlyMap<string, DimensionElement>,
    requires: readonly string[],
    self: string | null,
  ): string[] => {
    const set = new Set<string>(requires);
    for (const name of requires) for (const r of built.get(name)!.required) set.add(r);
    const ordered = [...built.keys()].filter((name) => set.has(name));
    return self === null ? ordered : [...ordered, self];
  };
  const impliedOf = (built: ReadonlyMap<string, DimensionElement>, implies: readonly string[]) =>
    [...built.keys()].filter((name) => implies.includes(name));

  for (const [rawName, definition] of Object.entries(config.dimensions)) {
    const name = checkName(rawName, 'dimension');
    checkMapping(definition, `dimension ${name}`);
    declare(name);
    const keys = columns(definition.keys, `dimension ${name}`);
    let keyType: DimensionKeyType;
    if (definition.keyType !== undefined) {
      if (definition.keyType !== 'string' && definition.keyType !== 'int') {
        throw new InvalidValueError(
          `Dimension ${name} has key type ${JSON.stringify(definition.keyType)}; expected 'string' or 'int'`,
          definition.keyType,
        );
      }
      keyType = definition.keyType;
    } else if (keys[0] !== undefined) {
      if (keys[0].type !== 'string' && keys[0].type !== 'int') {
        throw new InvalidValueError(
          `The primary key of dimension ${name} has type ${keys[0].type}; expected 'string' or 'int'`,
          keys[0].type,
        );
      }
      keyType = keys[0].type;
    } else {
      keyType = 'int';
    }
    const primaryKey: DimensionColumn = Object.freeze({
      name: keyType === 'string' ? 'name' : 'id',
      type: keyType,
      length: null,
      nbytes: null,
      doc: '',
    });
    const requires = nameList(definition.requires, `requires of ${name}`);
    const implies = nameList(definition.implies, `implies of ${name}`);
    const governor = definition.governor === true;
    const impliedUnionTarget = optionalString(
      definition.impliedUnionTarget,
      `impliedUnionTarget of ${name}`,
    );
    pending.push({
      name,
      deps: [...requires, ...implies],
      build: (built) => [
        Object.freeze({
          name,
          isDimension: true,
          keyType,
          requires,
          implies,
          required: Object.freeze(requiredOf(built, requires, name)),
          implied: Object.freeze(impliedOf(built, implies)),
          keys: keys.length > 0 ? keys : Object.freeze([primaryKey]),
          metadata: columns(definition.metadata, `dimension ${name}`),
          governor,
          ...common(name),
          populatedBy: null,
          alwaysJoin: false,
          cached: governor || definition.cached === true,
          impliedUnionTarget,
          skypix: null,
          hasOwnTable: impliedUnionTarget === null,
          doc: optionalString(definition.doc, `doc of ${name}`) ?? '',
        } satisfies Dimension),
      ],
    });
  }
  for (const [rawName, definition] of Object.entries(config.elements ?? {})) {
    const name = checkName(rawName, 'dimension element');
    checkMapping(definition, `element ${name}`);
    declare(name);
    const requires = nameList(definition.requires, `requires of ${name}`);
    if (requires.length === 0) {
      throw new InvalidValueError(`Dimension element ${name} requires no dimension`, name);
    }
    const implies = nameList(definition.implies, `implies of ${name}`);
    const populatedBy = optionalString(definition.populatedBy, `populatedBy of ${name}`);
    pending.push({
      name,
      deps: [...requires, ...implies],
      build: (built) => [
        Object.freeze({
          name,
          isDimension: false,
          required: Object.freeze(requiredOf(built, requires, null)),
          implied: Object.freeze(impliedOf(built, implies)),
          keys: Object.freeze([]),
          metadata: columns(definition.metadata, `element ${name}`),
          governor: false,
          ...common(name),
          populatedBy,
          alwaysJoin: definition.alwaysJoin === true,
          cached: definition.cached === true,
          impliedUnionTarget: null,
          skypix: null,
          hasOwnTable: true,
          doc: optionalString(definition.doc, `doc of ${name}`) ?? '',
        } satisfies DimensionElement),
      ],
    });
  }
  let commonSkyPix: string | null = null;
  if (config.skypix !== undefined) {
    commonSkyPix = checkName(config.skypix.common, 'common skypix dimension');
    for (const [rawSystem, system] of Object.entries(config.skypix.systems)) {
      const systemName = checkName(rawSystem, 'skypix system');
      const min = system.minLevel ?? 1;
      const max = system.maxLevel;
      if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min < 0 || max < min) {
        throw new InvalidValueError(`Skypix system ${systemName} has bad levels`, system);
      }
      const levels: string[] = [];
      for (let level = min; level <= max; level++) {
        declare(`${systemName}${level}`);
        levels.push(`${systemName}${level}`);
      }
      pending.push({
        name: systemName,
        deps: [],
        build: () =>
          levels.map((name, i) =>
            Object.freeze({
              name,
              isDimension: true,
              keyType: 'int',
              requires: Object.freeze([]),
              implies: Object.freeze([]),
              required: Object.freeze([name]),
              implied: Object.freeze([]),
              keys: Object.freeze([
                Object.freeze({
                  name: 'id',
                  type: 'int',
                  length: null,
                  nbytes: null,
                  doc: '',
                } as const),
              ]),
              metadata: Object.freeze([]),
              governor: false,
              spatial: systemName,
              temporal: null,
              populatedBy: null,
              alwaysJoin: false,
              cached: false,
              impliedUnionTarget: null,
              skypix: Object.freeze({ system: systemName, level: min + i }),
              hasOwnTable: false,
              doc: '',
            } satisfies Dimension),
          ),
      });
    }
  }
  const built = new Map<string, DimensionElement>();
  for (const item of pending) {
    for (const dep of item.deps) {
      if (!declared.has(dep)) {
        throw new InvalidValueError(
          `Dimension ${item.name} refers to undefined dimension ${dep}`,
          dep,
        );
      }
    }
  }
  let todo = pending;
  while (todo.length > 0) {
    const done = new Set(built.keys());
    const wave = todo
      .filter((item) => item.deps.every((dep) => done.has(dep)))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (wave.length === 0) {
      const names = todo.map((item) => item.name).sort();
      throw new InvalidValueError(
        `Dimension relations form a cycle among ${names.join(', ')}`,
        names,
      );
    }
    for (const item of wave)
      for (const element of item.build(built)) built.set(element.name, element);
    todo = todo.filter((item) => !wave.includes(item));
  }
  const elements = [...built.values()];
  const dimensions = new Map<string, Dimension>();
  for (const element of elements) {
    if (element.isDimension) dimensions.set(element.name, element as Dimension);
  }
  if (commonSkyPix !== null && !dimensions.has(commonSkyPix)) {
    throw new InvalidValueError(
      `The common skypix dimension ${commonSkyPix} is not defined`,
      commonSkyPix,
    );
  }
  for (const element of elements) {
    if (element.impliedUnionTarget !== null && !dimensions.has(element.impliedUnionTarget)) {
      throw new InvalidValueError(
        `Dimension ${element.name} is a view of undefined dimension ${element.impliedUnionTarget}`,
        element.impliedUnionTarget,
      );
    }
  }
  return { elements, dimensions, commonSkyPix };
}
