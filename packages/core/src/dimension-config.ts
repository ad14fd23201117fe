// daf_butler's dimension configuration (`dimensions.yaml`, stored in a registry as the
// `config:dimensions.json` attribute) → DimensionUniverseConfig, and Python's json.dumps for
// writing it back byte for byte.
import type {
  DimensionColumnDefinition,
  DimensionDefinition,
  DimensionElementDefinition,
  DimensionUniverseConfig,
  SkyPixSystemDefinition,
} from './dimension-types.ts';
import { InvalidValueError, TypeMismatchError } from './errors.ts';
import { isPlainObject, typeName } from './format.ts';

function mapping(value: unknown, what: string): Record<string, unknown> {
  if (!isPlainObject(value)) {
    throw new TypeMismatchError(`${what} must be a mapping`, {
      expected: 'dict',
      actual: typeName(value),
    });
  }
  return value;
}

// The legacy `storage` section: caching storage marks cached records, a query storage with
// `view_of` an implied-union dimension (no table of its own).
function storageFacts(storage: unknown): { cached: boolean; viewOf: string | null } {
  if (!isPlainObject(storage)) return { cached: false, viewOf: null };
  const cls = typeof storage['cls'] === 'string' ? storage['cls'] : '';
  const nested = storageFacts(storage['nested']);
  return {
    cached: cls.endsWith('.CachingDimensionRecordStorage') || nested.cached,
    viewOf: typeof storage['view_of'] === 'string' ? storage['view_of'] : nested.viewOf,
  };
}

const ELEMENT_KEYS: ReadonlySet<string> = new Set([
  'doc',
  'keys',
  'requires',
  'implies',
  'metadata',
  'governor',
  'storage',
  'is_cached',
  'implied_union_target',
  'always_join',
  'populated_by',
]);

/**
 * The {@link DimensionUniverseConfig} of daf_butler's dimension configuration (a parsed
 * `dimensions.yaml` or `config:dimensions.json`: `version`, `namespace`, `skypix`,
 * `elements`, `topology`; `packers` is ignored, as daf_butler ignores it).
 *
 * @throws {@link TypeMismatchError} / {@link InvalidValueError} naming what is malformed.
 */
export function universeConfigFromDafButler(config: unknown): DimensionUniverseConfig {
  const top = mapping(config, 'A dimension configuration');
  const version = top['version'];
  if (!Number.isSafeInteger(version)) {
    throw new InvalidValueError('A dimension configuration needs an integer `version`', version);
  }
  const namespace = top['namespace'] ?? 'daf_butler';
  if (typeof namespace !== 'string') {
    throw new TypeMismatchError('The `namespace` of a dimension configuration is a string', {
      expected: 'str',
      actual: typeName(namespace),
    });
  }
  const dimensions: Record<string, DimensionDefinition> = {};
  const elements: Record<string, DimensionElementDefinition> = {};
  for (const [name, raw] of Object.entries(mapping(top['elements'], '`elements`'))) {
    const element = mapping(raw, `Element ${name}`);
    for (const key of Object.keys(element)) {
      if (!ELEMENT_KEYS.has(key)) {
        throw new InvalidValueError(`Element ${name} has unknown key ${JSON.stringify(key)}`, key);
      }
    }
    const storage = storageFacts(element['storage']);
    const doc = typeof element['doc'] === 'string' ? element['doc'] : '';
    const metadata = (element['metadata'] ?? []) as readonly DimensionColumnDefinition[];
    const cached = element['is_cached'] === true || storage.cached;
    const requires = (element['requires'] ?? []) as readonly string[];
    const implies = (element['implies'] ?? []) as readonly string[];
    const keys = (element['keys'] ?? []) as readonly DimensionColumnDefinition[];
    if (Array.isArray(keys) && keys.length > 0) {
      const target = element['implied_union_target'] ?? storage.viewOf;
      dimensions[name] = {
        keys,
        requires,
        implies,
        metadata,
        governor: element['governor'] === true,
        cached,
        impliedUnionTarget: typeof target === 'string' ? target : null,
        doc,
      };
    } else {
      const populatedBy = element['populated_by'];
      elements[name] = {
        requires,
        implies,
        metadata,
        populatedBy: typeof populatedBy === 'string' ? populatedBy : null,
        alwaysJoin: element['always_join'] === true,
        cached,
        doc,
      };
    }
  }
  const skypixSection = mapping(top['skypix'], '`skypix`');
  const systems: Record<string, SkyPixSystemDefinition> = {};
  for (const [name, raw] of Object.entries(skypixSection)) {
    if (name === 'common') continue;
    const system = mapping(raw, `Skypix system ${name}`);
    const maxLevel = system['max_level'];
    if (!Number.isSafeInteger(maxLevel)) {
      throw new InvalidValueError(`Skypix system ${name} needs an integer max_level`, maxLevel);
    }
    systems[name] = {
      maxLevel: maxLevel as number,
      minLevel: Number.isSafeInteger(system['min_level']) ? (system['min_level'] as number) : 1,
      ...(typeof system['class'] === 'string' ? { pixelization: system['class'] } : {}),
    };
  }
  const topology = top['topology'] === undefined ? {} : mapping(top['topology'], '`topology`');
  return {
    namespace,
    version: version as number,
    dimensions,
    elements,
    skypix: { common: skypixSection['common'] as string, systems },
    topology: {
      spatial: (topology['spatial'] ?? {}) as Record<string, readonly string[]>,
      temporal: (topology['temporal'] ?? {}) as Record<string, readonly string[]>,
    },
  };
}

/**
 * JSON as Python's `json.dumps` writes it with its defaults: `", "` and `": "` separators,
 * non-ASCII characters escaped as `\uXXXX`, keys in insertion order.
 *
 * @throws {@link TypeMismatchError} for a value JSON cannot hold (a function, a non-finite
 *   number, a bigint).
 */
export function pythonJsonDumps(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new TypeMismatchError(`Cannot write ${String(value)} as JSON`, {
        expected: 'float',
        actual: String(value),
      });
    }
    return String(value);
  }
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(
      /[\u0080-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  }
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  if (isPlainObject(value)) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${pythonJsonDumps(k)}: ${pythonJsonDumps(v)}`)
      .join(', ')}}`;
  }
  throw new TypeMismatchError(`Cannot write a ${typeName(value)} as JSON`, {
    expected: 'json value',
    actual: typeName(value),
  });
}
