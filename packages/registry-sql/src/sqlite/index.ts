export { SqliteDatabase } from './sqlite-database.ts';
export type {
  SqliteConnection,
  SqliteOptions,
  SqlitePluckStatement,
  SqlitePrepare,
  SqliteRawStatement,
} from './sqlite-database.ts';
export { sqliteCreateTable, sqliteType, toSqliteTable } from './sqlite-ddl.ts';
