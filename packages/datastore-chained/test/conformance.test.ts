// The Datastore conformance suite on a ChainedDatastore of an InMemoryDatastore in front of a
// FileDatastore: each chain on its own registry (a SQLite file in a temp folder, or a fresh
// PostgreSQL schema) and its own root.
import type { Datastore } from '@butler-ts/datastore';
import type { Registry } from '@butler-ts/registry-sql';
import { describeDatastore } from '@butler-ts/testkit';
import type { DatastoreHarness } from '@butler-ts/testkit';
import { describe, expect } from 'vitest';
import type { ChainedDatastore } from '../src/index.ts';
import { MEMORY_THEN_FILE, Workspace, pgAvailable } from './harness.ts';
import type { Engine } from './harness.ts';

function chainHarness(engine: Engine): DatastoreHarness {
  const workspace = new Workspace(engine);
  const registries: Registry[] = [];
  return {
    cls: 'ChainedDatastore',
    uriScheme: 'file',
    isEphemeral: false,
    namePrefix: 'ChainedDatastore[InMemoryDatastore@',
    nameSuffix: /^\d+(\.\d+)?,FileDatastore@<butlerRoot>\]$/,
    supportsIngest: true,
    validationCanFail: true,
    rootKeys: ['datastores.1.root'],
    config: MEMORY_THEN_FILE,
    needsFormatters: true,
    identity: (datastore: Datastore) => ({
      names: [
        expect.stringMatching(/^InMemoryDatastore@\d/) as string,
        'FileDatastore@<butlerRoot>',
      ],
      text: datastore.names.join(', '),
    }),
    undoLogs: (datastore: Datastore) =>
      (datastore as ChainedDatastore).datastores.map((child) => child.currentTransaction!.log),
    // A clone's file child shares stored datasets through the same registry.
    cloneBridgeManager: () => Promise.resolve(registries.at(-1)!.bridges),
    get butlerRoot(): string {
      return workspace.folder('butler-chain-root-');
    },
    async bridgeManager() {
      const { registry } = await workspace.registry();
      registries.push(registry);
      return registry.bridges;
    },
    cleanup: () => workspace.cleanup(),
  };
}

describeDatastore('ChainedDatastore (memory, file) on SQLite', () => chainHarness('sqlite'));

const pgUp = await pgAvailable();
describe.runIf(pgUp)('on PostgreSQL', () => {
  describeDatastore('ChainedDatastore (memory, file) on PostgreSQL', () =>
    chainHarness('postgresql'),
  );
});
