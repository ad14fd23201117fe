import { tableSpec } from '@butler-ts/ddl';
import { describe, expect, it } from 'vitest';
import {
  datasetTableForeignKeys,
  monolithicBridgeTableSpecs,
  standaloneDatasetForeignKeys,
} from '../src/index.ts';

const fields = (spec: {
  fields: readonly { name: string; dtype: string; primaryKey: boolean }[];
}) => spec.fields.map((f) => `${f.name}:${f.dtype}${f.primaryKey ? ':pk' : ''}`);

describe('monolithicBridgeTableSpecs', () => {
  it('keys both tables by datastore and dataset, the trash dataset first', () => {
    const specs = monolithicBridgeTableSpecs(datasetTableForeignKeys);
    expect(fields(specs.dataset_location)).toEqual([
      'datastore_name:string:pk',
      'dataset_id:uuid:pk',
    ]);
    expect(fields(specs.dataset_location_trash)).toEqual([
      'dataset_id:uuid:pk',
      'datastore_name:string:pk',
    ]);
    expect(specs.dataset_location.fields[0]!.length).toBe(256);
  });

  it('points dataset_location, never the trash, at the dataset table', () => {
    const specs = monolithicBridgeTableSpecs(datasetTableForeignKeys);
    expect(
      specs.dataset_location.foreignKeys.map((fk) => [fk.table, fk.source, fk.target, fk.onDelete]),
    ).toEqual([['dataset', ['dataset_id'], ['id'], null]]);
    expect(specs.dataset_location_trash.foreignKeys).toEqual([]);
  });

  it('adds no foreign key with the standalone helper', () => {
    const specs = monolithicBridgeTableSpecs(standaloneDatasetForeignKeys);
    expect(fields(specs.dataset_location)).toEqual([
      'datastore_name:string:pk',
      'dataset_id:uuid:pk',
    ]);
    expect(specs.dataset_location.foreignKeys).toEqual([]);
  });
});

describe('dataset foreign keys', () => {
  const base = tableSpec({ fields: [{ name: 'x', dtype: 'integer' }] });

  it('names the column after the given name, with the given delete action', () => {
    const spec = datasetTableForeignKeys.addDatasetForeignKey(base, {
      name: 'parent',
      onDelete: 'CASCADE',
    });
    expect(fields(spec)).toEqual(['x:integer', 'parent_id:uuid']);
    expect(spec.fields[1]!.nullable).toBe(true);
    expect(spec.foreignKeys.map((fk) => [fk.source, fk.onDelete])).toEqual([
      [['parent_id'], 'CASCADE'],
    ]);
  });

  it('adds the column alone without a constraint', () => {
    const spec = datasetTableForeignKeys.addDatasetForeignKey(base, {
      constraint: false,
      primaryKey: true,
    });
    expect(fields(spec)).toEqual(['x:integer', 'dataset_id:uuid:pk']);
    expect(spec.foreignKeys).toEqual([]);
  });
});
