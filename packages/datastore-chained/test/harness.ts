// What the chain's tests share: real registries (a SQLite file in a temp folder, or a fresh
// PostgreSQL schema), temp roots, daf_butler's test formatters for the suite's storage classes,
// and the configuration of a chain with an InMemoryDatastore in front of a FileDatastore.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigData } from '@butler-ts/core';
import { testUniverse } from '@butler-ts/core/testing';
import { FormatterRegistry } from '@butler-ts/datastore-file';
import '@butler-ts/datastore-memory';
import {
  createRegistry,
  openRegistry,
  standaloneDatasetForeignKeys,
} from '@butler-ts/registry-sql';
import type { Registry } from '@butler-ts/registry-sql';
import pg from 'pg';
import { TEST_FORMATTERS, TEST_MODEL_CODECS } from '@butler-ts/testkit';
import '../src/index.ts';

// The test models have no model_dump/model_validate of their own: tell the formatters how
// daf_butler's pydantic models are written and read.
for (const [name, codec] of Object.entries(TEST_MODEL_CODECS))
  FormatterRegistry.shared.registerCodec(name, codec);

/** A FileDatastore child configuration with the test formatters (root `<butlerRoot>` by default). */
export function fileChild(extra: ConfigData = {}): ConfigData {
  return {
    datastore: {
      cls: 'lsst.daf.butler.datastores.fileDatastore.FileDatastore',
      formatters: TEST_FORMATTERS,
      ...extra,
    },
  };
}

/** An InMemoryDatastore child configuration. */
export function memoryChild(extra: ConfigData = {}): ConfigData {
  return {
    datastore: { cls: 'lsst.daf.butler.datastores.inMemoryDatastore.InMemoryDatastore', ...extra },
  };
}

/** The chain the suite and most tests use: memory in front of a file datastore. */
export const MEMORY_THEN_FILE: ConfigData = { datastores: [memoryChild(), fileChild()] };

/** The PostgreSQL server the tests use. */
export const pgUrl =
  process.env['BUTLER_TEST_PG_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** Whether PostgreSQL answers (a printed line when not; a failure with BUTLER_REQUIRE_PG=1). */
export async function pgAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    if (process.env['BUTLER_REQUIRE_PG'] === '1') {
      throw new Error(`BUTLER_REQUIRE_PG=1 but PostgreSQL at ${pgUrl} is unreachable`, {
        cause: error,
      });
    }
    console.log(`PostgreSQL tests skipped: no server at ${pgUrl} (${(error as Error).message})`);
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Where a test's registries live. */
export type Engine = 'sqlite' | 'postgresql';

let counter = 0;

/**
 * Makes registries and temp folders for one test, and releases them all: each registry in its
 * own folder (SQLite) or schema (PostgreSQL), dropped at `cleanup`.
 */
export class Workspace {
  readonly engine: Engine;
  readonly #registries: Registry[] = [];
  readonly #dirs: string[] = [];
  readonly #schemas: string[] = [];

  constructor(engine: Engine) {
    this.engine = engine;
  }

  /** A new empty temp folder. */
  folder(prefix = 'butler-chain-'): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.#dirs.push(dir);
    return dir;
  }

  /** A new registry (with the F1 test universe) and where it lives, to reopen it. */
  async registry(): Promise<{ registry: Registry; uri: string; namespace?: string }> {
    let uri: string;
    let namespace: string | undefined;
    if (this.engine === 'sqlite') {
      uri = `sqlite:///${join(this.folder('butler-chain-registry-'), 'gen3.sqlite3')}`;
    } else {
      uri = pgUrl;
      namespace = `chain_${process.pid}_${Date.now().toString(36)}_${counter++}`;
      this.#schemas.push(namespace);
    }
    const registry = await createRegistry(uri, {
      datasetForeignKeys: standaloneDatasetForeignKeys,
      universe: testUniverse(),
      ...(namespace === undefined ? {} : { namespace }),
    });
    this.#registries.push(registry);
    return namespace === undefined ? { registry, uri } : { registry, uri, namespace };
  }

  /** Opens a registry made by {@link Workspace.registry} again. */
  async reopen(uri: string, namespace?: string): Promise<Registry> {
    const registry = await openRegistry(uri, {
      universe: testUniverse(),
      ...(namespace === undefined ? {} : { namespace }),
    });
    this.#registries.push(registry);
    return registry;
  }

  /** Closes every registry, drops every schema, removes every folder. */
  async cleanup(): Promise<void> {
    for (const registry of this.#registries.splice(0)) await registry.close().catch(() => {});
    if (this.#schemas.length > 0) {
      const client = new pg.Client({ connectionString: pgUrl });
      await client.connect();
      try {
        for (const schema of this.#schemas.splice(0)) {
          await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        }
      } finally {
        await client.end();
      }
    }
    for (const dir of this.#dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}
