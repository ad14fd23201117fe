// bench/find-datasets: find N datasets by data ID in a chain of two runs through the datasets
// manager (`findDatasets`, refs built), against the raw driver doing the same lookups in one
// run, in the same process: on SQLite a prepared statement looped in one transaction (the
// fastest raw path, DESIGN.md decision 8), on PostgreSQL one `= ANY($1)` query. Prints medians,
// ranges and the ratio of medians. Usage: node find-datasets.mjs [datasets=10000] [rounds=7]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetType } from '@butler-ts/core';
import { createRegistry } from '@butler-ts/registry-sql';
import Driver from 'better-sqlite3';
import pg from 'pg';

const args = process.argv.slice(2).filter((a) => a !== '--');
const N = Number(args[0] ?? 10_000);
const ROUNDS = Number(args[1] ?? 7);
const PG_URL = process.env.BUTLER_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
/** [wall ms, this process's CPU ms (user + system), result] of one call. */
async function time(fn) {
  globalThis.gc?.();
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
 * Alternates the two sides ROUNDS times; returns [ours ms], [raw ms], their process CPU ms,
 * and a check of results.
 */
async function measure(ours, raw) {
  const a = [];
  const b = [];
  const aCpu = [];
  const bCpu = [];
  let found = 0;
  let rawFound = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const [t1, c1, refs] = await time(ours);
    const [t2, c2, rows] = await time(raw);
    a.push(t1);
    b.push(t2);
    aCpu.push(c1);
    bCpu.push(c2);
    found = refs.filter((x) => x !== null).length;
    rawFound = rows;
  }
  return { ours: a, raw: b, oursCpu: aCpu, rawCpu: bCpu, found, rawFound };
}

function report(engine, { ours, raw, oursCpu, rawCpu, found, rawFound }) {
  const range = (v) => `${Math.min(...v).toFixed(1)}–${Math.max(...v).toFixed(1)}`;
  const ratio = median(ours) / median(raw);
  console.log(
    `${engine}: findDatasets of ${N} data IDs in chain [r2, r1]: median ${median(ours).toFixed(1)} ms (range ${range(ours)}); ` +
      `raw lookups in r1: median ${median(raw).toFixed(1)} ms (range ${range(raw)}); ratio ${ratio.toFixed(2)}x ` +
      `(found ${found}, raw ${rawFound}; ${ROUNDS} rounds)\n` +
      `  this process's CPU: ours median ${median(oursCpu).toFixed(1)} ms, raw ${median(rawCpu).toFixed(1)} ms, ratio ${(median(oursCpu) / median(rawCpu)).toFixed(2)}x` +
      (engine === 'PostgreSQL' ? " (the server's CPU not counted)" : ''),
  );
}

async function sqlite() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-find-'));
  const file = join(dir, 'gen3.sqlite3');
  const registry = await createRegistry(`sqlite:///${file}`);
  try {
    const dataIds = await populate(registry);
    const raw = new Driver(file, { readonly: true });
    const run = (await registry.collections.find('r1')).key;
    const statement = raw.prepare(
      'SELECT dataset_id FROM dataset_tags_00000001 WHERE dataset_type_id = ? AND collection_id = ? AND instrument = ? AND detector = ?',
    );
    const lookups = raw.transaction(() => {
      let n = 0;
      for (const d of dataIds)
        if (statement.get(1, run, d.instrument, d.detector) !== undefined) n++;
      return n;
    });
    report(
      'SQLite file',
      await measure(
        () => registry.datasets.findDatasets('calexp', dataIds, ['c']),
        () => lookups(),
      ),
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
    const run = (await registry.collections.find('r1')).key;
    const detectors = dataIds.map((d) => d.detector);
    report(
      'PostgreSQL',
      await measure(
        () => registry.datasets.findDatasets('calexp', dataIds, ['c']),
        async () =>
          (
            await client.query({
              text: `SELECT dataset_id, detector FROM "${namespace}".dataset_tags_00000001 WHERE dataset_type_id = $1 AND collection_id = $2 AND instrument = $3 AND detector = ANY($4::bigint[])`,
              values: [1, run, 'Cam', detectors],
            })
          ).rowCount,
      ),
    );
  } finally {
    await registry.close();
    await client.query(`DROP SCHEMA IF EXISTS "${namespace}" CASCADE`);
    await client.end();
  }
}

await sqlite();
await postgres();
