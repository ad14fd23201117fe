// Registries made by createRegistry on the three places the managers' tests run on: a SQLite
// file, SQLite memory and a fresh PostgreSQL schema (dropped afterwards).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry } from '../src/index.ts';
import type { Registry, RegistryOptions } from '../src/index.ts';
import { dropSchemas, freshSchema, pgUrl } from './postgres-harness.ts';

/** Where a test registry lives. */
export interface RegistryPlace {
  readonly name: 'sqlite file' | 'sqlite memory' | 'postgresql';
  /** Whether the place can be used (PostgreSQL needs a server). */
  readonly available: boolean;
  /** A new empty registry. */
  create(options?: RegistryOptions): Promise<Registry>;
  /** Closes the registries and removes what was made. */
  cleanup(): Promise<void>;
}

/** The three places, PostgreSQL marked unavailable when `pgUp` is false. */
export function registryPlaces(pgUp: boolean, prefix: string): RegistryPlace[] {
  const opened: Registry[] = [];
  const track = (r: Registry) => {
    opened.push(r);
    return r;
  };
  const closeAll = async () => {
    for (const r of opened.splice(0)) await r.close();
  };
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  let n = 0;
  const schemas: string[] = [];
  return [
    {
      name: 'sqlite file',
      available: true,
      create: (options = {}) =>
        createRegistry(`sqlite:///${join(dir, `r${n++}.sqlite3`)}`, options).then(track),
      cleanup: async () => {
        await closeAll();
        rmSync(dir, { recursive: true, force: true });
      },
    },
    {
      name: 'sqlite memory',
      available: true,
      create: (options = {}) => createRegistry('sqlite://', options).then(track),
      cleanup: closeAll,
    },
    {
      name: 'postgresql',
      available: pgUp,
      create: (options = {}) => {
        const namespace = freshSchema(prefix.replaceAll('-', '_'));
        schemas.push(namespace);
        return createRegistry(pgUrl, { ...options, namespace }).then(track);
      },
      cleanup: async () => {
        await closeAll();
        await dropSchemas(schemas);
      },
    },
  ];
}
