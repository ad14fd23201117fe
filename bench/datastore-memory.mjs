// bench/datastore-memory: put then get of N small objects through InMemoryDatastore and through
// a raw Map in the same run (ms and ratio), plus heap bytes per stored dataset. The datastore
// is built by Datastore.fromConfig on the bridge manager of an in-memory SQLite registry.
// Usage: node --expose-gc datastore-memory.mjs [n=1000000] [repeats=5]
import { DatasetRef, DatasetType } from '@butler-ts/core';
import { makeTestStorageClassFactory, testUniverse } from '@butler-ts/core/testing';
import { InMemoryDatastore } from '@butler-ts/datastore-memory';
import { createRegistry } from '@butler-ts/registry-sql';

const args = process.argv.slice(2).filter((a) => a !== '--');
const N = Number(args[0] ?? 1_000_000);
const REPEATS = Number(args[1] ?? 5);
const gc = globalThis.gc ?? (() => {});

const universe = testUniverse();
const factory = makeTestStorageClassFactory();
// A plain dict storage class (no components, no parameters): small objects.
const datasetType = new DatasetType('bench', ['instrument', 'visit'], 'StructuredDataDictYaml', {
  universe,
  factory,
});

console.log(`\nInMemoryDatastore: ${N.toLocaleString('en')} datasets, median of ${REPEATS}`);
let start = performance.now();
const refs = Array.from(
  { length: N },
  (_, i) => new DatasetRef(datasetType, { instrument: 'bench', visit: i }, 'run'),
);
const values = Array.from({ length: N }, (_, i) => ({ visit: i, flux: i * 0.5 }));
console.log(
  `(setup: ${N.toLocaleString('en')} refs and values in ${(performance.now() - start).toFixed(0)} ms)`,
);

const registry = await createRegistry('sqlite://', { universe });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed(fn) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** One round on a fresh datastore: put all, get all; heap growth of the puts. */
async function datastoreRound() {
  const datastore = await InMemoryDatastore.fromConfig(
    { datastore: { cls: 'InMemoryDatastore' } },
    registry.bridges,
  );
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  const put = await timed(async () => {
    for (let i = 0; i < N; i++) await datastore.put(values[i], refs[i]);
  });
  gc();
  const heap1 = process.memoryUsage().heapUsed;
  let checksum = 0;
  const get = await timed(async () => {
    for (let i = 0; i < N; i++) checksum += (await datastore.get(refs[i])).visit;
  });
  if (checksum !== (N * (N - 1)) / 2) throw new Error('datastore get returned wrong values');
  return { put, get, bytes: (heap1 - heap0) / N };
}

/** The same with a Map keyed by dataset ID: synchronous, and through awaited async functions. */
async function rawRound() {
  const map = new Map();
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  const put = await timed(() => {
    for (let i = 0; i < N; i++) map.set(refs[i].id, values[i]);
  });
  gc();
  const heap1 = process.memoryUsage().heapUsed;
  let checksum = 0;
  const get = await timed(() => {
    for (let i = 0; i < N; i++) checksum += map.get(refs[i].id).visit;
  });
  if (checksum !== (N * (N - 1)) / 2) throw new Error('map get returned wrong values');

  const asyncMap = new Map();
  const asyncSet = async (k, v) => void asyncMap.set(k, v);
  const asyncGet = async (k) => asyncMap.get(k);
  const putAsync = await timed(async () => {
    for (let i = 0; i < N; i++) await asyncSet(refs[i].id, values[i]);
  });
  const getAsync = await timed(async () => {
    for (let i = 0; i < N; i++) await asyncGet(refs[i].id);
  });
  return { put, get, bytes: (heap1 - heap0) / N, putAsync, getAsync };
}

const ours = [];
const raw = [];
// Alternate which side goes first, so heap growth and JIT warm-up do not favour one.
for (let r = 0; r < REPEATS; r++) {
  if (r % 2 === 0) {
    raw.push(await rawRound());
    ours.push(await datastoreRound());
  } else {
    ours.push(await datastoreRound());
    raw.push(await rawRound());
  }
}
await registry.close();

const pick = (rounds, key) => median(rounds.map((round) => round[key]));
const row = (label, a, b) =>
  console.log(
    `${label.padEnd(34)}${a.toFixed(1).padStart(10)}${b.toFixed(1).padStart(10)}${(a / b).toFixed(2).padStart(8)}x`,
  );
console.log('operation                         datastore ms    raw ms   ratio');
row(`put ${N.toLocaleString('en')} (vs Map.set)`, pick(ours, 'put'), pick(raw, 'put'));
row(`get ${N.toLocaleString('en')} (vs Map.get)`, pick(ours, 'get'), pick(raw, 'get'));
row('put (vs awaited async Map.set)', pick(ours, 'put'), pick(raw, 'putAsync'));
row('get (vs awaited async Map.get)', pick(ours, 'get'), pick(raw, 'getAsync'));
console.log(
  `heap per stored dataset: datastore ${pick(ours, 'bytes').toFixed(0)} B, raw Map ${pick(raw, 'bytes').toFixed(0)} B (values and refs allocated beforehand)`,
);
