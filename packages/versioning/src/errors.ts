import { ButlerError } from './butler-error.ts';

/** A schema version string is not three non-negative integers separated by dots. */
export class VersionParseError extends ButlerError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/versioning:VersionParseError');
  /** Always `'VersionParseError'`. */
  override readonly name = 'VersionParseError';
  /** The string that failed to parse. */
  readonly input: string;

  constructor(input: string, reason: string, options?: ErrorOptions) {
    super(`Invalid version string ${JSON.stringify(input)}: ${reason}`, options);
    this.input = input;
  }
}

/** A schema version check failed: the code cannot read, write or create the stored version. */
export class IncompatibleVersionError extends ButlerError {
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/versioning:IncompatibleVersionError',
  );
  /** Always `'IncompatibleVersionError'`. */
  override readonly name = 'IncompatibleVersionError';
  /** The extension whose check failed. */
  readonly extensionName: string;
  /** The version found in (or asked of) the registry, as `M.m.p`. */
  readonly found: string;
  /** The versions the extension supports, as `M.m.p` strings. */
  readonly supported: readonly string[];

  constructor(
    message: string,
    data: { extensionName: string; found: string; supported: readonly string[] },
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.extensionName = data.extensionName;
    this.found = data.found;
    this.supported = Object.freeze([...data.supported]);
  }
}

/** A member that a subclass must provide was not provided. */
export class NotImplementedError extends ButlerError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/versioning:NotImplementedError');
  /** Always `'NotImplementedError'`. */
  override readonly name = 'NotImplementedError';
}
