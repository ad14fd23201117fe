export { declareS, describeDatabase, schemaS } from './database-suite.ts';
export type { DatabaseHarness } from './database-suite.ts';
