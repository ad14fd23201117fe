// The commands against a real registry, through the built binary; run on each engine by
// sqlite.test.ts and postgres.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine, Place } from './engines.ts';
import { LOOSE, RECORDS, createAt, fillRegistry, openAt } from './engines.ts';
import { lines, parseCsv, runCli } from './helpers.ts';

const OPAQUE_VERSION_KEY =
  'version:lsst.daf.butler.registry.opaque.ByNameOpaqueTableStorageManager';

function base64(bytes: Uint8Array | null): string | null {
  return bytes === null ? null : Buffer.from(bytes).toString('base64');
}

/** The records as the JSON formats write them. */
const RECORDS_JSON = RECORDS.map((r) => ({
  ...r,
  checksum: base64(r.checksum),
  added: r.added === null ? null : r.added.toISOString(),
}));

function sortedLoose(rows: readonly Record<string, unknown>[]): string[] {
  return rows.map((r) => JSON.stringify([r['a'], r['b']])).sort();
}

async function setAttribute(place: Place, key: string, value: string): Promise<void> {
  const registry = await openAt(place);
  try {
    await registry.attributes.set(key, value, { force: true });
  } finally {
    await registry.close();
  }
}

async function freshRegistry(place: Place): Promise<Place> {
  await (await createAt(place)).close();
  return place;
}

/**
 * The command suite on one engine. Its tests run concurrently: each spawns the command, and
 * most of the time is node starting up.
 */
export function describeCommands(name: string, makeEngine: () => Engine): void {
  describe.concurrent(`butler-ts on ${name}`, () => {
    let engine: Engine;
    let filled: Place;

    beforeAll(async () => {
      engine = makeEngine();
      filled = engine.place();
      await fillRegistry(filled);
    });
    afterAll(async () => {
      await engine.cleanup();
    });

    describe('create and info', () => {
      it('creates a registry, then info describes it in text and JSON', async () => {
        const place = engine.place();
        const created = await runCli(['create', place.uri, ...place.args]);
        expect(created.stderr).toBe('');
        expect(created.code).toBe(0);
        expect(created.stdout).toMatch(/^Created registry in (SQLite3|PostgreSQL)@/);
        expect(created.stdout).toMatch(/attributes\s+1\.0\.1/);
        expect(created.stdout).toMatch(/opaque\s+0\.2\.0/);
        expect(created.stdout).toMatch(/datastores\s+\d+\.\d+\.\d+/);

        const text = await runCli(['info', place.uri, ...place.args]);
        expect(text.code).toBe(0);
        expect(text.stdout).toMatch(
          /opaque\s+lsst\.daf\.butler\.registry\.opaque\.ByNameOpaqueTableStorageManager\s+0\.2\.0\s+0\.2\.0\s+yes\s+yes/,
        );
        expect(text.stdout).toContain('This build can read: yes\n');
        expect(text.stdout).toContain('This build can write: yes\n');
        expect(text.stdout).toContain('Opaque tables: none\n');

        const json = await runCli(['info', place.uri, ...place.args, '--format', 'json']);
        expect(json.code).toBe(0);
        const report = JSON.parse(json.stdout) as {
          managers: {
            type: string;
            version: string;
            supported: string[];
            read: unknown;
            write: unknown;
          }[];
          canRead: boolean;
          canWrite: boolean;
          opaqueTables: unknown[];
        };
        expect(report.managers.map((m) => m.type)).toEqual([
          'attributes',
          'opaque',
          'datastores',
          'dimensions',
          'collections',
          'datasets',
        ]);
        for (const manager of report.managers) {
          expect(manager.supported).toContain(manager.version);
          expect(manager.read).toEqual({ ok: true });
          expect(manager.write).toEqual({ ok: true });
        }
        expect(report).toMatchObject({ canRead: true, canWrite: true, opaqueTables: [] });
      });

      it('refuses to create a registry where one exists', async () => {
        const result = await runCli(['create', filled.uri, ...filled.args]);
        expect(result.code).toBe(1);
        expect(lines(result.stderr)).toEqual([
          expect.stringMatching(/^butler-ts: .*already has tables/),
        ]);
        expect(result.stdout).toBe('');
      });

      it('lists the opaque tables with their row counts in info', async () => {
        const result = await runCli(['info', filled.uri, ...filled.args]);
        expect(result.code).toBe(0);
        expect(result.stdout).toContain('Opaque tables: 3\n');
        expect(result.stdout).toMatch(/\n {2}empty_records\s+0\n/);
        expect(result.stdout).toMatch(/\n {2}file_records\s+5\n/);
        expect(result.stdout).toMatch(/\n {2}loose\s+9\n/);
      });
    });

    describe('check', () => {
      it('passes for reading and writing a registry of this build', async () => {
        const read = await runCli(['check', filled.uri, ...filled.args]);
        expect(read).toMatchObject({ code: 0, stderr: '' });
        expect(read.stdout).toMatch(/^OK: this build can read /);
        const write = await runCli(['check', filled.uri, ...filled.args, '--write']);
        expect(write).toMatchObject({ code: 0, stderr: '' });
        expect(write.stdout).toMatch(/^OK: this build can read and write /);
      });

      it('passes reading but fails writing an older minor version, and info says why', async () => {
        const place = await freshRegistry(engine.place());
        await setAttribute(place, OPAQUE_VERSION_KEY, '0.1.0');
        expect((await runCli(['check', place.uri, ...place.args])).code).toBe(0);
        const write = await runCli(['check', place.uri, ...place.args, '--write']);
        expect(write.code).toBe(1);
        expect(write.stdout).toBe('');
        expect(lines(write.stderr)).toEqual([
          'butler-ts: This build cannot write the registry: Extension versions [0.2.0] are not compatible with registry schema version 0.1.0 for extension lsst.daf.butler.registry.opaque.ByNameOpaqueTableStorageManager (read-write)',
        ]);
        const info = await runCli(['info', place.uri, ...place.args]);
        expect(info.code).toBe(0);
        expect(info.stdout).toMatch(/opaque\s+\S+\s+0\.1\.0\s+0\.2\.0\s+yes\s+no/);
        expect(info.stdout).toContain('This build can read: yes\n');
        expect(info.stdout).toMatch(
          /This build can write: no\n {2}- Extension versions \[0\.2\.0\].*\(read-write\)\n/,
        );
      });

      it('fails reading a newer major version, while info still reports it', async () => {
        const place = await freshRegistry(engine.place());
        await setAttribute(place, OPAQUE_VERSION_KEY, '1.0.0');
        const read = await runCli(['check', place.uri, ...place.args]);
        expect(read.code).toBe(1);
        expect(lines(read.stderr)).toEqual([
          expect.stringMatching(
            /^butler-ts: This build cannot read the registry: Extension versions \[0\.2\.0\] are not compatible with registry schema version 1\.0\.0 .*\(read-only\)$/,
          ),
        ]);
        const info = await runCli(['info', place.uri, ...place.args, '--format', 'json']);
        expect(info.code).toBe(0);
        const report = JSON.parse(info.stdout) as {
          canRead: boolean;
          canWrite: boolean;
          managers: { type: string; version: string; read: { ok: boolean; reason?: string } }[];
        };
        expect(report.canRead).toBe(false);
        expect(report.canWrite).toBe(false);
        const opaque = report.managers.find((m) => m.type === 'opaque')!;
        expect(opaque.version).toBe('1.0.0');
        expect(opaque.read.ok).toBe(false);
        expect(opaque.read.reason).toContain('not compatible with registry schema version 1.0.0');
        // The opaque commands open the registry as openRegistry does, and refuse it too.
        const list = await runCli(['opaque', 'list', place.uri, ...place.args]);
        expect(list.code).toBe(1);
        expect(lines(list.stderr)).toEqual([expect.stringMatching(/^butler-ts: .*not compatible/)]);
      });

      it('fails when a stored manager is not the one this build uses', async () => {
        const place = await freshRegistry(engine.place());
        await setAttribute(place, 'config:registry.managers.opaque', 'my.plugin.OpaqueManager');
        const result = await runCli(['check', place.uri, ...place.args]);
        expect(result.code).toBe(1);
        expect(lines(result.stderr)).toEqual([
          'butler-ts: This build cannot read the registry: opaque: configured lsst.daf.butler.registry.opaque.ByNameOpaqueTableStorageManager, stored: my.plugin.OpaqueManager',
        ]);
      });

      it('fails when a manager this build uses is not stored', async () => {
        const place = await freshRegistry(engine.place());
        const registry = await openAt(place);
        await registry.attributes.delete('config:registry.managers.datastores');
        await registry.close();
        const result = await runCli(['check', place.uri, ...place.args, '--write']);
        expect(result.code).toBe(1);
        expect(lines(result.stderr)).toEqual([
          'butler-ts: This build cannot write the registry: Cannot find stored configuration for manager datastores',
        ]);
      });

      it('fails where there is no registry', async () => {
        const place = engine.place();
        if (place.namespace === undefined) {
          // An empty file is an empty SQLite database.
          const { writeFileSync } = await import('node:fs');
          writeFileSync(new URL(place.uri.replace('sqlite:///', 'file://')), '');
        }
        const result = await runCli(['check', place.uri, ...place.args]);
        expect(result.code).toBe(1);
        expect(lines(result.stderr)).toEqual([
          expect.stringMatching(
            /^butler-ts: No registry in \S+: table butler_attributes is missing$/,
          ),
        ]);
      });
    });

    describe('opaque', () => {
      it('lists the opaque tables with row counts, as text and JSON', async () => {
        const text = await runCli(['opaque', 'list', filled.uri, ...filled.args]);
        expect(text.code).toBe(0);
        expect(lines(text.stdout)).toEqual([
          'NAME           ROWS',
          'empty_records     0',
          'file_records      5',
          'loose             9',
        ]);
        const json = await runCli([
          'opaque',
          'list',
          filled.uri,
          ...filled.args,
          '--format',
          'json',
        ]);
        expect(JSON.parse(json.stdout)).toEqual([
          { name: 'empty_records', rows: 0 },
          { name: 'file_records', rows: 5 },
          { name: 'loose', rows: 9 },
        ]);
      });

      it('dumps a table as one JSON array, page by page over a composite key', async () => {
        for (const pageSize of ['1000', '1']) {
          const result = await runCli([
            'opaque',
            'dump',
            filled.uri,
            'file_records',
            ...filled.args,
            '--format',
            'json',
            '--page-size',
            pageSize,
          ]);
          expect(result).toMatchObject({ code: 0, stderr: '' });
          expect(JSON.parse(result.stdout)).toEqual(RECORDS_JSON);
          // One row per line, so that the array streams.
          expect(lines(result.stdout)).toHaveLength(RECORDS.length + 2);
        }
      });

      it('dumps JSON Lines', async () => {
        const result = await runCli([
          'opaque',
          'dump',
          filled.uri,
          'file_records',
          ...filled.args,
          '--format',
          'jsonl',
        ]);
        expect(result.code).toBe(0);
        expect(lines(result.stdout).map((line) => JSON.parse(line) as unknown)).toEqual(
          RECORDS_JSON,
        );
      });

      it('dumps CSV with a header, quoting, base64 bytes and NULL distinct from an empty string', async () => {
        const result = await runCli([
          'opaque',
          'dump',
          filled.uri,
          'file_records',
          ...filled.args,
          '--format',
          'csv',
        ]);
        expect(result.code).toBe(0);
        const rows = parseCsv(result.stdout);
        expect(rows[0]).toEqual([
          'dataset_id',
          'component',
          'path',
          'file_size',
          'checked',
          'checksum',
          'note',
          'added',
        ]);
        expect(rows.slice(1)).toEqual(
          RECORDS_JSON.map((r) => Object.values(r).map((v) => (v === null ? null : String(v)))),
        );
        expect(result.stdout).toContain('"comma, ""quotes""\nand a newline"');
      });

      it('dumps a fixed-width table with a row count', async () => {
        const result = await runCli([
          'opaque',
          'dump',
          filled.uri,
          'file_records',
          ...filled.args,
          '--page-size',
          '2',
        ]);
        expect(result.code).toBe(0);
        const out = lines(result.stdout);
        expect(out[0]).toMatch(
          /^dataset_id +component +path +file_size +checked +checksum +note +added$/,
        );
        expect(out[1]).toMatch(/^-{36} {2}-{9} {2}-+ {2}-+/);
        expect(out.at(-1)).toBe('(5 rows)');
        const body = out.slice(2, -1);
        expect(body).toHaveLength(5);
        // Every row starts its columns where the header does; numbers are right-aligned.
        const pathAt = out[0]!.indexOf('path');
        const sizeEnd = out[0]!.indexOf('file_size') + 'file_size'.length;
        for (const line of body) {
          expect(line[pathAt - 1]).toBe(' ');
          expect(line[pathAt]).not.toBe(' ');
          expect(line[sizeEnd - 1]).toMatch(/\d/);
        }
        expect(body[1]).toContain('comma, "quotes"\\nand a newline');
        expect(body[3]).toMatch(/\bNULL\b/);
      });

      it('dumps an empty table in every format', async () => {
        const run = (format: string) =>
          runCli([
            'opaque',
            'dump',
            filled.uri,
            'empty_records',
            ...filled.args,
            '--format',
            format,
          ]);
        expect((await run('json')).stdout).toBe('[]\n');
        expect((await run('jsonl')).stdout).toBe('');
        expect((await run('csv')).stdout).toBe(
          'dataset_id,component,path,file_size,checked,checksum,note,added\n',
        );
        expect(lines((await run('table')).stdout).at(-1)).toBe('(0 rows)');
      });

      it('filters with --where values parsed as their column types', async () => {
        const dump = async (...where: string[]) => {
          const result = await runCli([
            'opaque',
            'dump',
            filled.uri,
            'file_records',
            ...filled.args,
            '--format',
            'jsonl',
            '--page-size',
            '1',
            ...where.flatMap((w) => ['--where', w]),
          ]);
          expect(result).toMatchObject({ code: 0, stderr: '' });
          return lines(result.stdout).map((line) => JSON.parse(line) as { path: string });
        };
        const paths = async (...where: string[]) => (await dump(...where)).map((r) => r.path);
        expect(await paths('component=image')).toEqual([
          'a/image.fits',
          'b/image.fits',
          'c/image.fits',
        ]);
        // A UUID in another form, upper case and without hyphens.
        expect(await paths('dataset_id=0000000000004000800000000000000A')).toEqual([
          'a/image.fits',
          'a/mask.fits',
          'a/variance.fits',
        ]);
        expect(await paths('checked=yes', 'file_size=42')).toEqual([
          'a/image.fits',
          'a/variance.fits',
        ]);
        expect(await paths('component=mask', 'component=variance')).toEqual([
          'a/mask.fits',
          'a/variance.fits',
        ]);
        expect(await paths('file_size=9007199254740991')).toEqual(['b/image.fits']);
        expect(await paths('checksum=AAEC/w==')).toEqual(['a/image.fits']);
        expect(await paths('added=2024-05-01T12:00:00.123')).toEqual(['a/image.fits']);
        expect(await paths('path=a/mask.fits', 'component=image')).toEqual([]);
      });

      it('pages through a table without a primary key, duplicates and NULLs included', async () => {
        for (const pageSize of ['1000', '1']) {
          const result = await runCli([
            'opaque',
            'dump',
            filled.uri,
            'loose',
            ...filled.args,
            '--format',
            'json',
            '--page-size',
            pageSize,
          ]);
          expect(result).toMatchObject({ code: 0, stderr: '' });
          expect(sortedLoose(JSON.parse(result.stdout) as Record<string, unknown>[])).toEqual(
            sortedLoose(LOOSE),
          );
        }
      });

      it('fails on an unknown table, an unknown column and a bad value with one line each', async () => {
        const dump = (...rest: string[]) =>
          runCli(['opaque', 'dump', filled.uri, ...rest, ...filled.args]);
        const table = await dump('nope');
        expect(table.code).toBe(1);
        expect(lines(table.stderr)).toEqual([
          expect.stringMatching(
            /^butler-ts: No opaque table "nope" in \S+ \(known: empty_records, file_records, loose\)$/,
          ),
        ]);
        const column = await dump('file_records', '--where', 'colour=red');
        expect(column.code).toBe(1);
        expect(lines(column.stderr)).toEqual([
          'butler-ts: Unknown column "colour" in --where: table file_records has columns dataset_id, component, path, file_size, checked, checksum, note, added',
        ]);
        expect(column.stdout).toBe('');
        const value = await dump('file_records', '--where', 'file_size=big');
        expect(lines(value.stderr)).toEqual([
          'butler-ts: Bad value "big" for column file_size (bigint) in --where: expected an integer',
        ]);
        const uuid = await dump('file_records', '--where', 'dataset_id=xyz');
        expect(lines(uuid.stderr)).toEqual([
          'butler-ts: Bad value "xyz" for column dataset_id (uuid) in --where: expected a UUID',
        ]);
        const clause = await dump('file_records', '--where', 'justtext');
        expect(lines(clause.stderr)).toEqual([
          'butler-ts: Bad --where "justtext": expected column=value',
        ]);
      });
    });
  });
}
