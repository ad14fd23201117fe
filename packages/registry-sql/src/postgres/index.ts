export { PostgresDatabase } from './postgres-database.ts';
export type { PostgresConnection, PostgresOptions } from './postgres-database.ts';
export { pgCreateTables, pgType, toPgTable } from './postgres-ddl.ts';
