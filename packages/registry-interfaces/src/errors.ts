import { ButlerError } from '@butler-ts/versioning';

/** Base of the errors a {@link Database} raises for its own rules (not driver failures). */
export class DatabaseError extends ButlerError {
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/registry-interfaces:DatabaseError',
  );
  override readonly name: string = 'DatabaseError';
}

/** A write was attempted through a database (or on a table) that is not writeable. */
export class ReadOnlyDatabaseError extends DatabaseError {
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/registry-interfaces:ReadOnlyDatabaseError',
  );
  override readonly name: string = 'ReadOnlyDatabaseError';
}

/** A definition conflicts with an existing one (Python `ConflictingDefinitionError`). */
export class ConflictingDefinitionError extends DatabaseError {
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/registry-interfaces:ConflictingDefinitionError',
  );
  override readonly name: string = 'ConflictingDefinitionError';
}

/** Database content or schema differs from what the caller expects. */
export class DatabaseConflictError extends ConflictingDefinitionError {
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/registry-interfaces:DatabaseConflictError',
  );
  override readonly name: string = 'DatabaseConflictError';
  /** The table the conflict is in. */
  readonly table: string;

  constructor(table: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.table = table;
  }
}

/** `declareStaticTables({ create: true })` found tables already in the namespace. */
export class SchemaAlreadyDefinedError extends DatabaseError {
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/registry-interfaces:SchemaAlreadyDefinedError',
  );
  override readonly name: string = 'SchemaAlreadyDefinedError';
}

/** A table that must exist does not, or its handle belongs to another database. */
export class MissingTableError extends DatabaseError {
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/registry-interfaces:MissingTableError',
  );
  override readonly name: string = 'MissingTableError';
  /** The name of the missing (or unknown) table. */
  readonly table: string;

  constructor(table: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.table = table;
  }
}

/** The kind of constraint a rejected write violated. */
export type IntegrityKind =
  'primaryKey' | 'unique' | 'foreignKey' | 'notNull' | 'check' | 'unknown';

/**
 * The database rejected a write: a primary-key, unique, foreign-key, NOT NULL or CHECK
 * violation (Python lets SQLAlchemy's `IntegrityError` through; butler-ts translates the
 * driver's error into this one and keeps it as `cause`).
 */
export class IntegrityError extends DatabaseError {
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/registry-interfaces:IntegrityError',
  );
  override readonly name: string = 'IntegrityError';
  /**
   * The table whose write was rejected (the SQL databases say `'(schema)'` while creating the
   * static tables).
   */
  readonly table: string;
  /**
   * The violated constraint, as far as the driver's error tells it; `'unknown'` when it does
   * not say.
   */
  readonly kind: IntegrityKind;

  constructor(table: string, kind: IntegrityKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.table = table;
    this.kind = kind;
  }
}

/** The API was used against its contract (Python `AssertionError`), e.g. DDL inside a transaction. */
export class DatabaseLogicError extends DatabaseError {
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/registry-interfaces:DatabaseLogicError',
  );
  override readonly name: string = 'DatabaseLogicError';
}

/** A feature this implementation does not offer (Python `NotImplementedError`). */
export class NotSupportedError extends DatabaseError {
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/registry-interfaces:NotSupportedError',
  );
  override readonly name: string = 'NotSupportedError';
}

/** A documented runtime failure with no more specific class (Python `RuntimeError`). */
export class DatabaseRuntimeError extends DatabaseError {
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/registry-interfaces:DatabaseRuntimeError',
  );
  override readonly name: string = 'DatabaseRuntimeError';
}

/** Why a database could not be opened (see {@link DatabaseOpenError}). */
export type DatabaseOpenFailure =
  /** The file, or the folder it should be in, does not exist. */
  | 'missing'
  /** The path exists but is no SQLite database (a text file, say). */
  | 'notADatabase'
  /** The path cannot be opened: a folder, no permission, a locked or damaged file. */
  | 'cannotOpen'
  /** The server could not be reached, or refused the connection (login, database name). */
  | 'connection';

/**
 * A database could not be opened: a missing file or folder, a file that is no database, a
 * server that cannot be reached. The message names the location; a URL's password is
 * replaced by `***` (in `location` too).
 */
export class DatabaseOpenError extends DatabaseError {
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/registry-interfaces:DatabaseOpenError',
  );
  override readonly name: string = 'DatabaseOpenError';
  /** The file path, or the URL with its password hidden. */
  readonly location: string;
  /** What went wrong. */
  readonly failure: DatabaseOpenFailure;

  constructor(
    location: string,
    failure: DatabaseOpenFailure,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.location = location;
    this.failure = failure;
  }
}

/** Why the engine gave up on a statement that may succeed when run again. */
export type TransientKind = 'serialization' | 'deadlock' | 'lockTimeout' | 'busy';

/**
 * The engine aborted a statement because of concurrent work, not because of the statement:
 * a serialization failure (PostgreSQL 40001), a deadlock (40P01), a lock wait that timed out
 * (55P03), or a SQLite database that stayed busy past the busy timeout. Nothing of the failed
 * transaction is committed; running the whole outermost transaction again may succeed
 * (`retryable` is always true). The driver's error is the `cause`.
 */
export class TransientDatabaseError extends DatabaseError {
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/registry-interfaces:TransientDatabaseError',
  );
  override readonly name: string = 'TransientDatabaseError';
  /** Always true: retrying the outermost transaction may succeed. */
  readonly retryable = true as const;
  /** What the engine reported. */
  readonly kind: TransientKind;

  constructor(kind: TransientKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.kind = kind;
  }
}

/** An argument has a bad value (Python `ValueError`/`TypeError` at an API boundary). */
export class InvalidArgumentError extends ButlerError {
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/registry-interfaces:InvalidArgumentError',
  );
  override readonly name: string = 'InvalidArgumentError';
}

/** An options object has a key the method does not know (a typo, or an option of another method). */
export class UnknownOptionError extends InvalidArgumentError {
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/registry-interfaces:UnknownOptionError',
  );
  override readonly name: string = 'UnknownOptionError';
  /** The unknown key. */
  readonly option: string;
  /** The method or function whose options these are, e.g. `Database.insert`. */
  readonly method: string;
  /** The keys the method knows. */
  readonly known: readonly string[];

  constructor(method: string, option: string, known: readonly string[], options?: ErrorOptions) {
    super(
      `Unknown option ${JSON.stringify(option)} of ${method}; it takes ${
        known.length === 0 ? 'no options' : known.map((k) => JSON.stringify(k)).join(', ')
      }`,
      options,
    );
    this.method = method;
    this.option = option;
    this.known = Object.freeze([...known]);
  }
}

/** A named thing is not registered (Python `LookupError`/`KeyError`). */
export class LookupError extends ButlerError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/registry-interfaces:LookupError');
  override readonly name: string = 'LookupError';
  /** The name that was looked up. */
  readonly key: string;

  constructor(key: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.key = key;
  }
}

// Errors of the collections and datasets managers.

/** A collection name (or key) that is not registered (Python `MissingCollectionError`). */
export class MissingCollectionError extends LookupError {
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/registry-interfaces:MissingCollectionError',
  );
  override readonly name: string = 'MissingCollectionError';
}

/**
 * A collection exists but has the wrong type for an operation: a chain that is not CHAINED,
 * an insert into a collection that is not a RUN, an association with one that is not TAGGED
 * (Python `CollectionTypeError`).
 */
export class CollectionTypeError extends InvalidArgumentError {
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/registry-interfaces:CollectionTypeError',
  );
  override readonly name: string = 'CollectionTypeError';
  /** The collection. */
  readonly collection: string;

  constructor(collection: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.collection = collection;
  }
}

/** Setting a chain's children would make the chain contain itself (Python `CollectionCycleError`). */
export class CollectionCycleError extends InvalidArgumentError {
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/registry-interfaces:CollectionCycleError',
  );
  override readonly name: string = 'CollectionCycleError';
  /** The chain whose children were being set. */
  readonly collection: string;

  constructor(collection: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.collection = collection;
  }
}

/**
 * A row cannot be removed because others still refer to it: a collection that is a chain's
 * child, a run whose datasets a datastore still holds (Python `OrphanedRecordError`).
 */
export class OrphanedRecordError extends DatabaseError {
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/registry-interfaces:OrphanedRecordError',
  );
  override readonly name: string = 'OrphanedRecordError';
  /** What could not be removed, e.g. the collection name. */
  readonly target: string;

  constructor(target: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.target = target;
  }
}

/** A dataset type name that is not registered (Python `MissingDatasetTypeError`). */
export class MissingDatasetTypeError extends LookupError {
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/registry-interfaces:MissingDatasetTypeError',
  );
  override readonly name: string = 'MissingDatasetTypeError';
}

/**
 * A dataset type is registered with another definition (dimensions or storage class) than
 * the one given. The message names both.
 */
export class ConflictingDatasetTypeError extends ConflictingDefinitionError {
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/registry-interfaces:ConflictingDatasetTypeError',
  );
  override readonly name: string = 'ConflictingDatasetTypeError';
  /** The dataset type name. */
  readonly datasetType: string;

  constructor(datasetType: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.datasetType = datasetType;
  }
}

/**
 * A dataset with the same dataset type and data ID is already in the RUN (or TAGGED)
 * collection, or a dataset id is already used (Python `ConflictingDefinitionError` from
 * `insertDatasets` / `associate`). Nothing is written.
 */
export class DatasetConflictError extends ConflictingDefinitionError {
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/registry-interfaces:DatasetConflictError',
  );
  override readonly name: string = 'DatasetConflictError';
  /** The collection the conflict is in. */
  readonly collection: string;

  constructor(collection: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.collection = collection;
  }
}

/**
 * A data ID does not fit a dataset type: a required dimension is missing, or a value has
 * the wrong type (Python `DimensionNameError` / `DataIdValueError` / `TypeError`).
 */
export class DataIdError extends InvalidArgumentError {
  static override readonly brand: symbol = Symbol.for('@butler-ts/registry-interfaces:DataIdError');
  override readonly name: string = 'DataIdError';
  /** The dimension at fault. */
  readonly dimension: string;

  constructor(dimension: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.dimension = dimension;
  }
}

/** `set` without `force` on an attribute that already exists. */
export class ButlerAttributeExistsError extends ButlerError {
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/registry-interfaces:ButlerAttributeExistsError',
  );
  override readonly name: string = 'ButlerAttributeExistsError';
  /** The name of the attribute that already exists. */
  readonly attribute: string;

  constructor(attribute: string, options?: ErrorOptions) {
    super(`attribute ${attribute} already exists`, options);
    this.attribute = attribute;
  }
}

/** The registry holds no stored configuration for some configured managers. */
export class MissingManagerError extends ButlerError {
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/registry-interfaces:MissingManagerError',
  );
  override readonly name: string = 'MissingManagerError';
  /** The manager types (e.g. `opaque`) with no stored configuration. */
  readonly managers: readonly string[];

  constructor(managers: readonly string[]) {
    super(`Cannot find stored configuration for managers: ${managers.join(', ')}`);
    this.managers = Object.freeze([...managers]);
  }
}

/** The managers stored in the registry differ from the configured ones. */
export class ManagerMismatchError extends ButlerError {
  static override readonly brand: symbol = Symbol.for(
    '@butler-ts/registry-interfaces:ManagerMismatchError',
  );
  override readonly name: string = 'ManagerMismatchError';
  /** One line per manager: `<type>: configured <name>, stored: <name>`. */
  readonly mismatches: readonly string[];

  constructor(mismatches: readonly string[]) {
    super(`Configured managers do not match registry-stored managers:\n${mismatches.join('\n')}`);
    this.mismatches = Object.freeze([...mismatches]);
  }
}
