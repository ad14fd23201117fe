import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DimensionUniverse } from '@butler-ts/core';
import { tableSpec } from '@butler-ts/ddl';
import {
  FakeDatasetRef,
  LookupError,
  ManagerMismatchError,
  MissingManagerError,
  MissingTableError,
  NotSupportedError,
  ReadOnlyDatabaseError,
  SchemaAlreadyDefinedError,
} from '@butler-ts/registry-interfaces';
import { attributeMap, isError, rejection } from '@butler-ts/testkit';
import { IncompatibleVersionError, VersionParseError, VersionTuple } from '@butler-ts/versioning';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ByNameOpaqueTableStorageManager,
  DEFAULT_MANAGERS,
  DefaultButlerAttributeManager,
  createRegistry,
  openRegistry,
} from '../src/index.ts';
import type { Registry } from '../src/index.ts';
import { SqliteDatabase } from '../src/sqlite/index.ts';

const ATTRIBUTES = 'lsst.daf.butler.registry.attributes.DefaultButlerAttributeManager';
const OPAQUE = 'lsst.daf.butler.registry.opaque.ByNameOpaqueTableStorageManager';
const DIMENSIONS = 'lsst.daf.butler.registry.dimensions.static.StaticDimensionRecordStorageManager';
const BRIDGE =
  'lsst.daf.butler.registry.bridge.monolithic.MonolithicDatastoreRegistryBridgeManager';

const recordsSpec = tableSpec({
  fields: [
    { name: 'dataset_id', dtype: 'uuid', primaryKey: true },
    { name: 'path', dtype: 'string', length: 256, nullable: false },
  ],
});

/** Another opaque manager class: same tables, another stored name. */
class RenamedOpaqueManager extends ByNameOpaqueTableStorageManager {
  static override extensionName(): string {
    return 'my.plugin.RenamedOpaqueManager';
  }
}

const versionsAsText = (registry: Registry) =>
  Object.fromEntries([...registry.versions].map(([type, version]) => [type, version.toString()]));

describe('createRegistry / openRegistry', () => {
  let dir: string;
  let uri: string;
  let file: string;
  const open: Registry[] = [];
  const track = (registry: Registry) => {
    open.push(registry);
    return registry;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'butler-registry-'));
    file = join(dir, 'gen3.sqlite3');
    uri = `sqlite:///${file}`;
  });
  afterEach(async () => {
    for (const registry of open.splice(0)) await registry.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // Rewrites one stored attribute, through a registry opened for writing.
  async function overwrite(name: string, value: string): Promise<void> {
    const registry = await openRegistry(uri);
    await registry.attributes.set(name, value, { force: true });
    await registry.close();
  }

  it('creates the managers and stores their names and versions', async () => {
    const registry = track(await createRegistry(uri));
    expect(versionsAsText(registry)).toEqual({
      attributes: '1.0.1',
      opaque: '0.2.0',
      datastores: '0.2.1',
      dimensions: '6.0.2',
    });
    expect(await attributeMap(registry.attributes)).toEqual(
      new Map([
        ['config:registry.managers.attributes', ATTRIBUTES],
        [`version:${ATTRIBUTES}`, '1.0.1'],
        ['config:registry.managers.opaque', OPAQUE],
        [`version:${OPAQUE}`, '0.2.0'],
        ['config:registry.managers.datastores', BRIDGE],
        [`version:${BRIDGE}`, '0.2.1'],
        ['config:registry.managers.dimensions', DIMENSIONS],
        [`version:${DIMENSIONS}`, '6.0.2'],
        ['config:dimensions.json', DimensionUniverse.default().toConfigJson()],
      ]),
    );
    const tables = await registry.db.tableNames();
    for (const table of [
      'butler_attributes',
      'opaque_meta',
      'dataset_location',
      'dataset_location_trash',
    ]) {
      expect(tables.has(table)).toBe(true);
    }
    expect(registry.db.isWriteable()).toBe(true);
  });

  it('creates the bridge tables without a dataset foreign key by default', async () => {
    const registry = track(await createRegistry(uri));
    const ref = new FakeDatasetRef(crypto.randomUUID());
    const bridge = registry.bridges.register('FileDatastore@repo');
    await bridge.insert([ref]);
    expect(await bridge.check([ref.id])).toEqual(new Set([ref.id]));
    expect(await collect(registry.bridges.findDatastores(ref))).toEqual(['FileDatastore@repo']);
  });

  it('reopens with the stored versions, and keeps what was written', async () => {
    const created = await createRegistry(uri);
    const records = await created.opaque.register('file_records', recordsSpec);
    const id = crypto.randomUUID();
    await records.insert([{ dataset_id: id, path: 'a/b.fits' }]);
    await created.close();

    const registry = track(await openRegistry(uri));
    expect(versionsAsText(registry)).toEqual({
      attributes: '1.0.1',
      opaque: '0.2.0',
      datastores: '0.2.1',
      dimensions: '6.0.2',
    });
    expect(registry.opaque.get('file_records')).toBeNull();
    const reopened = await registry.opaque.register('file_records', recordsSpec);
    expect(await collect(reopened.fetch({ path: 'a/%' }))).toEqual([
      { dataset_id: id, path: 'a/b.fits' },
    ]);
    await reopened.insert([{ dataset_id: crypto.randomUUID(), path: 'c.fits' }]);
    expect((await attributeMap(registry.attributes)).size).toBe(9);
  });

  it('opens read-only, rejecting every write', async () => {
    const created = await createRegistry(uri);
    await created.opaque.register('file_records', recordsSpec);
    await created.close();
    const registry = track(await openRegistry(uri, { writeable: false }));
    expect(registry.db.isWriteable()).toBe(false);
    const records = await registry.opaque.register('file_records', recordsSpec);
    const writes: (() => Promise<unknown>)[] = [
      () => registry.attributes.set('x', 'y'),
      () => records.insert([{ dataset_id: crypto.randomUUID(), path: 'p' }]),
      () => registry.opaque.register('other_records', recordsSpec),
      () => registry.bridges.register('A').insert([new FakeDatasetRef(crypto.randomUUID())]),
    ];
    for (const write of writes)
      await expect(write()).rejects.toSatisfy(isError(ReadOnlyDatabaseError));
  });

  it('refuses to create a registry twice', async () => {
    track(await createRegistry(uri));
    await expect(createRegistry(uri)).rejects.toSatisfy(isError(SchemaAlreadyDefinedError));
  });

  it('accepts configured classes and exact configured versions', async () => {
    const registry = track(
      await createRegistry(uri, {
        managers: {
          attributes: DefaultButlerAttributeManager,
          opaque: { cls: RenamedOpaqueManager, schemaVersion: '0.2.0' },
          datastores: {
            cls: DEFAULT_MANAGERS.datastores,
            schemaVersion: new VersionTuple(0, 2, 1),
          },
        },
      }),
    );
    expect(await registry.attributes.get('config:registry.managers.opaque')).toBe(
      'my.plugin.RenamedOpaqueManager',
    );
    expect(await registry.attributes.get('version:my.plugin.RenamedOpaqueManager')).toBe('0.2.0');
  });

  it('checks configured versions exactly before creating anything', async () => {
    for (const schemaVersion of ['0.2.1', '0.3.0']) {
      const error = await rejection(
        createRegistry(uri, {
          managers: { opaque: { cls: ByNameOpaqueTableStorageManager, schemaVersion } },
        }),
      );
      expect(IncompatibleVersionError.is(error)).toBe(true);
      expect(existsSync(file)).toBe(false);
    }
    await expect(
      createRegistry(uri, {
        managers: { opaque: { cls: ByNameOpaqueTableStorageManager, schemaVersion: '0.2' } },
      }),
    ).rejects.toSatisfy(isError(VersionParseError));
  });

  it('reports a manager stored under another name (ManagerMismatch)', async () => {
    await (await createRegistry(uri)).close();
    const error = await rejection(
      openRegistry(uri, { managers: { opaque: RenamedOpaqueManager } }),
    );
    expect(ManagerMismatchError.is(error)).toBe(true);
    expect((error as ManagerMismatchError).mismatches).toEqual([
      `opaque: configured my.plugin.RenamedOpaqueManager, stored: ${OPAQUE}`,
    ]);
  });

  it('reports a configured manager that is not stored (MissingManager)', async () => {
    const registry = await createRegistry(uri);
    expect(await registry.attributes.delete('config:registry.managers.datastores')).toBe(true);
    await registry.close();
    const error = await rejection(openRegistry(uri));
    expect(MissingManagerError.is(error)).toBe(true);
    expect((error as MissingManagerError).managers).toEqual(['datastores']);
  });

  describe('stored versions', () => {
    beforeEach(async () => {
      await (await createRegistry(uri)).close();
    });

    const openAs = async (writeable: boolean) => {
      const result = await rejection(openRegistry(uri, { writeable }).then(track));
      return result === undefined
        ? 'ok'
        : IncompatibleVersionError.is(result)
          ? 'incompatible'
          : result;
    };

    it('opens a registry written by an older minor version for reading only', async () => {
      await overwrite(`version:${OPAQUE}`, '0.1.0');
      expect(await openAs(false)).toBe('ok');
      expect(await openAs(true)).toBe('incompatible');
    });

    it('refuses a registry written by a newer minor version', async () => {
      await overwrite(`version:${OPAQUE}`, '0.3.0');
      expect(await openAs(false)).toBe('incompatible');
      expect(await openAs(true)).toBe('incompatible');
    });

    it('refuses a registry of another major version', async () => {
      await overwrite(`version:${BRIDGE}`, '1.2.1');
      expect(await openAs(false)).toBe('incompatible');
      expect(await openAs(true)).toBe('incompatible');
    });

    it('ignores a different patch level', async () => {
      await overwrite(`version:${BRIDGE}`, '0.2.7');
      expect(await openAs(true)).toBe('ok');
      expect(versionsAsText(open.at(-1)!).datastores).toBe('0.2.7');
    });

    it('checks the attributes manager like the others', async () => {
      await overwrite(`version:${ATTRIBUTES}`, '1.1.0');
      expect(await openAs(false)).toBe('incompatible');
    });

    it('names the extension and versions in the error', async () => {
      await overwrite(`version:${OPAQUE}`, '0.3.0');
      const error = (await rejection(openRegistry(uri))) as IncompatibleVersionError;
      expect(error.extensionName).toBe(OPAQUE);
      expect(error.found).toBe('0.3.0');
      expect(error.supported).toEqual(['0.2.0']);
    });

    it('fails on a malformed stored version', async () => {
      await overwrite(`version:${OPAQUE}`, 'zero.two');
      await expect(openRegistry(uri)).rejects.toSatisfy(isError(VersionParseError));
    });
  });

  it('refuses to open a database without a registry', async () => {
    const db = await SqliteDatabase.fromUri(uri);
    await db.close();
    await expect(openRegistry(uri)).rejects.toSatisfy(isError(MissingTableError));
  });

  it('refuses to open a registry whose attributes are empty', async () => {
    const db = await SqliteDatabase.fromUri(uri);
    await db.declareStaticTables({ create: true }, (context) => {
      DefaultButlerAttributeManager.initialize(db, context);
    });
    await db.close();
    const error = await rejection(openRegistry(uri));
    expect(LookupError.is(error)).toBe(true);
    expect((error as LookupError).key).toBe('config:registry.managers.attributes');
  });

  it('creates a registry in memory', async () => {
    const registry = track(await createRegistry('sqlite://'));
    expect(registry.db.toString()).toBe('SQLite3@:memory:');
    expect((await attributeMap(registry.attributes)).size).toBe(9);
    await expect(openRegistry('sqlite://')).rejects.toSatisfy(isError(MissingTableError));
  });

  it('refuses other URI schemes, hiding credentials', async () => {
    const error = await rejection(createRegistry('mysql://user:secret@localhost:3306/db'));
    expect(NotSupportedError.is(error)).toBe(true);
    expect((error as Error).message).not.toContain('secret');
    await expect(openRegistry('mysql://localhost/db')).rejects.toSatisfy(
      isError(NotSupportedError),
    );
    await expect(openRegistry('/plain/path.sqlite3')).rejects.toSatisfy(isError(NotSupportedError));
  });

  it('closes its database', async () => {
    const registry = await createRegistry(uri);
    await registry.close();
    await expect(registry.attributes.get('anything')).rejects.toBeDefined();
  });
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
