export { EXIT_CODES, buildProgram, main } from './program.ts';
export type { CliIo } from './program.ts';
export {
  CliError,
  DatabaseConnectionError,
  DatasetIdError,
  DestinationExistsError,
  IncompatibleRegistryError,
  IngestTableError,
  NotARegistryError,
  OutputClosedError,
  PaginationError,
  RegistryUriError,
  RepositoryError,
  UnknownOpaqueTableError,
  VerifyFailedError,
  WhereClauseError,
} from './errors.ts';
export { DUMP_FORMATS } from './formats.ts';
export type { DumpFormat } from './formats.ts';
export { INFO_FORMATS } from './info.ts';
export type { InfoFormat, InfoReport } from './info.ts';
export type { ManagerStatus, OpaqueTableInfo, RegistryStatus, Verdict } from './registry-status.ts';
export { INGEST_TRANSFERS, REPOSITORY_BUTLER_YAML } from './repository-yaml.ts';
export type { VerifyProblem, VerifyReport } from './verify.ts';
