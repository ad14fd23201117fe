// bench/datastore-file: put then get of N small JSON datasets through FileDatastore (SQLite
// registry in a file) and, in the same run, the raw baseline: the same bytes written to the
// same relative paths with fs.promises.writeFile, and the same records and bridge rows inserted
// with better-sqlite3 in one transaction; reads select the record and read and parse the file.
// The datastore's puts run in one datastore transaction, which is one registry transaction.
// Also printed: the share of the datastore's get CPU time that the record fetch alone takes.
// Usage: node datastore-file.mjs [n=10000] [repeats=3]
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DatasetRef, DatasetType } from '@butler-ts/core';
import { makeTestStorageClassFactory, testUniverse } from '@butler-ts/core/testing';
import { FileDatastore, pythonJsonDumps } from '@butler-ts/datastore-file';
import { createRegistry, standaloneDatasetForeignKeys } from '@butler-ts/registry-sql';
import Database from 'better-sqlite3';

const args = process.argv.slice(2).filter((a) => a !== '--');
const N = Number(args[0] ?? 10_000);
const REPEATS = Number(args[1] ?? 3);

const universe = testUniverse();
const factory = makeTestStorageClassFactory();
const datasetType = new DatasetType('bench', ['instrument', 'visit'], 'StructuredDataDict', {
  universe,
  factory,
});
const config = {
  datastore: {
    cls: 'FileDatastore',
    root: '<butlerRoot>',
    formatters: { StructuredDataDict: 'lsst.daf.butler.formatters.json.JsonFormatter' },
  },
};
const refs = Array.from(
  { length: N },
  (_, i) => new DatasetRef(datasetType, { instrument: 'bench', visit: i }, 'run'),
);
const values = Array.from({ length: N }, (_, i) => ({ visit: i, flux: i * 0.5 + 0.25, band: 'r' }));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Wall time in ms; the process's CPU time (main thread and libuv workers) goes to cpu[label],
// a second measure that a loaded machine disturbs less than the wall clock.
const cpu = {};
async function timed(fn, label) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = performance.now() - t0;
  const used = process.cpuUsage(c0);
  (cpu[label] ??= []).push((used.user + used.system) / 1000);
  return wall;
}

async function datastoreRound() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-fds-'));
  const registry = await createRegistry(`sqlite:///${join(dir, 'gen3.sqlite3')}`, {
    datasetForeignKeys: standaloneDatasetForeignKeys,
    universe,
  });
  try {
    const datastore = await FileDatastore.create(config, registry.bridges, { butlerRoot: dir });
    const put = await timed(
      () =>
        datastore.transaction(async () => {
          for (let i = 0; i < N; i++) await datastore.put(values[i], refs[i]);
        }),
      'datastore put',
    );
    let checksum = 0;
    const get = await timed(async () => {
      for (let i = 0; i < N; i++) checksum += (await datastore.get(refs[i])).visit;
    }, 'datastore get');
    if (checksum !== (N * (N - 1)) / 2) throw new Error('datastore get returned wrong values');
    // The registry's part of get: the record fetch alone, for the same refs.
    await timed(async () => {
      for (let i = 0; i < N; i++) await datastore.getStoredItemsInfo(refs[i]);
    }, 'record fetch');
    return { put, get };
  } finally {
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function rawRound() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-raw-'));
  const db = new Database(join(dir, 'raw.sqlite3'));
  try {
    db.exec(`CREATE TABLE file_datastore_records (dataset_id CHAR(32) NOT NULL, path TEXT NOT NULL,
      formatter TEXT NOT NULL, storage_class TEXT NOT NULL, component VARCHAR(32) NOT NULL,
      checksum TEXT, file_size BIGINT, PRIMARY KEY (dataset_id, component));
      CREATE INDEX file_datastore_records_idx_path ON file_datastore_records (path);
      CREATE TABLE dataset_location (datastore_name TEXT NOT NULL, dataset_id CHAR(32) NOT NULL,
      PRIMARY KEY (datastore_name, dataset_id));`);
    const insertRecord = db.prepare(
      'INSERT INTO file_datastore_records VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const insertLocation = db.prepare('INSERT INTO dataset_location VALUES (?, ?)');
    const select = db.prepare(
      'SELECT path, file_size FROM file_datastore_records WHERE dataset_id = ?',
    );
    const made = new Set();
    const put = await timed(async () => {
      const rows = [];
      for (let i = 0; i < N; i++) {
        const path = `run/bench/${i}/bench_bench_${i}_run.json`;
        const bytes = Buffer.from(pythonJsonDumps(values[i]));
        const file = join(dir, path);
        const folder = dirname(file);
        if (!made.has(folder)) {
          await mkdir(folder, { recursive: true });
          made.add(folder);
        }
        await writeFile(file, bytes);
        rows.push([refs[i].id.replaceAll('-', ''), path, bytes.length]);
      }
      db.transaction(() => {
        for (const [id, path, size] of rows) {
          insertRecord.run(
            id,
            path,
            'lsst.daf.butler.formatters.json.JsonFormatter',
            'StructuredDataDict',
            '__NULL_STRING__',
            null,
            size,
          );
          insertLocation.run('FileDatastore@<butlerRoot>', id);
        }
      })();
    }, 'raw put');
    let checksum = 0;
    const get = await timed(async () => {
      for (let i = 0; i < N; i++) {
        const row = select.get(refs[i].id.replaceAll('-', ''));
        checksum += JSON.parse(await readFile(join(dir, row.path), 'utf8')).visit;
      }
    }, 'raw get');
    if (checksum !== (N * (N - 1)) / 2) throw new Error('raw get returned wrong values');
    return { put, get };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`\nFileDatastore: ${N.toLocaleString('en')} small JSON datasets, median of ${REPEATS}`);
const ours = [];
const raw = [];
for (let r = 0; r < REPEATS; r++) {
  if (r % 2 === 0) {
    raw.push(await rawRound());
    ours.push(await datastoreRound());
  } else {
    ours.push(await datastoreRound());
    raw.push(await rawRound());
  }
}
const pick = (rounds, key) => median(rounds.map((round) => round[key]));
const range = (xs) => `${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}`;
const row = (label, key) => {
  const a = pick(ours, key);
  const b = pick(raw, key);
  const ratios = ours.map((round, i) => round[key] / raw[i][key]);
  const cpuRatio = median(cpu[`datastore ${key}`]) / median(cpu[`raw ${key}`]);
  console.log(
    `${label.padEnd(46)}${a.toFixed(1).padStart(10)}${b.toFixed(1).padStart(10)}${(a / b).toFixed(2).padStart(8)}x` +
      `   CPU time ratio ${cpuRatio.toFixed(2)}x` +
      `   ranges: datastore ${range(ours.map((r) => r[key]))} ms, raw ${range(raw.map((r) => r[key]))} ms,` +
      ` per-round ratio ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}x`,
  );
};
console.log('operation                                    datastore ms    raw ms   ratio');
row(`put ${N.toLocaleString('en')} (vs writeFile + one transaction)`, 'put');
row(`get ${N.toLocaleString('en')} (vs select + readFile + parse)`, 'get');
const fetchShare = median(cpu['record fetch']) / median(cpu['datastore get']);
console.log(
  `of the datastore's get CPU time, the record fetch (the registry's opaque table) alone takes ${(100 * fetchShare).toFixed(0)}%`,
);
