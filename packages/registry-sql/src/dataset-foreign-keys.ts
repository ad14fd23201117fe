import { withField, withForeignKey } from '@butler-ts/ddl';
import type { OnDelete, TableSpec } from '@butler-ts/ddl';
import { checkOptions } from '@butler-ts/registry-interfaces';
import type { DatasetForeignKeys } from '@butler-ts/registry-interfaces';

/** Options of `DatasetForeignKeys.addDatasetForeignKey`. */
type AddOptions = Parameters<DatasetForeignKeys['addDatasetForeignKey']>[1];

function addColumn(spec: TableSpec, options: AddOptions): { spec: TableSpec; column: string } {
  const column = `${options?.name ?? 'dataset'}_id`;
  return {
    spec: withField(spec, {
      name: column,
      dtype: 'uuid',
      primaryKey: options?.primaryKey ?? false,
    }),
    column,
  };
}

/**
 * Adds a `<name>_id` uuid column (`dataset_id` by default) with a foreign key to the `id`
 * column of the registry's `dataset` table, as daf_butler's datasets manager does. Pass
 * `constraint: false` to add the column alone. The `dataset` table must be declared in the
 * same database.
 *
 * @example
 * ```ts
 * const spec = datasetTableForeignKeys.addDatasetForeignKey(base, { primaryKey: true, onDelete: 'CASCADE' });
 * ```
 */
export const datasetTableForeignKeys: DatasetForeignKeys = Object.freeze({
  addDatasetForeignKey(
    spec: TableSpec,
    options: {
      readonly name?: string;
      readonly primaryKey?: boolean;
      readonly onDelete?: OnDelete;
      readonly constraint?: boolean;
    } = {},
  ): TableSpec {
    checkOptions('DatasetForeignKeys.addDatasetForeignKey', options, [
      'name',
      'primaryKey',
      'onDelete',
      'constraint',
    ]);
    const added = addColumn(spec, options);
    if (options.constraint === false) return added.spec;
    return withForeignKey(added.spec, {
      table: 'dataset',
      source: [added.column],
      target: ['id'],
      onDelete: options.onDelete ?? null,
    });
  },
});

/**
 * Adds the `<name>_id` uuid column without any foreign key: for registries with no
 * `dataset` table. butler-ts has no datasets manager yet, so `createRegistry` uses this by
 * default (like daf_butler's standalone datastores, which mimic the datasets manager the
 * same way).
 */
export const standaloneDatasetForeignKeys: DatasetForeignKeys = Object.freeze({
  addDatasetForeignKey(
    spec: TableSpec,
    options: { readonly name?: string; readonly primaryKey?: boolean } = {},
  ): TableSpec {
    // `onDelete` and `constraint` are the interface's; with no foreign key they change nothing.
    checkOptions('DatasetForeignKeys.addDatasetForeignKey', options, [
      'name',
      'primaryKey',
      'onDelete',
      'constraint',
    ]);
    return addColumn(spec, options).spec;
  },
});

/**
 * The dataset foreign keys of the bridge tables in a registry with these tables:
 * {@link datasetTableForeignKeys} when daf_butler's `dataset` table is there (a registry
 * written by daf_butler, whose `dataset_location` refers to it), otherwise
 * {@link standaloneDatasetForeignKeys}. `openRegistry` uses this unless given `datasets`.
 *
 * @example
 * ```ts
 * const keys = datasetForeignKeysFor(await db.tableNames());
 * ```
 */
export function datasetForeignKeysFor(tables: ReadonlySet<string>): DatasetForeignKeys {
  return tables.has('dataset') ? datasetTableForeignKeys : standaloneDatasetForeignKeys;
}
