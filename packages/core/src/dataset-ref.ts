import { DataCoordinate } from './data-coordinate.ts';
import type { DataIdMapping } from './data-coordinate.ts';
import { makeDatasetId, parseDatasetId } from './dataset-id.ts';
import type { DatasetId, DatasetIdGenEnum } from './dataset-id.ts';
import { DatasetType } from './dataset-type.ts';
import type { DimensionGroup } from './dimensions.ts';
import { TypeMismatchError } from './errors.ts';
import { typeName } from './format.ts';
import type { LookupKey } from './lookup-key.ts';
import type { StorageClass } from './storage-class.ts';

/** Datastore records attached to a ref: opaque table name → records (defined by datastores). */
export type DatasetDatastoreRecords = Readonly<Record<string, readonly unknown[]>>;

// The options object of DatasetRef.fromTrustedParts: the constructor recognises it by identity
// and skips its checks. Its `id` is set just before each such construction (nothing runs in
// between), so no call allocates an options object.
const TRUSTED: { id: DatasetId } = { id: '' };

/** Options of the {@link DatasetRef} constructor. */
export interface DatasetRefOptions {
  /** The dataset ID (a UUID string); generated according to `idGenerationMode` if absent. */
  readonly id?: DatasetId;
  /** Standardize the data ID against the dataset type's dimensions; default true. */
  readonly conform?: boolean;
  /** How to make a missing ID; default `UNIQUE` (a UUIDv7). */
  readonly idGenerationMode?: DatasetIdGenEnum;
  /** Datastore records to carry with the ref. */
  readonly datastoreRecords?: DatasetDatastoreRecords | null;
}

/** Options of {@link DatasetRef.replace}. */
export interface DatasetRefReplaceOptions {
  /** A new ID. */
  readonly id?: DatasetId;
  /** A new run; without an `id`, a new ID is generated. */
  readonly run?: string;
  /** A new storage class, applied with {@link DatasetType.overrideStorageClass}. */
  readonly storageClass?: StorageClass | string;
  /** New datastore records; `null` removes them. */
  readonly datastoreRecords?: DatasetDatastoreRecords | null;
}

function freezeRecords(
  records: DatasetDatastoreRecords | null | undefined,
): DatasetDatastoreRecords | null {
  if (records === null || records === undefined) return null;
  if (typeof records !== 'object') {
    throw new TypeMismatchError('datastoreRecords must be a mapping of table name to records', {
      expected: 'dict',
      actual: typeName(records),
    });
  }
  return Object.freeze(
    Object.fromEntries(Object.entries(records).map(([k, v]) => [k, Object.freeze([...v])])),
  );
}

/**
 * A resolved reference to one dataset: its {@link DatasetType}, data ID, run and UUID.
 *
 * Immutable. Equality uses the dataset type (storage classes included), the data ID and the
 * ID, **not** the run: a component ref and its parent share an ID but are different refs, and
 * a ref with an overridden storage class differs from the original. Datastores key their
 * contents by {@link DatasetRef.id}.
 *
 * @example
 * ```ts
 * const ref = new DatasetRef(datasetType, { instrument: 'dummy', visit: 52 }, 'run1');
 * const summary = ref.makeComponentRef('summary'); // same id and run
 * ```
 */
export class DatasetRef {
  /** The dataset ID. */
  readonly id: DatasetId;
  /** The dataset type. */
  readonly datasetType: DatasetType;
  /** The data ID. */
  readonly dataId: DataCoordinate;
  /** The run (collection) the dataset belongs to. */
  readonly run: string;
  /** Datastore records carried with the ref, or `null`. */
  readonly datastoreRecords: DatasetDatastoreRecords | null;

  /**
   * Python's type checks are constructor checks here (`datasetType instanceof DatasetType`,
   * `dataId instanceof DataCoordinate`) and `typeof` guards for `run` and the ID.
   *
   * @throws {@link TypeMismatchError} if `datasetType` is not a DatasetType, `run` is not a
   *   string, the ID is not a string, or `conform` is false and `dataId` is not a
   *   DataCoordinate.
   * @throws {@link InvalidValueError} for an ID that is not a UUID.
   * @throws {@link DimensionNameError} if the data ID lacks a required dimension.
   */
  constructor(
    datasetType: DatasetType,
    dataId: DataCoordinate | DataIdMapping,
    run: string,
    options: DatasetRefOptions = {},
  ) {
    if (options === TRUSTED) {
      this.id = TRUSTED.id;
      this.datasetType = datasetType;
      this.dataId = dataId as DataCoordinate;
      this.run = run;
      this.datastoreRecords = null;
      return;
    }
    if (!(datasetType instanceof DatasetType)) {
      throw new TypeMismatchError(
        `A DatasetRef needs a DatasetType, got ${typeName(datasetType)}`,
        {
          expected: 'DatasetType',
          actual: typeName(datasetType),
        },
      );
    }
    if (typeof run !== 'string') {
      throw new TypeMismatchError(`A DatasetRef needs a run name, got ${typeName(run)}`, {
        expected: 'str',
        actual: typeName(run),
      });
    }
    this.datasetType = datasetType;
    this.run = run;
    if (options.conform ?? true) {
      this.dataId = DataCoordinate.standardize(dataId, { dimensions: datasetType.dimensions });
    } else if (dataId instanceof DataCoordinate) {
      this.dataId = dataId;
    } else {
      throw new TypeMismatchError('With conform=false the data ID must be a DataCoordinate', {
        expected: 'DataCoordinate',
        actual: typeName(dataId),
      });
    }
    this.id =
      options.id === undefined
        ? makeDatasetId(run, datasetType.name, this.dataId, options.idGenerationMode)
        : parseDatasetId(options.id);
    this.datastoreRecords = freezeRecords(options.datastoreRecords);
  }

  /**
   * A ref from parts that are already known to be right, with no check of any of them: for
   * registry managers and datastores building refs from rows they stored themselves, where the
   * constructor's checks (the ID parsed as a UUID, the data ID's type) would be repeated per
   * row. Everyone else uses the constructor; wrong parts here make a wrong ref, not an error.
   *
   * @param datasetType - The dataset type.
   * @param dataId - The data ID, already a {@link DataCoordinate} of the type's dimensions.
   * @param run - The run.
   * @param id - The dataset ID in canonical form (lowercase, hyphenated), as
   *   {@link parseDatasetId} returns it.
   * @example
   * ```ts
   * const ref = DatasetRef.fromTrustedParts(datasetType, dataId, 'run1', row.id);
   * ```
   */
  static fromTrustedParts(
    datasetType: DatasetType,
    dataId: DataCoordinate,
    run: string,
    id: DatasetId,
  ): DatasetRef {
    TRUSTED.id = id;
    return new DatasetRef(datasetType, dataId, run, TRUSTED);
  }

  /** The dimensions of the dataset type. */
  get dimensions(): DimensionGroup {
    return this.datasetType.dimensions;
  }

  /** Whether the dataset type is a component. */
  isComponent(): boolean {
    return this.datasetType.isComponent();
  }

  /** Whether the dataset type's storage class is a composite. */
  isComposite(): boolean {
    return this.datasetType.isComposite();
  }

  /**
   * The ref of one component: same ID, run, data ID and records, with the component's
   * dataset type.
   *
   * @throws {@link UnknownComponentError} if the storage class does not define it.
   */
  makeComponentRef(name: string): DatasetRef {
    return this.#derive(this.datasetType.makeComponentDatasetType(name));
  }

  /**
   * The ref of the composite of a component ref: same ID, run, data ID and records.
   *
   * @throws {@link RuntimeError} if this is not a component ref.
   */
  makeCompositeRef(): DatasetRef {
    return this.#derive(this.datasetType.makeCompositeDatasetType());
  }

  /**
   * This ref with another (compatible) storage class; same as
   * `replace({ storageClass })`.
   *
   * @throws {@link IncompatibleStorageClassError} if neither storage class can convert the other.
   * @throws {@link LookupError} if a storage class name is not in the factory.
   */
  overrideStorageClass(storageClass: StorageClass | string): DatasetRef {
    return this.replace({ storageClass });
  }

  /**
   * A copy with some fields replaced. Without `run` the run and ID are kept (unless `id` is
   * given); with a new `run` and no `id`, a new ID is generated. Records are kept unless given
   * (`null` removes them).
   *
   * @throws as {@link DatasetRef.overrideStorageClass} and the constructor.
   */
  replace(options: DatasetRefReplaceOptions = {}): DatasetRef {
    const datasetType =
      options.storageClass === undefined
        ? this.datasetType
        : this.datasetType.overrideStorageClass(options.storageClass);
    const run = options.run ?? this.run;
    const id = options.id ?? (options.run === undefined ? this.id : undefined);
    const datastoreRecords =
      options.datastoreRecords === undefined ? this.datastoreRecords : options.datastoreRecords;
    return new DatasetRef(datasetType, this.dataId, run, {
      ...(id === undefined ? {} : { id }),
      conform: false,
      datastoreRecords,
    });
  }

  /**
   * Whether `other` refers to the same dataset in a form this ref can read: same ID, data ID
   * and run, and a compatible dataset type ({@link DatasetType.isCompatibleWith}).
   */
  isCompatibleWith(other: DatasetRef): boolean {
    return (
      other instanceof DatasetRef &&
      other.id === this.id &&
      other.run === this.run &&
      other.dataId.equals(this.dataId) &&
      this.datasetType.isCompatibleWith(other.datasetType)
    );
  }

  /** Same dataset type, data ID and ID (the run is not compared); `other` must be a DatasetRef (a constructor check). */
  equals(other: unknown): boolean {
    if (other === this) return true;
    return (
      other instanceof DatasetRef &&
      other.id === this.id &&
      other.dataId.equals(this.dataId) &&
      other.datasetType.equals(this.datasetType)
    );
  }

  /** Orders refs by run, then dataset type name, then data ID. */
  compare(other: DatasetRef): number {
    if (this.run !== other.run) return this.run < other.run ? -1 : 1;
    const byType = this.datasetType.compare(other.datasetType);
    return byType !== 0 ? byType : this.dataId.compare(other.dataId);
  }

  /**
   * The dataset type's lookup keys, each preceded in priority by a copy restricted to the
   * data ID's instrument when it has one.
   */
  lookupNames(): readonly LookupKey[] {
    const names = this.datasetType.lookupNames();
    const instrument = this.dataId.get('instrument');
    if (instrument === undefined) return names;
    return [...names.map((key) => key.clone({ dataId: { instrument } })), ...names];
  }

  /** `<dataset type name>@<data ID> [sc=<storage class>] (run=<run> id=<id>)`. */
  toString(): string {
    return `${this.datasetType.name}@${this.dataId.toString()} [sc=${this.datasetType.storageClassName}] (run=${this.run} id=${this.id})`;
  }

  #derive(datasetType: DatasetType): DatasetRef {
    return new DatasetRef(datasetType, this.dataId, this.run, {
      id: this.id,
      conform: false,
      datastoreRecords: this.datastoreRecords,
    });
  }
}
