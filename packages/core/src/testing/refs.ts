import { DataCoordinate } from '../data-coordinate.ts';
import type { DataIdMapping } from '../data-coordinate.ts';
import type { DatasetId } from '../dataset-id.ts';
import { DatasetRef } from '../dataset-ref.ts';
import { DatasetType } from '../dataset-type.ts';
import type { DimensionGroup, DimensionUniverse } from '../dimensions.ts';
import { isPlainObject } from '../format.ts';
import type { StorageClassFactory } from '../storage-class-factory.ts';
import { StorageClass } from '../storage-class.ts';
import { testStorageClassFactory } from './storage-classes.ts';
import { testUniverse } from './universe.ts';

/** Options of {@link makeRef} and {@link makeDatasetRef}. */
export interface MakeRefOptions {
  /** The dataset ID; a fresh UUIDv7 by default. */
  readonly id?: DatasetId;
  /** The run; default `'dummy'`. */
  readonly run?: string;
  /** Resolves storage class names; default {@link testStorageClassFactory}. */
  readonly factory?: StorageClassFactory;
  /** The universe; default the shared F1 universe ({@link testUniverse}). */
  readonly universe?: DimensionUniverse;
  /** Standardize the data ID; default true. */
  readonly conform?: boolean;
}

function resolveStorageClass(
  storageClass: StorageClass | string,
  factory: StorageClassFactory,
): StorageClass {
  return typeof storageClass === 'string' ? factory.getStorageClass(storageClass) : storageClass;
}

/**
 * Python's `DatasetTestHelper.makeDatasetRef`: a ref of a new dataset type. Component names
 * get a placeholder parent storage class named `component`.
 *
 * @throws as the {@link DatasetType} and {@link DatasetRef} constructors, and
 *   {@link index!LookupError | LookupError} for an unknown storage class name.
 */
export function makeDatasetRef(
  datasetTypeName: string,
  dimensions: DimensionGroup | Iterable<string>,
  storageClass: StorageClass | string,
  dataId: DataCoordinate | DataIdMapping,
  options: MakeRefOptions = {},
): DatasetRef {
  const factory = options.factory ?? testStorageClassFactory();
  const universe = options.universe ?? testUniverse();
  const [, component] = DatasetType.splitDatasetTypeName(datasetTypeName);
  const datasetType = new DatasetType(
    datasetTypeName,
    dimensions,
    resolveStorageClass(storageClass, factory),
    {
      universe,
      factory,
      ...(component === null
        ? {}
        : { parentStorageClass: new StorageClass('component', { registry: factory.registry }) }),
    },
  );
  return new DatasetRef(datasetType, dataId, options.run ?? 'dummy', {
    ...(options.id === undefined ? {} : { id: options.id }),
    conform: options.conform ?? true,
  });
}

/**
 * The F4 helper: a ref whose dataset type has the data ID's dimensions (its keys, or a
 * DataCoordinate's dimensions) and the given storage class. Each call gets a fresh UUID
 * unless `id` is given; the run defaults to `'dummy'`.
 *
 * @throws {@link index!DimensionNameError | DimensionNameError} for a data ID key that is not
 *   an F1 dimension or a missing required value; {@link index!LookupError | LookupError} for an
 *   unknown storage class name.
 * @example
 * ```ts
 * const ref = makeRef('metric', 'StructuredData', { instrument: 'dummy', visit: 52 });
 * const data = ref.makeComponentRef('data'); // same id and run
 * ```
 */
export function makeRef(
  typeName: string,
  storageClass: StorageClass | string,
  dataId: DataCoordinate | DataIdMapping,
  options: MakeRefOptions = {},
): DatasetRef {
  const universe = options.universe ?? testUniverse();
  const dimensions =
    dataId instanceof DataCoordinate
      ? dataId.dimensions
      : universe.conform(
          dataId instanceof Map
            ? [...dataId.keys()]
            : isPlainObject(dataId)
              ? Object.keys(dataId)
              : [],
        );
  return makeDatasetRef(typeName, dimensions, storageClass, dataId, { ...options, universe });
}
