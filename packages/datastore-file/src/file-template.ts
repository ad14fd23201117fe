import { posix } from 'node:path';
import type { DataIdValue, DatasetRef, DimensionUniverse } from '@butler-ts/core';
import { DimensionRecordError, FileTemplateError } from './errors.ts';
import { LookupTable } from './lookup-table.ts';
import type { LookupEntity } from './lookup-table.ts';

/** A dimension record as a template reads it: field name → value (`{full_name: 'R11_S01'}`). */
export type DimensionRecord = Readonly<Record<string, unknown>>;

/**
 * Where the template's `element.field` values come from: daf_butler reads them from the
 * dimension records of an expanded data ID (`detector.full_name`, `visit.day_obs`). Return
 * (or resolve to) the record of `element` for the data ID of `ref`, or `null`/`undefined`
 * when there is none (which is an error when a template needs it). Give one to
 * `FileDatastore` as its `dimensionRecords` option, e.g. a lookup in the registry's dimension
 * tables.
 */
export type DimensionRecordSource = (
  element: string,
  ref: DatasetRef,
) => DimensionRecord | null | undefined | PromiseLike<DimensionRecord | null | undefined>;

/**
 * The records {@link FileTemplate.format} reads: element → record (as
 * {@link FileTemplate.fetchRecords} gives them), or a function that returns them at once.
 */
export type TemplateRecords =
  | ReadonlyMap<string, DimensionRecord | null | undefined>
  | ((element: string, ref: DatasetRef) => DimensionRecord | null | undefined);

/** A field of a template that reads a dimension record, for one dataset. */
export interface RecordField {
  /** The field as written, e.g. `detector.full_name`. */
  readonly field: string;
  /** The dimension element whose record it reads, e.g. `detector`. */
  readonly element: string;
  /** Whether the field is optional (`:?`). */
  readonly optional: boolean;
}

interface Field {
  readonly literal: string;
  readonly name: string | null;
  readonly spec: string;
}

// Python's string.Formatter().parse(): literal text (with {{ and }} unescaped), then a field.
function parseTemplate(template: string): Field[] {
  const parts: Field[] = [];
  let literal = '';
  for (let i = 0; i < template.length;) {
    const ch = template[i]!;
    if (ch === '{' && template[i + 1] === '{') {
      literal += '{';
      i += 2;
    } else if (ch === '}' && template[i + 1] === '}') {
      literal += '}';
      i += 2;
    } else if (ch === '}') {
      throw new FileTemplateError(`Single '}' encountered in file template ${template}`);
    } else if (ch === '{') {
      const close = template.indexOf('}', i);
      if (close < 0) throw new FileTemplateError(`Unclosed field in file template ${template}`);
      const body = template.slice(i + 1, close);
      if (body.includes('{')) {
        throw new FileTemplateError(`Nested fields are not supported in file template ${template}`);
      }
      const colon = body.indexOf(':');
      const name = colon < 0 ? body : body.slice(0, colon);
      if (name === '' || name.includes('!')) {
        throw new FileTemplateError(
          `Field {${body}} of file template ${template} needs a name and no conversion`,
        );
      }
      parts.push({ literal, name, spec: colon < 0 ? '' : body.slice(colon + 1) });
      literal = '';
      i = close + 1;
    } else {
      literal += ch;
      i++;
    }
  }
  if (literal !== '') parts.push({ literal, name: null, spec: '' });
  return parts;
}

// Python's format(value, spec) for the specs templates use: [[fill]align][0][width][type]
// with type d or s (or none).
// Python's str() of a template value.
function pyStr(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? '';
}

function pyFormat(value: unknown, spec: string, template: string): string {
  const text = pyStr(value);
  if (spec === '') return text;
  const match = /^(?:(.)?([<>^=]))?(0)?(\d+)?([ds])?$/su.exec(spec);
  if (match === null) {
    throw new FileTemplateError(`Unsupported format spec ${JSON.stringify(spec)} in ${template}`);
  }
  const [, fill, align, zero, widthText, type] = match;
  if (type === 'd' && typeof value !== 'number' && typeof value !== 'bigint') {
    throw new FileTemplateError(
      `Format spec ${JSON.stringify(spec)} needs an integer, got ${JSON.stringify(value)} in ${template}`,
    );
  }
  const width = widthText === undefined ? 0 : Number(widthText);
  if (text.length >= width) return text;
  const isNumber = typeof value === 'number' || typeof value === 'bigint';
  const pad = fill ?? (zero !== undefined && align === undefined ? '0' : ' ');
  const how = align ?? (zero !== undefined ? '=' : isNumber ? '>' : '<');
  const missing = width - text.length;
  switch (how) {
    case '<':
      return text + pad.repeat(missing);
    case '>':
      return pad.repeat(missing) + text;
    case '^':
      return (
        pad.repeat(Math.floor(missing / 2)) + text + pad.repeat(missing - Math.floor(missing / 2))
      );
    default: {
      const sign = text.startsWith('-') ? '-' : '';
      return sign + pad.repeat(missing) + text.slice(sign.length);
    }
  }
}

/**
 * A daf_butler file template: the path of a dataset relative to the datastore root, rendered
 * from the ref exactly as daf_butler's `FileTemplate.format` does.
 *
 * Fields are dimension names (values of the full data ID), `datasetType`, `component`, `run`
 * and `id`, and `element.field` values from dimension records. `field:?` is optional: when it
 * has no value it disappears with the literal text before it, unless that text holds a `/`.
 * `a|b.c|d` takes the first alternative that has a value. `/` in values becomes `_` unless
 * the spec holds `/` (`{run:/}`), spaces become `_`, and in the file name (after the last `/`)
 * `.` becomes `_` and `#` `HASH`. The result is normalized and never absolute.
 *
 * @example
 * ```ts
 * new FileTemplate('{run:/}/{datasetType}.{component:?}/{datasetType}_{visit:?}_{run}').format(ref);
 * // 'interop/run1/metric/metric_42_interop_run1'
 * ```
 */
export class FileTemplate {
  /** The template text. */
  readonly template: string;
  readonly #parts: readonly Field[];

  /** @throws {@link FileTemplateError} for a template without fields or with bad syntax. */
  constructor(template: string) {
    if (typeof template !== 'string' || !template.includes('{')) {
      throw new FileTemplateError(
        `A file template must be a string with at least one field, got ${JSON.stringify(template)}`,
      );
    }
    this.template = template;
    this.#parts = Object.freeze(parseTemplate(template));
  }

  /**
   * The field names used (alternatives split, `?` and specs removed), in order.
   *
   * @param options `optionals` includes optional fields (default true); `specials` includes
   *   `datasetType`, `component`, `run` and `id` (default true).
   */
  fields(options: { readonly optionals?: boolean; readonly specials?: boolean } = {}): string[] {
    const optionals = options.optionals ?? true;
    const specials = options.specials ?? true;
    const names: string[] = [];
    for (const part of this.#parts) {
      if (part.name === null) continue;
      if (!optionals && part.spec.includes('?')) continue;
      for (const name of part.name.split('|')) {
        if (!specials && ['datasetType', 'component', 'run', 'id'].includes(name)) continue;
        if (!names.includes(name)) names.push(name);
      }
    }
    return names;
  }

  // The values of the dimensions of the ref's data ID and of the special fields.
  static #fields(ref: DatasetRef): Map<string, unknown> {
    const fields = new Map<string, unknown>();
    const dataId = ref.dataId;
    for (const name of ref.datasetType.dimensions.names) {
      const value: DataIdValue | undefined = dataId.get(name);
      if (value !== undefined && value !== null) fields.set(name, value);
    }
    const [datasetTypeName, component] = ref.datasetType.nameAndComponent();
    fields.set('datasetType', datasetTypeName);
    if (component !== null) fields.set('component', component);
    fields.set('run', ref.run);
    fields.set('id', ref.id);
    return fields;
  }

  // daf_butler's choice among `a|b.c|d`: the first alternative whose dimension (the part
  // before the dot) has a value, else the first (whose absence is then handled as usual).
  static #choose(name: string, fields: ReadonlyMap<string, unknown>): string {
    if (!name.includes('|')) return name;
    const alternatives = name.split('|');
    return alternatives.find((alt) => fields.has(alt.split('.')[0]!)) ?? alternatives[0]!;
  }

  // The element of a record field whose dimension has a value in the data ID, else null.
  static #recordElement(name: string, fields: ReadonlyMap<string, unknown>, ref: DatasetRef) {
    const dot = name.indexOf('.');
    if (dot < 0) return null;
    const element = name.slice(0, dot);
    return fields.has(element) && ref.datasetType.dimensions.names.includes(element)
      ? element
      : null;
  }

  /**
   * The fields of this template that read a dimension record when `ref` is rendered (after
   * choosing among `|` alternatives as daf_butler does), in template order.
   */
  recordFields(ref: DatasetRef): RecordField[] {
    const fields = FileTemplate.#fields(ref);
    const result: RecordField[] = [];
    for (const part of this.#parts) {
      if (part.name === null) continue;
      const field = FileTemplate.#choose(part.name, fields);
      const element = FileTemplate.#recordElement(field, fields, ref);
      if (element !== null) result.push({ field, element, optional: part.spec.includes('?') });
    }
    return result;
  }

  /**
   * The records this template reads for `ref`, fetched from `source` (one call per element).
   * Pass the result to {@link FileTemplate.format}.
   */
  async fetchRecords(
    ref: DatasetRef,
    source: DimensionRecordSource,
  ): Promise<Map<string, DimensionRecord | null>> {
    const records = new Map<string, DimensionRecord | null>();
    for (const { element } of this.recordFields(ref)) {
      if (!records.has(element)) records.set(element, (await source(element, ref)) ?? null);
    }
    return records;
  }

  /**
   * The path of `ref` (POSIX separators, relative, without an extension).
   *
   * Record fields (`element.field`) follow daf_butler: when the element is a dimension of the
   * data ID its record must be available, optional field or not; a record without that field
   * leaves the field without a value (dropped if optional); a field whose value is null
   * renders as Python does (`None`). Without any `records`, an optional record field is
   * dropped and a required one is refused.
   *
   * @param records the dimension records of the ref's data ID, for `element.field` fields.
   * @throws {@link DimensionRecordError} when a record field needs a record that is not
   *   available (naming the field and the data ID).
   * @throws {@link FileTemplateError} when a required field has no value, or the ref is a
   *   component and the template does not use `component`.
   */
  format(ref: DatasetRef, records: TemplateRecords | null = null): string {
    const fields = FileTemplate.#fields(ref);
    const component = ref.datasetType.component();
    const recordOf = (element: string): DimensionRecord | null | undefined => {
      if (records === null) return undefined;
      const record = typeof records === 'function' ? records(element, ref) : records.get(element);
      if (
        typeof (record as Partial<PromiseLike<unknown>> | null | undefined)?.then === 'function'
      ) {
        throw new FileTemplateError(
          `The dimension record source of template ${this.template} is asynchronous: pass the records of fetchRecords() instead`,
        );
      }
      return record;
    };
    const missingRecord = (field: string, element: string, why: string): DimensionRecordError =>
      new DimensionRecordError(
        `File template field '${field}' of ${this.template} needs the ${element} record of data ID ${ref.dataId.toString()} (${ref.toString()}), but ${why}`,
        { field, element, dataId: ref.dataId.toString(), template: this.template },
      );

    let usedComponent = false;
    let output = '';
    for (const part of this.#parts) {
      let literal = part.literal;
      if (part.name === null) {
        output += literal;
        continue;
      }
      const name = FileTemplate.#choose(part.name, fields);
      if (name === 'component') usedComponent = true;
      let spec = part.spec;
      const optional = spec.includes('?');
      spec = spec.replaceAll('?', '');
      let value: unknown;
      let found = false;
      const element = FileTemplate.#recordElement(name, fields, ref);
      if (element !== null) {
        const record = recordOf(element);
        if (record === null || record === undefined) {
          if (records === null) {
            if (!optional) {
              throw missingRecord(
                name,
                element,
                'the datastore has no dimension record source (its dimensionRecords option)',
              );
            }
          } else {
            throw missingRecord(name, element, 'the record source has none');
          }
        } else {
          const secondary = name.slice(element.length + 1);
          if (Object.hasOwn(record, secondary)) {
            value = record[secondary];
            found = true;
          }
        }
      } else if (!name.includes('.') && fields.has(name)) {
        value = fields.get(name);
        found = true;
      }
      if (!found) {
        if (!optional) {
          throw new FileTemplateError(
            `'${name}' requested in template ${this.template} but not defined and not optional for ${ref.toString()}`,
          );
        }
        spec = '';
        value = '';
        if (!literal.includes('/')) literal = '';
      }
      let replaceSlash = true;
      if (spec.includes('/')) {
        spec = spec.replaceAll('/', '');
        replaceSlash = false;
      }
      if (typeof value === 'string') {
        value = value.replaceAll(' ', '_');
        if (replaceSlash) value = (value as string).replaceAll('/', '_');
      }
      output += literal + pyFormat(value, spec, this.template);
    }
    const slash = output.lastIndexOf('/');
    const head = slash < 0 ? '' : output.slice(0, slash);
    const tail = output
      .slice(slash + 1)
      .replaceAll('.', '_')
      .replaceAll('#', 'HASH');
    output = head === '' ? tail : `${head}/${tail}`;
    if (component !== null && !usedComponent) {
      throw new FileTemplateError(
        `Component '${component}' specified but template ${this.template} did not use it`,
      );
    }
    let path = posix.normalize(output);
    path = path.replace(/^\/+/, '').replace(/\/+$/, '');
    return path === '' ? '.' : path;
  }

  /**
   * Checks that the template can name the datasets of `entity` uniquely: it must use `run`
   * or `id`, and every required dimension of the entity (unless it uses `id`).
   *
   * @throws {@link FileTemplateError} naming what is missing.
   */
  validateTemplate(
    entity: { readonly dimensions?: { readonly required: readonly string[] } } | null = null,
  ): void {
    const all = this.fields({ optionals: true, specials: true });
    if (!all.includes('run') && !all.includes('id')) {
      throw new FileTemplateError(`Template '${this.template}' does not include run or id.`);
    }
    if (entity?.dimensions === undefined || all.includes('id')) return;
    const used = new Set(all.map((name) => name.split('.')[0]!));
    const missing = entity.dimensions.required.filter((name) => !used.has(name));
    if (missing.length > 0) {
      throw new FileTemplateError(
        `Template '${this.template}' is missing required dimensions ${missing.join(', ')}`,
      );
    }
  }

  /** The template text. */
  toString(): string {
    return this.template;
  }
}

/**
 * The `templates` section of a FileDatastore configuration: a template per dataset type,
 * storage class or dimensions (`instrument<X>` sections allowed), and the `default` one
 * (daf_butler's `FileTemplates`).
 */
export class FileTemplates {
  /** The default template, or `null` when the configuration has none. */
  readonly default: FileTemplate | null;
  readonly #table: LookupTable<FileTemplate>;

  /** @throws {@link FileTemplateError} for a malformed template. */
  constructor(config: unknown, universe: DimensionUniverse | null = null) {
    const mapping = (config ?? {}) as Readonly<Record<string, unknown>>;
    const defaultText =
      typeof config === 'object' && config !== null ? mapping['default'] : undefined;
    this.default = typeof defaultText === 'string' ? new FileTemplate(defaultText) : null;
    this.#table = new LookupTable(config ?? null, {
      section: 'templates',
      exclude: ['default'],
      universe,
      convert: (value, key) => {
        if (typeof value !== 'string') {
          throw new FileTemplateError(
            `Template ${key} must be a string, got ${JSON.stringify(value)}`,
          );
        }
        return new FileTemplate(value);
      },
    });
  }

  /** Every template with its key (`default` for the default). */
  entries(): [string, FileTemplate][] {
    const result: [string, FileTemplate][] = this.#table
      .keys()
      .map((key) => [key.toString(), this.#table.get(key)!]);
    if (this.default !== null) result.push(['default', this.default]);
    return result;
  }

  /**
   * The template for `entity`: the entry of its most specific lookup key, else the default.
   *
   * @throws {@link FileTemplateError} when there is neither.
   */
  getTemplate(entity: LookupEntity): FileTemplate {
    const found = this.#table.lookup(entity);
    if (found !== null) return found.value;
    if (this.default !== null) return this.default;
    throw new FileTemplateError(`No file template for ${String(entity)} and no default template`);
  }
}
