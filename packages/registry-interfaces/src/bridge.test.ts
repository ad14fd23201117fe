import { describe, expect, it } from 'vitest';
import { FakeDatasetRef } from './bridge.ts';
import { EphemeralDatastoreRegistryBridge } from './ephemeral-bridge.ts';
import { DatabaseRuntimeError, InvalidArgumentError } from './errors.ts';
import type { UndoTransaction } from './undo.ts';

const r1 = '11111111-1111-4111-8111-111111111111';
const r2 = '22222222-2222-4222-8222-222222222222';
const r3 = '33333333-3333-4333-8333-333333333333';

/** A minimal undo log: enough to commit or roll back the bridge's trash moves. */
function undoLog(): UndoTransaction & { rollback(): Promise<void> } {
  const undos: (() => void | Promise<void>)[] = [];
  return {
    registerUndo: (_name, undo) => void undos.push(undo),
    undoWith: async (_name, undo, body) => {
      const result = await body();
      undos.push(undo);
      return result;
    },
    rollback: async () => {
      for (const undo of undos.reverse()) await undo();
    },
  };
}

describe('FakeDatasetRef', () => {
  it('equals anything with the same id and has no dataset type', () => {
    const ref = new FakeDatasetRef(r1);
    expect(ref.equals({ id: r1, run: 'x' })).toBe(true);
    expect(ref.equals(new FakeDatasetRef(r2))).toBe(false);
    expect(ref.equals('x')).toBe(false);
    expect(String(ref)).toBe(`dataset_id=${r1}`);
    expect(() => ref.datasetType).toThrow(InvalidArgumentError);
  });
});

describe('EphemeralDatastoreRegistryBridge', () => {
  it('records membership and checks ids (P-BRG-01)', async () => {
    const bridge = new EphemeralDatastoreRegistryBridge('E');
    await bridge.insert([{ id: r1 }, { id: r2 }]);
    expect([
      bridge.contains({ id: r1 }),
      bridge.contains({ id: r2 }),
      bridge.contains({ id: r3 }),
    ]).toEqual([true, true, false]);
    expect(await bridge.check([r1, r2, r3])).toEqual(new Set([r1, r2]));
  });

  it('accepts repeats (P-BRG-02) and forgets quietly (P-BRG-03)', async () => {
    const bridge = new EphemeralDatastoreRegistryBridge('E');
    await bridge.ensure([{ id: r1 }]);
    await bridge.ensure([{ id: r1 }]);
    await bridge.insert([{ id: r1 }]);
    expect(bridge.contains({ id: r1 })).toBe(true);
    await bridge.forget([{ id: r1 }]);
    await bridge.forget([{ id: r3 }]);
    expect(bridge.contains({ id: r1 })).toBe(false);
  });

  it('needs a transaction to trash (P-BRG-04)', async () => {
    const bridge = new EphemeralDatastoreRegistryBridge('E');
    await expect(bridge.moveToTrash([{ id: r1 }], null)).rejects.toThrow(DatabaseRuntimeError);
    await expect(bridge.moveToTrash([{ id: r1 }], null)).rejects.toThrow(
      'Must be called with a defined transaction.',
    );
  });

  it('trashes, empties the trash once, and forgets (P-BRG-05)', async () => {
    const bridge = new EphemeralDatastoreRegistryBridge('E');
    await bridge.insert([{ id: r1 }, { id: r2 }]);
    await bridge.moveToTrash([{ id: r1 }], undoLog());
    expect(await bridge.check([r1, r2])).toEqual(new Set([r2]));
    const seen = await bridge.emptyTrash({}, async (trashed, keep) => {
      const pairs = [...trashed].map(([ref, info]) => [ref.id, info]);
      return Promise.resolve({ pairs, keep });
    });
    expect(seen).toEqual({ pairs: [[r1, null]], keep: null });
    expect(await bridge.emptyTrash({}, (trashed) => Promise.resolve([...trashed].length))).toBe(0);
    await bridge.insert([{ id: r1 }]);
    expect(bridge.contains({ id: r1 })).toBe(true);
  });

  it('un-trashes on rollback, and keeps the trash when the body fails or in a dry run', async () => {
    const bridge = new EphemeralDatastoreRegistryBridge('E');
    await bridge.insert([{ id: r1 }]);
    const txn = undoLog();
    await bridge.moveToTrash([{ id: r1 }], txn);
    await txn.rollback();
    expect(bridge.contains({ id: r1 })).toBe(true);
    await bridge.moveToTrash([{ id: r1 }], undoLog());
    await expect(
      bridge.emptyTrash({}, () => Promise.reject(new Error('artifact delete failed'))),
    ).rejects.toThrow('artifact delete failed');
    expect(await bridge.emptyTrash({ dryRun: true }, (t) => Promise.resolve([...t].length))).toBe(
      1,
    );
    expect(
      await bridge.emptyTrash({ selectedIds: [] }, (t) => Promise.resolve([...t].length)),
    ).toBe(0);
    expect(
      await bridge.emptyTrash({ selectedIds: [r1] }, (t) => Promise.resolve([...t].length)),
    ).toBe(1);
  });
});
