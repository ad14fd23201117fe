import { isTuple } from './tuple.ts';

/** Whether `value` is a plain object (a Python `dict` here): its prototype is Object's or null. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A Python-flavoured type name of a value for messages: `dict`, `list`, `int`, a class name. */
export function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  switch (typeof value) {
    case 'string':
      return 'str';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return Number.isInteger(value) ? 'int' : 'float';
    case 'function':
      return 'function';
    case 'symbol':
      return 'symbol';
    default:
      break;
  }
  if (isTuple(value)) return 'tuple';
  if (Array.isArray(value)) return 'list';
  if (value instanceof Set) return 'set';
  if (isPlainObject(value)) return 'dict';
  const ctor = (value as { constructor?: { name?: unknown } }).constructor;
  return typeof ctor?.name === 'string' && ctor.name !== '' ? ctor.name : 'object';
}

function quote(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\n', '\\n')}'`;
}

/**
 * A Python-`repr`-like rendering used in `toString()` forms: strings single-quoted, `None`,
 * `True`/`False`, lists, tuples and dicts; other objects through `String()`.
 */
export function pyRepr(value: unknown, seen: Set<unknown> = new Set()): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'function') return `<function ${value.name}>`;
  if (typeof value !== 'object') return typeName(value);
  if (seen.has(value)) return '...';
  seen.add(value);
  try {
    if (isTuple(value)) {
      const items = value.map((v) => pyRepr(v, seen));
      return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
    }
    if (Array.isArray(value)) return `[${value.map((v) => pyRepr(v, seen)).join(', ')}]`;
    if (isPlainObject(value)) {
      const items = Object.entries(value).map(([k, v]) => `${quote(k)}: ${pyRepr(v, seen)}`);
      return `{${items.join(', ')}}`;
    }
    const text = (value as { toString(): string }).toString();
    return text === '[object Object]' ? `<${typeName(value)} object>` : text;
  } finally {
    seen.delete(value);
  }
}
