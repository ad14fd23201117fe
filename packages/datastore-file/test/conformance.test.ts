// The Datastore conformance suite on FileDatastore: each datastore in its own temporary root
// on the bridge manager of a real registry (a SQLite file, and PostgreSQL) carrying the F1
// test universe, with daf_butler's test formatters for the suite's storage classes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testUniverse } from '@butler-ts/core/testing';
import type { Datastore } from '@butler-ts/datastore';
import { createRegistry, standaloneDatasetForeignKeys } from '@butler-ts/registry-sql';
import type { Registry } from '@butler-ts/registry-sql';
import { TEST_FORMATTERS, TEST_MODEL_CODECS, describeDatastore } from '@butler-ts/testkit';
import type { DatastoreHarness } from '@butler-ts/testkit';
import { describe } from 'vitest';
import { FormatterRegistry } from '../src/index.ts';
import { freshSchema, pgAvailable, pgExec, pgUrl } from './fixture-repo.ts';

// The test models have no model_dump/model_validate of their own: tell the formatters how
// daf_butler's pydantic models are written and read.
for (const [name, codec] of Object.entries(TEST_MODEL_CODECS))
  FormatterRegistry.shared.registerCodec(name, codec);

/** Where each registry of a harness lives. */
interface RegistryMaker {
  make(): Promise<Registry>;
  cleanup(): Promise<void>;
}

function sqliteRegistries(dirs: string[]): RegistryMaker {
  return {
    async make() {
      const dir = mkdtempSync(join(tmpdir(), 'butler-fds-registry-'));
      dirs.push(dir);
      return createRegistry(`sqlite:///${join(dir, 'gen3.sqlite3')}`, {
        datasetForeignKeys: standaloneDatasetForeignKeys,
        universe: testUniverse(),
      });
    },
    cleanup: () => Promise.resolve(),
  };
}

function postgresRegistries(): RegistryMaker {
  const schemas: string[] = [];
  return {
    make() {
      const schema = freshSchema('fds_suite');
      schemas.push(schema);
      return createRegistry(pgUrl, {
        datasetForeignKeys: standaloneDatasetForeignKeys,
        universe: testUniverse(),
        namespace: schema,
      });
    },
    async cleanup() {
      for (const schema of schemas.splice(0))
        await pgExec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
  };
}

function fileHarness(engine: 'sqlite' | 'postgresql'): DatastoreHarness {
  const registries: Registry[] = [];
  const roots: string[] = [];
  const maker = engine === 'sqlite' ? sqliteRegistries(roots) : postgresRegistries();
  return {
    cls: 'FileDatastore',
    uriScheme: 'file',
    isEphemeral: false,
    namePrefix: 'FileDatastore@',
    supportsIngest: true,
    validationCanFail: true,
    rootKeys: ['root'],
    config: { formatters: TEST_FORMATTERS },
    nameSuffix: /^<butlerRoot>$/,
    needsFormatters: true,
    // A clone shares stored datasets through the registry: the same one, another manager.
    cloneBridgeManager(_datastore: Datastore) {
      return Promise.resolve(registries.at(-1)!.bridges);
    },
    // Every datastore of a test gets its own root, as it gets its own registry.
    get butlerRoot(): string {
      const root = mkdtempSync(join(tmpdir(), 'butler-fds-suite-'));
      roots.push(root);
      return root;
    },
    async bridgeManager() {
      const registry = await maker.make();
      registries.push(registry);
      return registry.bridges;
    },
    async cleanup() {
      for (const registry of registries.splice(0)) await registry.close();
      await maker.cleanup();
      for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
    },
  };
}

describeDatastore('FileDatastore on SQLite', () => fileHarness('sqlite'));

// PostgreSQL: the same suite, each registry in a fresh schema (skipped with a printed line
// when no server answers, unless BUTLER_REQUIRE_PG=1).
const pgUp = await pgAvailable();
describe.runIf(pgUp)('on PostgreSQL', () => {
  describeDatastore('FileDatastore on PostgreSQL', () => fileHarness('postgresql'));
});
