// The reliability suite for values and names (issue 10): generated inputs through every column
// type, `where` values, prefix patterns, identifiers and field defaults, on SQLite (file and
// memory) and PostgreSQL. The property everywhere: what is accepted round-trips exactly, and
// anything else is a typed error raised before any SQL, with the table unchanged; a canary
// table survives every run.
//
// Seeded and bounded: the seed is fixed (override with BUTLER_FC_SEED to explore), each
// property has a fixed number of runs, and fast-check prints the seed and the shrunk
// counterexample of a failure.
import {
  ColumnValueError,
  InvalidIdentifierError,
  SchemaValidationError,
  TaiTime,
  normalizeColumnValue,
  tableSpec,
} from '@butler-ts/ddl';
import type { ColumnType, FieldSpec, FieldSpecInit, TableSpec } from '@butler-ts/ddl';
import { DatabaseConflictError, col, startsWith } from '@butler-ts/registry-interfaces';
import type { Database, Row, TableHandle } from '@butler-ts/registry-interfaces';
import type { DatabaseHarness } from '@butler-ts/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgAvailable, postgresHarness } from './postgres-harness.ts';
import { sqliteFileHarness, sqliteMemoryHarness } from './sqlite-harness.ts';

const SEED = Number(process.env['BUTLER_FC_SEED'] ?? 20_261_206);
/** Runs per column type; the other properties scale from it. */
const RUNS = 100;
const TIMEOUT = 180_000;

const EVERY_TYPE = tableSpec({
  fields: [
    { name: 'id', dtype: 'integer', primaryKey: true },
    { name: 's', dtype: 'string', length: 16 },
    { name: 'long_s', dtype: 'string', length: 64 },
    { name: 'tx', dtype: 'text' },
    { name: 'si', dtype: 'smallint' },
    { name: 'i', dtype: 'integer' },
    { name: 'bi', dtype: 'bigint' },
    { name: 'f', dtype: 'float' },
    { name: 'b', dtype: 'boolean' },
    { name: 'bin', dtype: 'binary' },
    { name: 'b64', dtype: 'base64Bytes' },
    { name: 'u', dtype: 'uuid' },
    { name: 'ts', dtype: 'timestamp' },
    { name: 'tai', dtype: 'timeNsecTai' },
  ],
});

const CANARY = tableSpec({
  fields: [
    { name: 'id', dtype: 'integer', primaryKey: true },
    { name: 'note', dtype: 'text' },
  ],
});
const CANARY_ROW = { id: 1, note: 'still here' };

const PATHS = tableSpec({
  fields: [
    { name: 'id', dtype: 'integer', primaryKey: true },
    { name: 'path', dtype: 'text' },
  ],
});
/** Stored once; prefixes are cut from these (also inside a surrogate pair) or generated. */
const STORED_PATHS = [
  'dir/a',
  'dir/b',
  'DIR/c',
  'dir%x',
  'dir_x',
  'back\\slash',
  'a*c',
  'a?c',
  'a[c]',
  "o'brien",
  '"quoted"',
  'emoji 😀/x',
  'é/accent',
  '',
];

// Characters that break naive SQL, patterns or encodings.
const NASTY = [
  'a',
  'Z',
  '0',
  ' ',
  '%',
  '_',
  '*',
  '?',
  '[',
  ']',
  '\\',
  "'",
  '"',
  ';',
  '-',
  '\0',
  '\uD800',
  '\uDC00',
  '😀',
  'é',
  '\n',
];
const nastyString = (maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...NASTY), maxLength });
const anyString = (maxLength: number) =>
  fc.oneof(
    fc.string({ unit: 'grapheme', maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    nastyString(maxLength),
  );
/** A value of some other type, so every column also sees the wrong kind of value. */
const stray = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.integer(),
  fc.boolean(),
  fc.constant({}),
  fc.constant([1]),
);

const MIN_MS = Date.parse('0001-01-01T00:00:00.000Z');
const MAX_MS = Date.parse('9999-12-31T23:59:59.999Z');

const generators: Record<ColumnType, fc.Arbitrary<unknown>> = {
  string: anyString(20),
  text: anyString(80),
  smallint: fc.oneof(fc.integer({ min: -40_000, max: 40_000 }), fc.double()),
  integer: fc.oneof(
    fc.integer(),
    fc.maxSafeInteger(),
    fc.bigInt({ min: -(2n ** 32n), max: 2n ** 32n }),
  ),
  bigint: fc.oneof(
    fc.maxSafeInteger(),
    fc.bigInt({ min: -(2n ** 60n), max: 2n ** 60n }),
    fc.double(),
  ),
  float: fc.oneof(
    fc.double(),
    fc.constantFrom(-0, 0, Infinity, -Infinity, NaN, Number.MIN_VALUE, -Number.MAX_VALUE, 0.1),
  ),
  boolean: fc.boolean(),
  binary: fc.uint8Array({ maxLength: 64 }),
  base64Bytes: fc.uint8Array({ maxLength: 64 }),
  uuid: fc.oneof(
    fc.uuid(),
    fc.uuid().map((u) => u.toUpperCase()),
    fc.uuid().map((u) => u.replaceAll('-', '')),
    anyString(36),
  ),
  timestamp: fc.oneof(
    fc.integer({ min: MIN_MS, max: MAX_MS }).map((ms) => new Date(ms)),
    fc.date(),
    fc
      .constantFrom(MIN_MS - 1, MAX_MS + 1, MIN_MS, MAX_MS, -8.64e15, 8.64e15)
      .map((ms) => new Date(ms)),
  ),
  timeNsecTai: fc.oneof(
    fc.bigInt({ min: 0n, max: TaiTime.MAX.nsec }).map((n) => new TaiTime(n)),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n }).map((n) => new TaiTime(n)),
  ),
};

/** The canonical value a column holds after a write of `value` (what a read must return). */
function canonical(field: FieldSpec, value: unknown): unknown {
  const normal = normalizeColumnValue('every_type', field, value);
  // A TAI time is clamped to what the column stores (daf_butler's rule).
  return normal instanceof TaiTime ? new TaiTime(normal.toStoredNsec()) : normal;
}

function sameValue(read: unknown, expected: unknown): boolean {
  if (expected instanceof Uint8Array)
    return read instanceof Uint8Array && Buffer.from(read).equals(Buffer.from(expected));
  if (expected instanceof Date)
    return read instanceof Date && read.getTime() === expected.getTime();
  if (expected instanceof TaiTime) return read instanceof TaiTime && read.nsec === expected.nsec;
  return Object.is(read, expected);
}

async function outcome(
  attempt: Promise<unknown>,
): Promise<{ ok: true } | { ok: false; error: unknown }> {
  try {
    await attempt;
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}

const identifierChars = fc.constantFrom(
  ...'abcXYZ_019'.split(''),
  ' ',
  '"',
  "'",
  ';',
  '-',
  'é',
  '\0',
);
/** Table names: generated, reserved, hostile, and case variants of existing ones. */
const tableNames = fc.oneof(
  fc.string({ unit: identifierChars, minLength: 0, maxLength: 12 }),
  fc.constantFrom(
    'canary',
    'Canary',
    'CANARY',
    'paths',
    'Paths',
    'every_type',
    'Every_Type',
    'sqlite_master',
    'sqlite_stat1',
    'SQLITE_x',
    'x"; DROP TABLE canary; --',
    'a'.repeat(63),
    'a'.repeat(64),
  ),
  fc.constantFrom('t_made', 'T_Made', 't_MADE', 'other', 'OTHER'),
);
/** Column names, including PostgreSQL's system columns in any case. */
const columnNames = fc.oneof(
  fc.string({ unit: identifierChars, minLength: 0, maxLength: 8 }),
  fc.constantFrom(
    'ctid',
    'xmin',
    'XMAX',
    'cmin',
    'cmax',
    'TableOid',
    'oid',
    'rowid',
    'value',
    'Value',
    'VALUE',
  ),
);
/** Server defaults of an integer column: literals, hostile SQL, wrong kinds. */
const integerDefaults = fc.oneof(
  fc.constant(undefined),
  fc.integer(),
  fc.integer().map(String),
  fc.constantFrom(
    '0); DROP TABLE canary; --',
    '0)); DROP TABLE canary; --',
    '1; DROP TABLE canary',
    '(SELECT 1)',
    'abs(-3)',
    '99999999999',
    '-0',
    '',
    true,
    1.5,
  ),
);

function harnesses(): [string, () => DatabaseHarness][] {
  return [
    ['SQLite file', sqliteFileHarness],
    ['SQLite memory', sqliteMemoryHarness],
  ];
}
const engines = harnesses();
if (await pgAvailable()) engines.push(['PostgreSQL', () => postgresHarness('butler_prop')]);

for (const [engine, makeHarness] of engines) {
  describe(`value and identifier properties: ${engine} (seed ${SEED})`, () => {
    let harness: DatabaseHarness;
    let db: Database;
    let every: TableHandle<typeof EVERY_TYPE>;
    let canary: TableHandle<typeof CANARY>;
    let paths: TableHandle<typeof PATHS>;
    let nextId = 1;

    beforeAll(async () => {
      harness = makeHarness();
      db = await harness.make();
      await db.declareStaticTables({ create: true }, (context) => {
        canary = context.addTable('canary', CANARY);
        every = context.addTable('every_type', EVERY_TYPE);
        paths = context.addTable('paths', PATHS);
      });
      await db.insert(canary, [CANARY_ROW]);
      await db.insert(
        paths,
        STORED_PATHS.map((path, id) => ({ id, path })),
      );
    }, TIMEOUT);
    afterAll(async () => {
      await harness.cleanup();
    });

    const canarySurvives = async () => {
      expect(await db.fetch(canary)).toEqual([CANARY_ROW]);
    };

    for (const field of EVERY_TYPE.fields.filter((f) => !f.primaryKey)) {
      it(
        `round-trips a ${field.dtype} value (${field.name}) exactly, or refuses it before SQL`,
        async () => {
          await fc.assert(
            fc.asyncProperty(
              fc.oneof({ weight: 5, arbitrary: generators[field.dtype] }, stray),
              async (value) => {
                const id = nextId++;
                const before = await db.count(every);
                const inserted = await outcome(db.insert(every, [{ id, [field.name]: value }]));
                if (!inserted.ok) {
                  expect(ColumnValueError.is(inserted.error), String(inserted.error)).toBe(true);
                  expect(await db.count(every)).toBe(before);
                  // The same value as a where value is refused too, or matches nothing wrong.
                  const where = await outcome(db.fetch(every, { where: { [field.name]: value } }));
                  if (!where.ok)
                    expect(ColumnValueError.is(where.error), String(where.error)).toBe(true);
                  return;
                }
                const expected = canonical(field, value);
                const [row] = await db.fetch(every, { where: { id } });
                expect(
                  sameValue(row?.[field.name], expected),
                  `read ${String(row?.[field.name])}`,
                ).toBe(true);
                // As a where value it finds the row, and only rows holding the same value.
                const found = await db.fetch(every, { where: { [field.name]: value } });
                expect(found.some((r) => r['id'] === id)).toBe(true);
                for (const r of found) expect(sameValue(r[field.name], expected)).toBe(true);
              },
            ),
            { seed: SEED, numRuns: RUNS },
          );
          await canarySurvives();
        },
        TIMEOUT,
      );
    }

    it(
      'matches prefix patterns exactly, or refuses them before SQL',
      async () => {
        const stored = (await db.fetch(paths)).map((r) => r.path as string);
        const cut = fc
          .constantFrom(...STORED_PATHS)
          .chain((p) => fc.nat({ max: p.length }).map((n) => p.slice(0, n)));
        await fc.assert(
          fc.asyncProperty(
            fc.oneof(cut, nastyString(6), fc.string({ unit: 'binary', maxLength: 4 })),
            async (prefix) => {
              const result = await outcome(
                db.fetch(paths, { where: startsWith(col('path'), prefix) }),
              );
              if (!result.ok) {
                expect(ColumnValueError.is(result.error), String(result.error)).toBe(true);
                expect(/\0|\p{Cs}/u.test(prefix), JSON.stringify(prefix)).toBe(true);
                return;
              }
              const rows = (await db.fetch(paths, { where: startsWith(col('path'), prefix) })).map(
                (r: Row) => r['path'] as string,
              );
              expect(rows.sort()).toEqual(stored.filter((p) => p.startsWith(prefix)).sort());
            },
          ),
          { seed: SEED, numRuns: RUNS * 3 },
        );
        await canarySurvives();
      },
      TIMEOUT,
    );

    it(
      'creates tables with the names and defaults it accepts, and refuses the rest before SQL',
      async () => {
        await fc.assert(
          fc.asyncProperty(
            tableNames,
            fc.array(columnNames, { minLength: 1, maxLength: 3 }),
            integerDefaults,
            async (name, columns, serverDefault) => {
              const before = await db.tableNames();
              let spec: TableSpec | undefined;
              const fields: FieldSpecInit[] = [
                ...columns.map((c) => ({ name: c, dtype: 'text' as const })),
                {
                  name: 'n_default',
                  dtype: 'integer',
                  ...(serverDefault === undefined ? {} : { default: serverDefault }),
                },
              ];
              const made = await outcome(
                (async () => {
                  spec = tableSpec({ fields });
                  return db.ensureTableExists(name, spec);
                })(),
              );
              if (!made.ok) {
                const e = made.error;
                expect(
                  InvalidIdentifierError.is(e) ||
                    SchemaValidationError.is(e) ||
                    DatabaseConflictError.is(e),
                  String(e),
                ).toBe(true);
                // A conflict is only for a table that exists under exactly this name.
                if (DatabaseConflictError.is(e)) expect(before.has(name)).toBe(true);
                expect(await db.tableNames()).toEqual(before);
                return;
              }
              const after = await db.tableNames();
              expect(after.has(name)).toBe(true);
              expect(after.size - before.size).toBe(before.has(name) ? 0 : 1);
              // A new table takes a row, with the server default where one was given.
              if (!before.has(name)) {
                const table = (await db.getExistingTable(name, spec!))!;
                await db.insert(table, [{ [fields[0]!.name]: 'x' }]);
                const [row] = await db.fetch(table);
                // (+ 0 turns a '-0' default into the 0 an integer column holds.)
                const expected = serverDefault === undefined ? null : Number(serverDefault) + 0;
                expect(row?.['n_default']).toBe(expected);
                expect((await db.inspectTable(name))?.fields.map((f) => f.name)).toEqual(
                  fields.map((f) => f.name),
                );
              }
            },
          ),
          { seed: SEED, numRuns: RUNS },
        );
        await canarySurvives();
      },
      TIMEOUT,
    );
  });
}
