// InMemoryDatastore on the bridge manager of a real registry in a SQLite file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeExampleMetrics, makeRef, testUniverse } from '@butler-ts/core/testing';
import type { MetricsRecord } from '@butler-ts/core/testing';
import { DatasetNotFoundError, Datastore } from '@butler-ts/datastore';
import { createRegistry } from '@butler-ts/registry-sql';
import type { Registry } from '@butler-ts/registry-sql';
import { isError, rejection } from '@butler-ts/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InMemoryDatastore } from '../src/index.ts';

describe('InMemoryDatastore with a SQLite registry', () => {
  let directory: string;
  let registry: Registry;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'butler-imd-registry-'));
    registry = await createRegistry(`sqlite:///${join(directory, 'gen3.sqlite3')}`, {
      universe: testUniverse(),
    });
  });
  afterEach(async () => {
    await registry.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('puts, gets, trashes and empties the trash', async () => {
    const datastore = await InMemoryDatastore.fromConfig(
      { datastore: { cls: 'InMemoryDatastore' } },
      registry.bridges,
    );
    expect(datastore).toBeInstanceOf(InMemoryDatastore);
    const refs = [52, 53].map((visit) =>
      makeRef('metric', 'StructuredData', { instrument: 'dummy', visit }),
    );
    for (const ref of refs) await datastore.put(makeExampleMetrics(), ref);
    const summary = await datastore.get(refs[0]!.makeComponentRef('summary'));
    expect(summary).toEqual(makeExampleMetrics().summary);
    expect(((await datastore.get(refs[1]!)) as MetricsRecord).data).toHaveLength(6);

    await datastore.trash(refs[0]!);
    expect(await datastore.exists(refs[0]!)).toBe(true);
    expect(await datastore.emptyTrash()).toEqual(new Set());
    expect(await datastore.exists(refs[0]!)).toBe(false);
    expect(await rejection(datastore.get(refs[0]!))).toSatisfy(isError(DatasetNotFoundError));
    expect(await datastore.exists(refs[1]!)).toBe(true);

    // The in-memory datastore never registers a bridge: the registry does not list it.
    const found: string[] = [];
    for await (const name of registry.bridges.findDatastores(refs[1]!)) found.push(name);
    expect(found).toEqual([]);
  });

  it('reads dimension constraints with the registry universe', async () => {
    const datastore: Datastore = await Datastore.fromConfig(
      { datastore: { cls: 'InMemoryDatastore', constraints: { accept: ['instrument+visit'] } } },
      registry.bridges,
    );
    const visit = makeRef('metric', 'StructuredData', { instrument: 'dummy', visit: 1 });
    const detector = makeRef('metric', 'StructuredData', { instrument: 'dummy', detector: 1 });
    expect(datastore.constraints.isAcceptable(visit)).toBe(true);
    expect(datastore.constraints.isAcceptable(detector)).toBe(false);
  });
});
