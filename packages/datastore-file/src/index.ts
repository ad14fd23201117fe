export {
  ArtifactExistsError,
  DimensionRecordError,
  FileDatastoreConfigError,
  FileIntegrityError,
  FileTemplateError,
  FormatterNotFoundError,
  IngestError,
  SerializationError,
} from './errors.ts';
export { checksumOf } from './file-io.ts';
export { FileDatastore } from './file-datastore.ts';
export type { FileDatastoreOptions } from './file-datastore.ts';
export { FileTemplate, FileTemplates } from './file-template.ts';
export type {
  DimensionRecord,
  DimensionRecordSource,
  RecordField,
  TemplateRecords,
} from './file-template.ts';
export {
  BytesFormatter,
  FormatterRegistry,
  JsonFormatter,
  TextFormatter,
  YamlFormatter,
} from './formatter.ts';
export type { Formatter, FormatterContext, TypeCodec } from './formatter.ts';
export { pythonJsonDumps } from './json-dump.ts';
export { LookupTable } from './lookup-table.ts';
export type { LookupEntity, LookupMatch } from './lookup-table.ts';
export { PythonFloat, pyFloat, pythonFloatRepr } from './python-float.ts';
export { FILE_RECORDS_SPEC, NULL_COMPONENT, StoredFileInfo } from './stored-file-info.ts';
export type { StoredFileInfoInit } from './stored-file-info.ts';
export { pyyamlSafeDump } from './yaml-dump.ts';
