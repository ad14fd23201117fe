import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import {
  DatasetProvenance,
  DatasetRef,
  StorageClass,
  StorageClassDelegate,
  TypeMismatchError,
} from '@butler-ts/core';
import type { Logger } from '@butler-ts/core';
import {
  MetricsRecord,
  makeExampleMetrics,
  makeRef,
  makeTestTypeRegistry,
  testUniverse,
} from '@butler-ts/core/testing';
import {
  DatasetNotFoundError,
  Datastore,
  DatastoreClassRegistry,
  DatastoreNotSupportedError,
} from '@butler-ts/datastore';
import { createRegistry } from '@butler-ts/registry-sql';
import type { Registry } from '@butler-ts/registry-sql';
import { isError, rejection } from '@butler-ts/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InMemoryDatastore } from './in-memory-datastore.ts';
import { StoredMemoryItemInfo } from './stored-memory-item-info.ts';

const PYTHON_CLS = 'lsst.daf.butler.datastores.inMemoryDatastore.InMemoryDatastore';
const dummy = (visit: number) => ({ instrument: 'dummy', visit });
const metric = (visit: number): DatasetRef => makeRef('metric', 'StructuredData', dummy(visit));
const tick = () => new Promise((resolve) => setImmediate(resolve));

let registries: Registry[] = [];
async function bridges() {
  const registry = await createRegistry('sqlite://', { universe: testUniverse() });
  registries.push(registry);
  return registry.bridges;
}
async function make(extra: Record<string, unknown> = {}, logger?: Logger) {
  return (await Datastore.fromConfig(
    { datastore: { cls: 'InMemoryDatastore', ...extra } },
    await bridges(),
    null,
    logger === undefined ? {} : { logger },
  )) as InMemoryDatastore;
}

// A dict storage class whose delegate is `delegate`, registered under `test.<class name>`.
function withDelegate(name: string, delegate: typeof StorageClassDelegate): StorageClass {
  const delegateName = `test.${delegate.name}`;
  const registry = makeTestTypeRegistry().registerDelegate(delegateName, delegate);
  return new StorageClass(name, { pytype: 'dict', delegate: delegateName, registry });
}

beforeEach(() => {
  registries = [];
});
afterEach(async () => {
  for (const registry of registries) await registry.close();
});

describe('InMemoryDatastore configuration', () => {
  it('is registered under its Python class path and its short name', async () => {
    expect(DatastoreClassRegistry.shared.get(PYTHON_CLS)).toBe(InMemoryDatastore);
    const datastore = await Datastore.fromConfig(
      { datastore: { cls: PYTHON_CLS } },
      await bridges(),
    );
    expect(datastore).toBeInstanceOf(InMemoryDatastore);
  });

  it('accepts the class itself as cls', async () => {
    const datastore = await Datastore.fromConfig(
      { datastore: { cls: InMemoryDatastore } },
      await bridges(),
    );
    expect(datastore).toBeInstanceOf(InMemoryDatastore);
  });

  it('ships its default file where configDirectory points, and merges it under the input', async () => {
    const file = new URL(InMemoryDatastore.defaultConfigFile, InMemoryDatastore.configDirectory);
    expect(existsSync(fileURLToPath(file))).toBe(true);
    const { config, cls } = await Datastore.loadConfig({ datastore: { cls: 'InMemoryDatastore' } });
    expect(cls).toBe(InMemoryDatastore);
    expect(config.sources).toContain(file.href);
    expect(config.get('cls')).toBe('InMemoryDatastore');
    const fromDefaults = await Datastore.loadConfig({ datastore: { cls: InMemoryDatastore } });
    expect(fromDefaults.config.get('cls')).toBe(InMemoryDatastore);
  });

  it('merges the default file found in a search path over the shipped one', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'butler-configs-'));
    try {
      await mkdir(join(directory, 'datastores'));
      await writeFile(
        join(directory, 'datastores', 'inMemoryDatastore.yaml'),
        'datastore:\n  constraints:\n    reject: [calexp]\n',
      );
      await writeFile(join(directory, 'datastore.yaml'), 'datastore:\n  cls: InMemoryDatastore\n');
      const datastore = await Datastore.fromConfig({}, await bridges(), null, {
        searchPaths: [directory],
      });
      expect(datastore).toBeInstanceOf(InMemoryDatastore);
      expect(
        datastore.constraints.isAcceptable(makeRef('calexp', 'StructuredData', dummy(1))),
      ).toBe(false);
      const overridden = await Datastore.fromConfig(
        { datastore: { constraints: { reject: ['other'] } } },
        await bridges(),
        null,
        { searchPaths: [directory] },
      );
      expect(
        overridden.constraints.isAcceptable(makeRef('calexp', 'StructuredData', dummy(1))),
      ).toBe(true);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('gives every instance its own timestamped name', () => {
    const names = new Set<string>();
    for (let i = 0; i < 20; i++) names.add(new InMemoryDatastore({}, null).name);
    expect(names.size).toBe(20);
    for (const name of names) expect(name).toMatch(/^InMemoryDatastore@\d{10}\.\d{6}$/);
  });

  it('builds directly without a bridge manager, and has no root', () => {
    const datastore = new InMemoryDatastore({ constraints: { accept: ['metric'] } }, null);
    expect(datastore.isEphemeral).toBe(true);
    expect(datastore.constraints.isAcceptable(metric(1))).toBe(true);
    expect(InMemoryDatastore.defaultConfigFile).toBe('datastores/inMemoryDatastore.yaml');
  });
});

describe('InMemoryDatastore storage', () => {
  it('stores the object itself and reads it back without copying', async () => {
    const datastore = await make();
    const ref = metric(1);
    const value = makeExampleMetrics();
    await datastore.put(value, ref);
    expect(await datastore.get(ref)).toBe(value);
  });

  it('records the write storage class, a timestamp and the parent ID', async () => {
    const datastore = await make();
    const ref = metric(1);
    const before = Date.now() / 1000;
    await datastore.put(makeExampleMetrics(), ref);
    const info = datastore.getStoredItemInfo(ref);
    expect(info).toBeInstanceOf(StoredMemoryItemInfo);
    expect(info.storageClass.name).toBe('StructuredData');
    expect(info.parentID).toBe(ref.id);
    expect(info.timestamp).toBeGreaterThanOrEqual(before - 1);
    expect(info.timestamp).toBeLessThanOrEqual(Date.now() / 1000 + 1);
    expect(() => datastore.getStoredItemInfo(metric(2))).toThrow(
      expect.toSatisfy(isError(DatasetNotFoundError)) as Error,
    );
  });

  it('overwrites a dataset put again under the same ID', async () => {
    const datastore = await make();
    const ref = metric(1);
    await datastore.put(makeExampleMetrics(), ref);
    const second = makeExampleMetrics(true);
    await datastore.put(second, ref);
    expect(await datastore.get(ref)).toBe(second);
  });

  it('keeps datasets apart when the place of a removed one is reused', async () => {
    const datastore = await make();
    const [a, b, c, d] = [1, 2, 3, 4].map(metric) as [
      DatasetRef,
      DatasetRef,
      DatasetRef,
      DatasetRef,
    ];
    const values = [1, 2, 3, 4].map(() => makeExampleMetrics());
    await datastore.put(values[0], a);
    await datastore.put(values[1], b);
    await datastore.put(values[2], c);
    await datastore.forget([b]);
    await datastore.trash(c);
    await datastore.emptyTrash();
    const before = Date.now() / 1000;
    await datastore.put(values[3], d);
    expect(await datastore.get(a)).toBe(values[0]);
    expect(await datastore.get(d)).toBe(values[3]);
    expect(await datastore.exists(b)).toBe(false);
    expect(await datastore.exists(c)).toBe(false);
    await expect(datastore.get(b)).rejects.toSatisfy(isError(DatasetNotFoundError));
    await expect(datastore.get(c)).rejects.toSatisfy(isError(DatasetNotFoundError));
    expect(datastore.getStoredItemInfo(d).timestamp).toBeGreaterThanOrEqual(before);
    expect(datastore.getStoredItemInfo(d).parentID).toBe(d.id);
    // Putting b again gives it a place of its own; a and d are untouched.
    await datastore.put(values[1], b);
    expect(await datastore.get(b)).toBe(values[1]);
    expect(await datastore.get(a)).toBe(values[0]);
    expect(await datastore.get(d)).toBe(values[3]);
  });

  it('checks on read a value its delegate accepted as is', async () => {
    class LenientDelegate extends StorageClassDelegate {
      override canAccept(value: unknown): boolean {
        return typeof value === 'string';
      }
    }
    const storageClass = withDelegate('Lenient', LenientDelegate);
    const datastore = await make();
    const ref = makeRef('lenient', storageClass, dummy(1));
    await datastore.put('not a dict', ref);
    await expect(datastore.get(ref)).rejects.toSatisfy(isError(TypeMismatchError));
  });

  it('checks on read a value its delegate replaced when adding provenance', async () => {
    class ListingDelegate extends StorageClassDelegate {
      override addProvenance(value: unknown): unknown {
        return Object.entries(value as object);
      }
    }
    const storageClass = withDelegate('Listed', ListingDelegate);
    const datastore = await make();
    const ref = makeRef('listed', storageClass, dummy(1));
    datastore.putSync({ a: 1 }, ref);
    // The list of entries it stored is no dict, and the read says so.
    expect(() => datastore.getSync(ref)).toThrow(/convert 'list' to 'dict'/);
  });

  it('reads a dataset as another storage class instance through the full read', async () => {
    const datastore = await make();
    const ref = makeRef('thing', 'StructuredDataDictYaml', dummy(1));
    const value = { a: 1 };
    datastore.putSync(value, ref);
    const lenient = new StorageClass('StructuredDataDictYaml', {
      pytype: 'dict',
      registry: makeTestTypeRegistry(),
    });
    const other = makeRef('thing', lenient, dummy(1), { id: ref.id });
    expect(other.datasetType.storageClass).not.toBe(ref.datasetType.storageClass);
    expect(datastore.getSync(other)).toBe(value);
    expect(datastore.getStoredItemInfo(other).storageClass).toBe(ref.datasetType.storageClass);
  });

  it('counts a stored null as stored', async () => {
    const datastore = await make();
    const ref = makeRef('thing', 'ThingOne', dummy(1));
    await datastore.put(null, ref);
    expect(await datastore.exists(ref)).toBe(true);
    expect(await datastore.get(ref)).toBeNull();
    expect((await datastore.getURI(ref)).netloc).toBe(`0_${ref.id}`);
  });

  it('hands provenance to a delegate that attaches it, and skips coercion it accepts', async () => {
    const seen: unknown[] = [];
    class ProvenanceDelegate extends StorageClassDelegate {
      override canAccept(value: unknown): boolean {
        return typeof value === 'object' && value !== null;
      }
      override addProvenance(
        value: unknown,
        ref: DatasetRef,
        provenance?: DatasetProvenance | null,
      ) {
        seen.push(ref, provenance);
        return { ...(value as object), provenance: provenance?.quantumId ?? null };
      }
    }
    const storageClass = withDelegate('WithProvenance', ProvenanceDelegate);
    const datastore = await make();
    const ref = makeRef('prov', storageClass, dummy(1));
    const provenance = new DatasetProvenance({ quantumId: '01a20000-0000-7000-8000-000000000001' });
    await datastore.put({ a: 1 }, ref, { provenance });
    expect(seen).toEqual([ref, provenance]);
    expect(await datastore.get(ref)).toEqual({ a: 1, provenance: provenance.quantumId });
  });
});

describe('InMemoryDatastore synchronous put and get', () => {
  it('stores and reads as put and get do, each seeing the other', async () => {
    const datastore = await make();
    const [a, b] = [metric(1), metric(2)];
    const [first, second] = [makeExampleMetrics(), makeExampleMetrics(true)];
    datastore.putSync(first, a);
    expect(await datastore.get(a)).toBe(first);
    await datastore.put(second, b);
    expect(datastore.getSync(b)).toBe(second);
    expect(datastore.getSync(a.makeComponentRef('summary'))).toEqual(
      await datastore.get(a.makeComponentRef('summary')),
    );
    expect(datastore.getSync(a.makeComponentRef('summary'))).toEqual(first.summary);
    datastore.putSync(second, a);
    expect(datastore.getSync(a)).toBe(second);
    expect(datastore.getStoredItemInfo(a).parentID).toBe(a.id);
  });

  it('throws, not rejects, for an unknown dataset and a rejected dataset type, storing nothing', async () => {
    const datastore = await make({ constraints: { reject: ['metric'] } });
    const ref = metric(1);
    expect(() => datastore.getSync(ref)).toThrow(
      expect.toSatisfy(isError(DatasetNotFoundError)) as Error,
    );
    expect(() => datastore.putSync(makeExampleMetrics(), ref)).toThrow(/rejected/);
    await expect(datastore.put(makeExampleMetrics(), ref)).rejects.toThrow(/rejected/);
    expect(await datastore.exists(ref)).toBe(false);
  });

  it('applies each dataset type\'s own storage class and delegate when runs of types alternate', async () => {
    class TaggingDelegate extends StorageClassDelegate {
      override addProvenance(value: unknown): unknown {
        return { ...(value as object), tagged: true };
      }
    }
    const tagged = makeRef('tagged', withDelegate('Tagged', TaggingDelegate), dummy(1));
    const plain = makeRef('plain', 'StructuredDataDictYaml', dummy(1));
    const refOf = (type: DatasetRef, visit: number) =>
      new DatasetRef(type.datasetType, dummy(visit), 'run');
    const refs = [
      refOf(tagged, 1),
      refOf(tagged, 2),
      refOf(plain, 3),
      refOf(plain, 4),
      refOf(tagged, 5),
      refOf(plain, 6),
    ];
    const datastore = await make();
    const values = refs.map((_, n) => ({ n }));
    refs.forEach((ref, n) => datastore.putSync(values[n], ref));
    refs.forEach((ref, n) => {
      const isTagged = ref.datasetType === tagged.datasetType;
      expect(datastore.getStoredItemInfo(ref).storageClass).toBe(ref.datasetType.storageClass);
      if (isTagged) expect(datastore.getSync(ref)).toEqual({ n, tagged: true });
      else expect(datastore.getSync(ref)).toBe(values[n]);
    });
  });

  it('judges the constraints on every put: per instrument within one dataset type, and per datastore', async () => {
    const type = makeRef('thing', 'StructuredDataDictYaml', dummy(1)).datasetType;
    const refOf = (instrument: string, visit: number) =>
      new DatasetRef(type, { instrument, visit }, 'run');
    const [first, rejected, third] = [refOf('dummy', 1), refOf('other', 2), refOf('dummy', 3)];
    const picky = await make({ constraints: { reject: [{ 'instrument<other>': ['thing'] }] } });
    picky.putSync({ a: 1 }, first);
    expect(() => picky.putSync({ a: 2 }, rejected)).toThrow(/rejected/);
    picky.putSync({ a: 3 }, third);
    expect(await picky.exists(rejected)).toBe(false);
    expect(picky.getSync(third)).toEqual({ a: 3 });
    // Other datastores judge by their own constraints, after the puts of this type above.
    const refusing = await make({ constraints: { reject: ['thing'] } });
    expect(() => refusing.putSync({ a: 4 }, first)).toThrow(/rejected/);
    const open = await make();
    open.putSync({ a: 5 }, rejected);
    expect(open.getSync(rejected)).toEqual({ a: 5 });
  });

  it('undoes a synchronous put when its transaction fails', async () => {
    const datastore = await make();
    const [kept, undone] = [metric(1), metric(2)];
    datastore.putSync(makeExampleMetrics(), kept);
    await expect(
      datastore.transaction(() => {
        datastore.putSync(makeExampleMetrics(), undone);
        expect(datastore.getSync(undone)).toBeDefined();
        throw new Error('the block fails after the put');
      }),
    ).rejects.toThrow('after the put');
    expect(await datastore.exists(undone)).toBe(false);
    expect(await datastore.exists(kept)).toBe(true);
  });
});

describe('InMemoryDatastore URIs', () => {
  it('names a stored dataset by object number and ID, with the data ID as query', async () => {
    const datastore = await make();
    const ref = metric(52);
    const other = metric(53);
    const value = makeExampleMetrics();
    await datastore.put(value, ref);
    await datastore.put(value, other);
    const uri = await datastore.getURI(ref);
    expect(uri.toString()).toMatch(
      new RegExp(`^mem://\\d+_${ref.id}\\?instrument=dummy&visit=52$`),
    );
    expect(uri.query).toBe('instrument=dummy&visit=52');
    expect(uri.fragment).toBe('');
    const number = uri.netloc.split('_')[0];
    expect((await datastore.getURI(other)).netloc).toBe(`${number}_${other.id}`);
    expect((await datastore.getURI(ref.makeComponentRef('data'))).equals(uri)).toBe(true);
  });

  it('predicts by dataset type name, components included, form-encoding the data ID', async () => {
    const datastore = await make();
    const ref = makeRef('metric', 'StructuredData', { instrument: 'a b~c*', visit: 7 });
    const uri = await datastore.getURI(ref.makeComponentRef('summary'), { predict: true });
    expect(uri.toString()).toBe('mem://metric.summary?instrument=a+b~c%2A&visit=7#predicted');
    const empty = await datastore.getURI(makeRef('thing', 'ThingOne', {}), { predict: true });
    expect(empty.toString()).toBe('mem://thing?#predicted');
  });

  it('keeps missing refs out of getManyURIs when allowed', async () => {
    const datastore = await make();
    const [stored, missing] = [metric(1), metric(2)];
    await datastore.put(makeExampleMetrics(), stored);
    const uris = await datastore.getManyURIs([stored, missing], { allowMissing: true });
    expect([...uris.keys()]).toEqual([stored]);
  });
});

describe('InMemoryDatastore trash, forget and clones', () => {
  it('empties the whole trash when given an empty refs list, as daf_butler does', async () => {
    const datastore = await make();
    const refs = [metric(1), metric(2)];
    for (const ref of refs) await datastore.put(makeExampleMetrics(), ref);
    await datastore.trash(refs);
    await datastore.emptyTrash({ refs: [] });
    expect(await datastore.mexists(refs)).toEqual(new Map(refs.map((r) => [r, false])));
  });

  it('puts again after forgetting, and empties a trashed-then-forgotten dataset quietly', async () => {
    const datastore = await make();
    const ref = metric(1);
    await datastore.put(makeExampleMetrics(), ref);
    await datastore.trash(ref);
    await datastore.forget([ref]);
    await expect(datastore.emptyTrash({ ignoreErrors: false })).resolves.toEqual(new Set());
    await datastore.put(makeExampleMetrics(true), ref);
    expect(await datastore.exists(ref)).toBe(true);
  });

  it('keeps a trash mark made before a transaction that trashes again and fails', async () => {
    const datastore = await make();
    const [before, inside] = [metric(1), metric(2)];
    for (const ref of [before, inside]) await datastore.put(makeExampleMetrics(), ref);
    await datastore.trash(before);
    await expect(
      datastore.transaction(async () => {
        await datastore.trash([before, inside]);
        throw new Error('fail');
      }),
    ).rejects.toThrow('fail');
    await datastore.emptyTrash();
    expect(await datastore.exists(before)).toBe(false);
    expect(await datastore.exists(inside)).toBe(true);
  });

  it('drops a record through removeStoredItemInfo', async () => {
    const datastore = await make();
    const ref = metric(1);
    await datastore.put(makeExampleMetrics(), ref);
    datastore.removeStoredItemInfo(ref);
    datastore.removeStoredItemInfo(ref);
    expect(await datastore.exists(ref)).toBe(false);
  });

  it('shares the trash with clones, but not transactions or names', async () => {
    const x = await make();
    const y = x.clone(await bridges());
    expect(y.name).not.toBe(x.name);
    const [r1, r2] = [metric(1), metric(2)];
    await x.put(makeExampleMetrics(), r1);
    await x.put(makeExampleMetrics(), r2);
    await x.trash(r1);
    await y.emptyTrash();
    expect(await x.exists(r1)).toBe(false);
    // daf_butler stops sharing the trash after the first emptyTrash; here it stays shared.
    await x.trash(r2);
    await y.emptyTrash();
    expect(await x.exists(r2)).toBe(false);
    await x.transaction(() => {
      expect(x.currentTransaction).not.toBeNull();
      expect(y.currentTransaction).toBeNull();
    });
  });

  it('refuses artifacts, zip ingest and export with typed errors', async () => {
    const datastore = await make();
    const ref = metric(1);
    for (const promise of [
      datastore.retrieveArtifacts([ref], '/tmp/nowhere'),
      datastore.ingestZip('/tmp/nowhere.zip'),
      datastore.export([ref]),
      datastore.transferFrom(datastore, [ref]),
    ]) {
      expect(await rejection(promise)).toSatisfy(isError(DatastoreNotSupportedError));
    }
  });
});

describe('InMemoryDatastore transactions', () => {
  it('undoes a put that completes after its transaction failed', async () => {
    const datastore = await make();
    const ref = metric(1);
    let late: Promise<void> | undefined;
    await expect(
      datastore.transaction(() => {
        late = (async () => {
          await tick();
          await datastore.put(makeExampleMetrics(), ref);
        })();
        throw new Error('the block fails before the put completes');
      }),
    ).rejects.toThrow('before the put completes');
    await late;
    await tick();
    expect(await datastore.exists(ref)).toBe(false);
  });

  it('hands a put that completes after its inner transaction committed to the outer one', async () => {
    const datastore = await make();
    const ref = metric(1);
    await expect(
      datastore.transaction(async () => {
        let late: Promise<void> | undefined;
        await datastore.transaction(() => {
          late = (async () => {
            await tick();
            await datastore.put(makeExampleMetrics(), ref);
          })();
        });
        await late;
        expect(await datastore.exists(ref)).toBe(true);
        throw new Error('outer fails');
      }),
    ).rejects.toThrow('outer fails');
    expect(await datastore.exists(ref)).toBe(false);
  });

  it('logs an undo that fails and still runs the others', async () => {
    const warnings: string[] = [];
    const logger: Logger = { debug: () => {}, warn: (m) => warnings.push(m), error: () => {} };
    const datastore = await make({}, logger);
    const [kept, removedInside] = [metric(1), metric(2)];
    await expect(
      datastore.transaction(async () => {
        await datastore.put(makeExampleMetrics(), kept);
        await datastore.put(makeExampleMetrics(), removedInside);
        await datastore.remove(removedInside);
        throw new Error('fail');
      }),
    ).rejects.toThrow('fail');
    expect(await datastore.exists(kept)).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/unrolling put: DatasetNotFoundError/);
    expect(warnings[0]).toContain(removedInside.id);
  });

  it('keeps a value that the get of another datastore returns as the stored object', async () => {
    const input = await make();
    const output = await make();
    const ref = metric(1);
    const value = makeExampleMetrics();
    await input.put(value, ref);
    await output.transfer(input, ref);
    expect(await output.get(ref)).toBe(value);
    expect(await output.get(ref)).toBeInstanceOf(MetricsRecord);
  });
});
