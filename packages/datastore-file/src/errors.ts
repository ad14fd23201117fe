import { ButlerError } from '@butler-ts/versioning';

/**
 * The FileDatastore configuration is invalid: a missing or malformed `root`, `records.table`, template, formatter or composites entry. Raised at construction, before anything is written.
 *
 * @example
 * ```ts
 * if (FileDatastoreConfigError.is(error)) console.log(error.message);
 * ```
 */
export class FileDatastoreConfigError extends ButlerError {
  /** The brand `is()` checks. */
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/datastore-file:FileDatastoreConfigError',
  );
  /** Always `'FileDatastoreConfigError'`. */
  override readonly name: string = 'FileDatastoreConfigError';
}

/**
 * A file template is malformed, or cannot be rendered for a dataset (a required field has no value, or a component is not used).
 *
 * @example
 * ```ts
 * if (FileTemplateError.is(error)) console.log(error.message);
 * ```
 */
export class FileTemplateError extends ButlerError {
  /** The brand `is()` checks. */
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/datastore-file:FileTemplateError',
  );
  /** Always `'FileTemplateError'`. */
  override readonly name: string = 'FileTemplateError';
}

/**
 * No formatter is configured for a dataset, or a configured or recorded formatter class name is not registered.
 *
 * @example
 * ```ts
 * if (FormatterNotFoundError.is(error)) console.log(error.message);
 * ```
 */
export class FormatterNotFoundError extends ButlerError {
  /** The brand `is()` checks. */
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/datastore-file:FormatterNotFoundError',
  );
  /** Always `'FormatterNotFoundError'`. */
  override readonly name: string = 'FormatterNotFoundError';
}

/**
 * A formatter cannot write a value (a type it does not know, a cycle) or cannot read a file (malformed content).
 *
 * @example
 * ```ts
 * if (SerializationError.is(error)) console.log(error.message);
 * ```
 */
export class SerializationError extends ButlerError {
  /** The brand `is()` checks. */
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/datastore-file:SerializationError',
  );
  /** Always `'SerializationError'`. */
  override readonly name: string = 'SerializationError';
}

/**
 * A stored file does not match its record: another size, or another checksum when checksums are verified (daf_butler's `FileIntegrityError`).
 *
 * @example
 * ```ts
 * if (FileIntegrityError.is(error)) console.log(error.message);
 * ```
 */
export class FileIntegrityError extends ButlerError {
  /** The brand `is()` checks. */
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/datastore-file:FileIntegrityError',
  );
  /** Always `'FileIntegrityError'`. */
  override readonly name: string = 'FileIntegrityError';
}

/**
 * A put or ingest would overwrite a file that is already there, or store a dataset the datastore already holds.
 *
 * @example
 * ```ts
 * if (ArtifactExistsError.is(error)) console.log(error.message);
 * ```
 */
export class ArtifactExistsError extends ButlerError {
  /** The brand `is()` checks. */
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/datastore-file:ArtifactExistsError',
  );
  /** Always `'ArtifactExistsError'`. */
  override readonly name: string = 'ArtifactExistsError';
}

/**
 * An ingest cannot proceed: an unknown transfer mode, a missing source file, or a mode that does not fit the file (e.g. `direct` into the datastore root).
 *
 * @example
 * ```ts
 * if (IngestError.is(error)) console.log(error.message);
 * ```
 */
export class IngestError extends ButlerError {
  /** The brand `is()` checks. */
  static override readonly brand: symbol = Symbol.for('@butler-ts/datastore-file:IngestError');
  /** Always `'IngestError'`. */
  override readonly name: string = 'IngestError';
}
