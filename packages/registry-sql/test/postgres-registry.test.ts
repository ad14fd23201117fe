// The registry on a real PostgreSQL server: created by this process, opened by others, with
// the same version checks as on SQLite, and several processes registering the same opaque
// table and writing the same rows at the same moment.
import { IncompatibleVersionError } from '@butler-ts/versioning';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPAQUE_META_SPEC, createRegistry, openRegistry } from '../src/index.ts';
import type { Registry } from '../src/index.ts';
import { bundleFixture } from './fixtures/bundle.ts';
import { startChild } from './fixtures/child.ts';
import type { Child } from './fixtures/child.ts';
import { SHARED_ROWS, SYNCED_KEYS, sharedSpec } from './fixtures/pg-worker.ts';
import { dropSchemas, freshSchema, pgAvailable, pgUrl } from './postgres-harness.ts';

const available = await pgAvailable();
const WORKERS = 4;

type Worker = Child<{ worker: string; inserted: number }>;

function startWorker(script: string, namespace: string, name: string): Worker {
  return startChild(script, [pgUrl, namespace, name], { BUTLER_PG_WORKER: '1' });
}

// A registry now holds the dimensions manager's ~40 tables: generous limits on a loaded machine.
describe.skipIf(!available)('registry on PostgreSQL', { timeout: 120_000 }, () => {
  const schemas: string[] = [];
  const opened: Registry[] = [];
  let bundle: { script: string; remove(): void } | undefined;

  beforeAll(async () => {
    bundle = await bundleFixture('pg-worker');
  });
  afterAll(async () => {
    for (const registry of opened) await registry.close();
    bundle?.remove();
    await dropSchemas(schemas);
  });

  async function create(): Promise<{ namespace: string; registry: Registry }> {
    const namespace = freshSchema('butler_reg');
    schemas.push(namespace);
    const registry = await createRegistry(pgUrl, { namespace });
    opened.push(registry);
    return { namespace, registry };
  }

  it('lets several processes register one opaque table and sync the same rows at once', async () => {
    const { namespace, registry } = await create();
    const workers = Array.from({ length: WORKERS }, (_, i) =>
      startWorker(bundle!.script, namespace, `w${i}`),
    );
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.go();
    const results = await Promise.all(workers.map((w) => w.done));

    // Each synced key was inserted by exactly one worker.
    expect(results.reduce((sum, r) => sum + r.inserted, 0)).toBe(SYNCED_KEYS);
    const meta = await registry.db.getExistingTable('opaque_meta', OPAQUE_META_SPEC);
    const metaRows = await registry.db.fetch(meta!, { where: { table_name: 'shared_rows' } });
    expect(metaRows).toHaveLength(1);
    const shared = await registry.opaque.register('shared_rows', sharedSpec);
    const rows = [];
    for await (const row of shared.fetch()) rows.push(row);
    expect(rows).toHaveLength(SHARED_ROWS + SYNCED_KEYS);
    expect(new Set(rows.map((r) => r.id)).size).toBe(SHARED_ROWS + SYNCED_KEYS);
  });

  it('opens in another process with the versions it was created with', async () => {
    const { namespace, registry } = await create();
    const other = await openRegistry(pgUrl, { namespace });
    opened.push(other);
    expect([...other.versions].map(([t, v]) => `${t}=${v.toString()}`).sort()).toEqual(
      [...registry.versions].map(([t, v]) => `${t}=${v.toString()}`).sort(),
    );
    const readOnly = await openRegistry(pgUrl, { namespace, writeable: false });
    opened.push(readOnly);
    expect(readOnly.db.isWriteable()).toBe(false);
  });

  it('refuses a newer minor version for writing but reads it, and refuses another major', async () => {
    const { namespace, registry } = await create();
    const key = 'version:lsst.daf.butler.registry.opaque.ByNameOpaqueTableStorageManager';
    // The code supports 0.2.0; a registry at 0.1.0 is older: readable, not writeable.
    await registry.attributes.set(key, '0.1.0', { force: true });
    await expect(openRegistry(pgUrl, { namespace })).rejects.toSatisfy((e: unknown) =>
      IncompatibleVersionError.is(e),
    );
    const reader = await openRegistry(pgUrl, { namespace, writeable: false });
    opened.push(reader);
    expect(reader.versions.get('opaque')?.toString()).toBe('0.1.0');
    await registry.attributes.set(key, '1.2.0', { force: true });
    await expect(openRegistry(pgUrl, { namespace, writeable: false })).rejects.toSatisfy(
      (e: unknown) => IncompatibleVersionError.is(e),
    );
    await registry.attributes.set(key, '0.2.7', { force: true });
    const patched = await openRegistry(pgUrl, { namespace });
    opened.push(patched);
    expect(patched.versions.get('opaque')?.toString()).toBe('0.2.7');
  });
});
