// What the registry knows of datasets, read from daf_butler's tables (`dataset`,
// `dataset_type`, `collection`, `dataset_tags_*`) through the Database read API, so that a
// registry made by an older butler-ts (no datasets manager, no such tables) gets a clear error.
import {
  DataCoordinate,
  DatasetRef,
  DatasetType,
  DimensionUniverse,
  parseDatasetId,
} from '@butler-ts/core';
import type { DimensionDefinition } from '@butler-ts/core';
import type { StorageClassFactory } from '@butler-ts/core';
import type { DimensionRecordSource } from '@butler-ts/datastore-file';
import { and, col, eq, inList } from '@butler-ts/registry-interfaces';
import type { Database, DimensionRecordStorageManager, Row } from '@butler-ts/registry-interfaces';
import { DatasetIdError } from './errors.ts';
import { existingTable } from './registry-status.ts';

/** One dataset registered in the `dataset` table. */
export interface RegisteredDataset {
  /** Its ID (hyphenated UUID). */
  readonly id: string;
  /** Its dataset type's name. */
  readonly datasetType: string;
  /** Its dataset type's storage class. */
  readonly storageClass: string;
  /** The name of its run. */
  readonly run: string;
  /** The collection key of its run. */
  readonly runKey: unknown;
  /** The table holding its data ID (`dataset_type.tag_association_table`). */
  readonly tagTable: string;
}

const CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** Shows at most 20 items of a list, then how many there are. */
export function shortList(items: readonly string[]): string {
  const shown = items.slice(0, 20).join(', ');
  return items.length > 20 ? `${shown}, … (${items.length} in all)` : shown;
}

/**
 * Parses dataset IDs as given (hyphenated or 32 hex digits); the result is hyphenated and
 * without duplicates, in the order given.
 *
 * @throws {@link DatasetIdError} naming every malformed ID.
 */
export function parseIds(given: readonly string[]): string[] {
  const bad: string[] = [];
  const ids = new Set<string>();
  for (const text of given) {
    try {
      ids.add(parseDatasetId(text));
    } catch {
      bad.push(text);
    }
  }
  if (bad.length > 0)
    throw new DatasetIdError(
      bad,
      `Not a dataset ID (a UUID): ${shortList(bad.map((b) => JSON.stringify(b)))}`,
    );
  return [...ids];
}

/**
 * The registered datasets among `ids`, or `null` when the registry has no `dataset` table
 * (a registry made by an older butler-ts, which did not register datasets).
 */
export async function registeredDatasets(
  db: Database,
  ids: readonly string[],
): Promise<Map<string, RegisteredDataset> | null> {
  const dataset = await existingTable(db, 'dataset');
  const datasetType = await existingTable(db, 'dataset_type');
  const collection = await existingTable(db, 'collection');
  if (dataset === null || datasetType === null || collection === null) return null;
  const found = new Map<string, RegisteredDataset>();
  for (const chunk of chunks(ids)) {
    const rows = await db.select({
      from: [
        { source: dataset.handle, alias: 'd' },
        { source: datasetType.handle, alias: 't' },
        { source: collection.handle, alias: 'c' },
      ],
      columns: {
        id: col('d', 'id'),
        datasetType: col('t', 'name'),
        storageClass: col('t', 'storage_class'),
        tagTable: col('t', 'tag_association_table'),
        run: col('c', 'name'),
        runKey: col('c', 'collection_id'),
      },
      where: and(
        inList(col('d', 'id'), chunk),
        eq(col('d', 'dataset_type_id'), col('t', 'id')),
        eq(col('d', 'run_id'), col('c', 'collection_id')),
      ),
    });
    for (const row of rows) {
      const id = parseDatasetId(row['id']);
      found.set(id, {
        id,
        datasetType: String(row['datasetType']),
        storageClass: String(row['storageClass']),
        run: String(row['run']),
        runKey: row['runKey'],
        tagTable: String(row['tagTable']),
      });
    }
  }
  return found;
}

const TAG_COLUMNS: ReadonlySet<string> = new Set([
  'dataset_type_id',
  'dataset_id',
  'collection_id',
]);
const INTEGER_TYPES: ReadonlySet<string> = new Set(['smallint', 'integer', 'bigint']);

/**
 * Refs for registered datasets, with the data IDs their run holds in the dataset type's tag
 * table. The dimensions are the tag table's columns (the required dimensions), in a universe
 * made of just those: implied dimensions (a visit's band, say) and dimension records are
 * absent until {@link expandedRefs} puts the refs in the registry's universe.
 */
export async function registeredRefs(
  db: Database,
  datasets: readonly RegisteredDataset[],
  factory: StorageClassFactory,
): Promise<DatasetRef[]> {
  const refs: DatasetRef[] = [];
  const byTable = new Map<string, RegisteredDataset[]>();
  for (const dataset of datasets)
    byTable.set(dataset.tagTable, [...(byTable.get(dataset.tagTable) ?? []), dataset]);
  for (const [tableName, members] of byTable) {
    const table = await existingTable(db, tableName);
    if (table === null)
      throw new DatasetIdError(
        members.map((m) => m.id),
        `The data IDs of ${members[0]!.datasetType} are in table ${tableName}, which is missing`,
      );
    const dimensions = table.spec.fields.filter((f) => !TAG_COLUMNS.has(f.name));
    const definitions: Record<string, DimensionDefinition> = {};
    for (const field of dimensions)
      definitions[field.name] = {
        keyType: INTEGER_TYPES.has(field.dtype) ? 'int' : 'string',
        governor: field.name === 'instrument',
      };
    const universe = new DimensionUniverse({ dimensions: definitions });
    const rows = new Map<string, Row>();
    for (const chunk of chunks(members)) {
      const found = await db.select({
        from: [{ source: table.handle }],
        where: inList(
          col('dataset_id'),
          chunk.map((m) => m.id),
        ),
      });
      for (const row of found) {
        const id = parseDatasetId(row['dataset_id']);
        const member = chunk.find((m) => m.id === id);
        if (member !== undefined && String(row['collection_id']) === String(member.runKey))
          rows.set(id, row);
      }
    }
    for (const member of members) {
      const row = rows.get(member.id);
      if (row === undefined)
        throw new DatasetIdError(
          [member.id],
          `Dataset ${member.id} has no data ID in ${tableName} for its run ${member.run}`,
        );
      const type = new DatasetType(
        member.datasetType,
        dimensions.map((f) => f.name),
        member.storageClass,
        { universe, factory },
      );
      const dataId: Record<string, string | number> = {};
      for (const field of dimensions) {
        const value = row[field.name];
        dataId[field.name] = typeof value === 'bigint' ? Number(value) : (value as string | number);
      }
      const coordinate = DataCoordinate.standardize(dataId, { dimensions: type.dimensions });
      refs.push(new DatasetRef(type, coordinate, member.run, { id: member.id }));
    }
  }
  return refs;
}

/**
 * Where a FileDatastore's templates read dimension records (`detector.full_name`): from the
 * data ID, once {@link expandedRefs} has expanded it.
 */
export const expandedRecords: DimensionRecordSource = (element, ref) => {
  const dataId = ref.dataId;
  if (!dataId.hasRecords() || !dataId.elements.includes(element)) return null;
  return dataId.record(element);
};

/**
 * The refs again in the registry's dimension universe, their data IDs expanded from its
 * dimension records (implied dimensions such as a visit's band and physical_filter, and the
 * records), as a Butler's put has them: file templates then give the paths a put gives.
 *
 * @throws the registry's `LookupError` naming a dimension value that has no record.
 */
export async function expandedRefs(
  dimensions: DimensionRecordStorageManager,
  refs: readonly DatasetRef[],
  factory: StorageClassFactory,
): Promise<DatasetRef[]> {
  const out: DatasetRef[] = [];
  for (const ref of refs) {
    const source = ref.datasetType;
    const type = new DatasetType(source.name, source.dimensions.names, source.storageClassName, {
      universe: dimensions.universe,
      factory,
    });
    const dataId = await dimensions.expandDataId(ref.dataId.toJSON(), {
      dimensions: type.dimensions,
    });
    out.push(new DatasetRef(type, dataId, ref.run, { id: ref.id, conform: false }));
  }
  return out;
}

const NO_DIMENSIONS = new DimensionUniverse({ dimensions: {} });

/**
 * A ref that carries only an ID (and, when the registry knows it, the dataset type name and
 * run), for the datastore operations that need no more: retrieve and trash.
 */
export function idRef(id: string, registered: RegisteredDataset | undefined): DatasetRef {
  const type = new DatasetType(
    registered?.datasetType ?? 'dataset',
    [],
    registered?.storageClass ?? 'StructuredDataDict',
    { universe: NO_DIMENSIONS },
  );
  return new DatasetRef(type, {}, registered?.run ?? 'unknown', { id });
}
