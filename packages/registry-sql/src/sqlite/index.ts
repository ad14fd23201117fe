export { SqliteDatabase } from './sqlite-database.ts';
export type { SqliteConnection, SqliteOptions } from './sqlite-database.ts';
export { sqliteCreateTable, sqliteType, toSqliteTable } from './sqlite-ddl.ts';
