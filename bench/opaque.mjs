// bench/opaque: the five opaque-table operations through OpaqueTableStorage and through the raw
// driver, in the same run, on SQLite (better-sqlite3 prepared statements) and PostgreSQL (pg,
// UNNEST / = ANY — the fastest raw paths measured, see DESIGN.md decision 8). Prints medians
// and ratios of wall time, and of this process's CPU time (the whole work on SQLite, the client
// side on PostgreSQL: steadier on a loaded machine). Usage: node opaque.mjs [rows=100000]
// [repeats=5] [sections]
// where sections (default all) is a comma list of opaque-sqlite, opaque-pg, records-sqlite,
// records-pg.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableSpec } from '@butler-ts/ddl';
import { createRegistry } from '@butler-ts/registry-sql';
import Driver from 'better-sqlite3';
import pg from 'pg';

const args = process.argv.slice(2).filter((a) => a !== '--');
const ROWS = Number(args[0] ?? 100_000);
const REPEATS = Number(args[1] ?? 5);
const SECTIONS = new Set(
  (args[2] ?? 'opaque-sqlite,opaque-pg,records-sqlite,records-pg').split(','),
);
const PG_URL = process.env.BUTLER_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

const spec = tableSpec({
  fields: [
    { name: 'dataset_id', dtype: 'uuid', primaryKey: true },
    { name: 'path', dtype: 'string', length: 256, nullable: false },
    { name: 'file_size', dtype: 'bigint' },
  ],
});

const rows = Array.from({ length: ROWS }, (_, i) => ({
  dataset_id: randomUUID(),
  path: `run/${i % 97}/file_${i}.fits`,
  file_size: 2880 * (i % 1000),
}));
const half = rows.slice(0, ROWS / 2);
const ensureRows = [
  ...half,
  ...rows.slice(0, ROWS / 2).map((r) => ({ ...r, dataset_id: randomUUID() })),
];
const ids = rows.slice(0, 10_000).map((r) => r.dataset_id);
const hex = (id) => id.replaceAll('-', '');

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
/** The CPU time of this process (user + system) spent by the last `time` call, in ms. */
let lastCpu = 0;
async function time(fn) {
  globalThis.gc?.();
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await fn();
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  lastCpu = (used.user + used.system) / 1000;
  return wall;
}

/** Read-only operations run this many times on each fresh table; the median counts. */
const READS = 7;
/** The same for the 10 000 single-dataset fetches (each run is 10 000 statements). */
const ONE_READS = 3;

/**
 * Runs each operation REPEATS times on fresh data, the two sides alternating so that drift
 * of the machine (autovacuum, checkpoints, other load) falls on both; `setup` returns the
 * operations. Medians per side.
 */
async function measure(sides, names = defaultNames) {
  const keys = Object.keys(names);
  const results = sides.map(() => Object.fromEntries(keys.map((k) => [k, []])));
  const cpus = sides.map(() => Object.fromEntries(keys.map((k) => [k, []])));
  for (let r = 0; r < REPEATS; r++) {
    for (const [i, setup] of sides.entries()) {
      const ops = await setup();
      for (const key of keys) {
        const reads =
          key === 'fetchOne'
            ? ONE_READS
            : key.startsWith('fetch') || key === 'iterateAll'
              ? READS
              : 1;
        const times = [];
        const cpu = [];
        for (let k = 0; k < reads; k++) {
          times.push(await time(ops[key]));
          cpu.push(lastCpu);
        }
        results[i][key].push(median(times));
        cpus[i][key].push(median(cpu));
      }
      await ops.close();
    }
  }
  const ratios = Object.fromEntries(
    keys.map((k) => [k, results[0][k].map((ours, r) => ours / results[1][k][r])]),
  );
  const [ours, raw] = results.map((result) =>
    Object.fromEntries(Object.entries(result).map(([k, v]) => [k, median(v)])),
  );
  // This process's CPU time per operation, the same way (the client side only on a server).
  const cpuRatios = Object.fromEntries(
    keys.map((k) => [k, cpus[0][k].map((o, r) => o / cpus[1][k][r])]),
  );
  return [ours, raw, ratios, cpuRatios];
}

// Batches (`fetchBatches`) hand out arrays as the raw driver does; `fetch` is the row-by-row
// AsyncIterable over the same batches, measured separately so its cost is visible.
async function countBatches(batches) {
  let n = 0;
  for await (const batch of batches) n += batch.length;
  return n;
}

const defaultNames = {
  insert: `insert ${ROWS}`,
  ensure: `ensure ${ROWS} (half present)`,
  fetchIds: 'fetch by 10k ids',
  fetchAll: 'fetch all',
  iterateAll: 'fetch all, row by row',
  delete: 'delete 10k',
};

/**
 * Prints medians per side, the ratio of the medians, and the range of the per-table ratios
 * (each fresh table's butler-ts time over the raw time of the same round).
 */
function report(engine, [ours, raw, ratios, cpuRatios], names = defaultNames, rows = ROWS) {
  console.log(
    `\n${engine}: ${rows} rows, median of ${REPEATS} fresh tables (reads: of ${READS} each)`,
  );
  console.log(
    'operation                            butler-ts ms    raw ms   ratio  (range per table)   CPU ratio (range)',
  );
  for (const key of Object.keys(names)) {
    const ratio = ours[key] / raw[key];
    const range = `${Math.min(...ratios[key]).toFixed(2)}-${Math.max(...ratios[key]).toFixed(2)}`;
    console.log(
      `${names[key].padEnd(36)}${ours[key].toFixed(1).padStart(10)}${raw[key].toFixed(1).padStart(10)}${ratio.toFixed(2).padStart(8)}x  ${`(${range})`.padEnd(13)}${median(cpuRatios[key]).toFixed(2).padStart(9)}x (${Math.min(...cpuRatios[key]).toFixed(2)}-${Math.max(...cpuRatios[key]).toFixed(2)})`,
    );
  }
  // Row by row against the batches of the same side: the AsyncIterable's own cost.
  console.log(
    `${'  fetch row by row / batch fetch'.padEnd(36)}${(ours.iterateAll / ours.fetchAll).toFixed(2).padStart(28)}x`,
  );
}

async function drain(iterable) {
  let n = 0;
  for await (const _row of iterable) n++;
  return n;
}

function expectCount(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: got ${actual}, expected ${expected}`);
}

// ---- SQLite --------------------------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), 'butler-bench-'));
let n = 0;

/** The operations through a registry's OpaqueTableStorage, on either engine. */
async function oursOn(uri, options = {}) {
  const registry = await createRegistry(uri, options);
  const table = await registry.opaque.register('records', spec);
  return {
    insert: () => table.insert(rows),
    ensure: () => table.ensure(ensureRows),
    fetchIds: async () =>
      expectCount(
        await countBatches(table.fetchBatches({ dataset_id: ids })),
        ids.length,
        'fetch by ids',
      ),
    fetchAll: async () =>
      expectCount(await countBatches(table.fetchBatches()), ROWS + ROWS / 2, 'fetch all'),
    iterateAll: async () =>
      expectCount(await drain(table.fetch()), ROWS + ROWS / 2, 'fetch all, row by row'),
    delete: () =>
      table.delete(
        ['dataset_id'],
        ids.map((id) => ({ dataset_id: id })),
      ),
    close: () => registry.close(),
  };
}

const oursSqlite = () => oursOn(`sqlite:///${join(dir, `ours${n++}.sqlite3`)}`);

async function rawSqlite() {
  const db = new Driver(join(dir, `raw${n++}.sqlite3`));
  db.pragma('journal_mode = WAL');
  db.exec(
    'CREATE TABLE records (dataset_id CHAR(32) NOT NULL PRIMARY KEY, path TEXT NOT NULL, file_size BIGINT)',
  );
  const insert = db.prepare('INSERT INTO records (dataset_id, path, file_size) VALUES (?, ?, ?)');
  const ensure = db.prepare(
    'INSERT INTO records (dataset_id, path, file_size) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  );
  const chunk = (list, size) =>
    Array.from({ length: Math.ceil(list.length / size) }, (_, i) =>
      list.slice(i * size, (i + 1) * size),
    );
  const select = db.prepare(
    `SELECT * FROM records WHERE dataset_id IN (${Array(1000).fill('?').join(', ')})`,
  );
  const remove = db.prepare(
    `DELETE FROM records WHERE dataset_id IN (${Array(1000).fill('?').join(', ')})`,
  );
  return {
    insert: () =>
      db.transaction(() => {
        for (const r of rows) insert.run(hex(r.dataset_id), r.path, r.file_size);
      })(),
    ensure: () =>
      db.transaction(() => {
        for (const r of ensureRows) ensure.run(hex(r.dataset_id), r.path, r.file_size);
      })(),
    fetchIds: () => {
      let count = 0;
      for (const part of chunk(ids.map(hex), 1000)) count += select.all(part).length;
      expectCount(count, ids.length, 'raw fetch by ids');
    },
    fetchAll: () =>
      expectCount(
        db.prepare('SELECT * FROM records').all().length,
        ROWS + ROWS / 2,
        'raw fetch all',
      ),
    iterateAll: () => {
      let n = 0;
      for (const _row of db.prepare('SELECT * FROM records').iterate()) n++;
      expectCount(n, ROWS + ROWS / 2, 'raw iterate all');
    },
    delete: () =>
      db.transaction(() => {
        for (const part of chunk(ids.map(hex), 1000)) remove.run(part);
      })(),
    close: () => db.close(),
  };
}

if (SECTIONS.has('opaque-sqlite'))
  report('SQLite (file, WAL)', await measure([oursSqlite, rawSqlite]));
rmSync(dir, { recursive: true, force: true });

// ---- PostgreSQL ----------------------------------------------------------------------

async function pgReachable() {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch (error) {
    console.log(`\nPostgreSQL skipped: no server at ${PG_URL} (${error.message})`);
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

const pgUp = await pgReachable();
if (pgUp && SECTIONS.has('opaque-pg')) {
  const schemas = [];
  const schema = () => {
    const name = `butler_bench_${process.pid}_${n++}`;
    schemas.push(name);
    return name;
  };
  const oursPg = () => oursOn(PG_URL, { namespace: schema() });
  const rawPg = async () => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    const ns = schema();
    await client.query(`CREATE SCHEMA "${ns}"`);
    const t = `"${ns}".records`;
    await client.query(
      `CREATE TABLE ${t} (dataset_id UUID NOT NULL PRIMARY KEY, path TEXT NOT NULL, file_size BIGINT)`,
    );
    const bulk = async (list, suffix) => {
      await client.query('BEGIN');
      for (let i = 0; i < list.length; i += 10_000) {
        const part = list.slice(i, i + 10_000);
        await client.query(
          `INSERT INTO ${t} SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[])${suffix}`,
          [part.map((r) => r.dataset_id), part.map((r) => r.path), part.map((r) => r.file_size)],
        );
      }
      await client.query('COMMIT');
    };
    return {
      insert: () => bulk(rows, ''),
      ensure: () => bulk(ensureRows, ' ON CONFLICT DO NOTHING'),
      fetchIds: async () =>
        expectCount(
          (await client.query(`SELECT * FROM ${t} WHERE dataset_id = ANY($1::uuid[])`, [ids]))
            .rowCount,
          ids.length,
          'raw fetch by ids',
        ),
      fetchAll: async () =>
        expectCount(
          (await client.query(`SELECT * FROM ${t}`)).rowCount,
          ROWS + ROWS / 2,
          'raw fetch all',
        ),
      iterateAll: async () => {
        let n = 0;
        for (const _row of (await client.query(`SELECT * FROM ${t}`)).rows) n++;
        expectCount(n, ROWS + ROWS / 2, 'raw iterate all');
      },
      delete: () =>
        client.query(`DELETE FROM ${t} USING unnest($1::uuid[]) AS d(id) WHERE dataset_id = d.id`, [
          ids,
        ]),
      close: () => client.end(),
    };
  };
  try {
    report(
      'PostgreSQL (raw: unnest inserts, = ANY fetch, delete USING unnest)',
      await measure([oursPg, rawPg]),
    );
  } finally {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    for (const name of schemas) await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    await client.end();
  }
}

// ---- daf_butler's file datastore records ---------------------------------------------
// `file_datastore_records` as daf_butler declares it: a two-column key (dataset_id,
// component), an index on path. 25 000 datasets with three components plus 25 000 whole
// datasets (component `__NULL_STRING__`); realistic paths, formatters and storage classes.
// The raw side gets the very same DDL (made by butler-ts's emitter, then used by the driver
// alone) and its fastest plain path: prepared single-row statements in one transaction on
// better-sqlite3, unnest arrays / = ANY on pg.

const RECORDS = ROWS;
const recordsSpec = tableSpec({
  fields: [
    { name: 'dataset_id', dtype: 'uuid', primaryKey: true },
    { name: 'component', dtype: 'string', length: 32, primaryKey: true },
    { name: 'path', dtype: 'string', length: 256, nullable: false },
    { name: 'formatter', dtype: 'string', length: 128, nullable: false },
    { name: 'storage_class', dtype: 'string', length: 64, nullable: false },
    { name: 'file_size', dtype: 'bigint' },
    { name: 'checksum', dtype: 'string', length: 128, nullable: true },
  ],
  indexes: [{ columns: ['path'] }],
});

const NULL_COMPONENT = '__NULL_STRING__';
const COMPONENTS = [
  ['image', 'lsst.obs.base.formatters.fitsExposure.FitsImageFormatter', 'ImageF'],
  ['mask', 'lsst.obs.base.formatters.fitsExposure.FitsMaskFormatter', 'Mask'],
  ['variance', 'lsst.obs.base.formatters.fitsExposure.FitsImageFormatter', 'ImageF'],
];
const WHOLE = ['lsst.obs.base.formatters.fitsExposure.FitsExposureFormatter', 'ExposureF'];
const BANDS = [
  ['g', 'HSC-G'],
  ['r', 'HSC-R2'],
  ['i', 'HSC-I2'],
  ['z', 'HSC-Z'],
  ['y', 'HSC-Y'],
];

/** The records of `datasets` datasets, composite (three components) or whole, alternating. */
function makeRecords(datasets, start) {
  const out = [];
  for (let d = start; d < start + datasets; d++) {
    const run = `HSC/runs/RC2/w_2026_${String(10 + (d % 40)).padStart(2, '0')}/DM-${45000 + (d % 300)}/20260${1 + (d % 9)}1${d % 10}T0${d % 10}1234Z`;
    const runPath = run.replaceAll('/', '_');
    const [band, filter] = BANDS[d % BANDS.length];
    const visit = 903334 + Math.floor(d / 100);
    const detector = d % 104;
    const id = randomUUID();
    const fields = `${band}/${filter}/${visit}/calexp_HSC_${band}_${filter}_${visit}_${detector}_${runPath}`;
    if (d % 2 === 0) {
      for (const [component, formatter, storageClass] of COMPONENTS) {
        out.push({
          dataset_id: id,
          component,
          path: `${run}/calexp.${component}/${fields.replace('calexp_', `calexp.${component}_`)}.fits`,
          formatter,
          storage_class: storageClass,
          file_size: 10_000_000 + ((d * 7919) % 9_000_000),
          checksum: null,
        });
      }
    } else {
      out.push({
        dataset_id: id,
        component: NULL_COMPONENT,
        path: `${run}/calexp/${fields}.fits`,
        formatter: WHOLE[0],
        storage_class: WHOLE[1],
        file_size: 30_000_000 + ((d * 7919) % 9_000_000),
        checksum: d % 10 === 1 ? `sha256:${id.replaceAll('-', '')}${id.replaceAll('-', '')}` : null,
      });
    }
  }
  return out;
}

// 25 000 composite + 25 000 whole datasets = 100 000 records (at the default size).
const recordDatasets = Math.round(RECORDS / 2);
const records = makeRecords(recordDatasets, 0);
const recordCount = records.length;
const recordsNew = makeRecords(recordDatasets, recordDatasets);
// Half present: every other record of the table, and as many new ones.
const ensureRecords = [
  ...records.filter((_, i) => i % 2 === 0),
  ...recordsNew.slice(0, Math.ceil(recordCount / 2)),
];
// 5 000 composite + 5 000 whole datasets: about 20 000 records.
const fetchDatasetIds = [];
{
  const seen = new Set();
  for (const r of records) {
    if (fetchDatasetIds.length >= 10_000 * (RECORDS / 100_000)) break;
    if (seen.has(r.dataset_id)) continue;
    seen.add(r.dataset_id);
    fetchDatasetIds.push(r.dataset_id);
  }
}
const fetchIdSet = new Set(fetchDatasetIds);
const fetchExpected = records.filter((r) => fetchIdSet.has(r.dataset_id)).length;
// 10 000 (dataset_id, component) pairs, both columns varying: every tenth record.
const deletePairs = records
  .filter((_, i) => i % 10 === 3)
  .slice(0, 10_000)
  .map((r) => ({ dataset_id: r.dataset_id, component: r.component }));
const afterEnsure = recordCount + Math.ceil(recordCount / 2);
// FileDatastore.get: one dataset id per fetch (about two rows each), 10 000 times.
const oneIds = fetchDatasetIds;
const oneExpected = fetchExpected;
const avgPath = Math.round(records.reduce((n, r) => n + r.path.length, 0) / recordCount);

const recordNames = {
  insert: `insert ${recordCount}`,
  ensure: `ensure ${ensureRecords.length} (half present)`,
  fetchIds: `fetch by ${fetchDatasetIds.length} ids (${fetchExpected} rows)`,
  fetchOne: `${oneIds.length} fetches of one id (${oneExpected} rows)`,
  fetchAll: 'fetch all',
  iterateAll: 'fetch all, row by row',
  delete: `delete ${deletePairs.length} (dataset_id, component)`,
};

/** Creates the records table through butler-ts (the DDL the raw side uses too). */
async function oursRecordsOn(uri, options = {}) {
  const registry = await createRegistry(uri, options);
  const table = await registry.opaque.register('file_datastore_records', recordsSpec);
  return {
    insert: () => table.insert(records),
    ensure: () => table.ensure(ensureRecords),
    fetchIds: async () =>
      expectCount(
        await countBatches(table.fetchBatches({ dataset_id: fetchDatasetIds })),
        fetchExpected,
        'records by ids',
      ),
    fetchAll: async () =>
      expectCount(await countBatches(table.fetchBatches()), afterEnsure, 'records fetch all'),
    fetchOne: async () => {
      let count = 0;
      for (const id of oneIds) count += await countBatches(table.fetchBatches({ dataset_id: id }));
      expectCount(count, oneExpected, 'records one id at a time');
    },
    iterateAll: async () =>
      expectCount(await drain(table.fetch()), afterEnsure, 'records row by row'),
    delete: () => table.delete(['dataset_id', 'component'], deletePairs),
    close: () => registry.close(),
  };
}

const recordColumns = recordsSpec.fields.map((f) => f.name);
const recordValues = (r) => [
  hex(r.dataset_id),
  r.component,
  r.path,
  r.formatter,
  r.storage_class,
  r.file_size,
  r.checksum,
];

async function rawRecordsSqlite() {
  const file = join(recordsDir, `raw${n++}.sqlite3`);
  // The table as butler-ts declares it (CHECK constraints, index), then the driver alone.
  const made = await createRegistry(`sqlite:///${file}`);
  await made.opaque.register('file_datastore_records', recordsSpec);
  await made.close();
  const db = new Driver(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  const list = recordColumns.join(', ');
  const marks = recordColumns.map(() => '?').join(', ');
  const insert = db.prepare(`INSERT INTO file_datastore_records (${list}) VALUES (${marks})`);
  const ensure = db.prepare(
    `INSERT INTO file_datastore_records (${list}) VALUES (${marks}) ON CONFLICT DO NOTHING`,
  );
  const select = db.prepare(
    `SELECT * FROM file_datastore_records WHERE dataset_id IN (${Array(1000).fill('?').join(', ')})`,
  );
  const remove = db.prepare(
    'DELETE FROM file_datastore_records WHERE dataset_id = ? AND component = ?',
  );
  const ids = fetchDatasetIds.map(hex);
  const selectOne = db.prepare('SELECT * FROM file_datastore_records WHERE dataset_id = ?');
  const oneHex = oneIds.map(hex);
  return {
    fetchOne: () => {
      let count = 0;
      for (const id of oneHex) count += selectOne.all(id).length;
      expectCount(count, oneExpected, 'raw records one id at a time');
    },
    insert: () =>
      db.transaction(() => {
        for (const r of records) insert.run(recordValues(r));
      })(),
    ensure: () =>
      db.transaction(() => {
        for (const r of ensureRecords) ensure.run(recordValues(r));
      })(),
    fetchIds: () => {
      let count = 0;
      for (let i = 0; i < ids.length; i += 1000) count += select.all(ids.slice(i, i + 1000)).length;
      expectCount(count, fetchExpected, 'raw records by ids');
    },
    fetchAll: () =>
      expectCount(
        db.prepare('SELECT * FROM file_datastore_records').all().length,
        afterEnsure,
        'raw records fetch all',
      ),
    iterateAll: () => {
      let count = 0;
      for (const _row of db.prepare('SELECT * FROM file_datastore_records').iterate()) count++;
      expectCount(count, afterEnsure, 'raw records iterate');
    },
    delete: () =>
      db.transaction(() => {
        for (const p of deletePairs) remove.run(hex(p.dataset_id), p.component);
      })(),
    close: () => db.close(),
  };
}

const recordsDir = mkdtempSync(join(tmpdir(), 'butler-bench-records-'));
if (SECTIONS.has('records-sqlite') || (pgUp && SECTIONS.has('records-pg')))
  console.log(
    `\nfile_datastore_records: ${recordDatasets / 2} composite datasets x 3 components + ${recordDatasets / 2} whole datasets; paths ~${avgPath} characters`,
  );
if (SECTIONS.has('records-sqlite'))
  report(
    'SQLite (file, WAL): file_datastore_records',
    await measure(
      [
        () => oursRecordsOn(`sqlite:///${join(recordsDir, `ours${n++}.sqlite3`)}`),
        rawRecordsSqlite,
      ],
      recordNames,
    ),
    recordNames,
    recordCount,
  );
rmSync(recordsDir, { recursive: true, force: true });

if (pgUp && SECTIONS.has('records-pg')) {
  const schemas = [];
  const schema = () => {
    const name = `butler_bench_records_${process.pid}_${n++}`;
    schemas.push(name);
    return name;
  };
  const rawRecordsPg = async () => {
    const ns = schema();
    const made = await createRegistry(PG_URL, { namespace: ns });
    await made.opaque.register('file_datastore_records', recordsSpec);
    await made.close();
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    const t = `"${ns}".file_datastore_records`;
    const unnest =
      'unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[], $6::bigint[], $7::varchar[])';
    const bulk = async (list, suffix) => {
      await client.query('BEGIN');
      for (let i = 0; i < list.length; i += 10_000) {
        const part = list.slice(i, i + 10_000);
        await client.query(
          `INSERT INTO ${t} (${recordColumns.join(', ')}) SELECT * FROM ${unnest}${suffix}`,
          recordColumns.map((c) => part.map((r) => r[c])),
        );
      }
      await client.query('COMMIT');
    };
    return {
      insert: () => bulk(records, ''),
      ensure: () => bulk(ensureRecords, ' ON CONFLICT DO NOTHING'),
      fetchIds: async () =>
        expectCount(
          (
            await client.query(`SELECT * FROM ${t} WHERE dataset_id = ANY($1::uuid[])`, [
              fetchDatasetIds,
            ])
          ).rowCount,
          fetchExpected,
          'raw records by ids',
        ),
      fetchAll: async () =>
        expectCount(
          (await client.query(`SELECT * FROM ${t}`)).rowCount,
          afterEnsure,
          'raw records fetch all',
        ),
      fetchOne: async () => {
        let count = 0;
        const one = { name: `one_${ns}`, text: `SELECT * FROM ${t} WHERE dataset_id = $1` };
        for (const id of oneIds) count += (await client.query({ ...one, values: [id] })).rowCount;
        expectCount(count, oneExpected, 'raw records one id at a time');
      },
      iterateAll: async () => {
        let count = 0;
        for (const _row of (await client.query(`SELECT * FROM ${t}`)).rows) count++;
        expectCount(count, afterEnsure, 'raw records iterate');
      },
      delete: () =>
        client.query(
          `DELETE FROM ${t} USING unnest($1::uuid[], $2::varchar[]) AS d(id, c) WHERE dataset_id = d.id AND component = d.c`,
          [deletePairs.map((p) => p.dataset_id), deletePairs.map((p) => p.component)],
        ),
      close: () => client.end(),
    };
  };
  try {
    report(
      'PostgreSQL: file_datastore_records (raw: unnest, = ANY, delete USING unnest)',
      await measure(
        [() => oursRecordsOn(PG_URL, { namespace: schema() }), rawRecordsPg],
        recordNames,
      ),
      recordNames,
      recordCount,
    );
  } finally {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    for (const name of schemas) await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    await client.end();
  }
}
