// Connection URIs (issue 10, findings 6 and 7): a bad location is a typed error naming the
// path, opening never creates a file (only creating a registry does), and no message, string
// form or cause chain of an error or a database shows a URL's password.
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ButlerError } from '@butler-ts/versioning';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry, openRegistry, redactUrl } from '../src/index.ts';
import { PostgresDatabase } from '../src/postgres/index.ts';
import { SqliteDatabase } from '../src/sqlite/index.ts';
import { pgAvailable, pgUrl } from './postgres-harness.ts';

const available = await pgAvailable();
const SECRET = 'S3cr3tPW';

/** Everything a user could see of an error: message, toString, stack and the inspected cause chain. */
function everything(error: unknown): string {
  return [
    String(error),
    (error as Error).message,
    (error as Error).stack ?? '',
    inspect(error, { depth: 10, showHidden: true }),
  ].join('\n');
}

async function failure(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected a failure');
}

describe('SQLite locations', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'butler-uris-'));
  });
  afterAll(() => {
    chmodSync(dir, 0o755);
    rmSync(dir, { recursive: true, force: true });
  });

  function fresh(name: string): string {
    const folder = join(dir, name);
    mkdirSync(folder);
    return folder;
  }

  it.each([
    ['openRegistry', (uri: string) => openRegistry(uri)],
    ['openRegistry read-only', (uri: string) => openRegistry(uri, { writeable: false })],
    ['createRegistry', (uri: string) => createRegistry(uri)],
  ])('%s: a missing folder is a DatabaseOpenError naming the path', async (_name, open) => {
    const folder = fresh(`missing-folder-${_name.replace(/\W/g, '')}`);
    const path = join(folder, 'no', 'such', 'gen3.sqlite3');
    const error = await failure(open(`sqlite:///${path}`));
    expect(ButlerError.is(error)).toBe(true);
    expect(error.name).toBe('DatabaseOpenError');
    expect(error['failure']).toBe('missing');
    expect(error['location']).toBe(path);
    expect(error.message).toContain(path);
    expect(readdirSync(folder)).toEqual([]);
  });

  it.each([
    ['writeable', {}],
    ['read-only', { writeable: false }],
  ])('openRegistry (%s) on a mistyped path fails and creates no file', async (_n, options) => {
    const folder = fresh(`mistyped-${_n}`);
    const path = join(folder, 'gen3.sqlite');
    const error = await failure(openRegistry(`sqlite:///${path}`, options));
    expect(error.name).toBe('DatabaseOpenError');
    expect(error['failure']).toBe('missing');
    expect(error.message).toContain(path);
    expect(readdirSync(folder)).toEqual([]);
  });

  it('openRegistry on a folder is a DatabaseOpenError, not SQLITE_CANTOPEN', async () => {
    const folder = fresh('a-folder');
    const error = await failure(openRegistry(`sqlite:///${folder}`));
    expect(error.name).toBe('DatabaseOpenError');
    expect(error['failure']).toBe('cannotOpen');
    expect(error.message).toContain(folder);
    expect(readdirSync(folder)).toEqual([]);
  });

  it.each([
    ['openRegistry', (uri: string) => openRegistry(uri)],
    ['openRegistry read-only', (uri: string) => openRegistry(uri, { writeable: false })],
    ['createRegistry', (uri: string) => createRegistry(uri)],
    ['SqliteDatabase.fromUri', (uri: string) => SqliteDatabase.fromUri(uri)],
  ])(
    '%s: a file that is not a database is a DatabaseOpenError, the file untouched',
    async (name, open) => {
      const folder = fresh(`text-${name.replace(/\W/g, '')}`);
      const path = join(folder, 'notes.txt');
      const text = 'These are notes, not a database.\n'.repeat(100);
      writeFileSync(path, text);
      const error = await failure(open(`sqlite:///${path}`));
      expect(error.name).toBe('DatabaseOpenError');
      expect(error['failure']).toBe('notADatabase');
      expect(error.message).toContain(path);
      expect(readFileSync(path, 'utf8')).toBe(text);
      expect(readdirSync(folder)).toEqual(['notes.txt']);
    },
  );

  it('only createRegistry makes the file; openRegistry then opens it', async () => {
    const folder = fresh('made');
    const uri = `sqlite:///${join(folder, 'gen3.sqlite3')}`;
    await expect(openRegistry(uri)).rejects.toMatchObject({ name: 'DatabaseOpenError' });
    await (await createRegistry(uri)).close();
    const registry = await openRegistry(uri);
    expect(await registry.attributes.empty()).toBe(false);
    await registry.close();
  });

  it.each(['sqlite:/x.db', 'sqlite://host/x.db', 'sqlite:///a.db?mode=ro', 'sqlite:x'])(
    'the malformed URI %s is an InvalidArgumentError naming it',
    async (uri) => {
      const error = await failure(openRegistry(uri));
      expect(error.name).toBe('InvalidArgumentError');
      expect(error.message).toContain(uri);
    },
  );
});

describe('passwords in URLs', () => {
  it.each([
    [
      'postgresql://alice:S3cr3tPW@127.0.0.1:5432/test',
      'postgresql://alice:***@127.0.0.1:5432/test',
    ],
    ['postgres://alice:S3cr3tPW@h/db?sslmode=require', 'postgres://alice:***@h/db?sslmode=require'],
    ['postgresql://alice:S3cr3t PW@h/db', 'postgresql://alice:***@h/db'],
    ['postgresql://alice:S3c@r3t/PW@h/db', 'postgresql://alice:***@h/db'],
    [
      'postgresql://h/db?user=alice&password=S3cr3tPW&x=1',
      'postgresql://h/db?user=alice&password=***&x=1',
    ],
    ['postgresql://alice@h/db', 'postgresql://alice@h/db'],
    ['sqlite:////tmp/a:b@c.sqlite3', 'sqlite:////tmp/a:b@c.sqlite3'],
  ])('redactUrl(%s) is %s', (uri, shown) => {
    expect(redactUrl(uri)).toBe(shown);
  });

  it.each([
    'postgresql://alice:S3cr3tPW@127.0.0.1:99999/test',
    'postgresql://alice:S3cr3t PW@127.0.0.1/test',
    'postgresql://alice:S3cr3tPW@127.0.0.1:1/test',
    'postgresql://127.0.0.1:1/test?user=alice&password=S3cr3tPW',
    'postgresql://alice:S3cr3tPW@[::1/test',
    'sqlite://alice:S3cr3tPW@host/x',
    'mysql://alice:S3cr3tPW@host/x',
  ])('openRegistry(%s) fails with a typed error that never shows the password', async (uri) => {
    for (const open of [
      () => openRegistry(uri),
      () => createRegistry(uri),
      () => openRegistry(uri, { writeable: false }),
    ]) {
      const error = await failure(open());
      expect(ButlerError.is(error)).toBe(true);
      expect(everything(error)).not.toContain(SECRET);
      expect(everything(error)).not.toContain('S3cr3t PW');
    }
  });

  it.skipIf(!available)('a refused login is a DatabaseOpenError without the password', async () => {
    const url = new URL(pgUrl);
    url.username = 'butler_no_such_role';
    url.password = SECRET;
    const error = await failure(openRegistry(url.toString()));
    expect(error.name).toBe('DatabaseOpenError');
    expect(error['failure']).toBe('connection');
    expect(error.message).toContain('butler_no_such_role:***@');
    expect(everything(error)).not.toContain(SECRET);
  });

  it.skipIf(!available)(
    'a database opened with a password shows none in url, toString, describe',
    async () => {
      // The test server trusts local logins: the password is sent and ignored.
      const url = new URL(pgUrl);
      url.password = SECRET;
      url.searchParams.set('password', SECRET);
      const db = await PostgresDatabase.fromUri(url.toString(), { poolSize: 1 });
      try {
        for (const text of [db.url, db.toString(), db.describe(), inspect(db)])
          expect(text).not.toContain(SECRET);
        expect(db.describe()).toContain(':***@');
      } finally {
        await db.close();
      }
    },
  );
});
