// Property suite over connection URIs (issue 10, reliability suite): for generated URIs and
// options, openRegistry and createRegistry either open a registry or fail with a typed
// (butler-ts) error, never a raw driver error; no message, stack or inspected cause shows the
// URL's password; and opening never creates a file. Seeded and with a fixed number of runs:
// fast-check prints the seed and path of a failing case (rerun one with BUTLER_FC_SEED).
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { inspect } from 'node:util';
import { ButlerError } from '@butler-ts/versioning';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry, openRegistry } from '../src/index.ts';
import type { Registry } from '../src/index.ts';
import { dropSchemas, freshSchema, pgAvailable, pgUrl } from './postgres-harness.ts';

const available = await pgAvailable();
const SEED = Number(process.env['BUTLER_FC_SEED'] ?? 20_260_834);

type Operation = 'open' | 'openReadOnly' | 'create';
const operations: Operation[] = ['open', 'openReadOnly', 'create'];

function run(operation: Operation, uri: string, options: { namespace?: string }) {
  if (operation === 'create') return createRegistry(uri, options);
  return openRegistry(uri, { ...options, writeable: operation === 'open' });
}

/** Every file and folder under `dir`, relative, sorted. */
function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((p) => relative(dir, join(dir, p)))
    .sort();
}

/** What a user could see of an error. */
function visible(error: unknown): string {
  return [String(error), (error as Error).stack ?? '', inspect(error, { depth: 10 })].join('\n');
}

/**
 * A password that cannot appear by chance: a marker and random characters, some of which
 * need escaping in a URL (they are put in raw, as a user would paste them).
 */
const password = fc
  .tuple(
    fc.stringMatching(/^[A-Za-z0-9]{3,8}$/),
    fc.constantFrom('', '/', '@', ' ', '%', '#', '?', ':', '%40'),
    fc.stringMatching(/^[A-Za-z0-9]{0,4}$/),
  )
  .map(([a, special, b]) => `Pw9${a}${special}${b}`);

/** The parts of the password that must never show (its alphanumeric runs of 4+). */
function secretParts(pw: string): string[] {
  return [pw, ...(pw.match(/[A-Za-z0-9]{4,}/g) ?? [])];
}

async function check(
  operation: Operation,
  uri: string,
  pw: string,
  options: { namespace?: string },
  sandbox: string | null,
): Promise<void> {
  const before = sandbox === null ? [] : listing(sandbox);
  let registry: Registry | undefined;
  try {
    registry = await run(operation, uri, options);
  } catch (error) {
    if (!ButlerError.is(error))
      throw new Error(
        `${operation}(${JSON.stringify(uri)}) threw an untyped error: ${inspect(error)}`,
        { cause: error },
      );
    const text = visible(error);
    for (const secret of secretParts(pw))
      if (text.includes(secret))
        throw new Error(`${operation}(${JSON.stringify(uri)}) showed the password: ${text}`, {
          cause: error,
        });
  } finally {
    await registry?.close();
  }
  if (registry !== undefined) {
    for (const text of [registry.db.toString(), registry.db.describe()])
      for (const secret of secretParts(pw)) expect(text).not.toContain(secret);
  }
  if (sandbox !== null && operation !== 'create') expect(listing(sandbox)).toEqual(before);
}

describe('connection URI properties on SQLite', () => {
  let root: string;
  let template: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'butler-uri-props-'));
    template = join(root, 'template.sqlite3');
    await (await createRegistry(`sqlite:///${template}`)).close();
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  let n = 0;
  /** A fresh folder holding a registry, a sub-folder, a text file and an empty file. */
  function sandbox(): string {
    const dir = join(root, `run${n++}`);
    mkdirSync(join(dir, 'folder'), { recursive: true });
    copyFileSync(template, join(dir, 'registry.sqlite3'));
    writeFileSync(join(dir, 'notes.txt'), 'not a database\n'.repeat(50));
    writeFileSync(join(dir, 'empty.sqlite3'), '');
    return dir;
  }

  const target = fc.oneof(
    fc.constantFrom(
      'registry.sqlite3',
      'folder',
      'notes.txt',
      'empty.sqlite3',
      'missing.sqlite3',
      'folder/missing.sqlite3',
      'no/such/folder/x.sqlite3',
      'notes.txt/x.sqlite3',
      '',
    ),
    fc.string({ maxLength: 12 }),
  );

  it('opens, or fails typed, without showing the password or creating a file on open', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...operations),
        fc.constantFrom(
          'sqlite:',
          'sqlite:/',
          'sqlite://',
          'sqlite:///',
          'SQLite:///',
          'sqlite3:///',
        ),
        target,
        fc.constantFrom('', '?uri=true', '?mode=ro', '?uri=false', '?', '#x', '?password=PW'),
        fc.constantFrom('none', 'userinfo', 'memory'),
        password,
        async (operation, prefix, path, query, shape, pw) => {
          const dir = sandbox();
          let uri: string;
          if (shape === 'memory') uri = `sqlite://${query}`;
          else if (shape === 'userinfo')
            uri = `sqlite://alice:${pw}@host${join(dir, path)}${query}`;
          else uri = `${prefix}${prefix.endsWith('///') ? join(dir, path) : path}${query}`;
          uri = uri.replace('PW', pw);
          try {
            await check(operation, uri, pw, {}, dir);
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        },
      ),
      { seed: SEED, numRuns: 150, endOnFailure: true },
    );
  }, 300_000);
});

describe.skipIf(!available)('connection URI properties on PostgreSQL', () => {
  const schemas: string[] = [];
  afterAll(() => dropSchemas(schemas));
  const server = new URL(pgUrl);
  const user = decodeURIComponent(server.username) || 'postgres';
  const database = server.pathname.slice(1) || 'postgres';

  it('connects, or fails typed, without showing the password', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...operations),
        fc.constantFrom('postgresql', 'postgres', 'postgresq', 'PostgreSQL'),
        fc.constantFrom('', `${user}@`, `${user}:PW@`, 'butler_nobody:PW@', ':PW@'),
        fc.constantFrom(
          server.host,
          `${server.hostname}:1`,
          `${server.hostname}:99999`,
          '[::1',
          '',
          'no-such-host.invalid',
        ),
        fc.constantFrom(`/${database}`, '/butler_no_such_db', '', '/'),
        fc.constantFrom(
          '',
          '?password=PW',
          '?sslmode=disable',
          '?application_name=butler&password=PW',
        ),
        fc.constantFrom<'fresh' | 'bad'>('fresh', 'bad'),
        password,
        async (operation, scheme, userinfo, host, path, query, ns, pw) => {
          const uri = `${scheme}://${userinfo}${host}${path}${query}`.replaceAll('PW', pw);
          // Always a namespace, so nothing lands in the server's default schema.
          let namespace = 'bad name';
          if (ns === 'fresh') {
            namespace = freshSchema('butler_uri_props');
            schemas.push(namespace);
          }
          await check(operation, uri, pw, { namespace }, null);
        },
      ),
      { seed: SEED, numRuns: 60, endOnFailure: true },
    );
  }, 300_000);
});
