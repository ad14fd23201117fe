// Two-way compatibility with daf_butler w.2026.34 (no Python needed): every dataset of the
// interop fixture is read back from daf_butler's "after" repositories, and putting the same
// datasets into "before" gives the same records, bridge rows and file bytes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deepEqual } from '@butler-ts/core';
import { Datastore } from '@butler-ts/datastore';
import { openRegistry } from '@butler-ts/registry-sql';
import type { Registry } from '@butler-ts/registry-sql';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FileDatastore } from '../src/index.ts';
import {
  butlerYaml,
  datasets,
  fixtureFactory,
  fixtureRecords,
  fixtureRef,
  fixtureRootUrl,
  fixtureUniverse,
  fixtureValue,
  freshSchema,
  pgAvailable,
  pgExec,
  pgRows,
  pgUrl,
  postgresRepo,
  removeRoot,
  sqliteRepo,
  tempRoot,
} from './fixture-repo.ts';
import { FIXTURE, manifest } from './manifest.ts';

interface Engine {
  readonly name: string;
  // Makes the repository and returns the registry URI and options.
  make(state: 'before' | 'after', root: string): Promise<{ uri: string; namespace?: string }>;
  // Rows of a table, as strings, sorted.
  rows(table: string, columns: readonly string[]): Promise<string[]>;
  cleanup(): Promise<void>;
}

function sqliteEngine(): Engine {
  let db: string | null = null;
  return {
    name: 'SQLite',
    make(state, root) {
      const uri = sqliteRepo(state, root);
      db = uri.slice('sqlite:///'.length);
      return Promise.resolve({ uri });
    },
    rows(table, columns) {
      const conn = new Database(db!, { readonly: true });
      try {
        const rows = conn.prepare(`SELECT ${columns.join(', ')} FROM ${table}`).all() as Record<
          string,
          unknown
        >[];
        return Promise.resolve(
          rows
            .map((r) =>
              columns
                .map((c) => String((r[c] as string | number | null | undefined) ?? ''))
                .join('|'),
            )
            .sort(),
        );
      } finally {
        conn.close();
      }
    },
    cleanup: () => Promise.resolve(),
  };
}

function postgresEngine(): Engine {
  const schemas: string[] = [];
  return {
    name: 'PostgreSQL',
    async make(state, root) {
      const schema = freshSchema(`fds_interop_${state}`);
      schemas.push(schema);
      await postgresRepo(state, schema, root);
      return { uri: pgUrl, namespace: schema };
    },
    async rows(table, columns) {
      const rows = await pgRows(
        `SELECT ${columns
          .map((c) =>
            c === 'dataset_id' ? `replace(${c}::text, '-', '') AS ${c}` : `${c}::text AS ${c}`,
          )
          .join(', ')} FROM "${schemas.at(-1)!}".${table}`,
      );
      return rows
        .map((r) =>
          columns.map((c) => String((r[c] as string | number | null | undefined) ?? '')).join('|'),
        )
        .sort();
    },
    async cleanup() {
      for (const schema of schemas.splice(0))
        await pgExec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
  };
}

// The rows daf_butler wrote, from the fixture's SQLite dumps (ids as 32 hex digits).
function dumpRows(table: string, columns: readonly string[]): string[] {
  const text = readFileSync(join(FIXTURE, 'dumps', 'sqlite', 'after', `${table}.txt`), 'utf8');
  const [header, ...lines] = text.split('\n').filter((l) => l !== '');
  const names = header!.split('|');
  return lines
    .map((line) => {
      const values = line.split('|');
      return columns.map((c) => values[names.indexOf(c)]!).join('|');
    })
    .map((row) => row.replace('file:///FIXTURE_ROOT/', fixtureRootUrl))
    .sort();
}

const RECORD_COLUMNS = [
  'dataset_id',
  'path',
  'formatter',
  'storage_class',
  'component',
  'checksum',
  'file_size',
] as const;

function describeInterop(makeEngine: () => Engine, enabled: () => boolean): void {
  let engine: Engine;
  let root: string;
  let registry: Registry | null;

  const open = async (state: 'before' | 'after'): Promise<FileDatastore> => {
    engine = makeEngine();
    root = tempRoot(state);
    const { uri, namespace } = await engine.make(state, root);
    registry = await openRegistry(uri, {
      universe: fixtureUniverse,
      ...(namespace === undefined ? {} : { namespace }),
    });
    const loaded = await Datastore.loadConfig(butlerYaml);
    return FileDatastore.create(loaded.config, registry.bridges, {
      butlerRoot: root,
      storageClassFactory: fixtureFactory(),
      dimensionRecords: fixtureRecords,
    });
  };

  afterEach(async () => {
    await registry?.close();
    registry = null;
    await engine.cleanup();
    removeRoot(root);
  });

  const stored = datasets.filter((d) => d.location_in_after !== 'not stored');

  it('reads every dataset of "after" as the manifest object', async (context) => {
    if (!enabled()) context.skip();
    const datastore = await open('after');
    expect(datastore.name).toBe(manifest.datastore_name);
    const factory = datastore.storageClassFactory;
    for (const dataset of stored) {
      const ref = fixtureRef(dataset, factory);
      const value = await datastore.get(ref);
      const expected = fixtureValue(dataset, false);
      expect(deepEqual(value, expected), `${dataset.key}: ${JSON.stringify(value)}`).toBe(true);
      expect(await datastore.knows(ref)).toBe(true);
    }
  });

  it('reads the components of the disassembled composite from their own files', async (context) => {
    if (!enabled()) context.skip();
    const datastore = await open('after');
    const dataset = datasets.find((d) => d.disassembled)!;
    const ref = fixtureRef(dataset, datastore.storageClassFactory);
    const object = dataset.object as Record<string, unknown>;
    for (const component of ['summary', 'output', 'data']) {
      expect(await datastore.get(ref.makeComponentRef(component))).toEqual(object[component]);
    }
    const uris = await datastore.getURIs(ref);
    expect(uris.primaryURI).toBeNull();
    expect([...uris.componentURIs.keys()].sort()).toEqual(['data', 'output', 'summary']);
    for (const uri of uris.componentURIs.values()) expect(await uri.exists()).toBe(true);
  });

  it('has the trashed dataset in the trash, and emptyTrash removes exactly its file', async (context) => {
    if (!enabled()) context.skip();
    const datastore = await open('after');
    const trashed = datasets.find((d) => d.location_in_after === 'dataset_location_trash')!;
    const ref = fixtureRef(trashed, datastore.storageClassFactory);
    const before = await engine.rows('dataset_location_trash', ['dataset_id']);
    expect(before).toEqual([trashed.id_hex]);
    const removed = await datastore.emptyTrash();
    expect([...removed].map((uri) => uri.ospath)).toEqual([
      join(root, ...trashed.path!.split('/')),
    ]);
    expect(await engine.rows('dataset_location_trash', ['dataset_id'])).toEqual([]);
    expect(await datastore.knows(ref)).toBe(false);
    for (const other of stored.filter((d) => d !== trashed)) {
      expect(
        await datastore.exists(fixtureRef(other, datastore.storageClassFactory)),
        other.key,
      ).toBe(true);
    }
  });

  it('writes what daf_butler wrote into "before": records, bridge rows and bytes', async (context) => {
    if (!enabled()) context.skip();
    const datastore = await open('before');
    const factory = datastore.storageClassFactory;
    const puts = datasets.filter((d) => d.registered_in_before);
    for (const dataset of puts)
      await datastore.put(fixtureValue(dataset), fixtureRef(dataset, factory));
    const trashed = puts.find((d) => d.location_in_after === 'dataset_location_trash')!;
    await datastore.trash(fixtureRef(trashed, factory));

    const putIds = new Set(puts.map((d) => d.id_hex));
    const onlyPuts = (rows: string[]) =>
      rows.filter((row) => [...putIds].some((id) => row.includes(id)));
    expect(await engine.rows('file_datastore_records', RECORD_COLUMNS)).toEqual(
      onlyPuts(dumpRows('file_datastore_records', RECORD_COLUMNS)),
    );
    expect(await engine.rows('dataset_location', ['datastore_name', 'dataset_id'])).toEqual(
      onlyPuts(dumpRows('dataset_location', ['datastore_name', 'dataset_id'])),
    );
    expect(await engine.rows('dataset_location_trash', ['dataset_id', 'datastore_name'])).toEqual(
      dumpRows('dataset_location_trash', ['dataset_id', 'datastore_name']),
    );
    for (const dataset of puts) {
      for (const artifact of dataset.artifacts) {
        const ours = readFileSync(join(root, ...artifact.record.path.split('/')));
        const theirs = readFileSync(join(FIXTURE, artifact.file_in_fixture));
        expect(ours.equals(theirs), artifact.record.path).toBe(true);
      }
    }
  });
}

describe('daf_butler interop on SQLite', () => {
  describeInterop(sqliteEngine, () => true);
});

describe('daf_butler interop on PostgreSQL', () => {
  let available = false;
  beforeAll(async () => {
    available = await pgAvailable();
  });
  describeInterop(postgresEngine, () => available);
});
