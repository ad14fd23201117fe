// The chained-datastore part of the demo: an InMemoryDatastore in front of a FileDatastore,
// on a SQLite registry in a temp folder. Datasets go to both; the registry and the chain are
// closed and opened again from disk, and the datasets come back from the files.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DatasetRef, DatasetType, deepEqual } from '@butler-ts/core';
import { testUniverse } from '@butler-ts/core/testing';
import { Datastore } from '@butler-ts/datastore';
import { ChainedDatastore } from '@butler-ts/datastore-chained';
import '@butler-ts/datastore-file';
import '@butler-ts/datastore-memory';
import {
  createRegistry,
  openRegistry,
  standaloneDatasetForeignKeys,
} from '@butler-ts/registry-sql';
import type { Registry } from '@butler-ts/registry-sql';

// daf_butler's configuration of such a chain: the file datastore's root is <butlerRoot>.
const CONFIG = {
  datastore: {
    cls: 'lsst.daf.butler.datastores.chainedDatastore.ChainedDatastore',
    datastores: [
      { datastore: { cls: 'lsst.daf.butler.datastores.inMemoryDatastore.InMemoryDatastore' } },
      { datastore: { cls: 'lsst.daf.butler.datastores.fileDatastore.FileDatastore' } },
    ],
  },
};

async function openChain(registry: Registry, root: string): Promise<ChainedDatastore> {
  const datastore = await Datastore.fromConfig(CONFIG, registry.bridges, root);
  if (!(datastore instanceof ChainedDatastore)) throw new Error('not a ChainedDatastore');
  return datastore;
}

/**
 * Stores three datasets through a chain (memory in front of files) in a new temp folder, closes
 * everything, reopens the registry and the chain from disk and reads the datasets back from the
 * file datastore, reporting each step through `step`. The folder is removed unless `keep`.
 */
export async function chainSteps(
  step: (title: string, ...lines: string[]) => void,
  keep: boolean,
): Promise<void> {
  const universe = testUniverse();
  const root = mkdtempSync(join(tmpdir(), 'butler-demo-chain-'));
  const uri = `sqlite:///${join(root, 'gen3.sqlite3')}`;

  let registry = await createRegistry(uri, {
    datasetForeignKeys: standaloneDatasetForeignKeys,
    universe,
  });
  const chain = await openChain(registry, root);
  const [memory, file] = chain.datastores as [Datastore, Datastore];
  step(
    'Chain an in-memory datastore in front of a file datastore',
    `name: ${chain.name}`,
    `root: ${root} (registry gen3.sqlite3 and the files)`,
  );

  const type = new DatasetType('summary', ['instrument', 'visit'], 'StructuredDataDict', {
    universe,
  });
  const values = [52, 53, 54].map((visit) => ({ visit, seeing: 0.5 + visit / 100, band: 'r' }));
  const refs = values.map(
    (value) => new DatasetRef(type, { instrument: 'DemoCam', visit: value.visit }, 'demo/chain'),
  );
  for (const [i, ref] of refs.entries()) await chain.put(values[i], ref);
  const lines: string[] = [];
  for (const ref of refs) {
    const path = (await file.getURI(ref)).ospath ?? '?';
    lines.push(
      `visit ${String(ref.dataId.get('visit'))}: memory ${(await memory.exists(ref)) ? 'yes' : 'no'}, file ${relative(root, path)}`,
    );
  }
  step('Put three datasets through the chain: each goes to both children', ...lines);

  step(
    'Read one back: the chain serves it from memory',
    `same object as was put: ${String((await chain.get(refs[0]!)) === values[0])}`,
  );

  await registry.close();
  registry = await openRegistry(uri, { universe });
  const reopened = await openChain(registry, root);
  const emptyMemory = reopened.datastores[0]!;
  const back: string[] = [];
  for (const [i, ref] of refs.entries()) {
    const value = await reopened.get(ref);
    back.push(
      `visit ${String(ref.dataId.get('visit'))}: memory ${(await emptyMemory.exists(ref)) ? 'yes' : 'no'}, file gives ${JSON.stringify(value)}${deepEqual(value, values[i]) ? ' (as put)' : ' (CHANGED)'}`,
    );
  }
  step('Close everything, reopen registry and chain from disk: the files survived', ...back);
  await registry.close();

  if (!keep) rmSync(root, { recursive: true, force: true });
}
