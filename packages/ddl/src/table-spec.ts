import { textProblem } from './column-types.ts';
import { InvalidIdentifierError, SchemaValidationError } from './errors.ts';
import { fieldSpec } from './field-spec.ts';
import type { FieldSpec, FieldSpecInit, FieldSpecOf } from './field-spec.ts';
import { foreignKeySpec, foreignKeySpecsEqual } from './foreign-key-spec.ts';
import type { ForeignKeySpec, ForeignKeySpecInit } from './foreign-key-spec.ts';
import { indexSpec, indexSpecsEqual, isList, sameList } from './index-spec.ts';
import type { IndexSpec } from './index-spec.ts';
import { caseVariantOf, validateIdentifier } from './identifier.ts';

/** A list of column names that together form a constraint. */
export type ColumnTuple = readonly string[];

/** The options of a table, as written in code or config. */
export interface TableSpecInit<F extends readonly FieldSpecInit[] = readonly FieldSpecInit[]> {
  /** The columns, in order. Names must be unique. */
  readonly fields: F;
  /** Unique constraints other than the primary key. */
  readonly unique?: readonly ColumnTuple[];
  /** Indexes, as specs or plain column lists. */
  readonly indexes?: readonly (IndexSpec | ColumnTuple)[];
  /** Foreign keys from this table; their source columns must be fields. Kept in order. */
  readonly foreignKeys?: readonly ForeignKeySpecInit[];
  /**
   * Exclusion constraints (PostgreSQL only). Timespan columns are not yet in scope, so
   * every DDL emitter refuses a non-empty list for now.
   */
  readonly exclusion?: readonly ColumnTuple[];
  /** When false, SQLite never reuses autoincrement ids (`AUTOINCREMENT`). Default true. */
  readonly recycleIds?: boolean;
  /** Table comment. */
  readonly doc?: string | null;
}

/** The frozen field specs that {@link tableSpec} makes from the inits `F`. */
export type FieldSpecsOf<F extends readonly FieldSpecInit[]> = {
  readonly [K in keyof F]: F[K] extends FieldSpecInit ? FieldSpecOf<F[K]> : never;
};

/**
 * A table's engine-neutral definition: validated, frozen, with the field types kept so that
 * `RowOf<typeof spec>` gives its rows.
 */
export interface TableSpec<F extends readonly FieldSpec[] = readonly FieldSpec[]> {
  /** The columns, in order; names are unique and at most one is autoincrement. */
  readonly fields: F;
  /** Unique constraints other than the primary key, duplicates removed. */
  readonly unique: readonly ColumnTuple[];
  /** Non-unique indexes, plain column lists turned into specs, duplicates removed. */
  readonly indexes: readonly IndexSpec[];
  /** Foreign keys, in declaration order (duplicates kept). */
  readonly foreignKeys: readonly ForeignKeySpec[];
  /**
   * Exclusion constraints (PostgreSQL only); every DDL emitter currently refuses a non-empty list.
   */
  readonly exclusion: readonly ColumnTuple[];
  /** When false, SQLite never reuses autoincrement ids (`AUTOINCREMENT`); default true. */
  readonly recycleIds: boolean;
  /** Table comment; `null` for none. */
  readonly doc: string | null;
}

const TABLE_OPTIONS: ReadonlySet<string> = new Set([
  'fields',
  'unique',
  'indexes',
  'foreignKeys',
  'exclusion',
  'recycleIds',
  'doc',
]);

function dedupe<T>(items: readonly T[], equal: (a: T, b: T) => boolean): T[] {
  const kept: T[] = [];
  for (const item of items) if (!kept.some((k) => equal(k, item))) kept.push(item);
  return kept;
}

function checkColumns(names: ReadonlySet<string>, given: unknown, what: string): ColumnTuple {
  if (!isList(given) || given.length === 0) {
    throw new SchemaValidationError(`A ${what} needs at least one column`);
  }
  const columns = given.map((column) => validateIdentifier(column, `${what} column`));
  for (const column of columns) {
    if (!names.has(column)) {
      throw new SchemaValidationError(
        `The ${what} (${columns.join(', ')}) names ${JSON.stringify(column)}, which is not a field`,
      );
    }
  }
  if (new Set(columns).size !== columns.length) {
    throw new SchemaValidationError(`The ${what} (${columns.join(', ')}) repeats a column`);
  }
  return Object.freeze([...columns]);
}

function build<F extends readonly FieldSpec[]>(
  fields: F,
  init: Omit<TableSpecInit, 'fields'>,
): TableSpec<F> {
  if (fields.length === 0) throw new SchemaValidationError('A table needs at least one field');
  const names = new Set<string>();
  for (const field of fields) {
    if (names.has(field.name)) {
      throw new SchemaValidationError(
        `Duplicate field ${JSON.stringify(field.name)} in table spec`,
      );
    }
    const variant = caseVariantOf(field.name, names);
    if (variant !== undefined) {
      throw new InvalidIdentifierError(
        field.name,
        'column',
        `differs only in case from column ${JSON.stringify(variant)}; column names must be unique regardless of case (SQLite folds case)`,
      );
    }
    names.add(field.name);
  }
  const auto = fields.filter((f) => f.autoincrement);
  if (auto.length > 1) {
    throw new SchemaValidationError(
      `Only one autoincrement field per table, got ${auto.map((f) => f.name).join(', ')}`,
    );
  }
  const unique = dedupe(
    (init.unique ?? []).map((u) => checkColumns(names, u, 'unique constraint')),
    sameList,
  );
  const indexes = dedupe(
    (init.indexes ?? []).map((i) => {
      const spec = Array.isArray(i)
        ? indexSpec(i as ColumnTuple)
        : indexSpec((i as IndexSpec).columns, (i as IndexSpec).kwargs);
      checkColumns(names, spec.columns, 'index');
      return spec;
    }),
    indexSpecsEqual,
  );
  const foreignKeys = (init.foreignKeys ?? []).map((fk) => {
    const spec = foreignKeySpec(fk);
    checkColumns(names, spec.source, `foreign key to ${spec.table}`);
    return spec;
  });
  const exclusion = dedupe(
    (init.exclusion ?? []).map((e) => checkColumns(names, e, 'exclusion constraint')),
    sameList,
  );
  if (init.recycleIds !== undefined && typeof init.recycleIds !== 'boolean') {
    throw new SchemaValidationError('recycleIds must be a boolean');
  }
  const doc = init.doc ?? null;
  if (doc !== null && typeof doc !== 'string')
    throw new SchemaValidationError('doc must be a string');
  const docProblem = doc === null ? null : textProblem(doc);
  if (docProblem !== null) throw new SchemaValidationError(`The table doc ${docProblem}`);
  return Object.freeze({
    fields: Object.freeze([...fields]) as unknown as F,
    unique: Object.freeze(unique),
    indexes: Object.freeze(indexes),
    foreignKeys: Object.freeze(foreignKeys),
    exclusion: Object.freeze(exclusion),
    recycleIds: init.recycleIds ?? true,
    doc,
  });
}

/**
 * Makes a validated, frozen table spec from plain objects. Declare the argument inline (or
 * `as const`) and `RowOf<typeof spec>` is the row type.
 *
 * @throws {@link SchemaValidationError} for a bad field (see `fieldSpec`), duplicate field
 *   names, two field names that differ only in case ({@link InvalidIdentifierError}: SQLite
 *   would fold them into one column), more than one autoincrement field, or a constraint, index or foreign key naming a
 *   column that is not a field.
 * @example
 * ```ts
 * const spec = tableSpec({
 *   fields: [
 *     { name: 'dataset_id', dtype: 'uuid', primaryKey: true },
 *     { name: 'path', dtype: 'string', length: 256, nullable: false },
 *     { name: 'size', dtype: 'bigint' },
 *   ],
 * });
 * type Row = RowOf<typeof spec>; // { dataset_id: string; path: string; size?: number | null }
 * ```
 */
export function tableSpec<const F extends readonly FieldSpecInit[]>(
  init: TableSpecInit<F>,
): TableSpec<FieldSpecsOf<F>> {
  if (typeof init !== 'object' || init === null || !Array.isArray(init.fields)) {
    throw new SchemaValidationError('A table spec needs a `fields` array');
  }
  for (const key of Object.keys(init)) {
    if (!TABLE_OPTIONS.has(key))
      throw new SchemaValidationError(`Unknown table spec option ${JSON.stringify(key)}`);
  }
  const fields = init.fields.map((f) => fieldSpec(f)) as unknown as FieldSpecsOf<F>;
  return build(fields, init);
}

/** The field named `name`, or `undefined`. */
export function getField(spec: TableSpec, name: string): FieldSpec | undefined {
  return spec.fields.find((f) => f.name === name);
}

/** The primary-key column names, in field order. */
export function primaryKeyColumns(spec: TableSpec): readonly string[] {
  return spec.fields.filter((f) => f.primaryKey).map((f) => f.name);
}

/**
 * A new spec with `field` added; a field of the same name is replaced in its position (the
 * fields behave as a set keyed by name, as daf_butler's `NamedValueSet`).
 *
 * @throws {@link SchemaValidationError} when the result is invalid.
 */
export function withField(spec: TableSpec, field: FieldSpecInit): TableSpec {
  const added = fieldSpec(field);
  const index = spec.fields.findIndex((f) => f.name === added.name);
  const fields =
    index < 0 ? [...spec.fields, added] : spec.fields.map((f, i) => (i === index ? added : f));
  return build(fields, spec);
}

/** A new spec with one more foreign key. @throws {@link SchemaValidationError} when invalid. */
export function withForeignKey(spec: TableSpec, foreignKey: ForeignKeySpecInit): TableSpec {
  return build(spec.fields, { ...spec, foreignKeys: [...spec.foreignKeys, foreignKey] });
}

function sameSet<T>(a: readonly T[], b: readonly T[], equal: (x: T, y: T) => boolean): boolean {
  return a.length === b.length && a.every((x) => b.some((y) => equal(x, y)));
}

/**
 * daf_butler's equality: the same field names (in any order; field details ignored), the
 * same unique constraints, indexes and exclusion constraints (as sets), the same foreign keys
 * (in order), and equal `recycleIds` and `doc`.
 */
export function tableSpecsEqual(a: TableSpec, b: TableSpec): boolean {
  const names = (s: TableSpec) => s.fields.map((f) => f.name);
  return (
    sameSet(names(a), names(b), (x, y) => x === y) &&
    sameSet(a.unique, b.unique, sameList) &&
    sameSet(a.indexes, b.indexes, indexSpecsEqual) &&
    a.foreignKeys.length === b.foreignKeys.length &&
    a.foreignKeys.every((fk, i) => foreignKeySpecsEqual(fk, b.foreignKeys[i]!)) &&
    sameSet(a.exclusion, b.exclusion, sameList) &&
    a.recycleIds === b.recycleIds &&
    a.doc === b.doc
  );
}
