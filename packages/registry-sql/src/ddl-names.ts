// The names daf_butler gives constraints and indexes (ddl.md §7), and which indexes a spec
// implies, shared by every dialect's DDL emitter.
import { isStringType, primaryKeyColumns } from '@butler-ts/ddl';
import type { ColumnType, FieldSpec, ForeignKeySpec, TableSpec } from '@butler-ts/ddl';

/** Double-quotes an identifier (identifiers are validated before they get here). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Single-quotes a string literal, for the few statements that cannot bind it (PRAGMA, COMMENT). */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The column types whose SQL differs between engines. */
export type DialectTypes = Readonly<Record<'float' | 'binary' | 'uuid' | 'timestamp', string>>;

/**
 * The SQL type of a field, as daf_butler maps it: strings of at most 32 characters are
 * VARCHAR(n), longer ones TEXT; the four types engines spell differently come from `dialect`.
 */
export function sqlColumnType(field: FieldSpec, dialect: DialectTypes): string {
  const dtype: ColumnType = field.dtype;
  switch (dtype) {
    case 'string':
      if (field.length === null) return 'VARCHAR';
      return isStringType(field) ? `VARCHAR(${field.length})` : 'TEXT';
    case 'text':
    case 'base64Bytes':
      return 'TEXT';
    case 'smallint':
      return 'SMALLINT';
    case 'integer':
      return 'INTEGER';
    case 'bigint':
    case 'timeNsecTai':
      return 'BIGINT';
    case 'boolean':
      return 'BOOLEAN';
    case 'float':
    case 'binary':
    case 'uuid':
    case 'timestamp':
      return dialect[dtype];
  }
}

/** Element-wise equality of column lists. */
export function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i]);
}

/**
 * Constraint and index names for table `name`, passed through `shrink` (identity on SQLite,
 * the 63-character NameShrinker on PostgreSQL).
 */
export function constraintNames(
  name: string,
  spec: TableSpec,
  shrink: (n: string) => string = (n) => n,
) {
  const pk = primaryKeyColumns(spec);
  const covered = (columns: readonly string[]) =>
    sameColumns(columns, pk) || spec.unique.some((u) => sameColumns(u, columns));
  return {
    unique: (columns: readonly string[]) => shrink(`${name}_unq_${columns.join('_')}`),
    foreignKey: (fk: ForeignKeySpec) =>
      shrink(`fkey_${name}_${fk.table}_${fk.target.join('_')}_${fk.source.join('_')}`),
    sequence: (column: string) => shrink(`${name}_seq_${column}`),
    check: (column: string) => shrink(`${name}_len_${column}`),
    /** Explicit indexes not covered by the primary key or a unique constraint, then foreign-key indexes. */
    indexes(): { indexName: string; columns: readonly string[] }[] {
      const out: { indexName: string; columns: readonly string[] }[] = [];
      for (const idx of spec.indexes) {
        if (!covered(idx.columns))
          out.push({
            indexName: shrink(`${name}_idx_${idx.columns.join('_')}`),
            columns: idx.columns,
          });
      }
      for (const fk of spec.foreignKeys) {
        if (
          !fk.addIndex ||
          covered(fk.source) ||
          spec.indexes.some((i) => sameColumns(i.columns, fk.source))
        )
          continue;
        if (out.some((o) => sameColumns(o.columns, fk.source))) continue;
        out.push({ indexName: shrink(`${name}_fkidx_${fk.source.join('_')}`), columns: fk.source });
      }
      return out;
    },
  };
}

/**
 * The constraint builders of one drizzle dialect (`drizzle-orm/sqlite-core` or `pg-core`), as
 * {@link drizzleExtras} calls them. Each dialect module passes its own.
 */
export interface DrizzleConstraintBuilders {
  primaryKey(config: { columns: unknown[] }): unknown;
  unique(name: string): { on(...columns: unknown[]): unknown };
  foreignKey(config: { name: string; columns: unknown[]; foreignColumns: unknown[] }): {
    onDelete(action: 'cascade' | 'set null'): unknown;
  };
  index(name: string): { on(...columns: unknown[]): unknown };
}

/**
 * The extra config of a drizzle table built from `spec` (primary key, unique constraints,
 * foreign keys, indexes, with daf_butler's names), for either dialect.
 *
 * @param table the drizzle table's columns, by name
 * @param resolve the drizzle table a foreign key references, by name (undefined: skip it)
 */
export function drizzleExtras(
  name: string,
  spec: TableSpec,
  names: ReturnType<typeof constraintNames>,
  builders: DrizzleConstraintBuilders,
  table: Record<string, unknown>,
  resolve: (table: string) => Record<string, unknown> | undefined,
  options: { readonly primaryKey: boolean },
): unknown[] {
  const column = (of: Record<string, unknown>) => (c: string) => of[c];
  const pk = primaryKeyColumns(spec);
  const extras: unknown[] = [];
  if (options.primaryKey && pk.length > 0)
    extras.push(builders.primaryKey({ columns: pk.map(column(table)) }));
  for (const u of spec.unique)
    extras.push(builders.unique(names.unique(u)).on(...u.map(column(table))));
  for (const fk of spec.foreignKeys) {
    const target = fk.table === name ? table : resolve(fk.table);
    if (target === undefined) continue;
    const ref = builders.foreignKey({
      name: names.foreignKey(fk),
      columns: fk.source.map(column(table)),
      foreignColumns: fk.target.map(column(target)),
    });
    extras.push(
      fk.onDelete === null ? ref : ref.onDelete(fk.onDelete === 'CASCADE' ? 'cascade' : 'set null'),
    );
  }
  for (const { indexName, columns } of names.indexes())
    extras.push(builders.index(indexName).on(...columns.map(column(table))));
  return extras;
}
