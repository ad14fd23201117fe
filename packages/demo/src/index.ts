// The butler-ts demo: a registry created, reopened and used, step by step.
//   pnpm demo                       a SQLite registry in a temp folder
//   pnpm demo /path/to/dir          a SQLite registry in that folder
//   pnpm demo postgresql://…        a registry in a fresh schema on that server (dropped at
//                                   the end unless --keep)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ColumnValueError, tableSpec } from '@butler-ts/ddl';
import type { RowOf } from '@butler-ts/ddl';
import { createRegistry, openRegistry } from '@butler-ts/registry-sql';
import type { Registry } from '@butler-ts/registry-sql';
import { testUniverse } from '@butler-ts/core/testing';
import pg from 'pg';
import { butlerSteps } from './butler-steps.ts';
import { chainSteps } from './chain-steps.ts';
import { datastoreSteps } from './datastore-steps.ts';

const target = process.argv.slice(2).find((a) => a !== '--' && a !== '--keep');
const isPostgres = target?.startsWith('postgres') === true;
const uri = isPostgres
  ? target
  : `sqlite:///${join(target === undefined ? mkdtempSync(join(tmpdir(), 'butler-demo-')) : resolve(target), 'gen3.sqlite3')}`;
const namespace = isPostgres ? `butler_demo_${Date.now().toString(36)}` : undefined;
// The dimension universe datastores see through the bridge manager (instrument, visit, detector).
const universe = testUniverse();
const options = namespace === undefined ? { universe } : { namespace, universe };

let stepNumber = 0;
function step(title: string, ...lines: string[]): void {
  console.log(`\n${++stepNumber}. ${title}`);
  for (const line of lines) console.log(`   ${line}`);
}

async function describeRegistry(registry: Registry): Promise<string[]> {
  const lines: string[] = [];
  for await (const [name, value] of registry.attributes.items()) lines.push(`${name} = ${value}`);
  return [`database: ${registry.db.toString()}`, ...lines.sort()];
}

// A datastore's record table, typed from its spec.
const records = tableSpec({
  fields: [
    { name: 'dataset_id', dtype: 'uuid', primaryKey: true },
    { name: 'path', dtype: 'string', length: 256, nullable: false },
    { name: 'file_size', dtype: 'bigint' },
  ],
});
type RecordRow = RowOf<typeof records>;

const created = await createRegistry(uri, options);
step(
  'Create a registry',
  `uri: ${uri}${namespace === undefined ? '' : ` (schema ${namespace})`}`,
  ...(await describeRegistry(created)),
);
await created.close();

const registry = await openRegistry(uri, options);
step(
  'Reopen it: stored managers match and their versions are compatible',
  ...[...registry.versions].map(([type, version]) => `${type}: ${version.toString()}`),
);

const table = await registry.opaque.register('demo_datastore_records', records);
const rows: RecordRow[] = Array.from({ length: 3 }, (_, i) => ({
  dataset_id: crypto.randomUUID(),
  path: `raw/exposure_${i}.fits`,
  file_size: 2880 * (i + 1),
}));
await table.insert(rows);
step(
  'Register a datastore record table and write three records',
  ...rows.map((r) => `${r.dataset_id}  ${r.path}`),
);

const found: RecordRow[] = [];
for await (const row of table.fetch({ path: 'raw/exposure_1%' })) found.push(row);
step('Read records back by path prefix', ...found.map((r) => `${r.path}: ${r.file_size} bytes`));

try {
  await table.insert([{ dataset_id: 'not-a-uuid', path: 'x' }]);
} catch (error) {
  if (!ColumnValueError.is(error)) throw error;
  step('Bad input fails before any SQL runs', error.message);
}

await datastoreSteps(registry.bridges, step);
await chainSteps(step, process.argv.includes('--keep'));
await butlerSteps(step, process.argv.includes('--keep'));

await registry.close();
const readOnly = await openRegistry(uri, { ...options, writeable: false });
step('Open read-only: every write is refused', `writeable: ${readOnly.db.isWriteable()}`);
await readOnly.close();

if (isPostgres && namespace !== undefined && !process.argv.includes('--keep')) {
  const client = new pg.Client({ connectionString: uri });
  await client.connect();
  await client.query(`DROP SCHEMA "${namespace}" CASCADE`);
  await client.end();
  step('Clean up', `dropped schema ${namespace} (pass --keep to keep it)`);
}
