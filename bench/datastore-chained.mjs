// bench/datastore-chained: what a ChainedDatastore (InMemoryDatastore in front of a
// FileDatastore) costs against the FileDatastore alone, measured in the same run on a SQLite
// registry in a file: put N small JSON datasets (in one datastore transaction), get them while
// the memory child holds them, and get them from a chain reopened on the same root (memory
// empty, every read falls through to the files). Median of several rounds, with the range.
// Usage: node datastore-chained.mjs [n=5000] [repeats=5]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetRef, DatasetType } from '@butler-ts/core';
import { makeTestStorageClassFactory, testUniverse } from '@butler-ts/core/testing';
import { Datastore } from '@butler-ts/datastore';
import '@butler-ts/datastore-chained';
import '@butler-ts/datastore-file';
import '@butler-ts/datastore-memory';
import { createRegistry, standaloneDatasetForeignKeys } from '@butler-ts/registry-sql';

const args = process.argv.slice(2).filter((a) => a !== '--');
const N = Number(args[0] ?? 5_000);
const REPEATS = Number(args[1] ?? 5);

const universe = testUniverse();
const factory = makeTestStorageClassFactory();
const datasetType = new DatasetType('bench', ['instrument', 'visit'], 'StructuredDataDict', {
  universe,
  factory,
});
const file = {
  cls: 'FileDatastore',
  root: '<butlerRoot>',
  formatters: { StructuredDataDict: 'lsst.daf.butler.formatters.json.JsonFormatter' },
};
const configs = {
  file: { datastore: file },
  chain: {
    datastore: { cls: 'ChainedDatastore', datastores: [{ cls: 'InMemoryDatastore' }, file] },
  },
};
const refs = Array.from(
  { length: N },
  (_, i) => new DatasetRef(datasetType, { instrument: 'bench', visit: i }, 'run'),
);
const values = Array.from({ length: N }, (_, i) => ({ visit: i, flux: i * 0.5 + 0.25, band: 'r' }));

async function timed(fn) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function readAll(datastore) {
  let checksum = 0;
  for (let i = 0; i < N; i++) checksum += (await datastore.get(refs[i])).visit;
  if (checksum !== (N * (N - 1)) / 2) throw new Error(`${datastore.name} returned wrong values`);
}

// One round: put, get, then get from a datastore built again on the same registry and root.
async function round(kind) {
  const dir = mkdtempSync(join(tmpdir(), `bench-${kind}-`));
  const registry = await createRegistry(`sqlite:///${join(dir, 'gen3.sqlite3')}`, {
    datasetForeignKeys: standaloneDatasetForeignKeys,
    universe,
  });
  try {
    const datastore = await Datastore.fromConfig(configs[kind], registry.bridges, dir);
    const put = await timed(() =>
      datastore.transaction(async () => {
        for (let i = 0; i < N; i++) await datastore.put(values[i], refs[i]);
      }),
    );
    const get = await timed(() => readAll(datastore));
    const again = await Datastore.fromConfig(configs[kind], registry.bridges, dir);
    const cold = await timed(() => readAll(again));
    return { put, get, cold };
  } finally {
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(
  `\nChainedDatastore (memory, file) vs FileDatastore: ${N.toLocaleString('en')} small JSON datasets, median of ${REPEATS}`,
);
const rounds = { chain: [], file: [] };
for (let r = 0; r < REPEATS; r++) {
  // Alternate which goes first, so neither always runs on a warmer process.
  for (const kind of r % 2 === 0 ? ['file', 'chain'] : ['chain', 'file']) {
    rounds[kind].push(await round(kind));
  }
}
const stats = (kind, key) => {
  const xs = rounds[kind].map((x) => x[key]).sort((a, b) => a - b);
  return { median: xs[Math.floor(xs.length / 2)], min: xs[0], max: xs.at(-1) };
};
const ms = (s) => `${s.median.toFixed(0)} (${s.min.toFixed(0)}-${s.max.toFixed(0)})`;
console.log(
  'operation                                  chain ms (range)     file ms (range)    ratio',
);
for (const [key, label] of [
  ['put', `put ${N.toLocaleString('en')}`],
  ['get', `get ${N.toLocaleString('en')}, memory holds them`],
  ['cold', `get ${N.toLocaleString('en')}, reopened (memory empty)`],
]) {
  const chain = stats('chain', key);
  const alone = stats('file', key);
  console.log(
    `${label.padEnd(42)}${ms(chain).padStart(18)}${ms(alone).padStart(20)}${(chain.median / alone.median).toFixed(2).padStart(8)}x`,
  );
}
