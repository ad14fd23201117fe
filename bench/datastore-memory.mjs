// bench/datastore-memory: put then get of N small objects through InMemoryDatastore and through
// a raw Map in the same run, plus the heap each stored dataset adds: the awaited put/get of the
// abstract Datastore, and InMemoryDatastore's own putSync/getSync. The datastore is built by
// Datastore.fromConfig on the bridge manager of an in-memory SQLite registry. Every round runs
// both sides back to back (which goes first alternates) on fresh containers; a ratio is taken
// per round and the median and range over the rounds are printed, so drift on a shared
// machine moves both sides of a ratio together. Both sides run each timed loop on the same
// heap: the containers of the previous loop are dropped and collected first, and both do the
// same work per dataset (the async raw get reads the value as the datastore's get does).
// A third raw side, a Map of records, does what a put has to keep beyond a bare Map.set: it
// checks the value's type, reads the clock and keeps the value with its storage class and time;
// the sync forms are compared with it too. A last raw row gives what a clock read per put adds
// to a bare Map.set.
// Besides wall time, the main thread's CPU time (Linux schedstat: not the time the thread
// waited for a core, nor the collector's helper threads) is taken per loop; its ratio is the
// steadier one on a shared machine.
// Usage: node --expose-gc datastore-memory.mjs [n=1000000] [rounds=7]
import { readFileSync } from 'node:fs';
import { DatasetRef, DatasetType } from '@butler-ts/core';
import { makeTestStorageClassFactory, testUniverse } from '@butler-ts/core/testing';
import { InMemoryDatastore } from '@butler-ts/datastore-memory';
import { createRegistry, standaloneDatasetForeignKeys } from '@butler-ts/registry-sql';

const args = process.argv.slice(2).filter((a) => a !== '--');
const N = Number(args[0] ?? 1_000_000);
const REPEATS = Number(args[1] ?? 7);
const gc = globalThis.gc ?? (() => {});

const universe = testUniverse();
const factory = makeTestStorageClassFactory();
// A plain dict storage class (no components, no parameters): small objects.
const datasetType = new DatasetType('bench', ['instrument', 'visit'], 'StructuredDataDictYaml', {
  universe,
  factory,
});

console.log(
  `\nInMemoryDatastore: ${N.toLocaleString('en')} datasets; median (range) of ${REPEATS} rounds`,
);
let start = performance.now();
const refs = Array.from(
  { length: N },
  (_, i) => new DatasetRef(datasetType, { instrument: 'bench', visit: i }, 'run'),
);
const values = Array.from({ length: N }, (_, i) => ({ visit: i, flux: i * 0.5 }));
console.log(
  `(setup: ${N.toLocaleString('en')} refs and values in ${(performance.now() - start).toFixed(0)} ms)`,
);

const registry = await createRegistry('sqlite://', {
  datasetForeignKeys: standaloneDatasetForeignKeys,
  universe,
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// The JS heap plus ArrayBuffer memory (kept outside the heap, as typed array columns are).
function memoryUsed() {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

// CPU time of this thread in ms, or NaN where /proc/thread-self/schedstat is missing.
function threadCpu() {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return Number.NaN;
  }
}

// Wall time in ms; the thread CPU time of the same loop goes to cpu[key].
async function timed(cpu, key, fn) {
  const c0 = threadCpu();
  const t0 = performance.now();
  await fn();
  const wall = performance.now() - t0;
  cpu[key] = threadCpu() - c0;
  return wall;
}

/** One round on a fresh datastore: put all, get all; heap growth of the puts. */
async function datastoreRound() {
  const cpu = {};
  let datastore = await InMemoryDatastore.fromConfig(
    { datastore: { cls: 'InMemoryDatastore' } },
    registry.bridges,
  );
  gc();
  const heap0 = memoryUsed();
  const put = await timed(cpu, 'put', async () => {
    for (let i = 0; i < N; i++) await datastore.put(values[i], refs[i]);
  });
  gc();
  const heap1 = memoryUsed();
  let checksum = 0;
  const get = await timed(cpu, 'get', async () => {
    for (let i = 0; i < N; i++) checksum += (await datastore.get(refs[i])).visit;
  });
  if (checksum !== (N * (N - 1)) / 2) throw new Error('datastore get returned wrong values');
  datastore = null;
  // The synchronous forms (putSync/getSync), on a datastore of their own.
  let syncDatastore = await InMemoryDatastore.fromConfig(
    { datastore: { cls: 'InMemoryDatastore' } },
    registry.bridges,
  );
  gc();
  const putSync = await timed(cpu, 'putSync', () => {
    for (let i = 0; i < N; i++) syncDatastore.putSync(values[i], refs[i]);
  });
  gc();
  checksum = 0;
  const getSync = await timed(cpu, 'getSync', () => {
    for (let i = 0; i < N; i++) checksum += syncDatastore.getSync(refs[i]).visit;
  });
  if (checksum !== (N * (N - 1)) / 2) throw new Error('datastore getSync returned wrong values');
  syncDatastore = null;
  gc();
  return { put, get, putSync, getSync, bytes: (heap1 - heap0) / N, cpu };
}

/** The same with a Map keyed by dataset ID: synchronous, and through awaited async functions. */
async function rawRound() {
  const cpu = {};
  let map = new Map();
  gc();
  const heap0 = memoryUsed();
  const put = await timed(cpu, 'put', () => {
    for (let i = 0; i < N; i++) map.set(refs[i].id, values[i]);
  });
  gc();
  const heap1 = memoryUsed();
  let checksum = 0;
  const get = await timed(cpu, 'get', () => {
    for (let i = 0; i < N; i++) checksum += map.get(refs[i].id).visit;
  });
  if (checksum !== (N * (N - 1)) / 2) throw new Error('map get returned wrong values');
  map = null;

  let asyncMap = new Map();
  gc();
  const asyncSet = async (k, v) => void asyncMap.set(k, v);
  const asyncGet = async (k) => asyncMap.get(k);
  const putAsync = await timed(cpu, 'putAsync', async () => {
    for (let i = 0; i < N; i++) await asyncSet(refs[i].id, values[i]);
  });
  gc();
  checksum = 0;
  const getAsync = await timed(cpu, 'getAsync', async () => {
    for (let i = 0; i < N; i++) checksum += (await asyncGet(refs[i].id)).visit;
  });
  if (checksum !== (N * (N - 1)) / 2) throw new Error('async map get returned wrong values');
  asyncMap = null;

  // A bare Map.set plus one clock read per put (the time is summed so the read is kept): what
  // recording when each dataset was put costs on its own.
  let clocked = new Map();
  let clockSum = 0;
  gc();
  const putClock = await timed(cpu, 'putClock', () => {
    for (let i = 0; i < N; i++) {
      clocked.set(refs[i].id, values[i]);
      clockSum += Date.now();
    }
  });
  if (!(clockSum > 0) || clocked.size !== N) throw new Error('clocked map lost puts');
  clocked = null;

  // What a put has to keep, done the plain way: check the value's type as the storage class
  // does (a plain object), read the clock, and keep a record of the value, its storage class
  // and the time; a get returns the value if it was put as the ref's storage class.
  let records = new Map();
  gc();
  const heap2 = memoryUsed();
  const putRecord = await timed(cpu, 'putRecord', () => {
    for (let i = 0; i < N; i++) {
      const ref = refs[i];
      const value = values[i];
      const proto = typeof value === 'object' && value !== null && Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw new Error('not a plain object');
      const storageClass = ref.datasetType.storageClass;
      records.set(ref.id, { value, storageClass, time: Date.now() });
    }
  });
  gc();
  const heap3 = memoryUsed();
  checksum = 0;
  const getRecord = await timed(cpu, 'getRecord', () => {
    for (let i = 0; i < N; i++) {
      const ref = refs[i];
      const record = records.get(ref.id);
      if (record.storageClass !== ref.datasetType.storageClass) throw new Error('converted');
      checksum += record.value.visit;
    }
  });
  if (checksum !== (N * (N - 1)) / 2) throw new Error('record map get returned wrong values');
  records = null;
  gc();
  return {
    put,
    get,
    bytes: (heap1 - heap0) / N,
    putAsync,
    getAsync,
    putClock,
    putRecord,
    getRecord,
    recordBytes: (heap3 - heap2) / N,
    cpu,
  };
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

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const pick = (rounds, key) => median(rounds.map((round) => round[key]));
// The ratio of each round (both sides measured back to back), then their median and range.
// `a` is the measured side (ours unless given), `b` the side it is compared with.
const ratios = (key, rawKey, a, b) => sorted(a.map((round, r) => round[key] / b[r][rawKey]));
const cpuRatios = (key, rawKey, a, b) =>
  sorted(a.map((round, r) => round.cpu[key] / b[r].cpu[rawKey]));
const row = (label, key, rawKey, target, a = ours, b = raw) => {
  const rs = ratios(key, rawKey, a, b);
  const cs = cpuRatios(key, rawKey, a, b);
  console.log(
    `${label.padEnd(34)}${pick(a, key).toFixed(0).padStart(9)}${pick(b, rawKey).toFixed(0).padStart(9)}${`${median(rs).toFixed(2)}x`.padStart(9)} ${`${rs[0].toFixed(2)}-${rs.at(-1).toFixed(2)}`.padStart(10)}${`${median(cs).toFixed(2)}x`.padStart(9)} ${`${cs[0].toFixed(2)}-${cs.at(-1).toFixed(2)}`.padStart(10)}${target}`,
  );
};
console.log(
  `${'operation'.padEnd(34)}${'ours ms'.padStart(9)}${'raw ms'.padStart(9)}${'ratio'.padStart(9)} ${'range'.padStart(10)}${'cpu'.padStart(9)} ${'cpu range'.padStart(10)}`,
);
const n = N.toLocaleString('en');
row(`put ${n} (vs Map.set)`, 'put', 'put', '   (target: 1.5x)');
row(`get ${n} (vs Map.get)`, 'get', 'get', '   (target: 1.5x)');
row(`putSync ${n} (vs Map.set)`, 'putSync', 'put', '   (target: 1.5x)');
row(`getSync ${n} (vs Map.get)`, 'getSync', 'get', '   (target: 1.5x)');
row('put (vs awaited async Map.set)', 'put', 'putAsync', '');
row('get (vs awaited async Map.get)', 'get', 'getAsync', '');
row('putSync (vs Map of records)', 'putSync', 'putRecord', '');
row('getSync (vs Map of records)', 'getSync', 'getRecord', '');
row('Map.set + Date.now() (vs Map.set)', 'putClock', 'put', '', raw, raw);
const oursBytes = sorted(ours.map((round) => round.bytes));
const rawBytes = sorted(raw.map((round) => round.bytes));
const recordBytes = sorted(raw.map((round) => round.recordBytes));
console.log(
  `memory added per stored dataset (heap and array buffers; values and refs allocated beforehand), median (range):\n` +
    `  InMemoryDatastore ${median(oursBytes).toFixed(0)} B (${oursBytes[0].toFixed(0)}-${oursBytes.at(-1).toFixed(0)}; target: under 80 B)\n` +
    `  raw Map           ${median(rawBytes).toFixed(0)} B (${rawBytes[0].toFixed(0)}-${rawBytes.at(-1).toFixed(0)})\n` +
    `  Map of records    ${median(recordBytes).toFixed(0)} B (${recordBytes[0].toFixed(0)}-${recordBytes.at(-1).toFixed(0)})\n` +
    `  the datastore's cost beyond a Map: ${(median(oursBytes) - median(rawBytes)).toFixed(0)} B per dataset`,
);
