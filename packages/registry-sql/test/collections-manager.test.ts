// SynthIntKeyCollectionManager on registries made by createRegistry: SQLite file, memory and
// PostgreSQL.
import {
  CollectionCycleError,
  CollectionManager,
  CollectionType,
  CollectionTypeError,
  ConflictingDefinitionError,
  InvalidArgumentError,
  MissingCollectionError,
  NotSupportedError,
  OrphanedRecordError,
} from '@butler-ts/registry-interfaces';
import { rejection } from '@butler-ts/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { pgAvailable } from './postgres-harness.ts';
import { registryPlaces } from './registry-engines.ts';
import type { RegistryPlace } from './registry-engines.ts';

const pgUp = await pgAvailable();

describe.each(registryPlaces(pgUp, 'butler-collections'))(
  'collections manager on $name',
  { timeout: 60_000 },
  (place: RegistryPlace) => {
    afterAll(() => place.cleanup());

    describe.skipIf(!place.available)('', () => {
      it('registers a RUN with a run row, then finds it by name and by key', async () => {
        const { collections } = await place.create();
        const [run, inserted] = await collections.registerRun('u/run1', { doc: 'first' });
        expect(inserted).toBe(true);
        expect(run).toMatchObject({ name: 'u/run1', type: CollectionType.RUN, doc: 'first' });
        expect(run.host).toBeNull();
        expect(run.timespan).toBeNull();
        expect(await collections.find('u/run1')).toEqual(run);
        expect(await collections.findByKey(run.key)).toEqual(run);
        const [again, insertedAgain] = await collections.registerRun('u/run1');
        expect(insertedAgain).toBe(false);
        expect(again).toEqual(run);
      });

      it('numbers the types as daf_butler stores them', async () => {
        const registry = await place.create();
        const { collections } = registry;
        await collections.registerRun('r');
        await collections.register('t', CollectionType.TAGGED);
        await collections.register('c', CollectionType.CHAINED);
        expect((await collections.all()).map((r) => [r.key, r.name, r.type])).toEqual([
          [1, 'r', 1],
          [2, 't', 2],
          [3, 'c', 3],
        ]);
      });

      it('refuses a registration of an existing name with another type, writing nothing', async () => {
        const { collections } = await place.create();
        await collections.register('t', CollectionType.TAGGED);
        const error = await rejection(collections.registerRun('t'));
        expect(ConflictingDefinitionError.is(error)).toBe(true);
        expect((error as Error).message).toContain('"t" is a TAGGED collection, not RUN');
        expect((await collections.all()).map((r) => r.name)).toEqual(['t']);
      });

      it('refuses CALIBRATION, unknown types and empty names', async () => {
        const { collections } = await place.create();
        expect(
          NotSupportedError.is(
            await rejection(collections.register('cal', CollectionType.CALIBRATION)),
          ),
        ).toBe(true);
        expect(
          InvalidArgumentError.is(await rejection(collections.register('x', 7 as CollectionType))),
        ).toBe(true);
        expect(InvalidArgumentError.is(await rejection(collections.registerRun('')))).toBe(true);
        expect(await collections.all()).toEqual([]);
      });

      it('fails to find an unknown collection with an error naming it', async () => {
        const { collections } = await place.create();
        const error = await rejection(collections.find('nope'));
        expect(MissingCollectionError.is(error)).toBe(true);
        expect((error as MissingCollectionError).key).toBe('nope');
        expect((error as Error).message).toBe("No collection with name 'nope' found.");
        expect(await collections.get('nope')).toBeNull();
        expect(MissingCollectionError.is(await rejection(collections.findByKey(99)))).toBe(true);
      });

      it('sets and reads back a chain in order, replacing the old children', async () => {
        const { collections } = await place.create();
        for (const name of ['a', 'b', 'c']) await collections.registerRun(name);
        await collections.register('chain', CollectionType.CHAINED);
        await collections.setChain('chain', ['b', 'a']);
        expect(await collections.getChain('chain')).toEqual(['b', 'a']);
        await collections.setChain('chain', ['c', 'a', 'c']);
        expect(await collections.getChain('chain')).toEqual(['c', 'a']);
        await collections.setChain('chain', []);
        expect(await collections.getChain('chain')).toEqual([]);
      });

      it('resolves nested chains depth first, each collection once', async () => {
        const { collections } = await place.create();
        for (const name of ['r1', 'r2', 'r3']) await collections.registerRun(name);
        await collections.register('tag', CollectionType.TAGGED);
        await collections.register('inner', CollectionType.CHAINED);
        await collections.register('outer', CollectionType.CHAINED);
        await collections.setChain('inner', ['r2', 'tag']);
        await collections.setChain('outer', ['r3', 'inner', 'r2', 'r1']);
        const names = async (list: string[]) =>
          (await collections.resolve(list)).map((r) => r.name);
        expect(await names(['outer'])).toEqual(['r3', 'r2', 'tag', 'r1']);
        expect(await names(['r1', 'outer'])).toEqual(['r1', 'r3', 'r2', 'tag']);
        expect(await names(['tag'])).toEqual(['tag']);
        const missing = await rejection(collections.resolve(['ghost', 'r1', 'phantom']));
        expect(MissingCollectionError.is(missing)).toBe(true);
        expect((missing as MissingCollectionError).key).toBe('ghost phantom');
        expect((missing as Error).message).toBe("No collections with names 'ghost phantom' found.");
      });

      it('refuses a chain that would contain itself, keeping the old children', async () => {
        const { collections } = await place.create();
        await collections.registerRun('r');
        await collections.register('a', CollectionType.CHAINED);
        await collections.register('b', CollectionType.CHAINED);
        await collections.setChain('a', ['b', 'r']);
        const error = await rejection(collections.setChain('b', ['r', 'a']));
        expect(CollectionCycleError.is(error)).toBe(true);
        expect((error as CollectionCycleError).collection).toBe('b');
        expect(CollectionCycleError.is(await rejection(collections.setChain('a', ['a'])))).toBe(
          true,
        );
        expect(await collections.getChain('a')).toEqual(['b', 'r']);
        expect(await collections.getChain('b')).toEqual([]);
      });

      it('refuses to chain a missing child or a collection that is no chain', async () => {
        const { collections } = await place.create();
        await collections.registerRun('r');
        await collections.register('c', CollectionType.CHAINED);
        const missing = await rejection(collections.setChain('c', ['r', 'ghost']));
        expect(MissingCollectionError.is(missing)).toBe(true);
        expect((missing as MissingCollectionError).key).toBe('ghost');
        const wrong = await rejection(collections.setChain('r', ['c']));
        expect(CollectionTypeError.is(wrong)).toBe(true);
        expect((wrong as Error).message).toContain('"r" is a RUN collection, not CHAINED');
        expect(CollectionTypeError.is(await rejection(collections.getChain('r')))).toBe(true);
        expect(await collections.getChain('c')).toEqual([]);
      });

      it('finds the chains that hold a collection, sorted by name', async () => {
        const { collections } = await place.create();
        for (const name of ['r1', 'r2', 'lonely']) await collections.registerRun(name);
        // Registered out of name order, so that key order is not name order.
        for (const name of ['z/outer', 'inner', 'a/also'])
          await collections.register(name, CollectionType.CHAINED);
        await collections.setChain('inner', ['r2']);
        await collections.setChain('z/outer', ['r1', 'inner', 'r2']);
        await collections.setChain('a/also', ['inner', 'r2']);
        expect(await collections.getParentChains('r2')).toEqual(['a/also', 'inner', 'z/outer']);
        expect(await collections.getParentChains('inner')).toEqual(['a/also', 'z/outer']);
        expect(await collections.getParentChains('r1')).toEqual(['z/outer']);
        expect(await collections.getParentChains('lonely')).toEqual([]);
        expect(await collections.getParentChains('z/outer')).toEqual([]);
        const missing = await rejection(collections.getParentChains('ghost'));
        expect(MissingCollectionError.is(missing)).toBe(true);
        expect((missing as Error).message).toBe("No collection with name 'ghost' found.");
      });

      it('finds the same parents through the base class default as through its query', async () => {
        const { collections } = await place.create();
        for (const name of ['r1', 'r2']) await collections.registerRun(name);
        for (const name of ['c2', 'c1']) await collections.register(name, CollectionType.CHAINED);
        await collections.setChain('c1', ['r1', 'r2']);
        await collections.setChain('c2', ['c1', 'r2']);
        const base = CollectionManager.prototype.getParentChains;
        for (const name of ['r1', 'r2', 'c1', 'c2'])
          expect(await base.call(collections, name)).toEqual(
            await collections.getParentChains(name),
          );
        expect(MissingCollectionError.is(await rejection(base.call(collections, 'x')))).toBe(true);
      });

      it('removes collections, refusing one that is still a chain child', async () => {
        const { collections } = await place.create();
        await collections.registerRun('r');
        await collections.register('c', CollectionType.CHAINED);
        await collections.setChain('c', ['r']);
        const error = await rejection(collections.remove('r'));
        expect(OrphanedRecordError.is(error)).toBe(true);
        expect((error as Error).message).toContain('"r": it is a child of "c"');
        expect(await collections.get('r')).not.toBeNull();
        await collections.remove('c');
        await collections.remove('r');
        expect(await collections.all()).toEqual([]);
        expect(MissingCollectionError.is(await rejection(collections.remove('r')))).toBe(true);
      });
    });
  },
);
