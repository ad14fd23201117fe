// DatastoreRegistryBridgeManager.transaction: a datastore's records and bridge rows are
// written together or not at all.
import { tableSpec } from '@butler-ts/ddl';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRegistry, standaloneDatasetForeignKeys } from '../src/index.ts';
import type { Registry } from '../src/index.ts';

const ID = '0190d6f2-0000-7000-8000-000000000001';

describe('bridge manager transaction', () => {
  let registry: Registry;
  beforeEach(async () => {
    // The bridge rows are of datasets the registry does not hold: no foreign key to dataset.
    registry = await createRegistry('sqlite://', {
      datasetForeignKeys: standaloneDatasetForeignKeys,
    });
  });
  afterEach(async () => {
    await registry.close();
  });

  async function state(): Promise<[number, boolean]> {
    const records = registry.opaque.getOrThrow('records');
    let rows = 0;
    for await (const batch of records.fetchBatches()) rows += batch.length;
    const known = await registry.bridges.register('ds').check([ID]);
    return [rows, known.has(ID)];
  }

  it('commits records and bridge rows together, and rolls both back on failure', async () => {
    const records = await registry.opaque.register(
      'records',
      tableSpec({ fields: [{ name: 'dataset_id', dtype: 'uuid', primaryKey: true }] }),
    );
    const bridge = registry.bridges.register('ds');
    await expect(
      registry.bridges.transaction(async () => {
        await records.insert([{ dataset_id: ID }]);
        await bridge.insert([{ id: ID }]);
        expect(registry.db.isInTransaction()).toBe(true);
        throw new Error('after both writes');
      }),
    ).rejects.toThrow('after both writes');
    expect(await state()).toEqual([0, false]);

    const result = await registry.bridges.transaction(async () => {
      await records.insert([{ dataset_id: ID }]);
      await bridge.insert([{ id: ID }]);
      return 'done';
    });
    expect(result).toBe('done');
    expect(await state()).toEqual([1, true]);
  });
});
