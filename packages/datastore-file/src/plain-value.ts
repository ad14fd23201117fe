// What the YAML and JSON writers accept: JSON-like values, PythonFloat, Maps, and objects that
// can turn themselves into a mapping (as daf_butler's formatters call `_asdict()` or dump a
// dataclass or pydantic model before writing).
import { SerializationError } from './errors.ts';
import { PythonFloat } from './python-float.ts';

/** A scalar or container as the writers see it. */
export type PlainNode =
  | { readonly kind: 'null' }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'int'; readonly text: string }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'seq'; readonly items: readonly PlainNode[] }
  | { readonly kind: 'map'; readonly entries: readonly (readonly [PlainNode, PlainNode])[] };

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function asMapping(value: object): unknown {
  const candidate = value as {
    _asdict?: () => unknown;
    toJSON?: () => unknown;
    exportAsDict?: () => unknown;
  };
  if (typeof candidate._asdict === 'function') return candidate._asdict();
  if (typeof candidate.toJSON === 'function') return candidate.toJSON();
  if (typeof candidate.exportAsDict === 'function') return candidate.exportAsDict();
  return Object.fromEntries(Object.entries(value));
}

/**
 * The tree of `value` as the writers print it. Integral numbers are ints, other numbers and
 * {@link PythonFloat}s floats.
 *
 * @throws {@link SerializationError} for `undefined`, functions, symbols, and cycles, naming
 *   the path of the culprit.
 */
export function toPlainNode(value: unknown, path = '', seen: Set<object> = new Set()): PlainNode {
  if (value === null) return { kind: 'null' };
  switch (typeof value) {
    case 'boolean':
      return { kind: 'bool', value };
    case 'string':
      return { kind: 'str', value };
    case 'bigint':
      return { kind: 'int', text: value.toString() };
    case 'number':
      if (Number.isInteger(value)) return { kind: 'int', text: BigInt(value).toString() };
      return { kind: 'float', value };
    case 'object':
      break;
    default:
      throw new SerializationError(
        `Cannot serialize a ${typeof value} at ${path === '' ? 'the top level' : path}`,
      );
  }
  if (value instanceof PythonFloat) return { kind: 'float', value: value.value };
  if (value instanceof Number) return toPlainNode(value.valueOf(), path, seen);
  if (value instanceof String) return { kind: 'str', value: value.valueOf() };
  if (value instanceof Boolean) return { kind: 'bool', value: value.valueOf() };
  if (seen.has(value)) {
    throw new SerializationError(`Cannot serialize a cycle: ${path} refers to an enclosing value`);
  }
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      return {
        kind: 'seq',
        items: value.map((item, index) => toPlainNode(item, `${path}/${index}`, seen)),
      };
    }
    if (value instanceof Set) {
      return {
        kind: 'seq',
        items: [...value].map((item, index) => toPlainNode(item, `${path}/${index}`, seen)),
      };
    }
    if (value instanceof Map) {
      return {
        kind: 'map',
        entries: [...value].map(
          ([k, v]) =>
            [
              toPlainNode(k, `${path}/<key>`, seen),
              toPlainNode(v, `${path}/${String(k)}`, seen),
            ] as const,
        ),
      };
    }
    const source = isPlainObject(value) ? value : asMapping(value);
    if (source !== value) return toPlainNode(source, path, seen);
    return {
      kind: 'map',
      entries: Object.entries(value).map(
        ([k, v]) => [{ kind: 'str', value: k }, toPlainNode(v, `${path}/${k}`, seen)] as const,
      ),
    };
  } finally {
    seen.delete(value);
  }
}
