// The two engines the tests run on: a SQLite file in a temporary folder, and a fresh schema on
// the PostgreSQL test server.
import { join } from 'node:path';
import { tableSpec } from '@butler-ts/ddl';
import { createRegistry, openRegistry } from '@butler-ts/registry-sql';
import type { Registry } from '@butler-ts/registry-sql';
import { dropSchemas, freshSchema, pgUrl, tempDir } from './helpers.ts';

/** One place for a registry, as the command line and the registry API name it. */
export interface Place {
  /** The registry URI. */
  readonly uri: string;
  /** Extra command-line arguments (`--namespace` on PostgreSQL). */
  readonly args: readonly string[];
  /** The namespace to pass to the registry API. */
  readonly namespace?: string;
}

/** An engine the tests run on. */
export interface Engine {
  readonly name: string;
  /** A place where no registry exists yet. */
  place(): Place;
  /** Removes everything the places made. */
  cleanup(): Promise<void>;
}

/** SQLite files in one temporary folder. */
export function sqliteEngine(): Engine {
  const temp = tempDir('sqlite');
  let n = 0;
  return {
    name: 'SQLite',
    place: () => ({ uri: `sqlite:///${join(temp.dir, `registry-${n++}.sqlite3`)}`, args: [] }),
    cleanup: () => {
      temp.remove();
      return Promise.resolve();
    },
  };
}

/** Fresh schemas on the test server, dropped at cleanup. */
export function postgresEngine(prefix: string): Engine {
  const schemas: string[] = [];
  return {
    name: 'PostgreSQL',
    place: () => {
      const namespace = freshSchema(prefix);
      schemas.push(namespace);
      return { uri: pgUrl, args: ['--namespace', namespace], namespace };
    },
    cleanup: () => dropSchemas(schemas),
  };
}

/** The registry API's options for a place. */
export function apiOptions(place: Place): { namespace?: string } {
  return place.namespace === undefined ? {} : { namespace: place.namespace };
}

/** Creates a registry at `place` with the registry API. */
export function createAt(place: Place): Promise<Registry> {
  return createRegistry(place.uri, apiOptions(place));
}

/** Opens the registry at `place` for writing with the registry API. */
export function openAt(place: Place): Promise<Registry> {
  return openRegistry(place.uri, apiOptions(place));
}

/** The spec of the records table the dump tests use: a composite primary key and every kind of value. */
export const RECORDS_SPEC = tableSpec({
  fields: [
    { name: 'dataset_id', dtype: 'uuid', primaryKey: true },
    { name: 'component', dtype: 'string', length: 32, primaryKey: true },
    { name: 'path', dtype: 'string', length: 256, nullable: false },
    { name: 'file_size', dtype: 'bigint' },
    { name: 'checked', dtype: 'boolean' },
    { name: 'checksum', dtype: 'binary' },
    { name: 'note', dtype: 'text' },
    { name: 'added', dtype: 'timestamp' },
  ],
});

const ID_A = '00000000-0000-4000-8000-00000000000a';
const ID_B = '00000000-0000-4000-8000-00000000000b';
const ID_C = '00000000-0000-4000-8000-00000000000c';

/** The rows of the records table, in primary-key order. */
export const RECORDS = [
  {
    dataset_id: ID_A,
    component: 'image',
    path: 'a/image.fits',
    file_size: 42,
    checked: true,
    checksum: new Uint8Array([0, 1, 2, 255]),
    note: 'plain',
    added: new Date('2024-05-01T12:00:00.123Z'),
  },
  {
    dataset_id: ID_A,
    component: 'mask',
    path: 'a/mask.fits',
    file_size: 7,
    checked: false,
    checksum: null,
    note: 'comma, "quotes"\nand a newline',
    added: null,
  },
  {
    dataset_id: ID_A,
    component: 'variance',
    path: 'a/variance.fits',
    file_size: 42,
    checked: true,
    checksum: null,
    note: '',
    added: null,
  },
  {
    dataset_id: ID_B,
    component: 'image',
    path: 'b/image.fits',
    file_size: 9_007_199_254_740_991,
    checked: null,
    checksum: new Uint8Array([]),
    note: null,
    added: new Date('2023-01-02T03:04:05.000Z'),
  },
  {
    dataset_id: ID_C,
    component: 'image',
    path: 'c/image.fits',
    file_size: -1,
    checked: false,
    checksum: null,
    note: 'ünïcödé',
    added: null,
  },
] as const;

/** The spec of a table without a primary key. */
export const LOOSE_SPEC = tableSpec({
  fields: [
    { name: 'a', dtype: 'integer' },
    { name: 'b', dtype: 'string', length: 16 },
  ],
});

/** Rows of the table without a primary key: duplicates and NULLs. */
export const LOOSE = [
  { a: 1, b: 'x' },
  { a: 1, b: 'x' },
  { a: null, b: 'y' },
  { a: 2, b: null },
  { a: 1, b: 'x' },
  { a: null, b: null },
  { a: 2, b: 'z' },
  { a: 1, b: 'x' },
  { a: null, b: null },
] as const;

/** Creates a registry at `place` holding the records table and the table without a key. */
export async function fillRegistry(place: Place): Promise<void> {
  const registry = await createAt(place);
  try {
    const records = await registry.opaque.register('file_records', RECORDS_SPEC);
    await records.insert(RECORDS.map((r) => ({ ...r })));
    const loose = await registry.opaque.register('loose', LOOSE_SPEC);
    await loose.insert(LOOSE.map((r) => ({ ...r })));
    await registry.opaque.register('empty_records', RECORDS_SPEC);
  } finally {
    await registry.close();
  }
}
