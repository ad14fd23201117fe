// The Datastore base class through NullDatastore, the one concrete datastore in this package:
// configuration loading, the class registry, transactions and the defaults of the base.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Config,
  LookupError,
  RuntimeError,
  TypeMismatchError,
  InvalidValueError,
} from '@butler-ts/core';
import type { Logger } from '@butler-ts/core';
import { makeRef } from '@butler-ts/core/testing';
import type { DatastoreRegistryBridgeManager } from '@butler-ts/registry-interfaces';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isError, rejection } from '../test/is-error.ts';
import { Datastore, DatastoreClassRegistry } from './datastore.ts';
import type { DatastoreCreateOptions } from './datastore.ts';
import {
  DatasetNotFoundError,
  DatastoreNotSupportedError,
  UnknownDatastoreClassError,
} from './errors.ts';
import { fileDataset } from './ingest.ts';
import { NullDatastore } from './null-datastore.ts';

// NullDatastore ignores its bridge manager; these tests never touch one.
const noBridges = null as unknown as DatastoreRegistryBridgeManager;
const ref = (visit: number) => makeRef('metric', 'StructuredData', { instrument: 'x', visit });

// Datastores made by these tests record the configuration they were built from.
class RecordingDatastore extends NullDatastore {
  static override readonly containerKey: string = 'datastores';
  static readonly made: DatastoreCreateOptions[] = [];
  static override createFromConfig(options: DatastoreCreateOptions): RecordingDatastore {
    RecordingDatastore.made.push(options);
    return new RecordingDatastore();
  }
}

describe('Datastore.fromConfig', () => {
  let registry: DatastoreClassRegistry;
  let directory: string;

  beforeEach(async () => {
    registry = new DatastoreClassRegistry().register('Recording', RecordingDatastore);
    RecordingDatastore.made.length = 0;
    directory = await mkdtemp(join(tmpdir(), 'butler-ds-config-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('builds NullDatastore from the shared registry by either name', async () => {
    for (const cls of ['NullDatastore', 'lsst.daf.butler.datastore.NullDatastore']) {
      const datastore = await Datastore.fromConfig({ datastore: { cls } }, noBridges);
      expect(datastore).toBeInstanceOf(NullDatastore);
    }
  });

  it('hands the datastore section, bridge manager, root and logger to createFromConfig', async () => {
    const logger: Logger = { debug() {}, warn() {}, error() {} };
    await Datastore.fromConfig(
      { datastore: { cls: 'Recording', extra: 1 }, registry: { db: 'x' } },
      noBridges,
      '/repo',
      { registry, logger },
    );
    const [options] = RecordingDatastore.made;
    expect(options!.config.data).toEqual({ cls: 'Recording', extra: 1 });
    expect(Object.isFrozen(options!.config.data)).toBe(true);
    expect(options!.butlerRoot).toBe('/repo');
    expect(options!.logger).toBe(logger);
  });

  it('reads a YAML file, with a nested datastore.datastore section', async () => {
    const file = join(directory, 'butler.yaml');
    await writeFile(file, 'datastore:\n  datastore:\n    cls: Recording\n    root: r\n');
    await Datastore.fromConfig(file, noBridges, null, { registry });
    expect(RecordingDatastore.made[0]!.config.get('root')).toBe('r');
  });

  it('takes cls from datastore.yaml in a search path, higher paths winning', async () => {
    const low = join(directory, 'low');
    const high = join(directory, 'high');
    for (const [path, value] of [
      [low, 'low'],
      [high, 'high'],
    ] as const) {
      await import('node:fs/promises').then((fs) => fs.mkdir(path));
      await writeFile(
        join(path, 'datastore.yaml'),
        `datastore:\n  cls: Recording\n  which: ${value}\n`,
      );
    }
    await Datastore.fromConfig({}, noBridges, null, { registry, searchPaths: [high, low] });
    expect(RecordingDatastore.made[0]!.config.get('which')).toBe('high');
    await Datastore.fromConfig({ which: 'input' }, noBridges, null, {
      registry,
      searchPaths: [new URL(`file://${high}`), low],
    });
    expect(RecordingDatastore.made[1]!.config.get('which')).toBe('input');
  });

  it('loads each child configuration under the container key', async () => {
    const loaded = await Datastore.loadConfig(
      {
        datastore: {
          cls: 'Recording',
          datastores: [{ datastore: { cls: 'NullDatastore', name: 'a' } }, { cls: 'Recording' }],
        },
      },
      { registry: registry.register('NullDatastore', NullDatastore) },
    );
    expect(loaded.cls).toBe(RecordingDatastore);
    expect(loaded.config.get('datastores')).toEqual([
      { cls: 'NullDatastore', name: 'a' },
      { cls: 'Recording' },
    ]);
  });

  it('accepts the class itself as cls', async () => {
    await Datastore.fromConfig({ datastore: { cls: RecordingDatastore } }, noBridges, null, {
      registry,
    });
    expect(RecordingDatastore.made).toHaveLength(1);
  });

  it('fails without cls, for an unknown name, and for a class that is not a Datastore', async () => {
    const missing = await rejection(Datastore.fromConfig({ datastore: {} }, noBridges));
    expect(missing).toSatisfy(isError(LookupError));
    expect((missing as Error).message).toContain('Mandatory keys (cls) missing');
    const unknown = await rejection(
      Datastore.fromConfig({ datastore: { cls: 'Nope' } }, noBridges, null, { registry }),
    );
    expect(unknown).toSatisfy(isError(UnknownDatastoreClassError));
    expect((unknown as Error).message).toContain('known: Recording');
    class NotADatastore {
      static createFromConfig() {
        return {};
      }
    }
    const wrong = await rejection(
      Datastore.fromConfig({ datastore: { cls: NotADatastore } }, noBridges),
    );
    expect(wrong).toSatisfy(isError(TypeMismatchError));
    expect((wrong as Error).message).toContain('NotADatastore is not a Datastore');
  });

  it('refuses to build the abstract base', () => {
    expect(() =>
      Datastore.createFromConfig({ config: new Config(), bridgeManager: noBridges }),
    ).toThrow(expect.toSatisfy(isError(DatastoreNotSupportedError)) as Error);
  });

  it('keeps the configuration unchanged in the base setConfigRoot', () => {
    const config = new Config({ cls: 'x' });
    expect(Datastore.setConfigRoot('/root', config, config)).toBe(config);
  });
});

describe('DatastoreClassRegistry', () => {
  it('registers, finds, lists and unregisters classes', () => {
    const registry = new DatastoreClassRegistry();
    registry.register('A', NullDatastore).register('A', NullDatastore);
    expect(registry.get('A')).toBe(NullDatastore);
    expect(registry.find('B')).toBeUndefined();
    expect(registry.has('A')).toBe(true);
    registry.registerDefault(NullDatastore, 'A', 'B');
    expect(registry.names()).toEqual(['A', 'B']);
    expect(registry.unregister('A')).toBe(true);
    expect(registry.unregister('A')).toBe(false);
    expect(() => registry.get('A')).toThrow(
      expect.toSatisfy(isError(UnknownDatastoreClassError)) as Error,
    );
  });

  it('refuses a name taken by another class unless replacing, bad names and non-classes', () => {
    class Other extends NullDatastore {}
    const registry = new DatastoreClassRegistry().register('A', NullDatastore);
    expect(() => registry.register('A', Other)).toThrow(
      expect.toSatisfy(isError(InvalidValueError)) as Error,
    );
    registry.registerDefault(Other, 'A');
    expect(registry.get('A')).toBe(NullDatastore);
    registry.register('A', Other, { replace: true });
    expect(registry.get('A')).toBe(Other);
    expect(() => registry.register('', Other)).toThrow(/non-empty/);
    expect(() => registry.register('X', {} as typeof Other)).toThrow(
      expect.toSatisfy(isError(TypeMismatchError)) as Error,
    );
  });

  it('has one shared instance', () => {
    expect(DatastoreClassRegistry.shared).toBe(DatastoreClassRegistry.shared);
    expect(DatastoreClassRegistry.shared.get('NullDatastore')).toBe(NullDatastore);
  });
});

describe('Datastore.transaction', () => {
  const tick = () => new Promise((resolve) => setImmediate(resolve));

  it('opens a transaction per call, nested ones under the current one', async () => {
    const datastore = new NullDatastore();
    expect(datastore.currentTransaction).toBeNull();
    await datastore.transaction(async (outer) => {
      expect(datastore.currentTransaction).toBe(outer);
      await datastore.transaction((inner) => {
        expect(inner.parent).toBe(outer);
        expect(datastore.currentTransaction).toBe(inner);
      });
      expect(datastore.currentTransaction).toBe(outer);
    });
    expect(datastore.currentTransaction).toBeNull();
  });

  it('undoes an inner block, then the outer block, when the failure escapes both', async () => {
    const datastore = new NullDatastore();
    const undone: string[] = [];
    const error = await rejection(
      datastore.transaction(async (outer) => {
        outer.registerUndo('outer', () => undone.push('outer'));
        await datastore.transaction((inner) => {
          inner.registerUndo('inner', () => undone.push('inner'));
          throw new Error('inner');
        });
      }),
    );
    expect((error as Error).message).toBe('inner');
    expect(undone).toEqual(['inner', 'outer']);
  });

  it('runs undo actions outside any transaction', async () => {
    const datastore = new NullDatastore();
    const seen: unknown[] = [];
    await rejection(
      datastore.transaction(async (transaction) => {
        transaction.registerUndo('look', async () => {
          seen.push(datastore.currentTransaction);
          await datastore.transaction((t) => seen.push(t.parent));
          await tick();
          seen.push(datastore.currentTransaction);
        });
        transaction.registerUndo('look again', () => seen.push(datastore.currentTransaction));
        await tick();
        throw new Error('fail');
      }),
    );
    expect(seen).toEqual([null, null, null, null]);
  });

  it('keeps concurrent transactions apart', async () => {
    const datastore = new NullDatastore();
    const undone: string[] = [];
    const run = (name: string, fail: boolean) =>
      datastore.transaction(async (transaction) => {
        for (let i = 0; i < 3; i++) {
          datastore.currentTransaction!.registerUndo(`${name}${i}`, () =>
            undone.push(`${name}${i}`),
          );
          await tick();
        }
        expect(transaction.log.map((e) => e.name)).toEqual([`${name}0`, `${name}1`, `${name}2`]);
        if (fail) throw new Error(name);
      });
    const results = await Promise.allSettled([run('a', false), run('b', true), run('c', true)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect(undone.sort()).toEqual(['b0', 'b1', 'b2', 'c0', 'c1', 'c2']);
  });

  it('does not attach a nested transaction to one that rolled back', async () => {
    const datastore = new NullDatastore();
    let dangling: Promise<unknown> | undefined;
    await rejection(
      datastore.transaction(() => {
        dangling = (async () => {
          await tick();
          return datastore.transaction((t) => t.parent);
        })();
        throw new Error('fail');
      }),
    );
    expect(await dangling).toBeNull();
  });
});

describe('Datastore defaults', () => {
  it('answers knowsThese and mexists per ref, keyed by the refs given', async () => {
    const datastore = new NullDatastore();
    const refs = [ref(1), ref(2)];
    expect(await datastore.knowsThese(refs)).toEqual(new Map(refs.map((r) => [r, false])));
    expect(await datastore.mexists(refs)).toEqual(new Map(refs.map((r) => [r, false])));
  });

  it('fails getManyURIs with the missing refs and the count, unless allowed', async () => {
    const datastore = new NullDatastore();
    const refs = [ref(1), ref(2)];
    const error = (await rejection(datastore.getManyURIs(refs))) as DatasetNotFoundError;
    expect(error).toSatisfy(isError(DatasetNotFoundError));
    expect(error.message).toMatch(/^Missing 2 refs from datastore out of 2 and predict=False/);
    expect(error.missing).toEqual(refs);
    expect(error.total).toBe(2);
    expect(await datastore.getManyURIs(refs, { allowMissing: true })).toEqual(new Map());
  });

  it('refuses auto transfer without specialization, then ingest itself', async () => {
    // The base ingest of a datastore that does not override it; NullDatastore overrides it.
    const base = Object.getPrototypeOf(NullDatastore.prototype) as Datastore;
    const datastore = new NullDatastore();
    const ingest = base.ingest.bind(datastore);
    const datasets = [fileDataset('/tmp/x.yaml', ref(1))];
    expect(await rejection(ingest(datasets, { transfer: 'auto' }))).toSatisfy(
      isError(RuntimeError),
    );
    const refused = await rejection(ingest(datasets, { transfer: 'copy' }));
    expect(refused).toSatisfy(isError(DatastoreNotSupportedError));
    expect((refused as Error).message).toBe(
      `Datastore ${datastore.name} does not support direct file-based ingest.`,
    );
  });

  it('offers working defaults for the optional members', async () => {
    const base = Object.getPrototypeOf(NullDatastore.prototype) as Datastore;
    const datastore = new NullDatastore();
    expect(datastore.needsExpandedDataIds()).toBe(true);
    expect(await datastore.exportTable([])).toEqual([]);
    await expect(datastore.importTable([])).resolves.toBeUndefined();
    expect(await datastore.locateMissingFilesForTransfer([ref(1)])).toEqual(new Map());
    expect(datastore.setTrustMode(true)).toBeUndefined();
    expect(datastore.setRetrieveDatasetTypeMethod(null)).toBeUndefined();
    for (const promise of [
      base.exportPredictedRecords.call(datastore, []),
      datastore.getFileInfoForTransfer([]),
      datastore.prepareGetForExternalClient(ref(1)),
      base.transferFrom.call(datastore, datastore, []),
      base.export.call(datastore, [], { transfer: 'copy' }),
    ]) {
      expect(await rejection(promise)).toSatisfy(isError(DatastoreNotSupportedError));
    }
    expect(datastore.isEphemeral).toBe(false);
  });
});
