// The manager conformance suites of @butler-ts/testkit on SQLite (a temp file, and memory) and
// on the PostgreSQL server (a schema per database, dropped afterwards).
import {
  describeAttributeManager,
  describeBridge,
  describeOpaqueManager,
  describeVersionsManager,
} from '@butler-ts/testkit';
import type { DatabaseHarness } from '@butler-ts/testkit';
import {
  ButlerVersionsManager,
  ByNameOpaqueTableStorageManager,
  DefaultButlerAttributeManager,
  MonolithicDatastoreRegistryBridgeManager,
  datasetTableForeignKeys,
} from '../src/index.ts';
import { pgAvailable, postgresHarness } from './postgres-harness.ts';
import { sqliteFileHarness, sqliteMemoryHarness } from './sqlite-harness.ts';

const harnesses: [string, () => DatabaseHarness][] = [
  ['SQLite file', sqliteFileHarness],
  ['SQLite memory', sqliteMemoryHarness],
];
if (await pgAvailable()) harnesses.push(['PostgreSQL', () => postgresHarness('butler_mgr')]);

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
