// PyYAML's `yaml.safe_dump(value, sort_keys=False)`, byte for byte: the emitter's layout,
// scalar style choice, quoting, escaping and 80-column folding, ported from PyYAML 6.0
// (emitter.py, representer.py, resolver.py) for the values `toPlainNode` produces.
import { toPlainNode } from './plain-value.ts';
import type { PlainNode } from './plain-value.ts';
import { pythonFloatRepr } from './python-float.ts';

// YAML 1.1 implicit resolvers of PyYAML. Python's `$` also matches before a final newline.
const IMPLICIT: readonly RegExp[] = [
  /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)\n?$/,
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\n?$/,
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)\n?$/,
  /^(?:<<)\n?$/,
  /^(?:~|null|Null|NULL|)\n?$/,
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)\n?$/,
  /^(?:=)\n?$/,
];

// Whether a plain scalar with this text reads back as a string.
function resolvesToString(text: string): boolean {
  return !IMPLICIT.some((re) => re.test(text));
}

const BREAKS = '\n\u0085\u2028\u2029';
const WHITESPACE = '\0 \t\r\n\u0085\u2028\u2029';

const ESCAPE_REPLACEMENTS: Readonly<Record<string, string>> = {
  '\0': '0',
  '\x07': 'a',
  '\x08': 'b',
  '\x09': 't',
  '\x0A': 'n',
  '\x0B': 'v',
  '\x0C': 'f',
  '\x0D': 'r',
  '\x1B': 'e',
  '"': '"',
  '\\': '\\',
  '\u0085': 'N',
  '\u00A0': '_',
  '\u2028': 'L',
  '\u2029': 'P',
};

interface Analysis {
  readonly chars: readonly string[];
  readonly empty: boolean;
  readonly multiline: boolean;
  readonly allowBlockPlain: boolean;
  readonly allowSingleQuoted: boolean;
}

function isPrintableAscii(ch: string): boolean {
  return ch >= '\x20' && ch <= '\x7E';
}

function analyzeScalar(text: string): Analysis {
  const chars = Array.from(text);
  if (chars.length === 0) {
    return { chars, empty: true, multiline: false, allowBlockPlain: true, allowSingleQuoted: true };
  }
  let blockIndicators = false;
  let lineBreaks = false;
  let specialCharacters = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  if (text.startsWith('---') || text.startsWith('...')) blockIndicators = true;
  let precededByWhitespace = true;
  let followedByWhitespace = chars.length === 1 || WHITESPACE.includes(chars[1]!);
  let previousSpace = false;
  let previousBreak = false;
  for (let index = 0; index < chars.length;) {
    const ch = chars[index]!;
    if (index === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) blockIndicators = true;
      if ('?:'.includes(ch) && followedByWhitespace) blockIndicators = true;
      if (ch === '-' && followedByWhitespace) blockIndicators = true;
    } else {
      if (ch === ':' && followedByWhitespace) blockIndicators = true;
      if (ch === '#' && precededByWhitespace) blockIndicators = true;
    }
    if (BREAKS.includes(ch)) lineBreaks = true;
    if (!(ch === '\n' || isPrintableAscii(ch))) {
      // Without allow_unicode every other character, unicode or not, is special.
      specialCharacters = true;
    }
    if (ch === ' ') {
      if (index === 0) leadingSpace = true;
      if (index === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (BREAKS.includes(ch)) {
      if (index === 0) leadingBreak = true;
      if (index === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    index++;
    precededByWhitespace = WHITESPACE.includes(ch);
    followedByWhitespace = index + 1 >= chars.length || WHITESPACE.includes(chars[index + 1]!);
  }
  let allowBlockPlain = true;
  let allowSingleQuoted = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) allowBlockPlain = false;
  if (breakSpace) allowBlockPlain = allowSingleQuoted = false;
  if (spaceBreak || specialCharacters) allowBlockPlain = allowSingleQuoted = false;
  if (lineBreaks) allowBlockPlain = false;
  if (blockIndicators) allowBlockPlain = false;
  return { chars, empty: false, multiline: lineBreaks, allowBlockPlain, allowSingleQuoted };
}

interface Scalar {
  readonly text: string;
  // Whether the plain text resolves to the node's own type (PyYAML's implicit[0]).
  readonly plainImplicit: boolean;
}

function scalarOf(node: PlainNode): Scalar | null {
  switch (node.kind) {
    case 'null':
      return { text: 'null', plainImplicit: true };
    case 'bool':
      return { text: node.value ? 'true' : 'false', plainImplicit: true };
    case 'int':
      return { text: node.text, plainImplicit: true };
    case 'float': {
      let text: string;
      if (Number.isNaN(node.value)) text = '.nan';
      else if (node.value === Infinity) text = '.inf';
      else if (node.value === -Infinity) text = '-.inf';
      else {
        text = pythonFloatRepr(node.value).toLowerCase();
        if (!text.includes('.') && text.includes('e')) text = text.replace('e', '.0e');
      }
      return { text, plainImplicit: true };
    }
    case 'str':
      return { text: node.value, plainImplicit: resolvesToString(node.value) };
    default:
      return null;
  }
}

const TAG_LENGTHS: Readonly<Record<string, number>> = {
  str: '!!str'.length,
  int: '!!int'.length,
  float: '!!float'.length,
  bool: '!!bool'.length,
  null: '!!null'.length,
};

interface Context {
  readonly root?: boolean;
  readonly sequence?: boolean;
  readonly mapping?: boolean;
  readonly simpleKey?: boolean;
}

class Emitter {
  readonly #out: string[] = [];
  #column = 0;
  #whitespace = true;
  #indention = true;
  #openEnded = false;
  #indent: number | null = null;
  readonly #indents: (number | null)[] = [];
  #rootContext = false;
  #mappingContext = false;
  #simpleKeyContext = false;
  readonly #bestWidth = 80;
  readonly #bestIndent = 2;

  text(): string {
    return this.#out.join('');
  }

  document(node: PlainNode): void {
    this.#node(node, { root: true });
    this.#writeIndent();
    if (this.#openEnded) {
      this.#writeIndicator('...', true);
      this.#writeIndent();
    }
  }

  #write(data: string): void {
    this.#out.push(data);
  }

  #increaseIndent(flow = false, indentless = false): void {
    this.#indents.push(this.#indent);
    if (this.#indent === null) this.#indent = flow ? this.#bestIndent : 0;
    else if (!indentless) this.#indent += this.#bestIndent;
  }

  #popIndent(): void {
    this.#indent = this.#indents.pop() ?? null;
  }

  #writeIndicator(
    indicator: string,
    needWhitespace: boolean,
    whitespace = false,
    indention = false,
  ): void {
    const data = this.#whitespace || !needWhitespace ? indicator : ` ${indicator}`;
    this.#whitespace = whitespace;
    this.#indention = this.#indention && indention;
    this.#column += Array.from(data).length;
    this.#openEnded = false;
    this.#write(data);
  }

  #writeIndent(): void {
    const indent = this.#indent ?? 0;
    if (
      !this.#indention ||
      this.#column > indent ||
      (this.#column === indent && !this.#whitespace)
    ) {
      this.#writeLineBreak();
    }
    if (this.#column < indent) {
      this.#whitespace = true;
      this.#write(' '.repeat(indent - this.#column));
      this.#column = indent;
    }
  }

  #writeLineBreak(data = '\n'): void {
    this.#whitespace = true;
    this.#indention = true;
    this.#column = 0;
    this.#write(data);
  }

  #node(node: PlainNode, context: Context): void {
    this.#rootContext = context.root ?? false;
    this.#mappingContext = context.mapping ?? false;
    this.#simpleKeyContext = context.simpleKey ?? false;
    if (node.kind === 'seq') {
      if (node.items.length === 0) this.#emptyFlow('[', ']');
      else this.#blockSequence(node.items);
    } else if (node.kind === 'map') {
      if (node.entries.length === 0) this.#emptyFlow('{', '}');
      else this.#blockMapping(node.entries);
    } else {
      this.#increaseIndent(true);
      this.#scalar(scalarOf(node)!);
      this.#popIndent();
    }
  }

  #emptyFlow(open: string, close: string): void {
    this.#writeIndicator(open, true, true);
    this.#increaseIndent(true);
    this.#popIndent();
    this.#writeIndicator(close, false);
  }

  #blockSequence(items: readonly PlainNode[]): void {
    const indentless = this.#mappingContext && !this.#indention;
    this.#increaseIndent(false, indentless);
    for (const item of items) {
      this.#writeIndent();
      this.#writeIndicator('-', true, false, true);
      this.#node(item, { sequence: true });
    }
    this.#popIndent();
  }

  #blockMapping(entries: readonly (readonly [PlainNode, PlainNode])[]): void {
    this.#increaseIndent(false);
    for (const [key, value] of entries) {
      this.#writeIndent();
      if (this.#isSimpleKey(key)) {
        this.#node(key, { mapping: true, simpleKey: true });
        this.#writeIndicator(':', false);
        this.#node(value, { mapping: true });
      } else {
        this.#writeIndicator('?', true, false, true);
        this.#node(key, { mapping: true });
        this.#writeIndent();
        this.#writeIndicator(':', true, false, true);
        this.#node(value, { mapping: true });
      }
    }
    this.#popIndent();
  }

  #isSimpleKey(key: PlainNode): boolean {
    if (key.kind === 'seq') return key.items.length === 0;
    if (key.kind === 'map') return key.entries.length === 0;
    const analysis = analyzeScalar(scalarOf(key)!.text);
    // PyYAML counts the prepared tag too (`!!str`, `!!int`, …) although it never writes it.
    const tagLength = TAG_LENGTHS[key.kind] ?? 0;
    return tagLength + analysis.chars.length < 128 && !analysis.empty && !analysis.multiline;
  }

  #scalar(scalar: Scalar): void {
    const analysis = analyzeScalar(scalar.text);
    const split = !this.#simpleKeyContext;
    if (
      scalar.plainImplicit &&
      !(this.#simpleKeyContext && (analysis.empty || analysis.multiline)) &&
      analysis.allowBlockPlain
    ) {
      this.#writePlain(analysis.chars, split);
    } else if (analysis.allowSingleQuoted && !(this.#simpleKeyContext && analysis.multiline)) {
      this.#writeSingleQuoted(analysis.chars, split);
    } else {
      this.#writeDoubleQuoted(analysis.chars, split);
    }
  }

  #writePlain(text: readonly string[], split: boolean): void {
    if (this.#rootContext) this.#openEnded = true;
    if (text.length === 0) return;
    if (!this.#whitespace) {
      this.#column += 1;
      this.#write(' ');
    }
    this.#whitespace = false;
    this.#indention = false;
    let spaces = false;
    let start = 0;
    for (let end = 0; end <= text.length; end++) {
      const ch = end < text.length ? text[end]! : null;
      if (spaces) {
        if (ch !== ' ') {
          if (start + 1 === end && this.#column > this.#bestWidth && split) {
            this.#writeIndent();
            this.#whitespace = false;
            this.#indention = false;
          } else {
            this.#column += end - start;
            this.#write(text.slice(start, end).join(''));
          }
          start = end;
        }
      } else if (ch === null || ` ${BREAKS}`.includes(ch)) {
        this.#column += end - start;
        this.#write(text.slice(start, end).join(''));
        start = end;
      }
      if (ch !== null) spaces = ch === ' ';
    }
  }

  #writeSingleQuoted(text: readonly string[], split: boolean): void {
    this.#writeIndicator("'", true);
    let spaces = false;
    let breaks = false;
    let start = 0;
    for (let end = 0; end <= text.length; end++) {
      const ch = end < text.length ? text[end]! : null;
      if (spaces) {
        if (ch === null || ch !== ' ') {
          if (
            start + 1 === end &&
            this.#column > this.#bestWidth &&
            split &&
            start !== 0 &&
            end !== text.length
          ) {
            this.#writeIndent();
          } else {
            this.#column += end - start;
            this.#write(text.slice(start, end).join(''));
          }
          start = end;
        }
      } else if (breaks) {
        if (ch === null || !BREAKS.includes(ch)) {
          if (text[start] === '\n') this.#writeLineBreak();
          for (const br of text.slice(start, end)) {
            if (br === '\n') this.#writeLineBreak();
            else this.#writeLineBreak(br);
          }
          this.#writeIndent();
          start = end;
        }
      } else if (ch === null || ` ${BREAKS}`.includes(ch) || ch === "'") {
        if (start < end) {
          this.#column += end - start;
          this.#write(text.slice(start, end).join(''));
          start = end;
        }
      }
      if (ch === "'") {
        this.#column += 2;
        this.#write("''");
        start = end + 1;
      }
      if (ch !== null) {
        spaces = ch === ' ';
        breaks = BREAKS.includes(ch);
      }
    }
    this.#writeIndicator("'", false);
  }

  #writeDoubleQuoted(text: readonly string[], split: boolean): void {
    this.#writeIndicator('"', true);
    let start = 0;
    for (let end = 0; end <= text.length; end++) {
      const ch = end < text.length ? text[end]! : null;
      if (ch === null || '"\\\u0085\u2028\u2029\uFEFF'.includes(ch) || !isPrintableAscii(ch)) {
        if (start < end) {
          this.#column += end - start;
          this.#write(text.slice(start, end).join(''));
          start = end;
        }
        if (ch !== null) {
          const code = ch.codePointAt(0)!;
          const replacement = ESCAPE_REPLACEMENTS[ch];
          let data: string;
          if (replacement !== undefined) data = `\\${replacement}`;
          else if (code <= 0xff) data = `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`;
          else if (code <= 0xffff) data = `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
          else data = `\\U${code.toString(16).toUpperCase().padStart(8, '0')}`;
          this.#column += data.length;
          this.#write(data);
          start = end + 1;
        }
      }
      if (
        end > 0 &&
        end < text.length - 1 &&
        (ch === ' ' || start >= end) &&
        this.#column + (end - start) > this.#bestWidth &&
        split
      ) {
        const data = `${text.slice(start, end).join('')}\\`;
        if (start < end) start = end;
        this.#column += Array.from(data).length;
        this.#write(data);
        this.#writeIndent();
        this.#whitespace = false;
        this.#indention = false;
        if (text[start] === ' ') {
          this.#column += 1;
          this.#write('\\');
        }
      }
    }
    this.#writeIndicator('"', false);
  }
}

/**
 * The text PyYAML's `yaml.safe_dump(value, sort_keys=False)` writes for the same value, as
 * daf_butler's `YamlFormatter` does: block style in insertion order, `{}`/`[]` inline, strings
 * that would read back as another type single-quoted, non-ASCII escaped in double quotes,
 * floats as PyYAML's repr (`2.0`, `1.0e-10`), plain scalars folded at 80 columns, and a
 * trailing newline (with `...` after a lone plain scalar). Integral numbers are ints unless
 * wrapped in `PythonFloat`. Shared (non-cyclic) objects are written out again rather than as
 * YAML aliases.
 *
 * @throws `SerializationError` for values YAML's safe dumper cannot hold (see
 *   `toPlainNode`).
 * @example
 * ```ts
 * pyyamlSafeDump({ a: [1, 2.5], b: 'yes' }); // "a:\n- 1\n- 2.5\nb: 'yes'\n"
 * ```
 */
export function pyyamlSafeDump(value: unknown): string {
  const emitter = new Emitter();
  emitter.document(toPlainNode(value));
  return emitter.text();
}
