import { SerializationError } from './errors.ts';
import { toPlainNode } from './plain-value.ts';
import type { PlainNode } from './plain-value.ts';
import { pythonFloatRepr } from './python-float.ts';

const ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '"': '\\"',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function encodeString(text: string): string {
  // eslint-disable-next-line no-control-regex -- Python escapes exactly these
  return `"${text.replace(/[\x00-\x1f\\"]/g, (ch) => ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

function jsonFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return pythonFloatRepr(value);
}

function keyText(node: PlainNode): string {
  switch (node.kind) {
    case 'str':
      return encodeString(node.value);
    case 'int':
      return `"${node.text}"`;
    case 'float':
      return `"${jsonFloat(node.value)}"`;
    case 'bool':
      return node.value ? '"true"' : '"false"';
    case 'null':
      return '"null"';
    default:
      throw new SerializationError(`JSON keys must be scalars, got a ${node.kind}`);
  }
}

function write(node: PlainNode): string {
  switch (node.kind) {
    case 'null':
      return 'null';
    case 'bool':
      return node.value ? 'true' : 'false';
    case 'int':
      return node.text;
    case 'float':
      return jsonFloat(node.value);
    case 'str':
      return encodeString(node.value);
    case 'seq':
      return `[${node.items.map(write).join(', ')}]`;
    case 'map':
      return `{${node.entries.map(([k, v]) => `${keyText(k)}: ${write(v)}`).join(', ')}}`;
  }
}

/**
 * The text Python's `json.dumps(value, ensure_ascii=False)` gives for the same value: one line,
 * separators `", "` and `": "`, keys in insertion order, raw (unescaped) non-ASCII, control
 * characters as `\u00xx`, floats as Python's `repr` (`2.0`, `1e-10`, `NaN`, `Infinity`), no
 * trailing newline. Integral numbers are ints unless wrapped in `PythonFloat`.
 *
 * @throws {@link SerializationError} for values JSON cannot hold (see `toPlainNode`).
 * @example
 * ```ts
 * pythonJsonDumps({ a: [1, 2.5], b: 'Grüße' }); // '{"a": [1, 2.5], "b": "Grüße"}'
 * ```
 */
export function pythonJsonDumps(value: unknown): string {
  return write(toPlainNode(value));
}
