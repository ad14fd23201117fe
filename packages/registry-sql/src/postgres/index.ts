export { PostgresDatabase } from './postgres-database.ts';
export type { PostgresConnection, PostgresOptions } from './postgres-database.ts';
export { pgCreateTables, pgType, toPgSequences, toPgTable } from './postgres-ddl.ts';
