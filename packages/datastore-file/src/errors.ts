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
 * A file template field reads a dimension record (`{detector.full_name}`, `{visit.day_obs}`)
 * that is not available for the dataset: the datastore has no record source (required field),
 * or the source has no record of that element for the data ID (daf_butler's "No metadata
 * records attached" error, raised for optional fields too). Raised before anything is
 * written.
 *
 * @example
 * ```ts
 * if (DimensionRecordError.is(error)) console.log(error.field, error.dataId);
 * ```
 */
export class DimensionRecordError extends FileTemplateError {
  /** The brand `is()` checks. */
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/datastore-file:DimensionRecordError',
  );
  /** Always `'DimensionRecordError'`. */
  override readonly name: string = 'DimensionRecordError';
  /** The template field, e.g. `detector.full_name`. */
  readonly field: string;
  /** The dimension element whose record is missing, e.g. `detector`. */
  readonly element: string;
  /** The data ID of the dataset, as text. */
  readonly dataId: string;
  /** The template text. */
  readonly template: string;

  /** @param details the field, element, data ID (as text) and template. */
  constructor(
    message: string,
    details: { field: string; element: string; dataId: string; template: string },
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.field = details.field;
    this.element = details.element;
    this.dataId = details.dataId;
    this.template = details.template;
  }
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
