// The tables of daf_butler's StaticDimensionRecordStorageManager, as TableSpecs made from a
// universe: one table per element with records of its own, the skypix overlap tables of
// spatial elements and the overlap tables between spatial families (created, not yet
// written by butler-ts).
import type { DimensionColumn, DimensionElement, DimensionUniverse } from '@butler-ts/core';
import { tableSpec } from '@butler-ts/ddl';
import type { FieldSpecInit, ForeignKeySpecInit, TableSpec } from '@butler-ts/ddl';

/** The engine a spec is for: timespans are two columns on SQLite and a range on PostgreSQL. */
export type DimensionDialect = 'sqlite' | 'postgresql';

/** The size daf_butler declares for a `region` column (base64 text of the region's bytes). */
const REGION_NBYTES = 2048;

function columnField(column: DimensionColumn, name = column.name): FieldSpecInit {
  switch (column.type) {
    case 'string':
      return column.length === null
        ? { name, dtype: 'text' }
        : { name, dtype: 'string', length: column.length };
    case 'int':
      return { name, dtype: 'bigint' };
    case 'float':
      return { name, dtype: 'float' };
    case 'bool':
      return { name, dtype: 'boolean' };
    case 'hash':
      return { name, dtype: 'base64Bytes', nbytes: column.nbytes };
  }
}

/** The primary-key column of dimension `name`, as a column named `as` in another table. */
function dimensionField(universe: DimensionUniverse, name: string, as = name): FieldSpecInit {
  return columnField(universe.getDimension(name).keys[0]!, as);
}

/** The column of `dimension` in `element`'s table: its key name if it is the element itself. */
function columnOf(element: DimensionElement, dimension: string): string {
  return element.isDimension && dimension === element.name ? element.keys[0]!.name : dimension;
}

/**
 * The foreign key from `columns` (named as in the referencing table, one per required
 * dimension of `dimension`) to `dimension`'s table, or `null` when it has no table.
 */
function foreignKeyTo(
  universe: DimensionUniverse,
  dimension: string,
  source: readonly string[],
  onDelete?: 'CASCADE',
): ForeignKeySpecInit | null {
  const target = universe.getDimension(dimension);
  if (!target.hasOwnTable) return null;
  return {
    table: dimension,
    source,
    target: target.required.map((d) => columnOf(target, d)),
    ...(onDelete === undefined ? {} : { onDelete }),
  };
}

/** The foreign key to `dimension`'s table from columns named after its required dimensions. */
function referenceFor(universe: DimensionUniverse, dimension: string): ForeignKeySpecInit | null {
  return foreignKeyTo(universe, dimension, universe.getDimension(dimension).required);
}

/** The names of the record columns of an element's table, timespan columns excluded. */
export interface ElementColumns {
  /** Columns identifying a record (the primary key), by the dimension they hold. */
  readonly required: readonly { readonly dimension: string; readonly column: string }[];
  /** Columns of implied dimensions. */
  readonly implied: readonly string[];
  /** Alternate keys, metadata and region columns. */
  readonly other: readonly string[];
  /** Whether the element has a timespan. */
  readonly temporal: boolean;
  /** Whether the element has a region. */
  readonly spatial: boolean;
}

/** The columns of `element`'s table. */
export function elementColumns(element: DimensionElement): ElementColumns {
  const spatial = element.spatial !== null && element.skypix === null;
  return {
    required: element.required.map((dimension) => ({
      dimension,
      column: columnOf(element, dimension),
    })),
    implied: element.implied,
    other: [
      ...element.keys.slice(1).map((k) => k.name),
      ...element.metadata.map((m) => m.name),
      ...(spatial ? ['region'] : []),
    ],
    temporal: element.temporal !== null,
    spatial,
  };
}

/** The spec of the table of `element` (which must have a table of its own). */
export function elementTableSpec(
  universe: DimensionUniverse,
  element: DimensionElement,
  dialect: DimensionDialect,
): TableSpec {
  const fields: FieldSpecInit[] = [];
  const foreignKeys: ForeignKeySpecInit[] = [];
  const unique: string[][] = [];
  const dependencies = element.required.filter((d) => !(element.isDimension && d === element.name));
  for (const dimension of dependencies) {
    fields.push({ ...dimensionField(universe, dimension), primaryKey: true });
    const fk = referenceFor(universe, dimension);
    if (fk !== null) foreignKeys.push(fk);
  }
  if (element.isDimension) fields.push({ ...columnField(element.keys[0]!), primaryKey: true });
  for (const dimension of element.implied) {
    fields.push({ ...dimensionField(universe, dimension), nullable: false });
    const fk = referenceFor(universe, dimension);
    if (fk !== null) foreignKeys.push(fk);
  }
  for (const key of element.keys.slice(1)) {
    fields.push(columnField(key));
    unique.push([...dependencies, key.name]);
  }
  for (const column of element.metadata) fields.push(columnField(column));
  if (element.spatial !== null && element.skypix === null)
    fields.push({ name: 'region', dtype: 'base64Bytes', nbytes: REGION_NBYTES });
  if (element.temporal !== null && dialect === 'sqlite') {
    fields.push({ name: 'timespan_begin', dtype: 'timeNsecTai' });
    fields.push({ name: 'timespan_end', dtype: 'timeNsecTai' });
  } else if (element.temporal !== null) {
    fields.push({ name: 'timespan', dtype: 'timeNsecTai', range: true });
  }
  return tableSpec({ fields, unique, foreignKeys });
}

function governorOf(universe: DimensionUniverse, element: DimensionElement): string {
  const governor = element.required.find((d) => universe.isGovernor(d));
  if (governor === undefined) throw new Error(`Spatial element ${element.name} has no governor`);
  return governor;
}

const SKYPIX_FIELDS: readonly FieldSpecInit[] = [
  { name: 'skypix_system', dtype: 'string', length: 16, primaryKey: true },
  { name: 'skypix_level', dtype: 'smallint', primaryKey: true },
];

/** Every table of the dimensions manager except the group tables, by name, in creation order. */
export function dimensionTableSpecs(
  universe: DimensionUniverse,
  dialect: DimensionDialect,
): Map<string, TableSpec> {
  const specs = new Map<string, TableSpec>();
  const tabled = universe.elements.filter((e) => e.hasOwnTable);
  for (const element of tabled)
    specs.set(element.name, elementTableSpec(universe, element, dialect));
  // Materialized overlaps with the skypix dimensions, per spatial element.
  const spatial = tabled.filter((e) => e.spatial !== null);
  for (const element of spatial) {
    const governor = governorOf(universe, element);
    const summary = `${element.name}_skypix_overlap_summary`;
    specs.set(
      summary,
      tableSpec({
        fields: [...SKYPIX_FIELDS, { ...dimensionField(universe, governor), primaryKey: true }],
        foreignKeys: [referenceFor(universe, governor)!],
      }),
    );
    specs.set(
      `${element.name}_skypix_overlap`,
      tableSpec({
        fields: [
          ...SKYPIX_FIELDS,
          ...element.required.map((d) => ({ ...dimensionField(universe, d), primaryKey: true })),
          { name: 'skypix_index', dtype: 'bigint', primaryKey: true },
        ],
        foreignKeys: [
          {
            table: summary,
            source: ['skypix_system', 'skypix_level', governor],
            target: ['skypix_system', 'skypix_level', governor],
            onDelete: 'CASCADE',
          },
          ...element.required.map((d) => referenceFor(universe, d)!).filter((fk) => fk !== null),
        ],
        indexes: [['skypix_system', 'skypix_level', 'skypix_index', ...element.required]],
      }),
    );
  }
  // Materialized overlaps between elements of different spatial families.
  const families = new Map<string, DimensionElement[]>();
  for (const element of spatial) {
    const list = families.get(element.spatial!) ?? [];
    list.push(element);
    families.set(element.spatial!, list);
  }
  const familyList = [...families.values()];
  const index = (e: DimensionElement) => universe.elements.indexOf(e);
  for (let i = 0; i < familyList.length; i++) {
    for (let j = i + 1; j < familyList.length; j++) {
      for (const a of familyList[i]!) {
        for (const b of familyList[j]!) {
          const [first, second] = index(a) < index(b) ? [a, b] : [b, a];
          const governors = [governorOf(universe, first), governorOf(universe, second)];
          const rest = [
            ...first.required.filter((d) => !governors.includes(d)),
            ...second.required.filter((d) => !governors.includes(d)),
          ];
          const name = `${first.name}_${second.name}_overlap`;
          specs.set(
            `${name}_summary`,
            tableSpec({
              fields: governors.map((g) => ({ ...dimensionField(universe, g), primaryKey: true })),
              foreignKeys: governors.map((g) => referenceFor(universe, g)!),
            }),
          );
          specs.set(
            name,
            tableSpec({
              fields: [...governors, ...rest].map((d) => ({
                ...dimensionField(universe, d),
                primaryKey: true,
              })),
              foreignKeys: [...governors, ...rest]
                .map((d) => referenceFor(universe, d))
                .filter((fk) => fk !== null),
            }),
          );
        }
      }
    }
  }
  return specs;
}
