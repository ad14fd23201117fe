import { ButlerError } from '@butler-ts/versioning';

/**
 * Base of the errors the `butler-ts` command raises for its own rules. The command prints
 * their message as one line (the stack only under `--debug`) and exits non-zero.
 */
export class CliError extends ButlerError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/cli:CliError');
  override readonly name: string = 'CliError';
}

/** A registry URI the command cannot use: malformed, unsupported, in memory, or a missing file. */
export class RegistryUriError extends CliError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/cli:RegistryUriError');
  override readonly name: string = 'RegistryUriError';
  /** The URI as given, with any password hidden. */
  readonly uri: string;

  constructor(uri: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.uri = uri;
  }
}

/** The database could not be reached (a PostgreSQL server that does not answer, say). */
export class DatabaseConnectionError extends CliError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/cli:DatabaseConnectionError');
  override readonly name: string = 'DatabaseConnectionError';
  /** The URI, with any password hidden. */
  readonly uri: string;

  constructor(uri: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.uri = uri;
  }
}

/** The database holds no registry (no `butler_attributes` table, or an empty one). */
export class NotARegistryError extends CliError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/cli:NotARegistryError');
  override readonly name: string = 'NotARegistryError';
  /** The database, as `Database.toString()` names it. */
  readonly database: string;

  constructor(database: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.database = database;
  }
}

/** This build cannot read (or write) the registry; `reasons` has one entry per problem. */
export class IncompatibleRegistryError extends CliError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/cli:IncompatibleRegistryError');
  override readonly name: string = 'IncompatibleRegistryError';
  /** Whether reading or writing was checked. */
  readonly mode: 'read' | 'write';
  /** One message per failing manager (an `IncompatibleVersionError` message, say). */
  readonly reasons: readonly string[];

  constructor(mode: 'read' | 'write', reasons: readonly string[], options?: ErrorOptions) {
    super(
      `This build cannot ${mode} the registry: ${reasons.join('; ')}`.replace(/\s*\n\s*/g, '; '),
      options,
    );
    this.mode = mode;
    this.reasons = Object.freeze([...reasons]);
  }
}

/** `opaque dump` was given a table that `opaque_meta` does not list, or that does not exist. */
export class UnknownOpaqueTableError extends CliError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/cli:UnknownOpaqueTableError');
  override readonly name: string = 'UnknownOpaqueTableError';
  /** The table asked for. */
  readonly table: string;
  /** The opaque tables the registry lists. */
  readonly known: readonly string[];

  constructor(table: string, known: readonly string[], message: string, options?: ErrorOptions) {
    super(message, options);
    this.table = table;
    this.known = Object.freeze([...known]);
  }
}

/** A `--where col=value` clause is malformed, names an unknown column or has a bad value. */
export class WhereClauseError extends CliError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/cli:WhereClauseError');
  override readonly name: string = 'WhereClauseError';
  /** The clause as given. */
  readonly clause: string;
  /** The column it names, or `null` when the clause has no `=`. */
  readonly column: string | null;

  constructor(clause: string, column: string | null, message: string, options?: ErrorOptions) {
    super(message, options);
    this.clause = clause;
    this.column = column;
  }
}

/**
 * Paging through a table stopped making progress: a key column whose values do not survive
 * the round trip to the database (timestamps finer than milliseconds, say).
 */
export class PaginationError extends CliError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/cli:PaginationError');
  override readonly name: string = 'PaginationError';
  /** The table being dumped. */
  readonly table: string;

  constructor(table: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.table = table;
  }
}

/** Standard output was closed by the reader (`butler-ts … | head`); the command stops quietly. */
export class OutputClosedError extends CliError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/cli:OutputClosedError');
  override readonly name: string = 'OutputClosedError';
}

/**
 * A repository the command cannot use: no `butler.yaml`, a malformed one, a datastore this
 * command does not handle (a chained datastore, say), or a registry URI without `--root`.
 */
export class RepositoryError extends CliError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/cli:RepositoryError');
  override readonly name: string = 'RepositoryError';
  /** The repository as given on the command line (any password hidden). */
  readonly repository: string;

  constructor(repository: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.repository = repository;
  }
}

/**
 * Dataset IDs the command was given that it cannot use: malformed, not registered, not in the
 * datastore, or (for ingest) of another dataset type or run. Nothing was changed.
 */
export class DatasetIdError extends CliError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/cli:DatasetIdError');
  override readonly name: string = 'DatasetIdError';
  /** The IDs at fault, as given (or normalized when they parse). */
  readonly ids: readonly string[];

  constructor(ids: readonly string[], message: string, options?: ErrorOptions) {
    super(message, options);
    this.ids = Object.freeze([...ids]);
  }
}

/** An ingest table (`--from`) that cannot be read: unknown format, missing columns, bad rows. */
export class IngestTableError extends CliError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/cli:IngestTableError');
  override readonly name: string = 'IngestTableError';
  /** The table file. */
  readonly file: string;

  constructor(file: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.file = file;
  }
}

/**
 * `datastore verify` found problems (missing, truncated or altered files, orphans); they were
 * written to standard output, and the command exits 1.
 */
export class VerifyFailedError extends CliError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/cli:VerifyFailedError');
  override readonly name: string = 'VerifyFailedError';
  /** How many problems were found. */
  readonly problems: number;

  constructor(problems: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.problems = problems;
  }
}

/** `datastore retrieve` would replace files at the destination (without `--overwrite`). */
export class DestinationExistsError extends CliError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/cli:DestinationExistsError');
  override readonly name: string = 'DestinationExistsError';
  /** The destination folder. */
  readonly destination: string;
  /** The files already there, relative to it. */
  readonly paths: readonly string[];

  constructor(
    destination: string,
    paths: readonly string[],
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.destination = destination;
    this.paths = Object.freeze([...paths]);
  }
}
