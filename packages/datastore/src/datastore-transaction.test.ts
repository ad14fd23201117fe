import { isError } from '../test/is-error.ts';
import type { Logger } from '@butler-ts/core';
import { TypeMismatchError } from '@butler-ts/core';
import { EphemeralDatastoreRegistryBridge, FakeDatasetRef } from '@butler-ts/registry-interfaces';
import type { UndoTransaction } from '@butler-ts/registry-interfaces';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { DatastoreTransaction } from './datastore-transaction.ts';

function capture(): { logger: Logger; warnings: string[]; debug: string[] } {
  const warnings: string[] = [];
  const debug: string[] = [];
  return {
    warnings,
    debug,
    logger: { debug: (m) => debug.push(m), warn: (m) => warnings.push(m), error: () => {} },
  };
}

describe('DatastoreTransaction', () => {
  it('implements UndoTransaction', () => {
    expectTypeOf<DatastoreTransaction>().toExtend<UndoTransaction>();
  });

  it('rolls back newest first, then is rolled back', async () => {
    const done: string[] = [];
    const transaction = new DatastoreTransaction();
    for (const name of ['a', 'b', 'c']) transaction.registerUndo(name, () => done.push(name));
    expect(transaction.log.map((e) => e.name)).toEqual(['a', 'b', 'c']);
    await transaction.rollback();
    expect(done).toEqual(['c', 'b', 'a']);
    expect(transaction.state).toBe('rolledBack');
    expect(transaction.log).toEqual([]);
  });

  it('awaits async undo actions one after the other', async () => {
    const done: string[] = [];
    const transaction = new DatastoreTransaction();
    transaction.registerUndo('slow', async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      done.push('slow');
    });
    transaction.registerUndo('fast', () => done.push('fast'));
    await transaction.rollback();
    expect(done).toEqual(['fast', 'slow']);
  });

  it('logs a failing undo action by name and runs the rest', async () => {
    const { logger, warnings, debug } = capture();
    const done: string[] = [];
    const transaction = new DatastoreTransaction(null, { logger });
    transaction.registerUndo('first', () => done.push('first'));
    transaction.registerUndo('broken', () => {
      throw new Error('cannot undo');
    });
    transaction.registerUndo('rejecting', () => Promise.reject(new Error('async failure')));
    await transaction.rollback();
    expect(done).toEqual(['first']);
    expect(warnings).toEqual([
      'Exception caught while unrolling rejecting: Error: async failure. Continuing.',
      'Exception caught while unrolling broken: Error: cannot undo. Continuing.',
    ]);
    expect(debug).toHaveLength(3);
  });

  it('runs undo actions registered while rolling back', async () => {
    const done: string[] = [];
    const transaction = new DatastoreTransaction();
    transaction.registerUndo('adds another', () => {
      done.push('adds another');
      transaction.registerUndo('added', () => done.push('added'));
    });
    await transaction.rollback();
    expect(done).toEqual(['adds another', 'added']);
  });

  it('registers an undo with undoWith only when the body succeeds', async () => {
    const transaction = new DatastoreTransaction();
    expect(
      await transaction.undoWith(
        'ok',
        () => {},
        () => 7,
      ),
    ).toBe(7);
    await expect(
      transaction.undoWith(
        'fails',
        () => {},
        () => Promise.reject(new Error('body failed')),
      ),
    ).rejects.toThrow('body failed');
    expect(transaction.log.map((e) => e.name)).toEqual(['ok']);
  });

  it('hands its log to the parent on commit, keeping the order', async () => {
    const done: string[] = [];
    const parent = new DatastoreTransaction();
    parent.registerUndo('parent', () => done.push('parent'));
    const child = new DatastoreTransaction(parent);
    child.registerUndo('child 1', () => done.push('child 1'));
    child.registerUndo('child 2', () => done.push('child 2'));
    child.commit();
    expect(child.state).toBe('committed');
    expect(parent.log.map((e) => e.name)).toEqual(['parent', 'child 1', 'child 2']);
    await parent.rollback();
    expect(done).toEqual(['child 2', 'child 1', 'parent']);
  });

  it('forgets its log when an outermost transaction commits', () => {
    const transaction = new DatastoreTransaction();
    transaction.registerUndo('x', () => {
      throw new Error('never runs');
    });
    transaction.commit();
    expect(transaction.log).toEqual([]);
  });

  it('sends a late undo of a committed child to the parent, and runs one of a rolled-back transaction', async () => {
    const done: string[] = [];
    const parent = new DatastoreTransaction();
    const child = new DatastoreTransaction(parent);
    child.commit();
    child.registerUndo('late child', () => done.push('late child'));
    expect(parent.log.map((e) => e.name)).toEqual(['late child']);
    const failed = new DatastoreTransaction();
    await failed.rollback();
    failed.registerUndo('late failed', () => done.push('late failed'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toEqual(['late failed']);
    const root = new DatastoreTransaction();
    root.commit();
    root.registerUndo('dropped', () => done.push('dropped'));
    expect(done).toEqual(['late failed']);
  });

  it('inherits the logger of its parent and checks the parent type', () => {
    const { logger } = capture();
    const parent = new DatastoreTransaction(null, { logger });
    expect(new DatastoreTransaction(parent).logger).toBe(logger);
    expect(new DatastoreTransaction(parent).parent).toBe(parent);
    expect(() => new DatastoreTransaction({} as DatastoreTransaction)).toThrow(
      expect.toSatisfy(isError(TypeMismatchError)) as Error,
    );
  });

  it('lets an ephemeral bridge register the undo of a trash move', async () => {
    const bridge = new EphemeralDatastoreRegistryBridge('memory');
    const ref = new FakeDatasetRef('01a20000-0000-7000-8000-000000000001');
    await bridge.insert([ref]);
    const transaction = new DatastoreTransaction();
    await bridge.moveToTrash([ref], transaction);
    expect(bridge.contains(ref)).toBe(false);
    await transaction.rollback();
    expect(bridge.contains(ref)).toBe(true);
  });
});
