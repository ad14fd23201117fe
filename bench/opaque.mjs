// bench/opaque: the five opaque-table operations through OpaqueTableStorage and through the raw
// driver, in the same run, on SQLite (better-sqlite3 prepared statements) and PostgreSQL (pg,
// UNNEST / = ANY — the fastest raw paths measured, see DESIGN.md decision 8). Prints medians
// and ratios. Usage: node opaque.mjs [rows=100000] [repeats=5]
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
async function time(fn) {
  globalThis.gc?.();
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Read-only operations run this many times on each fresh table; the median counts. */
const READS = 7;

/**
 * Runs each operation REPEATS times on fresh data, the two sides alternating so that drift
 * of the machine (autovacuum, checkpoints, other load) falls on both; `setup` returns the
 * operations. Medians per side.
 */
async function measure(sides) {
  const keys = ['insert', 'ensure', 'fetchIds', 'fetchAll', 'iterateAll', 'delete'];
  const results = sides.map(() => Object.fromEntries(keys.map((k) => [k, []])));
  for (let r = 0; r < REPEATS; r++) {
    for (const [i, setup] of sides.entries()) {
      const ops = await setup();
      for (const key of keys) {
        const reads = key.startsWith('fetch') || key === 'iterateAll' ? READS : 1;
        const times = [];
        for (let k = 0; k < reads; k++) times.push(await time(ops[key]));
        results[i][key].push(median(times));
      }
      await ops.close();
    }
  }
  return results.map((result) =>
    Object.fromEntries(Object.entries(result).map(([k, v]) => [k, median(v)])),
  );
}

// Batches (`fetchBatches`) hand out arrays as the raw driver does; `fetch` is the row-by-row
// AsyncIterable over the same batches, measured separately so its cost is visible.
async function countBatches(batches) {
  let n = 0;
  for await (const batch of batches) n += batch.length;
  return n;
}

function report(engine, ours, raw) {
  console.log(
    `\n${engine}: ${ROWS} rows, median of ${REPEATS} fresh tables (reads: of ${READS} each)`,
  );
  console.log('operation              butler-ts ms    raw ms   ratio');
  const names = {
    insert: `insert ${ROWS}`,
    ensure: `ensure ${ROWS} (half present)`,
    fetchIds: 'fetch by 10k ids',
    fetchAll: 'fetch all',
    iterateAll: 'fetch all, row by row',
    delete: 'delete 10k',
  };
  for (const key of Object.keys(names)) {
    const ratio = ours[key] / raw[key];
    console.log(
      `${names[key].padEnd(24)}${ours[key].toFixed(1).padStart(10)}${raw[key].toFixed(1).padStart(10)}${ratio.toFixed(2).padStart(8)}x`,
    );
  }
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

report('SQLite (file, WAL)', ...(await measure([oursSqlite, rawSqlite])));
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

if (await pgReachable()) {
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
      ...(await measure([oursPg, rawPg])),
    );
  } finally {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    for (const name of schemas) await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    await client.end();
  }
}
