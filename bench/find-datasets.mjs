// bench/find-datasets: find N datasets by data ID in a chain of two runs through the datasets
// manager (`findDatasets`, refs built), against the raw driver in the same process doing
// (1) the same search: each data ID looked up in r2, then in r1, giving the dataset ID and its
// run, and (2) the cheaper lookups in r1 alone. SQLite: prepared statements looped in one
// transaction (the fastest raw path, DESIGN.md decision 8); PostgreSQL: one `= ANY($1)` query
// (for the chain, over both runs, the first run in search order kept per data ID). Prints
// medians, ranges, this process's CPU time, and the ratios of medians.
// Each side runs WARMUP rounds first (not counted), then the sides alternate. No collection is
// forced between calls: V8 throws away the optimized code of small functions at a forced full
// collection (`--trace-opt` shows findDatasets' helpers marked for optimization again after
// each), a cost no application pays once per call, and one that falls on whichever side runs
// more JavaScript. `--gc-each` forces one before every call anyway (the earlier measurement).
// Usage: node --expose-gc find-datasets.mjs [datasets=10000] [rounds=7] [--gc-each]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetType } from '@butler-ts/core';
import { createRegistry } from '@butler-ts/registry-sql';
import Driver from 'better-sqlite3';
import pg from 'pg';

const flags = process.argv.slice(2).filter((a) => a.startsWith('--') && a !== '--');
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const N = Number(args[0] ?? 10_000);
const ROUNDS = Number(args[1] ?? 7);
const WARMUP = 3;
const GC_EACH = flags.includes('--gc-each');
if (GC_EACH && globalThis.gc === undefined) throw new Error('--gc-each needs node --expose-gc');
const PG_URL = process.env.BUTLER_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
/** [wall ms, this process's CPU ms (user + system), result] of one call. */
async function time(fn) {
  if (GC_EACH) globalThis.gc();
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const out = await fn();
  const used = process.cpuUsage(cpu);
  return [Number(process.hrtime.bigint() - start) / 1e6, (used.user + used.system) / 1e3, out];
}

async function insertRows(db, name, rows) {
  const spec = await db.inspectTable(name);
  await db.insert(await db.getExistingTable(name, spec), rows);
}

/** A registry with N detectors, calexp in run r1 (all N) and r2 (every other), chain c = [r2, r1]. */
async function populate(registry) {
  await insertRows(registry.db, 'instrument', [{ name: 'Cam' }]);
  const detectors = Array.from({ length: N }, (_, i) => i);
  for (let i = 0; i < N; i += 5000)
    await insertRows(
      registry.db,
      'detector',
      detectors.slice(i, i + 5000).map((id) => ({ instrument: 'Cam', id })),
    );
  const { collections, datasets } = registry;
  await collections.registerRun('r1');
  await collections.registerRun('r2');
  await collections.register('c', 3);
  await collections.setChain('c', ['r2', 'r1']);
  const type = new DatasetType('calexp', ['detector'], 'StructuredDataDict', {
    universe: registry.dimensions.universe,
  });
  await datasets.registerDatasetType(type);
  const dataIds = detectors.map((detector) => ({ instrument: 'Cam', detector }));
  await datasets.insert('calexp', 'r1', dataIds);
  await datasets.insert(
    'calexp',
    'r2',
    dataIds.filter((_, i) => i % 2 === 0),
  );
  return dataIds;
}

/**
 * Runs each side WARMUP times, then alternates the sides ROUNDS times; per side its wall ms,
 * its process CPU ms, and how many data IDs it found (the first side returns refs or null,
 * the raw sides a count).
 */
async function measure(sides) {
  const out = Object.fromEntries(
    Object.keys(sides).map((k) => [k, { wall: [], cpu: [], found: 0 }]),
  );
  for (const fn of Object.values(sides)) for (let r = 0; r < WARMUP; r++) await fn();
  for (let r = 0; r < ROUNDS; r++)
    for (const [name, fn] of Object.entries(sides)) {
      const [wall, cpu, result] = await time(fn);
      out[name].wall.push(wall);
      out[name].cpu.push(cpu);
      out[name].found = Array.isArray(result) ? result.filter((x) => x !== null).length : result;
    }
  return out;
}

function report(engine, { ours, chain, single }) {
  const range = (v) => `${Math.min(...v).toFixed(1)}–${Math.max(...v).toFixed(1)}`;
  const line = (label, side) =>
    `  ${label.padEnd(44)} ${median(side.wall).toFixed(1).padStart(7)} ms (range ${range(side.wall)}), CPU ${median(side.cpu).toFixed(1)} ms, found ${side.found}`;
  const ratio = (raw) =>
    `${(median(ours.wall) / median(raw.wall)).toFixed(2)}x (CPU ${(median(ours.cpu) / median(raw.cpu)).toFixed(2)}x)`;
  console.log(
    `${engine}: findDatasets of ${N} data IDs in chain [r2, r1], median of ${ROUNDS} rounds` +
      (GC_EACH ? ', a full collection forced before each call' : '') +
      (engine === 'PostgreSQL' ? " (CPU: this process's, not the server's)" : '') +
      '\n' +
      [
        line('findDatasets (refs built)', ours),
        line('raw: the same search (r2, then r1; id + run)', chain),
        line('raw: lookups in r1 only (id)', single),
        `  ratio to the same search: ${ratio(chain)}; to lookups in r1 only: ${ratio(single)}`,
      ].join('\n'),
  );
}

async function sqlite() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-find-'));
  const file = join(dir, 'gen3.sqlite3');
  const registry = await createRegistry(`sqlite:///${file}`);
  try {
    const dataIds = await populate(registry);
    const raw = new Driver(file, { readonly: true });
    const r1 = (await registry.collections.find('r1')).key;
    const r2 = (await registry.collections.find('r2')).key;
    // Pluck mode (each row its one value): the driver's fastest path for a one-column lookup.
    const statement = raw
      .prepare(
        'SELECT dataset_id FROM dataset_tags_00000001 WHERE dataset_type_id = ? AND collection_id = ? AND instrument = ? AND detector = ?',
      )
      .pluck();
    const single = raw.transaction(() => {
      let n = 0;
      for (const d of dataIds)
        if (statement.get(1, r1, d.instrument, d.detector) !== undefined) n++;
      return n;
    });
    const chain = raw.transaction(() => {
      const hits = [];
      for (const d of dataIds) {
        let row = statement.get(1, r2, d.instrument, d.detector);
        let run = 'r2';
        if (row === undefined) [row, run] = [statement.get(1, r1, d.instrument, d.detector), 'r1'];
        if (row !== undefined) hits.push({ id: row, run });
      }
      return hits.length;
    });
    report(
      'SQLite file',
      await measure({
        ours: () => registry.datasets.findDatasets('calexp', dataIds, ['c']),
        chain: () => chain(),
        single: () => single(),
      }),
    );
    raw.close();
  } finally {
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgres() {
  const client = new pg.Client({ connectionString: PG_URL });
  try {
    await client.connect();
  } catch (error) {
    console.log(`PostgreSQL skipped: ${error.message}`);
    return;
  }
  const namespace = `bench_find_${process.pid}`;
  const registry = await createRegistry(PG_URL, { namespace });
  try {
    const dataIds = await populate(registry);
    const r1 = (await registry.collections.find('r1')).key;
    const r2 = (await registry.collections.find('r2')).key;
    const detectors = dataIds.map((d) => d.detector);
    const table = `"${namespace}".dataset_tags_00000001`;
    // Rows as arrays (the driver's fastest path); bigint columns arrive as strings.
    const r2Text = String(r2);
    const chain = async () => {
      const { rows } = await client.query({
        text: `SELECT dataset_id, detector, collection_id FROM ${table} WHERE dataset_type_id = $1 AND collection_id = ANY($2::bigint[]) AND instrument = $3 AND detector = ANY($4::bigint[])`,
        values: [1, [r2, r1], 'Cam', detectors],
        rowMode: 'array',
      });
      // Per detector the row of the first run in search order: r2 wins over r1.
      const first = new Map();
      for (const row of rows) {
        const seen = first.get(row[1]);
        if (seen === undefined || (seen[2] !== r2Text && row[2] === r2Text)) first.set(row[1], row);
      }
      const hits = [];
      for (const d of detectors) {
        const row = first.get(String(d));
        if (row !== undefined) hits.push({ id: row[0], run: row[2] === r2Text ? 'r2' : 'r1' });
      }
      return hits.length;
    };
    report(
      'PostgreSQL',
      await measure({
        ours: () => registry.datasets.findDatasets('calexp', dataIds, ['c']),
        chain,
        single: async () =>
          (
            await client.query({
              text: `SELECT dataset_id, detector FROM ${table} WHERE dataset_type_id = $1 AND collection_id = $2 AND instrument = $3 AND detector = ANY($4::bigint[])`,
              values: [1, r1, 'Cam', detectors],
              rowMode: 'array',
            })
          ).rowCount,
      }),
    );
  } finally {
    await registry.close();
    await client.query(`DROP SCHEMA IF EXISTS "${namespace}" CASCADE`);
    await client.end();
  }
}

await sqlite();
await postgres();
