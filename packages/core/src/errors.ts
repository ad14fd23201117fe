import { ButlerError } from '@butler-ts/versioning';

/**
 * A named thing is not registered or not present: a storage class, a type, a converter, a
 * delegate, a dimension, a configuration key (Python `LookupError` / `KeyError`).
 *
 * Subclasses narrow the kind; `LookupError.is(err)` is true for all of them.
 */
export class LookupError extends ButlerError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/core:LookupError');
  override readonly name: string = 'LookupError';
  /** What was looked up, e.g. `'storage class'`, `'type'`, `'converter'`. */
  readonly kind: string;
  /** The name that was not found. */
  readonly key: string;

  constructor(message: string, data: { kind: string; key: string }, options?: ErrorOptions) {
    super(message, options);
    this.kind = data.kind;
    this.key = data.key;
  }
}

/**
 * A dimension name is unknown to the universe, or a data ID has no value for a required
 * dimension (Python `DimensionNameError`, a `KeyError`).
 */
export class DimensionNameError extends LookupError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/core:DimensionNameError');
  override readonly name = 'DimensionNameError';
  /** The dimension at fault. */
  readonly dimension: string;

  constructor(message: string, dimension: string, options?: ErrorOptions) {
    super(message, { kind: 'dimension', key: dimension }, options);
    this.dimension = dimension;
  }
}

/**
 * A component is not defined by a storage class (Python `UnknownComponentError`, a
 * `KeyError`).
 */
export class UnknownComponentError extends LookupError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/core:UnknownComponentError');
  override readonly name = 'UnknownComponentError';
  /** The component that was asked for. */
  readonly component: string;
  /** What does not define it, e.g. `dataset type 'calexp'` or `storage class ExposureF`. */
  readonly owner: string;

  constructor(component: string, owner: string, options?: ErrorOptions) {
    super(
      `Requested component (${component}) not understood by ${owner}`,
      { kind: 'component', key: component },
      options,
    );
    this.component = component;
    this.owner = owner;
  }
}

/**
 * Read parameters were given that a storage class does not understand (Python `KeyError` from
 * `StorageClass.validateParameters`). The message reads
 * `Parameter 'x' not understood by StorageClass <name>` or, for several,
 * `Parameters 'x', 'y' not understood by StorageClass <name>`.
 */
export class UnknownParameterError extends LookupError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/core:UnknownParameterError');
  override readonly name = 'UnknownParameterError';
  /** The name of the storage class that rejected them. */
  readonly storageClass: string;
  /** The parameter names it does not understand, sorted. */
  readonly parameters: readonly string[];

  constructor(storageClass: string, parameters: readonly string[], options?: ErrorOptions) {
    const sorted = [...parameters].sort();
    const plural = sorted.length > 1 ? 's' : '';
    super(
      `Parameter${plural} '${sorted.join("', '")}' not understood by StorageClass ${storageClass}`,
      { kind: 'parameter', key: sorted.join(', ') },
      options,
    );
    this.storageClass = storageClass;
    this.parameters = Object.freeze(sorted);
  }
}

/** An argument has the right type but a bad value (Python `ValueError`). */
export class InvalidValueError extends ButlerError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/core:InvalidValueError');
  override readonly name: string = 'InvalidValueError';
  /** The rejected value, when there is a single one. */
  readonly value: unknown;

  constructor(message: string, value?: unknown, options?: ErrorOptions) {
    super(message, options);
    this.value = value;
  }
}

/**
 * A storage class cannot replace another because neither can convert the other's type
 * (Python `ValueError` from `overrideStorageClass`).
 */
export class IncompatibleStorageClassError extends InvalidValueError {
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/core:IncompatibleStorageClassError',
  );
  override readonly name = 'IncompatibleStorageClassError';
  /** The name of the storage class that was asked for. */
  readonly storageClass: string;
  /** The name of the storage class it should have replaced. */
  readonly existing: string;

  constructor(storageClass: string, existing: string, options?: ErrorOptions) {
    super(
      `The new storage class (${storageClass}) is not compatible with the existing storage class (${existing}).`,
      storageClass,
      options,
    );
    this.storageClass = storageClass;
    this.existing = existing;
  }
}

/**
 * A storage class was registered under a name that already holds a different definition
 * (Python `ValueError` from `StorageClassFactory.registerStorageClass`).
 */
export class StorageClassConflictError extends InvalidValueError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/core:StorageClassConflictError');
  override readonly name = 'StorageClassConflictError';
  /** The contested storage class name. */
  readonly storageClass: string;

  constructor(message: string, storageClass: string, options?: ErrorOptions) {
    super(message, storageClass, options);
    this.storageClass = storageClass;
  }
}

/** A value or argument is of the wrong type (Python `TypeError`). */
export class TypeMismatchError extends ButlerError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/core:TypeMismatchError');
  override readonly name = 'TypeMismatchError';
  /** The expected type, in Python naming where there is one (`dict`, `list`, ...). */
  readonly expected: string | null;
  /** The type that was found. */
  readonly actual: string | null;

  constructor(
    message: string,
    data: { expected?: string | null; actual?: string | null } = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.expected = data.expected ?? null;
    this.actual = data.actual ?? null;
  }
}

/**
 * A composite has no attribute, property or getter for a component (Python
 * `AttributeError` from `StorageClassDelegate.getComponent`).
 */
export class MissingAttributeError extends ButlerError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/core:MissingAttributeError');
  override readonly name = 'MissingAttributeError';
  /** The component or attribute name. */
  readonly attribute: string;

  constructor(message: string, attribute: string, options?: ErrorOptions) {
    super(message, options);
    this.attribute = attribute;
  }
}

/**
 * A configuration is invalid: malformed YAML, a section of the wrong shape, or a bad entry
 * (Python `ValidationError` / pydantic validation errors).
 */
export class ValidationError extends ButlerError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/core:ValidationError');
  override readonly name: string = 'ValidationError';
  /** The files or labels the configuration was read from, if known. */
  readonly sources: readonly string[];

  constructor(message: string, sources: readonly string[] = [], options?: ErrorOptions) {
    super(sources.length > 0 ? `${message} (read from ${sources.join(', ')})` : message, options);
    this.sources = Object.freeze([...sources]);
  }
}

/** An operation was called on an object in a state that does not allow it (Python `RuntimeError`). */
export class RuntimeError extends ButlerError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/core:RuntimeError');
  override readonly name = 'RuntimeError';
}
