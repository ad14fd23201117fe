import type { StorageClass } from '@butler-ts/core';
import { parse as parseYaml } from 'yaml';
import type { ScalarTag, Tags } from 'yaml';
import { FormatterNotFoundError, SerializationError } from './errors.ts';
import { pythonJsonDumps } from './json-dump.ts';
import { pyyamlSafeDump } from './yaml-dump.ts';

/** What a formatter is told when it writes or reads a file. */
export interface FormatterContext {
  /** The storage class of the value written, or recorded for the file read. */
  readonly storageClass: StorageClass;
  /** The formatter's write parameters from the configuration (`{formatter, parameters}`). */
  readonly parameters: Readonly<Record<string, unknown>>;
}

/**
 * Turns values into file bytes and back. Implementations are stateless and registered by
 * name in a {@link FormatterRegistry}; the name is what the datastore records in the
 * `formatter` column (daf_butler's Python class name for the built-in YAML and JSON ones), so
 * reading a file finds the formatter that wrote it.
 *
 * @example
 * ```ts
 * const csv: Formatter = {
 *   name: 'mypkg.CsvFormatter',
 *   extension: '.csv',
 *   write: (rows) => Buffer.from((rows as string[][]).map((r) => r.join(',')).join('\n')),
 *   read: (bytes) => Buffer.from(bytes).toString('utf8').split('\n').map((l) => l.split(',')),
 * };
 * FormatterRegistry.shared.register(csv);
 * ```
 */
export interface Formatter {
  /** The name recorded for files it writes (and found in configuration). */
  readonly name: string;
  /** The file extension with its dot, e.g. `.yaml`. */
  readonly extension: string;
  /** The bytes of `value`. */
  write(value: unknown, context: FormatterContext): Uint8Array;
  /** The value in `bytes`, before storage class conversion. */
  read(bytes: Uint8Array, context: FormatterContext): unknown;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function decode(bytes: Uint8Array, formatter: string): string {
  try {
    return decoder.decode(bytes);
  } catch (error) {
    throw new SerializationError(`${formatter} cannot read a file that is not UTF-8`, {
      cause: error,
    });
  }
}

// PyYAML's booleans: YAML 1.1's words, but not the single letters y/n the yaml package adds.
const PYYAML_BOOL: ScalarTag = {
  tag: 'tag:yaml.org,2002:bool',
  default: true,
  test: /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  resolve: (text: string) => /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/.test(text),
};

function pyyamlTags(tags: Tags): Tags {
  return [
    PYYAML_BOOL,
    ...tags.filter((tag) => (tag as { tag?: string }).tag !== 'tag:yaml.org,2002:bool'),
  ];
}

/**
 * daf_butler's `YamlFormatter` (`lsst.daf.butler.formatters.yaml.YamlFormatter`): writes what
 * PyYAML's `safe_dump(value, sort_keys=False)` writes, byte for byte; reads YAML 1.1 as
 * PyYAML's `safe_load` does (`yes`/`no` booleans, last duplicate key wins).
 */
export const YamlFormatter: Formatter = Object.freeze({
  name: 'lsst.daf.butler.formatters.yaml.YamlFormatter',
  extension: '.yaml',
  write(value: unknown): Uint8Array {
    return Buffer.from(pyyamlSafeDump(value), 'utf8');
  },
  read(bytes: Uint8Array): unknown {
    try {
      return parseYaml(decode(bytes, 'YamlFormatter'), {
        version: '1.1',
        uniqueKeys: false,
        customTags: pyyamlTags,
      });
    } catch (error) {
      if (SerializationError.is(error)) throw error;
      throw new SerializationError(`YamlFormatter cannot parse the file: ${String(error)}`, {
        cause: error,
      });
    }
  },
});

/**
 * daf_butler's `JsonFormatter` (`lsst.daf.butler.formatters.json.JsonFormatter`): writes what
 * Python's `json.dumps(value, ensure_ascii=False)` writes (one line, no trailing newline).
 */
export const JsonFormatter: Formatter = Object.freeze({
  name: 'lsst.daf.butler.formatters.json.JsonFormatter',
  extension: '.json',
  write(value: unknown): Uint8Array {
    return Buffer.from(pythonJsonDumps(value), 'utf8');
  },
  read(bytes: Uint8Array): unknown {
    const text = decode(bytes, 'JsonFormatter');
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new SerializationError(`JsonFormatter cannot parse the file: ${String(error)}`, {
        cause: error,
      });
    }
  },
});

/** Raw bytes (`Uint8Array`, `Buffer`) written as they are; reads give a `Uint8Array`. butler-ts only. */
export const BytesFormatter: Formatter = Object.freeze({
  name: 'butler_ts.formatters.BytesFormatter',
  extension: '.bin',
  write(value: unknown): Uint8Array {
    if (!(value instanceof Uint8Array)) {
      throw new SerializationError(`BytesFormatter writes a Uint8Array, got ${typeof value}`);
    }
    return value;
  },
  read(bytes: Uint8Array): unknown {
    return new Uint8Array(bytes);
  },
});

/** A string written as UTF-8 text; reads give the string. butler-ts only. */
export const TextFormatter: Formatter = Object.freeze({
  name: 'butler_ts.formatters.TextFormatter',
  extension: '.txt',
  write(value: unknown): Uint8Array {
    if (typeof value !== 'string') {
      throw new SerializationError(`TextFormatter writes a string, got ${typeof value}`);
    }
    return Buffer.from(value, 'utf8');
  },
  read(bytes: Uint8Array): unknown {
    return decode(bytes, 'TextFormatter');
  },
});

/**
 * How values of one Python type become the plain mapping a formatter writes, and back: the
 * part of pydantic's `model_dump`/`model_validate` (or a dataclass's `asdict` and
 * constructor) that daf_butler's formatters rely on, for JavaScript classes that have no such
 * protocol of their own.
 */
export interface TypeCodec {
  /** The plain value (mapping, list, scalar) to write. */
  toPlain(value: unknown): unknown;
  /** The value of the type, from what was read. */
  fromPlain(plain: unknown): unknown;
}

/**
 * Formatters by name, where configuration entries and recorded `formatter` values are looked
 * up. {@link FormatterRegistry.shared} holds the built-in ones; plugins register theirs there
 * (or in a registry given to the datastore).
 *
 * @example
 * ```ts
 * FormatterRegistry.shared.register(myFormatter, 'mypkg.formatters.MyFormatter');
 * ```
 */
export class FormatterRegistry {
  /** The process-wide registry: the YAML, JSON, bytes and text formatters. */
  static readonly shared: FormatterRegistry = new FormatterRegistry();

  readonly #formatters = new Map<string, Formatter>();
  readonly #codecs = new Map<string, TypeCodec>();

  /** @param withBuiltins register the built-in formatters (default true). */
  constructor(withBuiltins = true) {
    if (withBuiltins) {
      for (const formatter of [YamlFormatter, JsonFormatter, BytesFormatter, TextFormatter]) {
        this.register(formatter);
      }
    }
  }

  /**
   * Registers `formatter` under its name and `aliases`; registering the same formatter again
   * is a no-op.
   *
   * @throws {@link SerializationError} when a name is taken by another formatter.
   */
  register(formatter: Formatter, ...aliases: string[]): this {
    for (const name of [formatter.name, ...aliases]) {
      const existing = this.#formatters.get(name);
      if (existing !== undefined && existing !== formatter) {
        throw new SerializationError(`Formatter name ${name} is already registered`);
      }
      this.#formatters.set(name, formatter);
    }
    return this;
  }

  /** Whether a formatter is registered under `name`. */
  has(name: string): boolean {
    return this.#formatters.has(name);
  }

  /**
   * The formatter registered under `name`.
   *
   * @throws {@link FormatterNotFoundError} naming it when none is.
   */
  get(name: string): Formatter {
    const formatter = this.#formatters.get(name);
    if (formatter === undefined) {
      throw new FormatterNotFoundError(`No formatter is registered under the name ${name}`);
    }
    return formatter;
  }

  /**
   * Registers how values of the Python type `typeName` (a storage class's `pytype`) are
   * written and read back (see {@link TypeCodec}); replaces an earlier codec of the type.
   */
  registerCodec(typeName: string, codec: TypeCodec): this {
    this.#codecs.set(typeName, codec);
    return this;
  }

  /** The codec of the Python type `typeName`, or `undefined`. */
  codec(typeName: string): TypeCodec | undefined {
    return this.#codecs.get(typeName);
  }

  /** The registered names. */
  names(): string[] {
    return [...this.#formatters.keys()];
  }
}
