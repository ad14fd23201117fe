// The table specs of daf_butler's ByDimensionsDatasetRecordStorageManagerUUID: the static
// `dataset_type`, `dataset` and collection summaries, and the per-dimension-group tags tables.
import type { DimensionGroup, DimensionUniverse } from '@butler-ts/core';
import { tableSpec } from '@butler-ts/ddl';
import type { FieldSpecInit, ForeignKeySpecInit, TableSpec } from '@butler-ts/ddl';

/** The spec of `dataset_type`: one row per registered dataset type. */
export const DATASET_TYPE_SPEC = tableSpec({
  fields: [
    { name: 'id', dtype: 'bigint', primaryKey: true, autoincrement: true },
    { name: 'name', dtype: 'string', length: 128, nullable: false },
    { name: 'storage_class', dtype: 'string', length: 64, nullable: false },
    { name: 'dimensions_key', dtype: 'bigint', nullable: false },
    { name: 'tag_association_table', dtype: 'string', length: 128, nullable: false },
    { name: 'calibration_association_table', dtype: 'string', length: 128, nullable: true },
  ],
  unique: [['name']],
} as const);

/**
 * The spec of `dataset`: one row per dataset, keyed by its UUID, with its dataset type, its
 * run and its ingest date (TAI nanoseconds, BIGINT on both engines, as daf_butler stores it).
 */
export const DATASET_SPEC = tableSpec({
  fields: [
    { name: 'id', dtype: 'uuid', primaryKey: true },
    { name: 'dataset_type_id', dtype: 'bigint', nullable: false },
    { name: 'ingest_date', dtype: 'timeNsecTai', nullable: false },
    { name: 'run_id', dtype: 'bigint', nullable: false },
  ],
  foreignKeys: [
    { table: 'dataset_type', source: ['dataset_type_id'], target: ['id'] },
    { table: 'run', source: ['run_id'], target: ['collection_id'], onDelete: 'CASCADE' },
  ],
} as const);

const COLLECTION_FK = {
  table: 'collection',
  source: ['collection_id'],
  target: ['collection_id'],
  onDelete: 'CASCADE',
} as const;

/** The spec of `collection_summary_dataset_type`: which dataset types each collection holds. */
export const COLLECTION_SUMMARY_DATASET_TYPE_SPEC = tableSpec({
  fields: [
    { name: 'collection_id', dtype: 'bigint', primaryKey: true },
    { name: 'dataset_type_id', dtype: 'bigint', primaryKey: true },
  ],
  foreignKeys: [
    COLLECTION_FK,
    { table: 'dataset_type', source: ['dataset_type_id'], target: ['id'], onDelete: 'CASCADE' },
  ],
} as const);

// What the datasets manager asks of a dimension. Universes read from daf_butler's
// configuration describe key columns (`keys`, the primary key first) and every dimension a
// record's key holds (`required`, itself last); smaller universes give the key type and the
// declared `requires` only, and then daf_butler's conventions fill in the rest.
interface DimensionKeyInfo {
  readonly keyType: 'string' | 'int';
  readonly requires: readonly string[];
  readonly required?: readonly string[];
  readonly keys?: readonly { readonly name: string; readonly length: number | null }[];
}

function keyInfo(universe: DimensionUniverse, name: string): DimensionKeyInfo {
  const info: DimensionKeyInfo = universe.getDimension(name);
  return info;
}

/**
 * A dimension's key column as daf_butler declares it in other tables (named after the
 * dimension), typed as the universe says: a string of the primary key's length (32 when the
 * universe gives none), or a BIGINT.
 */
export function dimensionKeyField(universe: DimensionUniverse, name: string): FieldSpecInit {
  const info = keyInfo(universe, name);
  return info.keyType === 'string'
    ? { name, dtype: 'string', length: info.keys?.[0]?.length ?? 32 }
    : { name, dtype: 'bigint' };
}

/**
 * The foreign key from columns named after dimensions to the table of `dimension`'s
 * records: the dimensions of its key and itself, to the table's keys (the same dimension
 * names, then the dimension's primary key column: `name` for string keys and `id` for integer
 * keys when the universe does not say).
 */
function dimensionForeignKey(universe: DimensionUniverse, dimension: string): ForeignKeySpecInit {
  const info = keyInfo(universe, dimension);
  const keyName = info.keys?.[0]?.name ?? (info.keyType === 'string' ? 'name' : 'id');
  const requires = (info.required ?? info.requires).filter((d) => d !== dimension);
  return {
    table: dimension,
    source: [...requires, dimension],
    target: [...requires, keyName],
  };
}

/** The spec of `collection_summary_<governor>`: which values of a governor dimension each collection holds. */
export function collectionSummaryGovernorSpec(
  universe: DimensionUniverse,
  governor: string,
  hasDimensionTable: (dimension: string) => boolean,
): TableSpec {
  const foreignKeys: ForeignKeySpecInit[] = [COLLECTION_FK];
  if (hasDimensionTable(governor)) foreignKeys.push(dimensionForeignKey(universe, governor));
  return tableSpec({
    fields: [
      { name: 'collection_id', dtype: 'bigint', primaryKey: true },
      { ...dimensionKeyField(universe, governor), primaryKey: true },
    ],
    foreignKeys,
  });
}

/** daf_butler's name of the tags table of the dimension group with key `key`. */
export function tagsTableName(key: number): string {
  return `dataset_tags_${String(key).padStart(8, '0')}`;
}

/**
 * The spec of a tags table (`dataset_tags_XXXXXXXX`): which datasets of the dimension group
 * are in which RUN or TAGGED collection, with their data ID's required values, as daf_butler
 * declares it (primary key dataset and collection; one dataset per type, collection and data
 * ID; foreign keys to the dataset, the collection, the summaries and the dimension tables).
 */
export function tagsTableSpec(
  group: DimensionGroup,
  hasDimensionTable: (dimension: string) => boolean,
): TableSpec {
  const universe = group.universe;
  const governors = new Set(universe.governors);
  const foreignKeys: ForeignKeySpecInit[] = [
    { table: 'dataset_type', source: ['dataset_type_id'], target: ['id'] },
    { table: 'dataset', source: ['dataset_id'], target: ['id'], onDelete: 'CASCADE' },
    COLLECTION_FK,
    {
      table: 'collection_summary_dataset_type',
      source: ['collection_id', 'dataset_type_id'],
      target: ['collection_id', 'dataset_type_id'],
    },
  ];
  for (const name of group.required) {
    if (hasDimensionTable(name)) foreignKeys.push(dimensionForeignKey(universe, name));
    if (governors.has(name))
      foreignKeys.push({
        table: `collection_summary_${name}`,
        source: ['collection_id', name],
        target: ['collection_id', name],
      });
  }
  return tableSpec({
    fields: [
      { name: 'dataset_type_id', dtype: 'bigint', nullable: false },
      { name: 'dataset_id', dtype: 'uuid', primaryKey: true },
      { name: 'collection_id', dtype: 'bigint', primaryKey: true },
      ...group.required.map((name) => ({
        ...dimensionKeyField(universe, name),
        nullable: false,
      })),
    ],
    unique: [['dataset_type_id', 'collection_id', ...group.required]],
    foreignKeys,
  });
}
