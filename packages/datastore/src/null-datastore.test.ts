import { LookupKey } from '@butler-ts/core';
import { makeRef, testStorageClassFactory } from '@butler-ts/core/testing';
import { describe, expect, it } from 'vitest';
import { isError, rejection } from '../test/is-error.ts';
import { DatasetNotFoundError, DatastoreNotSupportedError } from './errors.ts';
import { fileDataset } from './ingest.ts';
import { NullDatastore } from './null-datastore.ts';
import type { DatastoreRegistryBridgeManager } from '@butler-ts/registry-interfaces';
import { Config } from '@butler-ts/core';

describe('NullDatastore', () => {
  const ref = makeRef('metric', 'StructuredData', { instrument: 'x', visit: 1 });

  it('is named with a timestamp, clones to itself and ignores its arguments', () => {
    const datastore = new NullDatastore({ cls: 'whatever' }, null, '/root');
    expect(datastore.name).toMatch(/^NullDatastore@\d+\.\d+$/);
    expect(datastore.clone(null as unknown as DatastoreRegistryBridgeManager)).toBe(datastore);
    expect(
      NullDatastore.createFromConfig({ config: new Config(), bridgeManager: null as never }),
    ).toBeInstanceOf(NullDatastore);
    expect(datastore.currentTransaction).toBeNull();
    expect(NullDatastore.setConfigRoot('/r', new Config(), new Config()).data).toEqual({});
  });

  it('knows and holds nothing', async () => {
    const datastore = new NullDatastore();
    expect(await datastore.knows(ref)).toBe(false);
    expect(await datastore.exists(ref)).toBe(false);
    expect(await datastore.knowsThese([ref])).toEqual(new Map([[ref, false]]));
    for (const promise of [
      datastore.get(ref),
      datastore.getURI(ref),
      datastore.getURIs(ref, { predict: true }),
      datastore.getManyURIs([ref]),
    ]) {
      expect(await rejection(promise)).toSatisfy(isError(DatasetNotFoundError));
    }
  });

  it('refuses every write, delete, transfer and record operation', async () => {
    const datastore = new NullDatastore();
    const refused = [
      datastore.put({}, ref),
      datastore.putNew({}, ref),
      datastore.ingest([fileDataset('/x', ref)], { transfer: 'auto' }),
      datastore.transferFrom(datastore, [ref]),
      datastore.ingestZip('/x.zip'),
      datastore.retrieveArtifacts([ref], '/tmp'),
      datastore.remove(ref),
      datastore.forget([ref]),
      datastore.trash(ref),
      datastore.emptyTrash(),
      datastore.transfer(datastore, ref),
      datastore.export([ref]),
      datastore.importRecords(new Map()),
      datastore.exportRecords([ref]),
      datastore.exportPredictedRecords([ref]),
    ];
    for (const promise of refused) {
      expect(await rejection(promise)).toSatisfy(isError(DatastoreNotSupportedError));
    }
    expect(() => datastore.getLookupKeys()).toThrow(
      expect.toSatisfy(isError(DatastoreNotSupportedError)) as Error,
    );
  });

  it('validates anything and has no opaque tables', () => {
    const datastore = new NullDatastore();
    const storageClass = testStorageClassFactory().getStorageClass('ThingOne');
    expect(datastore.validateConfiguration([storageClass, ref])).toBeUndefined();
    expect(datastore.validateKey(new LookupKey({ name: 'x' }), ref)).toBeUndefined();
    expect(datastore.getOpaqueTableDefinitions()).toEqual(new Map());
  });
});
