// The attributes-manager conformance suite: P-AVM-01…06 and P-AVM-10, plus read-only,
// clone and error-chaining checks.
import {
  ButlerAttributeExistsError,
  IntegrityError,
  InvalidArgumentError,
  ReadOnlyDatabaseError,
} from '@butler-ts/registry-interfaces';
import type {
  ButlerAttributeManager,
  ButlerAttributeManagerClass,
  Database,
} from '@butler-ts/registry-interfaces';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHarness } from './database-suite.ts';
import { isError, rejection } from './errors.ts';

/** Declares the attributes manager's table on `db` and returns the manager. */
export async function declareAttributes(
  db: Database,
  manager: ButlerAttributeManagerClass,
  create: boolean,
): Promise<ButlerAttributeManager> {
  let attributes!: ButlerAttributeManager;
  await db.declareStaticTables({ create }, (context) => {
    attributes = manager.initialize(db, context);
  });
  return attributes;
}

/** All attributes as a map. */
export async function attributeMap(
  attributes: ButlerAttributeManager,
): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  for await (const [name, value] of attributes.items()) map.set(name, value);
  return map;
}

/**
 * Runs the attributes-manager suite for `manager` on the databases `makeHarness` gives.
 *
 * @example
 * ```ts
 * describeAttributeManager('sqlite (memory)', () => memoryHarness(), DefaultButlerAttributeManager);
 * ```
 */
export function describeAttributeManager(
  name: string,
  makeHarness: () => DatabaseHarness,
  manager: ButlerAttributeManagerClass,
): void {
  describe(`attributes manager conformance: ${name}`, () => {
    let harness: DatabaseHarness;
    let db: Database;
    let attributes: ButlerAttributeManager;

    beforeEach(async () => {
      harness = makeHarness();
      db = await harness.make();
      attributes = await declareAttributes(db, manager, true);
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    it('reads nothing from a fresh table (P-AVM-01)', async () => {
      expect(await attributes.get('attr')).toBeNull();
      expect(await attributes.get('attr', '')).toBe('');
      expect(await attributes.get('attr', 'Value')).toBe('Value');
      expect(await attributeMap(attributes)).toEqual(new Map());
      expect(await attributes.empty()).toBe(true);
    });

    it('rejects an empty name or value, even with force (P-AVM-02)', async () => {
      for (const [key, value] of [
        ['', 'value'],
        ['attr', ''],
      ] as const) {
        await expect(attributes.set(key, value)).rejects.toSatisfy(isError(InvalidArgumentError));
        await expect(attributes.set(key, value, { force: true })).rejects.toSatisfy(
          isError(InvalidArgumentError),
        );
      }
      expect(await attributes.empty()).toBe(true);
    });

    it('stores a value (P-AVM-03)', async () => {
      await attributes.set('attr', 'value');
      expect((await attributeMap(attributes)).size).toBe(1);
      expect(await attributes.get('attr')).toBe('value');
      expect(await attributes.empty()).toBe(false);
    });

    it('refuses to overwrite without force, and overwrites with it (P-AVM-04)', async () => {
      await attributes.set('attr', 'value');
      await expect(attributes.set('attr', 'value2')).rejects.toSatisfy(
        isError(ButlerAttributeExistsError),
      );
      expect(await attributes.get('attr')).toBe('value');
      await attributes.set('attr', 'value2', { force: true });
      expect((await attributeMap(attributes)).size).toBe(1);
      expect(await attributes.get('attr')).toBe('value2');
    });

    it('keeps the database error as the cause of AttributeExists', async () => {
      await attributes.set('attr', 'value');
      const error = await rejection(attributes.set('attr', 'other'));
      expect(ButlerAttributeExistsError.is(error)).toBe(true);
      expect((error as ButlerAttributeExistsError).attribute).toBe('attr');
      expect(IntegrityError.is((error as Error).cause)).toBe(true);
    });

    it('deletes an attribute and reports whether it existed (P-AVM-05)', async () => {
      await attributes.set('attr', 'value');
      await attributes.set('other', 'value');
      expect(await attributes.delete('attr')).toBe(true);
      expect((await attributeMap(attributes)).size).toBe(1);
      expect(await attributes.get('attr')).toBeNull();
      expect(await attributes.delete('non-attr')).toBe(false);
      expect((await attributeMap(attributes)).size).toBe(1);
    });

    it('gives dotted names no special meaning (P-AVM-06)', async () => {
      await attributes.set('version.core', '1.2.3');
      await attributes.set('version.dimensions', '3.2.1');
      await attributes.set('config.managers.opaque', 'ByNameOpaqueTableStorageManager');
      expect(await attributeMap(attributes)).toEqual(
        new Map([
          ['version.core', '1.2.3'],
          ['version.dimensions', '3.2.1'],
          ['config.managers.opaque', 'ByNameOpaqueTableStorageManager'],
        ]),
      );
    });

    it('round-trips long and non-ASCII values', async () => {
      const value = `ünïcødé ${'x'.repeat(20_000)} ✓ 𝄞`;
      await attributes.set('config:dimensions.json', value);
      expect(await attributes.get('config:dimensions.json')).toBe(value);
    });

    it('supports exactly version 1.0.1 (P-AVM-10)', () => {
      expect(manager.currentVersions().map(String)).toEqual(['1.0.1']);
    });

    it('sees the same table through a clone', async () => {
      await attributes.set('attr', 'value');
      const cloneDb = db.clone();
      try {
        const clone = attributes.clone(cloneDb);
        expect(await clone.get('attr')).toBe('value');
        await clone.set('second', 'two');
        expect(await attributes.get('second')).toBe('two');
      } finally {
        await cloneDb.close();
      }
    });

    it('reads but never writes through a read-only database', async () => {
      await attributes.set('attr', 'value');
      const view = await harness.readOnly(db);
      const readOnly = await declareAttributes(view, manager, false);
      expect(await readOnly.get('attr')).toBe('value');
      expect(await readOnly.empty()).toBe(false);
      const writes: (() => Promise<unknown>)[] = [
        () => readOnly.set('new', 'value'),
        () => readOnly.set('attr', 'value2', { force: true }),
        () => readOnly.delete('attr'),
        () => readOnly.delete('missing'),
      ];
      for (const write of writes)
        await expect(write()).rejects.toSatisfy(isError(ReadOnlyDatabaseError));
      expect(await attributeMap(attributes)).toEqual(new Map([['attr', 'value']]));
    });
  });
}
