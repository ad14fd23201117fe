// bench/dataset-ref: `new DatasetRef(...)` with a fresh UUIDv7 and a data ID of two dimensions
// (instrument, visit), in microseconds per construction, next to raw baselines in the same run:
// crypto.randomUUID() alone, and a plain object holding a randomUUID() and the same fields.
// Each round builds a fresh batch of refs and keeps them all (as a caller holding its refs
// does), so collecting garbage counts on both sides; the sides alternate per round.
// Usage: node --expose-gc dataset-ref.mjs [n=100000] [rounds=7]
import { randomUUID } from 'node:crypto';
import { DatasetRef, DatasetType } from '@butler-ts/core';
import { makeTestStorageClassFactory, testUniverse } from '@butler-ts/core/testing';

const args = process.argv.slice(2).filter((a) => a !== '--');
const N = Number(args[0] ?? 100_000);
const ROUNDS = Number(args[1] ?? 7);
const gc = globalThis.gc ?? (() => {});

const universe = testUniverse();
const factory = makeTestStorageClassFactory();
const datasetType = new DatasetType('bench', ['instrument', 'visit'], 'StructuredDataDictYaml', {
  universe,
  factory,
});

const sides = {
  'new DatasetRef(type, {instrument, visit}, run)': (i) =>
    new DatasetRef(datasetType, { instrument: 'bench', visit: i }, 'run'),
  'raw: crypto.randomUUID()': () => randomUUID(),
  'raw: {id: randomUUID(), type, dataId, run}': (i) => ({
    id: randomUUID(),
    datasetType,
    dataId: { instrument: 'bench', visit: i },
    run: 'run',
  }),
};

/** Microseconds per call of `make` over a fresh batch of N results, all kept until the end. */
function round(make) {
  gc();
  const kept = new Array(N);
  const t0 = performance.now();
  for (let i = 0; i < N; i++) kept[i] = make(i);
  const us = ((performance.now() - t0) * 1000) / N;
  if (kept[N - 1] === undefined) throw new Error('nothing made');
  return us;
}

const names = Object.keys(sides);
const times = Object.fromEntries(names.map((name) => [name, []]));
for (const name of names) round(sides[name]); // warm-up, not counted
for (let r = 0; r < ROUNDS; r++) {
  // Rotate which side goes first, so heap growth and JIT state do not favour one.
  for (let k = 0; k < names.length; k++) {
    const name = names[(r + k) % names.length];
    times[name].push(round(sides[name]));
  }
}

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => sorted(xs)[Math.floor(xs.length / 2)];
console.log(
  `\nDatasetRef construction: ${N.toLocaleString('en')} per round, fresh UUIDv7, 2-dimension data ID; median (range) of ${ROUNDS} rounds`,
);
console.log(`${'construction'.padEnd(48)}${'us each'.padStart(9)}   range`);
for (const name of names) {
  const xs = sorted(times[name]);
  console.log(
    `${name.padEnd(48)}${median(xs).toFixed(2).padStart(9)}   ${xs[0].toFixed(2)}-${xs.at(-1).toFixed(2)}`,
  );
}
const ref = median(times[names[0]]);
console.log(
  `ratio to randomUUID(): ${(ref / median(times[names[1]])).toFixed(2)}x; to the plain object: ${(ref / median(times[names[2]])).toFixed(2)}x (target: under 3 us each)`,
);
