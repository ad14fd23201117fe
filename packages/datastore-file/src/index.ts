export {
  ArtifactExistsError,
  FileDatastoreConfigError,
  FileIntegrityError,
  FileTemplateError,
  FormatterNotFoundError,
  IngestError,
  SerializationError,
} from './errors.ts';
export { pythonJsonDumps } from './json-dump.ts';
export { PythonFloat, pyFloat, pythonFloatRepr } from './python-float.ts';
export { pyyamlSafeDump } from './yaml-dump.ts';
