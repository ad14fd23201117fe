export { ButlerError } from './butler-error.ts';
export { IncompatibleVersionError, NotImplementedError, VersionParseError } from './errors.ts';
export { VersionTuple, checkCompatibility } from './version-tuple.ts';
export { VersionedExtension } from './versioned-extension.ts';
export type { VersionedExtensionClass } from './versioned-extension.ts';
