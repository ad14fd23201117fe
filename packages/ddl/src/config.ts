import type { ColumnType } from './column-types.ts';
import { SchemaValidationError } from './errors.ts';
import { fieldSpec } from './field-spec.ts';
import type { FieldSpec, FieldSpecInit } from './field-spec.ts';
import type { ForeignKeySpecInit, OnDelete } from './foreign-key-spec.ts';
import { tableSpec } from './table-spec.ts';
import type { TableSpec } from './table-spec.ts';

/**
 * The `type` words of daf_butler configuration files and the column types they mean.
 * (`region` is out of scope: butler-ts has no sky-region type yet.)
 */
export const CONFIG_COLUMN_TYPES: Readonly<Record<string, ColumnType>> = Object.freeze({
  string: 'string',
  int: 'bigint',
  float: 'float',
  bool: 'boolean',
  blob: 'binary',
  datetime: 'timeNsecTai',
  hash: 'base64Bytes',
  uuid: 'uuid',
});

type Config = Readonly<Record<string, unknown>>;

function asConfig(config: unknown, what: string): Config {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new SchemaValidationError(
      `A ${what} config must be a mapping, got ${JSON.stringify(config)}`,
    );
  }
  return config as Config;
}

function required(config: Config, key: string, what: string): unknown {
  if (config[key] === undefined) {
    throw new SchemaValidationError(
      `Missing key '${key}' in ${what} config '${JSON.stringify(config)}'.`,
    );
  }
  return config[key];
}

function onlyKeys(config: Config, keys: readonly string[], what: string): void {
  for (const key of Object.keys(config)) {
    if (!keys.includes(key)) {
      throw new SchemaValidationError(
        `Unexpected key '${key}' in ${what} config '${JSON.stringify(config)}'.`,
      );
    }
  }
}

function stringList(value: unknown, key: string, what: string): readonly string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  throw new SchemaValidationError(
    `'${key}' in ${what} config must be a string or a list of strings`,
  );
}

function optionalString(value: unknown, key: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string')
    throw new SchemaValidationError(`'${key}' must be a string, got ${JSON.stringify(value)}`);
  return value.trim();
}

/**
 * A field spec from a daf_butler-style config mapping: `name`, `type` (a word of
 * {@link CONFIG_COLUMN_TYPES}) and optionally `length`, `nbytes`, `primaryKey`,
 * `autoincrement`, `nullable` and `doc` (whitespace-stripped). `defaults` fill what the
 * config leaves out. A primary key is never nullable (Python honours `nullable: true` here;
 * butler-ts keeps the rule of `fieldSpec`).
 *
 * @throws {@link SchemaValidationError} for a missing key (named in the message), an unknown
 *   type word, a name that is not all lowercase, both `length` and `nbytes`, or an unknown key.
 */
export function fieldSpecFromConfig(
  config: unknown,
  defaults: Partial<FieldSpecInit> = {},
): FieldSpec {
  const c = asConfig(config, 'column');
  const name = required(c, 'name', 'column');
  const type = required(c, 'type', 'column');
  onlyKeys(
    c,
    ['name', 'type', 'length', 'nbytes', 'primaryKey', 'autoincrement', 'nullable', 'doc'],
    'column',
  );
  if (typeof type !== 'string' || !Object.hasOwn(CONFIG_COLUMN_TYPES, type)) {
    throw new SchemaValidationError(`Invalid field type string: ${JSON.stringify(type)}.`);
  }
  // Python's str.islower(): at least one cased letter and no upper-case one.
  if (typeof name !== 'string' || !/[a-z]/.test(name) || /[A-Z]/.test(name)) {
    throw new SchemaValidationError(`Column name ${JSON.stringify(name)} is not all lowercase.`);
  }
  const length = c['length'] ?? defaults.length ?? null;
  const nbytes = c['nbytes'] ?? defaults.nbytes ?? null;
  if (length !== null && nbytes !== null) {
    throw new SchemaValidationError(
      `Both length and nbytes provided for field ${JSON.stringify(name)}.`,
    );
  }
  const init: Record<string, unknown> = {
    ...defaults,
    name,
    dtype: CONFIG_COLUMN_TYPES[type],
    length,
    nbytes,
  };
  for (const key of ['primaryKey', 'autoincrement', 'nullable'] as const) {
    if (c[key] !== undefined) init[key] = c[key];
  }
  const doc = optionalString(c['doc'], 'doc');
  if (doc !== null) init['doc'] = doc;
  return fieldSpec(init as unknown as FieldSpecInit);
}

/**
 * A foreign-key spec from a config mapping: `table`, `source` and `target` (a name or a list)
 * and optional `onDelete`.
 *
 * @throws {@link SchemaValidationError} for a missing or unexpected key or a bad value.
 */
export function foreignKeySpecFromConfig(config: unknown): ForeignKeySpecInit {
  const c = asConfig(config, 'foreign key');
  const table = required(c, 'table', 'foreign key');
  const source = stringList(required(c, 'source', 'foreign key'), 'source', 'foreign key');
  const target = stringList(required(c, 'target', 'foreign key'), 'target', 'foreign key');
  onlyKeys(c, ['table', 'source', 'target', 'onDelete'], 'foreign key');
  if (typeof table !== 'string')
    throw new SchemaValidationError(`'table' in foreign key config must be a string`);
  return { table, source, target, onDelete: (c['onDelete'] ?? null) as OnDelete };
}

/**
 * A table spec from a config mapping: `columns` (required; see {@link fieldSpecFromConfig}),
 * optional `unique` (a list of column lists), `foreignKeys` and `doc`.
 *
 * @throws {@link SchemaValidationError} for a missing `columns` key or anything invalid inside.
 */
export function tableSpecFromConfig(config: unknown): TableSpec {
  const c = asConfig(config, 'table');
  const columns = required(c, 'columns', 'table');
  onlyKeys(c, ['columns', 'unique', 'foreignKeys', 'doc'], 'table');
  if (!Array.isArray(columns))
    throw new SchemaValidationError(`'columns' in table config must be a list`);
  const unique = c['unique'] ?? [];
  if (!Array.isArray(unique))
    throw new SchemaValidationError(`'unique' in table config must be a list of column lists`);
  const foreignKeys = c['foreignKeys'] ?? [];
  if (!Array.isArray(foreignKeys))
    throw new SchemaValidationError(`'foreignKeys' in table config must be a list`);
  return tableSpec({
    fields: columns.map((column) => fieldSpecFromConfig(column)),
    unique: unique.map((u) => stringList(u, 'unique', 'table')),
    foreignKeys: foreignKeys.map(foreignKeySpecFromConfig),
    doc: optionalString(c['doc'], 'doc'),
  });
}
