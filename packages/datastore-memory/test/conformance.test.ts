// The Datastore conformance suite on InMemoryDatastore, each datastore on the bridge manager
// of a real registry (SQLite in memory) carrying the F1 test universe.
import { testUniverse } from '@butler-ts/core/testing';
import { createRegistry } from '@butler-ts/registry-sql';
import type { Registry } from '@butler-ts/registry-sql';
import { describeDatastore } from '@butler-ts/testkit';
import type { DatastoreHarness } from '@butler-ts/testkit';
import '../src/index.ts';

function inMemoryHarness(cls: string): DatastoreHarness {
  const registries: Registry[] = [];
  return {
    cls,
    uriScheme: 'mem',
    isEphemeral: true,
    namePrefix: 'InMemoryDatastore@',
    supportsIngest: false,
    validationCanFail: false,
    rootKeys: [],
    async bridgeManager() {
      const registry = await createRegistry('sqlite://', { universe: testUniverse() });
      registries.push(registry);
      return registry.bridges;
    },
    async cleanup() {
      for (const registry of registries.splice(0)) await registry.close();
    },
  };
}

describeDatastore('InMemoryDatastore', () => inMemoryHarness('InMemoryDatastore'));
