// TableSpec → PostgreSQL DDL (and → drizzle pgTable, which drizzle-kit turns into DDL for the
// tests to compare with ours).
import { isStringType, primaryKeyColumns } from '@butler-ts/ddl';
import type { FieldSpec, NameShrinker, TableSpec } from '@butler-ts/ddl';
import { NotSupportedError } from '@butler-ts/registry-interfaces';
import {
  bigint,
  boolean,
  customType,
  doublePrecision,
  foreignKey,
  index,
  integer,
  pgSchema,
  primaryKey,
  smallint,
  text,
  timestamp,
  unique,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import type { PgColumnBuilderBase, PgTableWithColumns } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import {
  constraintNames,
  drizzleExtras,
  quoteIdentifier,
  quoteLiteral,
  sqlColumnType,
} from '../ddl-names.ts';
import type { DialectTypes, DrizzleConstraintBuilders } from '../ddl-names.ts';

const PG_TYPES: DialectTypes = {
  float: 'DOUBLE PRECISION',
  binary: 'BYTEA',
  uuid: 'UUID',
  timestamp: 'TIMESTAMP WITHOUT TIME ZONE',
};

/** Double-quotes an identifier (identifiers are validated before this). */
export const pgQuote = quoteIdentifier;

/** The PostgreSQL column type of a field: a `range` field is daf_butler's INT8RANGE of TAI ns. */
export function pgType(field: FieldSpec): string {
  return field.range === true ? 'INT8RANGE' : sqlColumnType(field, PG_TYPES);
}

/**
 * The statements creating `tables` in `schema`: every CREATE TABLE first, then foreign keys
 * (so tables may reference each other in any order), indexes and comments. Generated names go
 * through `shrinker` (PostgreSQL keeps 63 characters).
 *
 * @throws `NotSupportedError` for exclusion constraints (daf_butler uses them only in the
 *   tags tables of CALIBRATION collections, which butler-ts does not make yet).
 */
export function pgCreateTables(
  schema: string,
  tables: readonly { name: string; spec: TableSpec }[],
  shrinker: NameShrinker,
): string[] {
  const creates: string[] = [];
  const after: string[] = [];
  const shrink = (n: string) => shrinker.shrink(n);
  for (const { name, spec } of tables) {
    if (spec.exclusion.length > 0)
      throw new NotSupportedError(
        `Table ${name}: exclusion constraints (CALIBRATION collections) are not supported yet`,
      );
    const qualified = `${pgQuote(schema)}.${pgQuote(name)}`;
    const names = constraintNames(name, spec, shrink);
    const lines = spec.fields.map((field) => {
      let line = `${pgQuote(field.name)} ${pgType(field)}`;
      if (field.autoincrement) {
        // daf_butler (SQLAlchemy) keys an autoincrement column with a sequence of its own,
        // `<table>_seq_<column>`, and calls nextval() in its INSERTs; the default lets ours
        // omit the column and share that counter.
        const sequence = `${pgQuote(schema)}.${pgQuote(names.sequence(field.name))}`;
        creates.push(`CREATE SEQUENCE ${sequence}`);
        line += ` DEFAULT nextval(${quoteLiteral(sequence)}::regclass)`;
      }
      if (!field.nullable) line += ' NOT NULL';
      if (field.default !== null) line += ` DEFAULT ${String(field.default)}`;
      return line;
    });
    const pk = primaryKeyColumns(spec);
    if (pk.length > 0) lines.push(`PRIMARY KEY (${pk.map(pgQuote).join(', ')})`);
    for (const u of spec.unique)
      lines.push(`CONSTRAINT ${pgQuote(names.unique(u))} UNIQUE (${u.map(pgQuote).join(', ')})`);
    creates.push(`CREATE TABLE ${qualified} (\n  ${lines.join(',\n  ')}\n)`);
    for (const fk of spec.foreignKeys) {
      const onDelete = fk.onDelete === null ? '' : ` ON DELETE ${fk.onDelete}`;
      after.push(
        `ALTER TABLE ${qualified} ADD CONSTRAINT ${pgQuote(names.foreignKey(fk))} FOREIGN KEY (${fk.source.map(pgQuote).join(', ')}) REFERENCES ${pgQuote(schema)}.${pgQuote(fk.table)} (${fk.target.map(pgQuote).join(', ')})${onDelete}`,
      );
    }
    for (const { indexName, columns } of names.indexes()) {
      after.push(
        `CREATE INDEX ${pgQuote(indexName)} ON ${qualified} (${columns.map(pgQuote).join(', ')})`,
      );
    }
    if (spec.doc !== null) after.push(`COMMENT ON TABLE ${qualified} IS ${quoteLiteral(spec.doc)}`);
    for (const field of spec.fields) {
      if (field.doc !== null)
        after.push(
          `COMMENT ON COLUMN ${qualified}.${pgQuote(field.name)} IS ${quoteLiteral(field.doc)}`,
        );
    }
  }
  return [...creates, ...after];
}

/**
 * The qualified name of daf_butler's sequence of autoincrement column `column` of `table`
 * (`<table>_seq_<column>`, shortened like other generated names), for explicit nextval() calls.
 */
export function pgSequenceName(
  schema: string,
  table: string,
  column: string,
  shrinker: NameShrinker,
): string {
  return `${pgQuote(schema)}.${pgQuote(shrinker.shrink(`${table}_seq_${column}`))}`;
}

/** A temporary table: dropped when the transaction commits; no keys besides the primary key. */
export function pgCreateTemporaryTable(name: string, spec: TableSpec): string {
  const lines = spec.fields.map(
    (f) =>
      `${pgQuote(f.name)} ${pgType(f)}${f.autoincrement ? ' GENERATED BY DEFAULT AS IDENTITY' : ''}${f.nullable ? '' : ' NOT NULL'}`,
  );
  const pk = primaryKeyColumns(spec);
  if (pk.length > 0) lines.push(`PRIMARY KEY (${pk.map(pgQuote).join(', ')})`);
  return `CREATE TEMPORARY TABLE ${pgQuote(name)} (\n  ${lines.join(',\n  ')}\n) ON COMMIT DROP`;
}

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });
const int8range = customType<{ data: string; driverData: string }>({
  dataType: () => 'int8range',
});

function drizzleColumn(field: FieldSpec, sequence: string | null): PgColumnBuilderBase {
  const n = field.name;
  let column;
  switch (field.dtype) {
    case 'string':
      column =
        field.length === null
          ? varchar(n)
          : isStringType(field)
            ? varchar(n, { length: field.length })
            : text(n);
      break;
    case 'text':
    case 'base64Bytes':
      column = text(n);
      break;
    case 'smallint':
      column = smallint(n);
      break;
    case 'integer':
      column = integer(n);
      break;
    case 'bigint':
    case 'timeNsecTai':
      column = bigint(n, { mode: 'number' });
      break;
    case 'float':
      column = doublePrecision(n);
      break;
    case 'boolean':
      column = boolean(n);
      break;
    case 'binary':
      column = bytea(n);
      break;
    case 'uuid':
      column = uuid(n);
      break;
    case 'timestamp':
      column = timestamp(n);
      break;
  }
  if (field.range === true) column = int8range(n);
  if (field.autoincrement)
    column =
      sequence === null
        ? (column as ReturnType<typeof bigint>).generatedByDefaultAsIdentity()
        : column.default(sql.raw(`nextval(${quoteLiteral(sequence)}::regclass)`));
  if (!field.nullable) column = column.notNull();
  return column;
}

/**
 * The drizzle sequences of a spec's autoincrement columns in `schema` (daf_butler's
 * `<table>_seq_<column>`), which drizzle-kit must create with {@link toPgTable}'s table.
 */
export function toPgSequences(
  schema: string,
  name: string,
  spec: TableSpec,
  shrinker: NameShrinker,
): Record<string, unknown> {
  return Object.fromEntries(
    spec.fields
      .filter((f) => f.autoincrement)
      .map((f) => {
        const sequence = shrinker.shrink(`${name}_seq_${f.name}`);
        return [sequence, pgSchema(schema).sequence(sequence)];
      }),
  );
}

/** The drizzle table object of a spec in `schema`, with keys, unique constraints, foreign keys and indexes. */
export function toPgTable(
  schema: string,
  name: string,
  spec: TableSpec,
  shrinker: NameShrinker,
  resolve: (table: string) => PgTableWithColumns<never> | undefined,
) {
  const names = constraintNames(name, spec, (n) => shrinker.shrink(n));
  const builders = {
    primaryKey,
    unique,
    foreignKey,
    index,
  } as unknown as DrizzleConstraintBuilders;
  return pgSchema(schema).table(
    name,
    Object.fromEntries(
      spec.fields.map((f) => [
        f.name,
        drizzleColumn(f, f.autoincrement ? pgSequenceName(schema, name, f.name, shrinker) : null),
      ]),
    ),
    (t) =>
      drizzleExtras(
        name,
        spec,
        names,
        builders,
        t as Record<string, unknown>,
        (other) => resolve(other) as Record<string, unknown> | undefined,
        {
          primaryKey: true,
        },
      ) as never,
  );
}
