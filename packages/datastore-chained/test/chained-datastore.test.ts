// ChainedDatastore's own behaviour, on real registries (a SQLite file, and a PostgreSQL schema)
// and real files: children built from configuration, constraints per child, a put atomic
// across children, transactions, the in-memory cache in front of a file datastore, deletion in
// every child, ingest, and configuration errors.
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Config, deepEqual } from '@butler-ts/core';
import type { ConfigData, DatasetRef, Logger } from '@butler-ts/core';
import { makeExampleMetrics, makeRef, testStorageClassFactory } from '@butler-ts/core/testing';
import {
  DatasetNotFoundError,
  DatasetTypeNotSupportedError,
  Datastore,
  DatastoreNotSupportedError,
  DatastoreValidationError,
  UnknownDatastoreClassError,
  fileDataset,
} from '@butler-ts/datastore';
import type { DatastoreCreateOptions, LoadedDatastoreConfig } from '@butler-ts/datastore';
import { ArtifactExistsError, FileDatastore } from '@butler-ts/datastore-file';
import { InMemoryDatastore } from '@butler-ts/datastore-memory';
import type { DatastoreRegistryBridgeManager } from '@butler-ts/registry-interfaces';
import { isError, rejection } from '@butler-ts/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChainedDatastore, ChainedDatastoreConfigError } from '../src/index.ts';
import { MEMORY_THEN_FILE, Workspace, fileChild, memoryChild, pgAvailable } from './harness.ts';
import type { Engine } from './harness.ts';

const engines: Engine[] = (await pgAvailable()) ? ['sqlite', 'postgresql'] : ['sqlite'];
const dummy = (visit: number) => ({ instrument: 'dummy', visit });
const metric = (visit: number, type = 'metric') => makeRef(type, 'StructuredData', dummy(visit));

// Every file below `dir`, relative to it.
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1));
}

class UserError extends Error {
  override readonly name = 'UserError';
}

describe.each(engines)('ChainedDatastore on %s', (engine) => {
  let workspace: Workspace;
  let warnings: string[];
  const logger: Logger = {
    debug: () => {},
    warn: (message) => warnings.push(message),
    error: (message) => warnings.push(message),
  };

  beforeEach(() => {
    workspace = new Workspace(engine);
    warnings = [];
  });
  afterEach(async () => {
    await workspace.cleanup();
  });

  async function bridges(): Promise<DatastoreRegistryBridgeManager> {
    return (await workspace.registry()).registry.bridges;
  }

  async function chain(
    config: ConfigData = MEMORY_THEN_FILE,
    options: { bridgeManager?: DatastoreRegistryBridgeManager; root?: string } = {},
  ): Promise<ChainedDatastore> {
    const datastore = await Datastore.fromConfig(
      {
        datastore: {
          cls: 'lsst.daf.butler.datastores.chainedDatastore.ChainedDatastore',
          ...config,
        },
      },
      options.bridgeManager ?? (await bridges()),
      options.root ?? workspace.folder('butler-chain-root-'),
      { logger },
    );
    expect(datastore).toBeInstanceOf(ChainedDatastore);
    return datastore as ChainedDatastore;
  }

  function children(datastore: ChainedDatastore): [InMemoryDatastore, FileDatastore] {
    const [memory, file] = datastore.datastores;
    expect(memory).toBeInstanceOf(InMemoryDatastore);
    expect(file).toBeInstanceOf(FileDatastore);
    return [memory as InMemoryDatastore, file as FileDatastore];
  }

  describe('construction', () => {
    it('builds its children from a daf_butler configuration and is named after them', async () => {
      const root = workspace.folder();
      const datastore = await chain(MEMORY_THEN_FILE, { root });
      const [memory, file] = children(datastore);
      expect(datastore.name).toMatch(
        /^ChainedDatastore\[InMemoryDatastore@\d+(\.\d+)?,FileDatastore@<butlerRoot>\]$/,
      );
      expect(datastore.name).toBe(`ChainedDatastore[${memory.name},${file.name}]`);
      expect(datastore.names).toEqual([memory.name, 'FileDatastore@<butlerRoot>']);
      expect(datastore.toString()).toBe(`${memory.name}, FileDatastore@<butlerRoot>`);
      expect(file.root).toBe(root);
      const roots = datastore.roots;
      expect(roots.get(memory.name)).toBeNull();
      expect(roots.get(file.name)?.ospath).toBe(`${root}/`);
      expect(datastore.isEphemeral).toBe(false);
    });

    it('is ephemeral when every child is', async () => {
      const datastore = await chain({ datastores: [memoryChild(), memoryChild()] });
      expect(datastore.isEphemeral).toBe(true);
      const ref = metric(1);
      expect(await datastore.putNew(makeExampleMetrics(), ref)).toEqual(new Map());
      expect(await datastore.datastores[1]!.exists(ref)).toBe(true);
      // Predictions come from an ephemeral child when there is no other.
      expect((await datastore.getURI(metric(2), { predict: true })).scheme).toBe('mem');
    });

    it('refuses an empty or missing datastores list, naming the key', async () => {
      for (const config of [{ datastores: [] }, {}, { datastores: 'InMemoryDatastore' }]) {
        const error = await rejection(chain(config));
        expect(error, JSON.stringify(config)).toSatisfy(isError(ChainedDatastoreConfigError));
        expect(error).toSatisfy(isError(DatastoreValidationError));
        expect((error as ChainedDatastoreConfigError).key).toBe('datastores');
        expect((error as Error).message).toContain('datastores');
      }
    });

    it('reads a child given as the path of a YAML file', async () => {
      const path = join(workspace.folder(), 'memory.yaml');
      writeFileSync(
        path,
        'datastore:\n  cls: InMemoryDatastore\n  constraints:\n    accept: [metric]\n',
      );
      const datastore = await chain({ datastores: [path, fileChild()] });
      expect(datastore.datastores[0]).toBeInstanceOf(InMemoryDatastore);
      expect(datastore.datastores[0]!.constraints.isAcceptable(metric(1, 'calexp'))).toBe(false);
    });

    it('refuses a child that is not a configuration mapping, naming its position', async () => {
      const error = await rejection(chain({ datastores: [memoryChild(), 42] }));
      expect(error).toSatisfy(isError(ChainedDatastoreConfigError));
      expect((error as ChainedDatastoreConfigError).key).toBe('datastores[1]');
      expect((error as Error).message).toContain('datastores[1]');
    });

    it('refuses an unknown child class by name, before any child is built', async () => {
      const root = workspace.folder();
      const fileRoot = join(root, 'files');
      const config = {
        datastores: [fileChild({ root: fileRoot }), { cls: 'NoSuchDatastore' }],
      };
      const viaFromConfig = await rejection(chain(config, { root }));
      expect(viaFromConfig).toSatisfy(isError(UnknownDatastoreClassError));
      expect((viaFromConfig as Error).message).toContain('"NoSuchDatastore"');
      const viaCreate = await rejection(ChainedDatastore.create(config, await bridges()));
      expect(viaCreate).toSatisfy(isError(UnknownDatastoreClassError));
      expect((viaCreate as Error).message).toContain('"NoSuchDatastore"');
      // The file child before it was never built: its root was not made.
      expect(existsSync(fileRoot)).toBe(false);
    });

    it('builds each child with the createChild it is given, which nested chains may reuse', async () => {
      const root = workspace.folder();
      const bridgeManager = await bridges();
      const built: string[] = [];
      const createChild = async (
        loaded: LoadedDatastoreConfig,
        options: DatastoreCreateOptions,
      ): Promise<Datastore> => {
        expect(options.butlerRoot).toBe(root);
        expect(options.bridgeManager).toBe(bridgeManager);
        expect(options.config).toBe(loaded.config);
        built.push(loaded.cls.name);
        // A chain inside the chain builds its own children with the same function.
        if (loaded.cls === ChainedDatastore)
          return ChainedDatastore.create(loaded.config, bridgeManager, {
            butlerRoot: root,
            createChild,
          });
        return loaded.cls.createFromConfig(options);
      };
      const datastore = await ChainedDatastore.create(
        {
          datastores: [
            memoryChild(),
            { datastore: { cls: 'ChainedDatastore', datastores: [memoryChild(), fileChild()] } },
          ],
        },
        bridgeManager,
        { butlerRoot: root, createChild },
      );
      expect(built).toEqual([
        'InMemoryDatastore',
        'ChainedDatastore',
        'InMemoryDatastore',
        'FileDatastore',
      ]);
      const inner = datastore.datastores[1] as ChainedDatastore;
      expect(inner).toBeInstanceOf(ChainedDatastore);
      expect((inner.datastores[1] as FileDatastore).root).toBe(root);
      const ref = metric(3);
      await datastore.put(makeExampleMetrics(), ref);
      expect(await inner.datastores[1]!.exists(ref)).toBe(true);
    });

    it('refuses datastore_constraints that are not one entry per child', async () => {
      const error = await rejection(
        chain({ ...MEMORY_THEN_FILE, datastore_constraints: [{ constraints: { accept: ['a'] } }] }),
      );
      expect(error).toSatisfy(isError(ChainedDatastoreConfigError));
      expect((error as ChainedDatastoreConfigError).key).toBe('datastore_constraints');
      expect((error as Error).message).toMatch(/one entry per child datastore \(2\), got 1/);
    });

    it("sets each child's root below a new repository's root", async () => {
      const datastore = await chain();
      const updated = ChainedDatastore.setConfigRoot(
        '/new/repo',
        new Config({ datastore: datastore.config.data }),
        new Config({ datastore: datastore.config.data }),
      );
      expect(updated.get('datastore.datastores.1.root')).toBe('/new/repo/FileDatastore_1');
      expect(updated.has('datastore.datastores.0.root')).toBe(false);
      expect(updated.get('datastore.datastores.0.cls')).toBe(
        'lsst.daf.butler.datastores.inMemoryDatastore.InMemoryDatastore',
      );
    });

    it('names the child whose configuration cannot handle an entity', () =>
      chain().then((datastore) => {
        const thingTwo = testStorageClassFactory().getStorageClass('ThingTwo');
        let error: unknown;
        try {
          datastore.validateConfiguration([thingTwo]);
        } catch (caught) {
          error = caught;
        }
        expect(error).toSatisfy(isError(DatastoreValidationError));
        const problems = (error as DatastoreValidationError).problems;
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(/^Datastore FileDatastore@<butlerRoot>: /);
      }));
  });

  describe('constraints', () => {
    it('puts to every child that accepts, and reads from the first that has it', async () => {
      const datastore = await chain({
        datastores: [memoryChild({ constraints: { accept: ['metric'] } }), fileChild()],
      });
      const [memory, file] = children(datastore);
      const kept = metric(1);
      const calexp = metric(2, 'calexp');
      const value = makeExampleMetrics();
      await datastore.put(value, kept);
      await datastore.put(makeExampleMetrics(), calexp);
      expect(await memory.exists(kept)).toBe(true);
      expect(await memory.exists(calexp)).toBe(false);
      expect(await file.exists(kept)).toBe(true);
      expect(await file.exists(calexp)).toBe(true);
      expect(await datastore.get(kept)).toBe(value); // the object memory holds
      expect(deepEqual(await datastore.get(calexp), makeExampleMetrics())).toBe(true);
      expect(warnings).toEqual([]);
    });

    it("applies datastore_constraints and the chain's own, and fails when none accepts", async () => {
      const datastore = await chain({
        ...MEMORY_THEN_FILE,
        constraints: { reject: ['junk'] },
        datastore_constraints: [
          { constraints: { reject: ['scratch', 'orphan'] } },
          { constraints: { reject: ['orphan'] } },
        ],
      });
      const [memory, file] = children(datastore);
      const scratch = metric(1, 'scratch');
      await datastore.put(makeExampleMetrics(), scratch);
      expect(await memory.exists(scratch)).toBe(false);
      expect(await file.exists(scratch)).toBe(true);

      const junk = metric(2, 'junk');
      const refused = await rejection(datastore.put(makeExampleMetrics(), junk));
      expect(refused).toSatisfy(isError(DatasetTypeNotSupportedError));
      expect((refused as Error).message).toContain(junk.id);

      const orphan = metric(3, 'orphan');
      const none = await rejection(datastore.put(makeExampleMetrics(), orphan));
      expect(none).toSatisfy(isError(DatasetTypeNotSupportedError));
      expect((none as Error).message).toMatch(/None of the chained datastores supported ref/);
      expect((none as DatasetTypeNotSupportedError).refs).toEqual([orphan]);
      for (const ref of [junk, orphan]) {
        expect(await memory.exists(ref)).toBe(false);
        expect(await file.exists(ref)).toBe(false);
      }
      expect(filesUnder(file.root).some((path) => path.includes('orphan'))).toBe(false);
      const keys = datastore.getLookupKeys().map(String);
      expect(keys).toEqual(expect.arrayContaining(['junk', 'scratch', 'orphan']));
    });

    it('warns when a permanent child meant to take a dataset refused it', async () => {
      // The nested chain accepts the dataset, but its only child refuses it.
      const datastore = await chain({
        datastores: [
          memoryChild(),
          {
            cls: 'ChainedDatastore',
            datastores: [fileChild({ constraints: { reject: ['scratch'] } })],
          },
        ],
      });
      const ref = metric(1, 'scratch');
      await datastore.put(makeExampleMetrics(), ref);
      expect(warnings).toEqual([`Put of ${ref.toString()} only succeeded in ephemeral datastores`]);
      expect(await datastore.datastores[0]!.exists(ref)).toBe(true);
      expect(await datastore.datastores[1]!.exists(ref)).toBe(false);
    });
  });

  describe('undo across children', () => {
    // Memory, then two file datastores on one registry (each with its own records table).
    async function threeChildren(): Promise<{
      datastore: ChainedDatastore;
      memory: Datastore;
      first: FileDatastore;
      second: FileDatastore;
    }> {
      const datastore = await chain({
        datastores: [
          memoryChild(),
          fileChild({ root: workspace.folder('butler-chain-a-') }),
          fileChild({
            root: workspace.folder('butler-chain-b-'),
            records: { table: 'second_file_records' },
          }),
        ],
      });
      const [memory, first, second] = datastore.datastores as [
        Datastore,
        FileDatastore,
        FileDatastore,
      ];
      return { datastore, memory, first, second };
    }

    // Puts a file where the second file datastore will write `ref`, so its put fails.
    async function squat(second: FileDatastore, ref: DatasetRef): Promise<string> {
      const path = (await second.getURI(ref, { predict: true })).ospath!;
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, 'someone else wrote this');
      return path;
    }

    it('takes back what the other children wrote when one fails midway through a put', async () => {
      const { datastore, memory, first, second } = await threeChildren();
      const ref = metric(7);
      const squatted = await squat(second, ref);
      const error = await rejection(datastore.put(makeExampleMetrics(), ref));
      expect(error).toSatisfy(isError(ArtifactExistsError));
      expect(await memory.exists(ref)).toBe(false);
      expect(await first.knows(ref)).toBe(false);
      expect(await first.getStoredItemsInfo(ref)).toEqual([]);
      expect(filesUnder(first.root)).toEqual([]);
      expect(await second.knows(ref)).toBe(false);
      expect(readFileSync(squatted, 'utf8')).toBe('someone else wrote this');
      expect(await datastore.exists(ref)).toBe(false);
      expect(warnings).toEqual([]);
    });

    it('keeps the earlier puts of a transaction that caught a failed put', async () => {
      const { datastore, memory, first, second } = await threeChildren();
      const [good, bad] = [metric(1), metric(2)];
      await squat(second, bad);
      await datastore.transaction(async () => {
        await datastore.put(makeExampleMetrics(), good);
        expect(await rejection(datastore.put(makeExampleMetrics(), bad))).toSatisfy(
          isError(ArtifactExistsError),
        );
      });
      for (const child of [memory, first, second]) {
        expect(await child.exists(good), child.name).toBe(true);
        expect(await child.exists(bad), child.name).toBe(false);
      }
      expect(filesUnder(first.root)).toHaveLength(1);
    });

    it('undoes the puts and trash marks of a failed transaction in every child', async () => {
      const datastore = await chain();
      const [memory, file] = children(datastore);
      const [before, inside] = [metric(1), metric(2)];
      await datastore.put(makeExampleMetrics(), before);
      const error = await rejection(
        datastore.transaction(async () => {
          await datastore.put(makeExampleMetrics(), inside);
          await datastore.trash(before);
          expect(await memory.exists(inside)).toBe(true);
          expect(await file.exists(inside)).toBe(true);
          throw new UserError('abandon');
        }),
      );
      expect(error).toBeInstanceOf(UserError);
      expect(await memory.exists(inside)).toBe(false);
      expect(await file.knows(inside)).toBe(false);
      expect(filesUnder(file.root)).toHaveLength(1);
      await datastore.emptyTrash();
      expect(await memory.exists(before)).toBe(true);
      expect(await file.exists(before)).toBe(true);
      for (const child of datastore.datastores) expect(child.currentTransaction).toBeNull();
      expect(warnings).toEqual([]);
    });
  });

  describe('memory in front of files', () => {
    it('serves what this process wrote from memory, and everything from files after a reopen', async () => {
      const { registry, uri, namespace } = await workspace.registry();
      const root = workspace.folder();
      const datastore = await chain(MEMORY_THEN_FILE, { bridgeManager: registry.bridges, root });
      const [memory] = children(datastore);
      const refs = [metric(1), metric(2)];
      const values = refs.map(() => makeExampleMetrics());
      for (const [i, ref] of refs.entries()) await datastore.put(values[i], ref);

      // Reads come from memory: the very objects that were put, no file read.
      expect(await datastore.get(refs[0]!)).toBe(values[0]);
      expect(await memory.get(refs[1]!)).toBe(values[1]);
      // URIs come from the permanent child: the files are there.
      const location = await datastore.getURI(refs[0]!);
      expect(location.scheme).toBe('file');
      expect(existsSync(location.ospath!)).toBe(true);
      expect((await datastore.getManyURIs(refs)).get(refs[1]!)!.primaryURI!.scheme).toBe('file');

      // A new process: the registry and the chain are opened again from disk.
      await registry.close();
      const reopened = await workspace.reopen(uri, namespace);
      const again = await chain(MEMORY_THEN_FILE, { bridgeManager: reopened.bridges, root });
      const [emptyMemory, file] = children(again);
      for (const [i, ref] of refs.entries()) {
        expect(await emptyMemory.exists(ref)).toBe(false);
        expect(await again.exists(ref)).toBe(true);
        const read = await again.get(ref);
        expect(read).not.toBe(values[i]);
        expect(deepEqual(read, values[i])).toBe(true);
      }
      // Reading through the chain does not fill the memory child.
      expect(await emptyMemory.exists(refs[0]!)).toBe(false);
      expect(await file.getStoredItemsInfo(refs[0]!)).toHaveLength(1);
    });

    it('reaches every child with trash, emptyTrash, forget and remove', async () => {
      const datastore = await chain();
      const [memory, file] = children(datastore);
      const [trashed, forgotten, removed] = [metric(1), metric(2), metric(3)];
      for (const ref of [trashed, forgotten, removed]) {
        await datastore.put(makeExampleMetrics(), ref);
      }
      const paths = new Map<DatasetRef, string>();
      for (const ref of [trashed, forgotten, removed]) {
        paths.set(ref, (await file.getURI(ref)).ospath!);
      }

      await datastore.trash(trashed);
      expect(await datastore.exists(trashed)).toBe(true);
      const emptied = await datastore.emptyTrash();
      expect([...emptied].map((uri) => uri.ospath)).toEqual([paths.get(trashed)]);
      expect(await memory.exists(trashed)).toBe(false);
      expect(await file.exists(trashed)).toBe(false);
      expect(existsSync(paths.get(trashed)!)).toBe(false);

      await datastore.forget([forgotten]);
      expect(await memory.exists(forgotten)).toBe(false);
      expect(await file.knows(forgotten)).toBe(false);
      expect(existsSync(paths.get(forgotten)!)).toBe(true);

      await datastore.remove(removed);
      expect(await datastore.exists(removed)).toBe(false);
      expect(existsSync(paths.get(removed)!)).toBe(false);
      const again = await rejection(datastore.remove(removed));
      expect(again).toSatisfy(isError(DatasetNotFoundError));
      expect((again as DatasetNotFoundError).datastore).toBe(datastore.name);
    });

    it('returns the records of its permanent children from putNew and exportRecords', async () => {
      const datastore = await chain();
      const [, file] = children(datastore);
      const ref = metric(1);
      const stored = await datastore.putNew(makeExampleMetrics(), ref);
      expect([...stored.keys()]).toEqual([file.name]);
      const records = await datastore.exportRecords([ref]);
      expect([...records.keys()]).toEqual([file.name]);
      expect([...records.get(file.name)!.records.keys()]).toEqual([ref.id]);
      expect([...datastore.getOpaqueTableDefinitions().keys()]).toEqual(['file_datastore_records']);
    });
  });

  describe('ingest', () => {
    function sourceFile(name: string): string {
      const path = join(workspace.folder('butler-chain-src-'), name);
      writeFileSync(path, 'a: 1\nb: x\n');
      return path;
    }
    const ingested = () => makeRef('ingested', 'StructuredDataDictYaml', dummy(5));

    it('ingests into the children that support the transfer mode', async () => {
      const datastore = await chain();
      const [memory, file] = children(datastore);
      const source = sourceFile('in.yaml');
      const ref = ingested();
      await datastore.ingest([fileDataset(source, ref)], { transfer: 'copy' });
      expect(await memory.exists(ref)).toBe(false);
      expect(await file.exists(ref)).toBe(true);
      expect(await datastore.get(ref)).toEqual({ a: 1, b: 'x' });
      expect(existsSync(source)).toBe(true);
    });

    it('refuses in-place ingest, storing nothing', async () => {
      const datastore = await chain();
      const ref = ingested();
      const error = await rejection(
        datastore.ingest([fileDataset(sourceFile('in.yaml'), ref)], { transfer: null }),
      );
      expect(error).toSatisfy(isError(DatastoreNotSupportedError));
      expect((error as Error).message).toContain('transfer=None');
      expect(await datastore.exists(ref)).toBe(false);
    });

    it('moves into two file children by copying, then deleting the source', async () => {
      const datastore = await chain({
        datastores: [
          memoryChild(),
          fileChild({ root: workspace.folder() }),
          fileChild({ root: workspace.folder(), records: { table: 'second_file_records' } }),
        ],
      });
      const source = sourceFile('moved.yaml');
      const ref = ingested();
      await datastore.ingest([fileDataset(source, ref)], { transfer: 'move' });
      expect(existsSync(source)).toBe(false);
      for (const child of datastore.datastores.slice(1)) {
        expect(await child.exists(ref), child.name).toBe(true);
        expect(await child.get(ref)).toEqual({ a: 1, b: 'x' });
      }
    });
  });
});
