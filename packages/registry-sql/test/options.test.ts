// Options nobody reads are an error (issue 10, finding 12), and a read-only database refuses
// to lock tables (finding 10): on every public method that takes an options object, on SQLite
// and PostgreSQL, before any SQL and with the stored data unchanged.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableSpec } from '@butler-ts/ddl';
import {
  InvalidArgumentError,
  ReadOnlyDatabaseError,
  UnknownOptionError,
} from '@butler-ts/registry-interfaces';
import type { Database, TableHandle } from '@butler-ts/registry-interfaces';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ButlerVersionsManager,
  DefaultButlerAttributeManager,
  createRegistry,
  datasetTableForeignKeys,
  openRegistry,
  standaloneDatasetForeignKeys,
} from '../src/index.ts';
import type { Registry } from '../src/index.ts';
import { PostgresDatabase } from '../src/postgres/index.ts';
import { SqliteDatabase } from '../src/sqlite/index.ts';
import { dropSchemas, freshSchema, pgAvailable, pgUrl } from './postgres-harness.ts';

const available = await pgAvailable();
const spec = tableSpec({
  fields: [
    { name: 'id', dtype: 'integer', primaryKey: true },
    { name: 'label', dtype: 'string', length: 16, nullable: true },
  ],
});

interface Engine {
  readonly name: string;
  /** A fresh writeable database with table `t` holding row 1, and a read-only view of it. */
  make(): Promise<{ db: Database; readOnly: Database; table: TableHandle<typeof spec> }>;
  /** A fresh registry location (URI and options). */
  registry(): { uri: string; options: { namespace?: string } };
  cleanup(): Promise<void>;
}

function unknown(option: string): unknown {
  return expect.objectContaining({ name: 'UnknownOptionError', option }) as unknown;
}

const sqliteEngine = (): Engine => {
  const dir = mkdtempSync(join(tmpdir(), 'butler-options-'));
  const opened: Database[] = [];
  let n = 0;
  return {
    name: 'SQLite',
    async make() {
      const db = await SqliteDatabase.fromFile(join(dir, `db${n++}.sqlite3`));
      opened.push(db);
      let table!: TableHandle<typeof spec>;
      await db.declareStaticTables({ create: true }, (c) => {
        table = c.addTable('t', spec);
      });
      await db.insert(table, [{ id: 1, label: 'one' }]);
      const readOnly = await SqliteDatabase.fromFile(db.filename, { writeable: false });
      await readOnly.declareStaticTables({ create: false }, (c) => void c.addTable('t', spec));
      opened.push(readOnly);
      return { db, readOnly, table };
    },
    registry: () => ({ uri: `sqlite:///${join(dir, `reg${n++}.sqlite3`)}`, options: {} }),
    async cleanup() {
      for (const db of opened.splice(0)) await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

const postgresEngine = (): Engine => {
  const schemas: string[] = [];
  const opened: Database[] = [];
  return {
    name: 'PostgreSQL',
    async make() {
      const namespace = freshSchema('butler_options');
      schemas.push(namespace);
      const db = await PostgresDatabase.fromUri(pgUrl, { namespace, poolSize: 2 });
      opened.push(db);
      let table!: TableHandle<typeof spec>;
      await db.declareStaticTables({ create: true }, (c) => {
        table = c.addTable('t', spec);
      });
      await db.insert(table, [{ id: 1, label: 'one' }]);
      const readOnly = await PostgresDatabase.fromUri(pgUrl, {
        namespace,
        writeable: false,
        poolSize: 2,
      });
      await readOnly.declareStaticTables({ create: false }, (c) => void c.addTable('t', spec));
      opened.push(readOnly);
      return { db, readOnly, table };
    },
    registry() {
      const namespace = freshSchema('butler_options_reg');
      schemas.push(namespace);
      return { uri: pgUrl, options: { namespace } };
    },
    async cleanup() {
      for (const db of opened.splice(0)) await db.close();
      await dropSchemas(schemas.splice(0));
    },
  };
};

const engines: [string, () => Engine, boolean][] = [
  ['SQLite', sqliteEngine, true],
  ['PostgreSQL', postgresEngine, available],
];

describe.each(engines)('options on %s', (_name, makeEngine, enabled) => {
  let engine: Engine;
  let db: Database;
  let readOnly: Database;
  let table: TableHandle<typeof spec>;
  const rows = async () => (await db.fetch(table, { orderBy: ['id'] })).map((r) => r.id);

  beforeAll(async () => {
    if (!enabled) return;
    engine = makeEngine();
    ({ db, readOnly, table } = await engine.make());
  });
  afterAll(async () => {
    if (enabled) await engine.cleanup();
  });

  it.skipIf(!enabled)('refuses insert(table, rows, { select }) and writes nothing', async () => {
    const options = { select: true } as unknown as { returnIds?: false };
    await expect(db.insert(table, [{ id: 2 }], options)).rejects.toEqual(unknown('select'));
    await expect(db.insert(table, [{ id: 2 }], options)).rejects.toThrow(UnknownOptionError);
    expect(await rows()).toEqual([1]);
  });

  it.skipIf(!enabled)(
    'refuses unknown options of ensure, fetch, sync and count-less reads',
    async () => {
      await expect(db.ensure(table, [{ id: 3 }], { primaryKey: true } as never)).rejects.toEqual(
        unknown('primaryKey'),
      );
      await expect(db.fetch(table, { wher: { id: 1 } } as never)).rejects.toEqual(unknown('wher'));
      await expect(
        db.sync(table, { keys: { id: 4 }, comapred: { label: 'x' } } as never),
      ).rejects.toEqual(unknown('comapred'));
      expect(await rows()).toEqual([1]);
    },
  );

  it.skipIf(!enabled)('refuses unknown transaction options before running the body', async () => {
    let ran = false;
    await expect(
      db.transaction(
        async () => {
          ran = true;
          await db.insert(table, [{ id: 5 }]);
        },
        { savePoint: true } as never,
      ),
    ).rejects.toEqual(unknown('savePoint'));
    expect(ran).toBe(false);
    expect(await rows()).toEqual([1]);
  });

  it.skipIf(!enabled)('refuses unknown options of clone and declareStaticTables', async () => {
    expect(() =>
      (db as unknown as { clone(o: unknown): Database }).clone({ readonly: true }),
    ).toThrow(UnknownOptionError);
    await expect(
      db.declareStaticTables({ create: false, force: true } as never, () => undefined),
    ).rejects.toEqual(unknown('force'));
    // The catalog is untouched: the table is still usable.
    expect(await rows()).toEqual([1]);
  });

  it.skipIf(!enabled)('refuses options that are not an object', async () => {
    await expect(db.insert(table, [{ id: 6 }], 'returnIds' as never)).rejects.toThrow(
      InvalidArgumentError,
    );
    expect(await rows()).toEqual([1]);
  });

  it.skipIf(!enabled)(
    'a read-only database refuses transaction({ lock }) (finding 10)',
    async () => {
      let ran = false;
      const handle = (await readOnly.getExistingTable('t', spec))!;
      await expect(
        readOnly.transaction(
          () => {
            ran = true;
            return Promise.resolve();
          },
          { lock: [handle] },
        ),
      ).rejects.toThrow(ReadOnlyDatabaseError);
      expect(ran).toBe(false);
      // Nested inside a read-only transaction too.
      await expect(
        readOnly.transaction(() =>
          readOnly.transaction(() => Promise.resolve(), { lock: [handle] }),
        ),
      ).rejects.toThrow(ReadOnlyDatabaseError);
      // An empty lock list locks nothing and is fine; the writeable database may lock.
      await readOnly.transaction(() => Promise.resolve(), { lock: [] });
      await db.transaction(() => db.insert(table, [{ id: 7 }]), { lock: [table] });
      expect(await rows()).toEqual([1, 7]);
      await db.delete(table, ['id'], [{ id: 7 }]);
    },
  );

  it.skipIf(!enabled)('refuses unknown registry options and manager options', async () => {
    const { uri, options } = engine.registry();
    await expect(createRegistry(uri, { ...options, namepsace: 'x' } as never)).rejects.toEqual(
      unknown('namepsace'),
    );
    await expect(
      createRegistry(uri, {
        ...options,
        managers: { opaq: DefaultButlerAttributeManager },
      } as never),
    ).rejects.toEqual(unknown('opaq'));
    await expect(
      createRegistry(uri, {
        ...options,
        managers: { attributes: { cls: DefaultButlerAttributeManager, version: '1.0.1' } },
      } as never),
    ).rejects.toEqual(unknown('version'));
    const registry: Registry = await createRegistry(uri, options);
    try {
      // The classic typo: `writable` would have opened the registry for writing.
      await expect(openRegistry(uri, { ...options, writable: false } as never)).rejects.toEqual(
        unknown('writable'),
      );
      await expect(registry.attributes.set('k', 'v', { forse: true } as never)).rejects.toEqual(
        unknown('forse'),
      );
      const opaque = await registry.opaque.register('records', spec);
      await expect(opaque.insert([{ id: 1 }], { transacton: null } as never)).rejects.toEqual(
        unknown('transacton'),
      );
      expect(() => registry.bridges.register('store', { ephemral: true } as never)).toThrow(
        UnknownOptionError,
      );
      const bridge = registry.bridges.register('store');
      await expect(
        bridge.emptyTrash({ recordsTable: opaque, dryrun: true } as never, () => Promise.resolve()),
      ).rejects.toEqual(unknown('dryrun'));
      const ephemeral = registry.bridges.register('memory', { ephemeral: true });
      await expect(
        ephemeral.emptyTrash({ dryrun: true } as never, () => Promise.resolve()),
      ).rejects.toEqual(unknown('dryrun'));
      expect(
        () => new ButlerVersionsManager(registry.attributes, { onwarning: null } as never),
      ).toThrow(UnknownOptionError);
      const written: unknown[] = [];
      for await (const row of opaque.fetch()) written.push(row);
      expect(written).toEqual([]);
      expect(await registry.attributes.get('k')).toBeNull();
    } finally {
      await registry.close();
    }
  });
});

describe('options of functions without a database', () => {
  it('refuses unknown options of the dataset foreign-key helpers', () => {
    for (const helper of [standaloneDatasetForeignKeys, datasetTableForeignKeys])
      expect(() => helper.addDatasetForeignKey(spec, { nmae: 'x' } as never)).toThrow(
        UnknownOptionError,
      );
  });

  it('refuses unknown options of SqliteDatabase.fromUri and leaves no file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'butler-options-open-'));
    try {
      await expect(
        SqliteDatabase.fromUri(`sqlite:///${join(dir, 'x.sqlite3')}`, { busytimeout: 1 } as never),
      ).rejects.toEqual(unknown('busytimeout'));
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!available)('refuses unknown options of PostgresDatabase.fromUri', async () => {
    await expect(PostgresDatabase.fromUri(pgUrl, { poolsize: 2 } as never)).rejects.toEqual(
      unknown('poolsize'),
    );
  });
});
