// Timespans of runs and dimension records: daf_butler's INT8RANGE column on PostgreSQL and its
// two TAI-nanosecond columns on SQLite, made by createRegistry as daf_butler's schema has them,
// read from the fixture registries and from registries butler-ts made, written exactly (TAI
// nanoseconds are beyond 2^53), bad values refused with typed errors naming the field.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaiTime, TaiTimespan, tableSpec } from '@butler-ts/ddl';
import {
  CollectionType,
  DatabaseConflictError,
  InvalidArgumentError,
  NotSupportedError,
} from '@butler-ts/registry-interfaces';
import type { RunRecord } from '@butler-ts/registry-interfaces';
import { rejection } from '@butler-ts/testkit';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createRegistry, openRegistry } from '../src/index.ts';
import type { Registry } from '../src/index.ts';
import { sqliteCreateTable } from '../src/sqlite/sqlite-ddl.ts';
import { FIXTURE_DIR, loadPostgresRegistry, writeSqliteRegistry } from './daf-butler-fixture.ts';
import { dropSchemas, freshSchema, pgAvailable, pgUrl } from './postgres-harness.ts';

const pgUp = await pgAvailable();
const dir = mkdtempSync(join(tmpdir(), 'butler-timespans-'));
const schemas: string[] = [];
const opened: Registry[] = [];
let n = 0;

afterAll(async () => {
  for (const registry of opened.reverse()) await registry.close();
  if (pgUp) await dropSchemas(schemas);
  rmSync(dir, { recursive: true, force: true });
});

/** The tables daf_butler gives a timespan. */
const TIMESPAN_TABLES = ['run', 'day_obs', 'exposure', 'visit'] as const;

const t0 = TaiTime.fromIso('2025-01-01T00:00:37');
const t1 = TaiTime.fromIso('2025-01-02T00:00:37.000000001');
const MAX = TaiTime.MAX.nsec;

/** Spans covering every form, by day_obs id, with their stored form on each engine. */
const CASES = [
  {
    id: 1,
    span: TaiTimespan.of(t0, t1),
    pg: '[1735689637000000000,1735776037000000001)',
    sqlite: [t0.nsec, t1.nsec],
  },
  { id: 2, span: TaiTimespan.EMPTY, pg: 'empty', sqlite: [MAX, 0n] },
  { id: 3, span: TaiTimespan.of(null, t1), pg: '(,1735776037000000001)', sqlite: [0n, t1.nsec] },
  { id: 4, span: TaiTimespan.of(t0, null), pg: '[1735689637000000000,)', sqlite: [t0.nsec, MAX] },
  { id: 5, span: TaiTimespan.of(null, null), pg: '(,)', sqlite: [0n, MAX] },
  { id: 6, span: null, pg: null, sqlite: [null, null] },
] as const;

interface Engine {
  readonly name: 'SQLite' | 'PostgreSQL';
  readonly available: boolean;
  /** A daf_butler fixture registry (writeable), and a raw SQL runner on it. */
  fixture(): Promise<{ registry: Registry; raw: Raw }>;
  /** A registry made by createRegistry, and a raw SQL runner on it. */
  fresh(): Promise<{ registry: Registry; raw: Raw }>;
}

/** Runs SQL on a registry's database, bypassing butler-ts; `{}` is the schema prefix. */
type Raw = (text: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

function sqliteRaw(file: string): Raw {
  return (text, params = []) => {
    const db = new Sqlite(file);
    db.defaultSafeIntegers(true);
    try {
      const statement = db.prepare(text.replaceAll('{}', ''));
      return Promise.resolve(
        statement.reader
          ? (statement.all(...params) as Record<string, unknown>[])
          : (statement.run(...params), []),
      );
    } finally {
      db.close();
    }
  };
}

function pgRaw(schema: string): Raw {
  return async (text, params = []) => {
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    try {
      return (await client.query(text.replaceAll('{}', `"${schema}".`), params)).rows as Record<
        string,
        unknown
      >[];
    } finally {
      await client.end();
    }
  };
}

const track = (registry: Registry): Registry => {
  opened.push(registry);
  return registry;
};

const engines: Engine[] = [
  {
    name: 'SQLite',
    available: true,
    fixture: async () => {
      const file = writeSqliteRegistry('after', join(dir, `fx${n++}`));
      return {
        registry: track(await openRegistry(`sqlite:///${file}`, { writeable: true })),
        raw: sqliteRaw(file),
      };
    },
    fresh: async () => {
      const file = join(dir, `fresh${n++}.sqlite3`);
      return { registry: track(await createRegistry(`sqlite:///${file}`)), raw: sqliteRaw(file) };
    },
  },
  {
    name: 'PostgreSQL',
    available: pgUp,
    fixture: async () => {
      const namespace = freshSchema('butler_timespans_fx');
      schemas.push(namespace);
      await loadPostgresRegistry(pgUrl, 'after', namespace);
      return {
        registry: track(await openRegistry(pgUrl, { namespace, writeable: true })),
        raw: pgRaw(namespace),
      };
    },
    fresh: async () => {
      const namespace = freshSchema('butler_timespans');
      schemas.push(namespace);
      return {
        registry: track(await createRegistry(pgUrl, { namespace })),
        raw: pgRaw(namespace),
      };
    },
  },
];

/** The columns of `table` in daf_butler's PostgreSQL dump of the "after" registry: name and type. */
function dumpedColumns(table: string): string[] {
  const dump = readFileSync(join(FIXTURE_DIR, 'postgresql', 'after.inserts.sql'), 'utf8');
  const match = new RegExp(`CREATE TABLE interop_after\\.${table} \\(\\n([^;]*)\\n\\);`).exec(dump);
  if (match === null) throw new Error(`no CREATE TABLE ${table} in the dump`);
  return match[1]!
    .split(',\n')
    .map((line) => line.trim().replace(/ NOT NULL$/, ''))
    .filter((line) => !line.startsWith('CONSTRAINT'));
}

/** A day_obs record of instrument `Cam` (the fresh registries') with `span`. */
const dayObs = (id: number, span: unknown) => ({ instrument: 'Cam', id, timespan: span });

/** The stored form of every day_obs row of `Cam`, by id. */
async function storedDayObs(engine: Engine, raw: Raw): Promise<unknown[]> {
  if (engine.name === 'PostgreSQL') {
    const rows = await raw(
      `SELECT id, timespan::text AS t FROM {}day_obs WHERE instrument = 'Cam' ORDER BY id`,
    );
    return rows.map((r) => [Number(r['id']), r['t']]);
  }
  const rows = await raw(
    `SELECT id, timespan_begin AS b, timespan_end AS e FROM day_obs WHERE instrument = 'Cam' ORDER BY id`,
  );
  return rows.map((r) => [Number(r['id']), [r['b'], r['e']]]);
}

describe('TaiTimespan storage helpers', () => {
  it('refuses a range field in SQLite DDL, which has no range type', () => {
    const spec = tableSpec({
      fields: [
        { name: 'id', dtype: 'bigint', primaryKey: true },
        { name: 'timespan', dtype: 'timeNsecTai', range: true },
      ],
    });
    expect(() => sqliteCreateTable('spans', spec)).toThrow(NotSupportedError);
    expect(() => sqliteCreateTable('spans', spec)).toThrow(/timespan/);
  });
});

describe.each(engines)('timespans on $name', { timeout: 120_000 }, (engine) => {
  describe.skipIf(!engine.available)('', () => {
    it("creates run, day_obs, exposure and visit with daf_butler's timespan columns", async () => {
      const { raw } = await engine.fresh();
      for (const table of TIMESPAN_TABLES) {
        if (engine.name === 'PostgreSQL') {
          const ours = await raw(
            `SELECT quote_ident(a.attname) AS name, format_type(a.atttypid, a.atttypmod) AS type
             FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0
             AND NOT a.attisdropped ORDER BY a.attnum`,
            [`${schemas.at(-1)!}.${table}`],
          );
          expect(
            ours.map((c) => `${String(c['name'])} ${String(c['type'])}`),
            table,
          ).toEqual(dumpedColumns(table));
          expect(
            ours.map((c) => c['type']).filter((t) => t === 'int8range'),
            table,
          ).toEqual(['int8range']);
        } else {
          const columns = await raw(`PRAGMA table_info("${table}")`);
          const spans = columns
            .filter((c) => String(c['name']).startsWith('timespan'))
            .map((c) => `${String(c['name'])} ${String(c['type'])}`);
          expect(spans, table).toEqual(['timespan_begin BIGINT', 'timespan_end BIGINT']);
        }
      }
    });

    it("reads the fixture's NULL timespans, and spans written there as daf_butler writes them", async () => {
      const { registry, raw } = await engine.fixture();
      const [record] = await registry.dimensions.fetchRecords('day_obs', { id: 20250101 });
      expect(record!['timespan']).toBeNull();
      const runs = (await registry.collections.all()).filter(
        (c): c is RunRecord => c.type === CollectionType.RUN,
      );
      expect(runs.length).toBeGreaterThan(0);
      for (const run of runs) expect(run.timespan, run.name).toBeNull();
      // daf_butler's own forms of a bounded span (day_obs) and an unbounded end (run).
      const run = runs[0]!;
      if (engine.name === 'PostgreSQL') {
        await raw(`UPDATE {}day_obs SET timespan = int8range($1, $2)`, [
          t0.nsec.toString(),
          t1.nsec.toString(),
        ]);
        await raw(`UPDATE {}run SET timespan = int8range($1, NULL) WHERE collection_id = $2`, [
          t0.nsec.toString(),
          run.key,
        ]);
      } else {
        await raw(`UPDATE day_obs SET timespan_begin = ?, timespan_end = ?`, [t0.nsec, t1.nsec]);
        await raw(`UPDATE run SET timespan_begin = ?, timespan_end = ? WHERE collection_id = ?`, [
          t0.nsec,
          MAX,
          run.key,
        ]);
      }
      const [updated] = await registry.dimensions.fetchRecords('day_obs', { id: 20250101 });
      expect(updated!['timespan']).toEqual(TaiTimespan.of(t0, t1));
      const reread = (await registry.collections.get(run.name)) as RunRecord;
      expect(reread.timespan).toEqual(TaiTimespan.of(t0, null));
      expect(reread.timespan?.begin?.nsec).toBe(1735689637000000000n);
    });

    it('writes and reads back every form of span exactly, as daf_butler stores it', async () => {
      const { registry, raw } = await engine.fresh();
      await registry.dimensions.insertRecords('instrument', [{ name: 'Cam' }]);
      await registry.dimensions.insertRecords(
        'day_obs',
        CASES.map((c) => dayObs(c.id, c.span)),
      );
      const records = await registry.dimensions.fetchRecords('day_obs', { instrument: 'Cam' });
      const byId = new Map(records.map((r) => [r['id'], r['timespan']]));
      for (const c of CASES) expect(byId.get(c.id), `day_obs ${c.id}`).toEqual(c.span);
      expect(await storedDayObs(engine, raw)).toEqual(
        CASES.map((c) => [c.id, engine.name === 'PostgreSQL' ? c.pg : c.sqlite]),
      );
      // A {begin, end} object is accepted too, and normalised like TaiTimespan.of.
      await registry.dimensions.insertRecords('day_obs', [
        dayObs(7, { begin: t0, end: t0 }),
        dayObs(8, { begin: TaiTime.EPOCH, end: t1 }),
      ]);
      const [seven] = await registry.dimensions.fetchRecords('day_obs', {
        instrument: 'Cam',
        id: 7,
      });
      const [eight] = await registry.dimensions.fetchRecords('day_obs', {
        instrument: 'Cam',
        id: 8,
      });
      expect(seven!['timespan']).toBe(TaiTimespan.EMPTY);
      expect(eight!['timespan']).toEqual(TaiTimespan.of(null, t1));
      // Replacing a record rewrites its span.
      await registry.dimensions.insertRecords('day_obs', [dayObs(1, TaiTimespan.of(t1, null))], {
        replace: true,
      });
      const [one] = await registry.dimensions.fetchRecords('day_obs', { instrument: 'Cam', id: 1 });
      expect(one!['timespan']).toEqual(TaiTimespan.of(t1, null));
    });

    it('syncs records with spans: equal ones accepted, different ones refused or updated', async () => {
      const { registry } = await engine.fresh();
      const dims = registry.dimensions;
      await dims.insertRecords('instrument', [{ name: 'Cam' }]);
      expect(await dims.syncRecord('day_obs', dayObs(1, TaiTimespan.of(t0, t1)))).toBe(true);
      expect(await dims.syncRecord('day_obs', dayObs(1, TaiTimespan.of(t0, t1)))).toBe(false);
      expect(await dims.syncRecord('day_obs', dayObs(2, TaiTimespan.EMPTY))).toBe(true);
      expect(await dims.syncRecord('day_obs', dayObs(2, TaiTimespan.EMPTY))).toBe(false);
      const conflict = await rejection(
        dims.syncRecord('day_obs', dayObs(1, TaiTimespan.of(t0, null))),
      );
      expect(DatabaseConflictError.is(conflict), String(conflict)).toBe(true);
      expect((conflict as Error).message).toContain('timespan');
      const updated = await dims.syncRecord('day_obs', dayObs(1, TaiTimespan.of(t0, null)), {
        update: true,
      });
      expect(updated).not.toBe(false);
      const [one] = await dims.fetchRecords('day_obs', { instrument: 'Cam', id: 1 });
      expect(one!['timespan']).toEqual(TaiTimespan.of(t0, null));
    });

    it('refuses bad spans with an InvalidArgumentError naming the field, writing nothing', async () => {
      const { registry, raw } = await engine.fresh();
      await registry.dimensions.insertRecords('instrument', [{ name: 'Cam' }]);
      await registry.dimensions.insertRecords('day_obs', [dayObs(1, TaiTimespan.of(t0, t1))]);
      const before = await storedDayObs(engine, raw);
      for (const [i, bad] of [
        { begin: t1, end: t0 },
        { begin: 1.5, end: 2 },
        { begin: t0.nsec, end: t1.nsec },
        { begin: t0 },
        { begin: t0, end: t1, extra: 1 },
        'yesterday',
        [t0, t1],
        42n,
      ].entries()) {
        const error = await rejection(
          registry.dimensions.insertRecords('day_obs', [
            dayObs(2, TaiTimespan.EMPTY),
            dayObs(3, bad),
          ]),
        );
        expect(InvalidArgumentError.is(error), `bad span ${i}`).toBe(true);
        expect((error as Error).message).toContain('timespan');
        expect((error as Error).message).toContain('day_obs');
        const sync = await rejection(registry.dimensions.syncRecord('day_obs', dayObs(1, bad)));
        expect(InvalidArgumentError.is(sync)).toBe(true);
      }
      expect(await storedDayObs(engine, raw)).toEqual(before);
      // A begin after its end names both bounds.
      const reversed = await rejection(
        registry.dimensions.insertRecords('day_obs', [dayObs(4, { begin: t1, end: t0 })]),
      );
      expect((reversed as Error).message).toContain(t1.toIso());
    });

    it("registers a run with a span and reads it back; daf_butler's default is none", async () => {
      const { registry, raw } = await engine.fresh();
      const collections = registry.collections;
      const [plain] = await collections.registerRun('plain');
      expect(plain.timespan).toBeNull();
      for (const [i, c] of CASES.entries()) {
        const [record] = await collections.registerRun(`run${i}`, { timespan: c.span });
        expect(record.timespan, `run${i}`).toEqual(c.span);
        const reread = (await collections.get(`run${i}`)) as RunRecord;
        expect(reread.timespan, `run${i}`).toEqual(c.span);
      }
      const stored =
        engine.name === 'PostgreSQL'
          ? (
              await raw(
                `SELECT c.name, r.timespan::text AS t FROM {}run r JOIN {}collection c USING (collection_id) ORDER BY c.name`,
              )
            ).map((r) => [r['name'], r['t']])
          : (
              await raw(
                'SELECT c.name, r.timespan_begin AS b, r.timespan_end AS e FROM run r JOIN collection c USING (collection_id) ORDER BY c.name',
              )
            ).map((r) => [r['name'], [r['b'], r['e']]]);
      expect(stored).toEqual([
        ['plain', engine.name === 'PostgreSQL' ? null : [null, null]],
        ...CASES.map((c, i) => [`run${i}`, engine.name === 'PostgreSQL' ? c.pg : c.sqlite]),
      ]);
      // Bad spans, and spans on other collection types, are refused before anything is written.
      const reversed = await rejection(
        collections.registerRun('bad', { timespan: { begin: t1, end: t0 } }),
      );
      expect(InvalidArgumentError.is(reversed)).toBe(true);
      expect((reversed as Error).message).toContain('timespan of run "bad"');
      const wrong = await rejection(
        collections.registerRun('bad', { timespan: 'today' as unknown as null }),
      );
      expect(InvalidArgumentError.is(wrong)).toBe(true);
      const tagged = await rejection(
        collections.register('tagged', CollectionType.TAGGED, { timespan: TaiTimespan.EMPTY }),
      );
      expect(InvalidArgumentError.is(tagged)).toBe(true);
      expect(await collections.get('bad')).toBeNull();
      expect(await collections.get('tagged')).toBeNull();
    });
  });
});
