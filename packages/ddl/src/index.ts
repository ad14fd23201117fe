export {
  COLUMN_TYPES,
  INTEGER_TYPES,
  MAX_TIMESTAMP,
  MIN_TIMESTAMP,
  decodeBase64,
  encodeBase64,
  isColumnType,
  normalizeColumnValue,
  textProblem,
} from './column-types.ts';
export type { ColumnType, ColumnValue, ColumnValueTypes, ValueCheckField } from './column-types.ts';
export {
  CONFIG_COLUMN_TYPES,
  fieldSpecFromConfig,
  foreignKeySpecFromConfig,
  tableSpecFromConfig,
} from './config.ts';
export {
  ColumnValueError,
  InvalidIdentifierError,
  SchemaValidationError,
  UnknownColumnError,
} from './errors.ts';
export { fieldSpec, fieldSpecsEqual, isStringType } from './field-spec.ts';
export type {
  DefaultOf,
  FieldSpec,
  FieldSpecInit,
  FieldSpecOf,
  Flag,
  ServerDefault,
} from './field-spec.ts';
export { foreignKeySpec, foreignKeySpecsEqual } from './foreign-key-spec.ts';
export type { ForeignKeySpec, ForeignKeySpecInit, OnDelete } from './foreign-key-spec.ts';
export {
  MAX_IDENTIFIER_LENGTH,
  RESERVED_COLUMN_NAMES,
  caseVariantOf,
  validateColumnName,
  validateIdentifier,
  validateTableName,
} from './identifier.ts';
export { indexSpec, indexSpecsEqual } from './index-spec.ts';
export type { IndexOptions, IndexSpec } from './index-spec.ts';
export { NameShrinker } from './name-shrinker.ts';
export { rowChecker } from './row.ts';
export type {
  FieldOf,
  Filled,
  HasFields,
  InsertRowOf,
  NotNull,
  RowCheckMode,
  RowChecker,
  RowOf,
  Simplify,
  ValueOf,
} from './row.ts';
export {
  getField,
  primaryKeyColumns,
  tableSpec,
  tableSpecsEqual,
  withField,
  withForeignKey,
} from './table-spec.ts';
export type { ColumnTuple, FieldSpecsOf, TableSpec, TableSpecInit } from './table-spec.ts';
export { TaiTime } from './tai-time.ts';
export { TaiTimespan } from './tai-timespan.ts';
export { parseUuid, randomUuid, uuidToHex32 } from './uuid.ts';
