// TableSpec → SQLite DDL, and TableSpec → drizzle sqliteTable (the runtime table object that
// drizzle-kit can also turn into DDL, which the tests compare with ours).
import { isStringType, primaryKeyColumns } from '@butler-ts/ddl';
import type { FieldSpec, TableSpec } from '@butler-ts/ddl';
import { NotSupportedError } from '@butler-ts/registry-interfaces';
import {
  blob,
  customType,
  foreignKey,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  unique,
} from 'drizzle-orm/sqlite-core';
import type { SQLiteColumnBuilderBase } from 'drizzle-orm/sqlite-core';
import {
  constraintNames,
  drizzleExtras,
  quoteIdentifier,
  sameColumns,
  sqlColumnType,
} from '../ddl-names.ts';
import type { DialectTypes, DrizzleConstraintBuilders } from '../ddl-names.ts';
import { compoundAutoincrement, helperTableSql } from './sqlite-autoincrement.ts';

const SQLITE_TYPES: DialectTypes = {
  float: 'FLOAT',
  binary: 'BLOB',
  uuid: 'CHAR(32)',
  timestamp: 'DATETIME',
};

/** Double-quotes an identifier for SQLite (identifiers are validated before this). */
export const quote = quoteIdentifier;

/** The SQLite column type of a field (an autoincrement key is exactly INTEGER). */
export function sqliteType(field: FieldSpec): string {
  return field.autoincrement ? 'INTEGER' : sqlColumnType(field, SQLITE_TYPES);
}

function defaultClause(field: FieldSpec): string {
  if (field.default === null) return '';
  const value =
    typeof field.default === 'boolean' ? (field.default ? '1' : '0') : String(field.default);
  return ` DEFAULT (${value})`;
}

/**
 * The statements that create `name` from `spec` on SQLite: one CREATE TABLE (with its checks,
 * keys and foreign keys), then its indexes.
 *
 * @throws `NotSupportedError` for exclusion constraints, a `range` field, or an autoincrement column in
 *   a compound primary key whose other column is not `origin` alone. With `origin`, the
 *   column is generated from a helper table `_autoinc_<name>`, created here too (see
 *   `compoundAutoincrement`).
 */
export function sqliteCreateTable(
  name: string,
  spec: TableSpec,
  options: { temporary?: boolean } = {},
): string[] {
  if (spec.exclusion.length > 0)
    throw new NotSupportedError(`Table ${name}: exclusion constraints need PostgreSQL`);
  const range = spec.fields.find((f) => f.range === true);
  if (range !== undefined)
    throw new NotSupportedError(
      `Table ${name}: column ${range.name} is a range, which SQLite has no type for (use two timeNsecTai columns, as daf_butler does)`,
    );
  const pk = primaryKeyColumns(spec);
  // An autoincrement column in (id, origin) is a plain column, generated from a helper table.
  const emulated = compoundAutoincrement(name, spec);
  const auto = emulated === null ? spec.fields.find((f) => f.autoincrement) : undefined;
  const names = constraintNames(name, spec);
  const lines: string[] = [];
  for (const field of spec.fields) {
    const rowid = field.autoincrement && emulated === null;
    let line = `${quote(field.name)} ${sqliteType(field)}`;
    if (rowid) line += ` PRIMARY KEY${spec.recycleIds ? '' : ' AUTOINCREMENT'}`;
    if (!field.nullable && !rowid) line += ' NOT NULL';
    line += defaultClause(field);
    lines.push(line);
  }
  for (const field of spec.fields) {
    if (isStringType(field)) {
      const c = quote(field.name);
      lines.push(
        `CONSTRAINT ${quote(`${name}_len_${field.name}`)} CHECK (length(${c}) <= ${field.length} AND length(${c}) >= 1)`,
      );
    }
  }
  if (pk.length > 0 && auto === undefined) lines.push(`PRIMARY KEY (${pk.map(quote).join(', ')})`);
  const temporary = options.temporary === true;
  if (!temporary) {
    for (const u of spec.unique)
      lines.push(`CONSTRAINT ${quote(names.unique(u))} UNIQUE (${u.map(quote).join(', ')})`);
    for (const fk of spec.foreignKeys) {
      const onDelete = fk.onDelete === null ? '' : ` ON DELETE ${fk.onDelete}`;
      lines.push(
        `CONSTRAINT ${quote(names.foreignKey(fk))} FOREIGN KEY (${fk.source.map(quote).join(', ')}) REFERENCES ${quote(fk.table)} (${fk.target.map(quote).join(', ')})${onDelete}`,
      );
    }
  }
  const statements = [
    `CREATE ${temporary ? 'TEMPORARY ' : ''}TABLE ${quote(name)} (\n  ${lines.join(',\n  ')}\n)`,
  ];
  if (emulated !== null) statements.push(helperTableSql(emulated, quote, temporary));
  if (!temporary) {
    for (const { indexName, columns } of names.indexes()) {
      statements.push(
        `CREATE INDEX ${quote(indexName)} ON ${quote(name)} (${columns.map(quote).join(', ')})`,
      );
    }
  }
  return statements;
}

const char32 = customType<{ data: string; driverData: string }>({ dataType: () => 'CHAR(32)' });
const datetime = customType<{ data: string; driverData: string }>({ dataType: () => 'DATETIME' });
const typed = (sqlType: string) =>
  customType<{ data: number; driverData: number }>({ dataType: () => sqlType });

function drizzleColumn(field: FieldSpec, rowid: boolean): SQLiteColumnBuilderBase {
  const n = field.name;
  let column;
  if (field.autoincrement) {
    // INTEGER, as in the DDL; in a compound key, a plain column (see sqlite-autoincrement.ts).
    column = rowid ? integer(n).primaryKey({ autoIncrement: false }) : integer(n).notNull();
  } else {
    switch (field.dtype) {
      case 'string':
        column =
          field.length !== null && isStringType(field)
            ? text(n, { length: field.length })
            : text(n);
        break;
      case 'text':
      case 'base64Bytes':
        column = text(n);
        break;
      case 'integer':
        column = integer(n);
        break;
      case 'smallint':
        column = typed('SMALLINT')(n);
        break;
      case 'bigint':
      case 'timeNsecTai':
        column = typed('BIGINT')(n);
        break;
      case 'float':
        column = real(n);
        break;
      case 'boolean':
        column = typed('BOOLEAN')(n);
        break;
      case 'binary':
        column = blob(n);
        break;
      case 'uuid':
        column = char32(n);
        break;
      case 'timestamp':
        column = datetime(n);
        break;
    }
    if (!field.nullable) column = column.notNull();
  }
  return column;
}

/** The drizzle table object of a spec, with its keys, unique constraints, foreign keys and indexes. */
export function toSqliteTable(
  name: string,
  spec: TableSpec,
  resolve: (table: string) => ReturnType<typeof sqliteTable> | undefined,
) {
  const auto =
    spec.fields.some((f) => f.autoincrement) && compoundAutoincrement(name, spec) === null;
  const names = constraintNames(name, spec);
  const builders = {
    primaryKey,
    unique,
    foreignKey,
    index,
  } as unknown as DrizzleConstraintBuilders;
  return sqliteTable(
    name,
    Object.fromEntries(spec.fields.map((f) => [f.name, drizzleColumn(f, auto)])),
    (t) =>
      drizzleExtras(
        name,
        spec,
        names,
        builders,
        t as Record<string, unknown>,
        (other) => resolve(other),
        {
          // An autoincrement key is declared on its column (INTEGER PRIMARY KEY).
          primaryKey: !auto,
        },
      ) as never,
  );
}

export { sameColumns };
