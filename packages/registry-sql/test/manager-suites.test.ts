// The manager conformance suites of @butler-ts/testkit on SQLite: a temp file, and memory.
import {
  describeAttributeManager,
  describeBridge,
  describeOpaqueManager,
  describeVersionsManager,
} from '@butler-ts/testkit';
import {
  ButlerVersionsManager,
  ByNameOpaqueTableStorageManager,
  DefaultButlerAttributeManager,
  MonolithicDatastoreRegistryBridgeManager,
  datasetTableForeignKeys,
} from '../src/index.ts';
import { sqliteFileHarness, sqliteMemoryHarness } from './sqlite-harness.ts';

const harnesses = [
  ['SQLite file', sqliteFileHarness],
  ['SQLite memory', sqliteMemoryHarness],
] as const;

for (const [name, harness] of harnesses) {
  describeAttributeManager(name, harness, DefaultButlerAttributeManager);
  describeVersionsManager(name, harness, {
    attributes: DefaultButlerAttributeManager,
    versions: (attributes) => new ButlerVersionsManager(attributes),
  });
  describeOpaqueManager(name, harness, ByNameOpaqueTableStorageManager);
  describeBridge(name, harness, {
    manager: MonolithicDatastoreRegistryBridgeManager,
    opaque: ByNameOpaqueTableStorageManager,
    datasets: datasetTableForeignKeys,
  });
}
