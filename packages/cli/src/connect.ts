import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { InvalidIdentifierError } from '@butler-ts/ddl';
import { DatabaseOpenError } from '@butler-ts/registry-interfaces';
import type { Database } from '@butler-ts/registry-interfaces';
import { DatabaseConnectionError, RegistryUriError } from './errors.ts';
import type { RegistryLocation } from './uri.ts';

/** How a command opens its database. */
export interface ConnectOptions {
  /** Open for writing; commands that only read open read-only. */
  readonly writeable: boolean;
  /** The PostgreSQL schema (`--namespace`); refused for SQLite. */
  readonly namespace?: string | undefined;
  /** For `create`: the SQLite file may be missing (its folder must exist). */
  readonly creating?: boolean;
}

/** The text of an error, including the parts of an `AggregateError` (whose own message is often empty). */
export function errorText(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    const parts = error.errors.map((e) => errorText(e));
    return [...new Set(parts)].join('; ');
  }
  if (error instanceof Error) {
    if (error.message !== '') return error.message;
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? code : error.name;
  }
  return String(error);
}

/** Checks what can be checked before opening, so the common mistakes get a clear message. */
export function checkLocation(location: RegistryLocation, options: ConnectOptions): void {
  if (location.engine === 'sqlite') {
    if (options.namespace !== undefined)
      throw new RegistryUriError(
        location.display,
        `--namespace applies to PostgreSQL only; a SQLite registry is the whole file ${location.filename}`,
      );
    if (options.creating === true) {
      const folder = dirname(location.filename);
      if (!existsSync(folder) || !statSync(folder).isDirectory())
        throw new RegistryUriError(
          location.display,
          `Cannot create ${location.filename}: folder ${folder} does not exist`,
        );
    } else if (!existsSync(location.filename)) {
      throw new RegistryUriError(
        location.display,
        `No registry file at ${location.filename} (from ${JSON.stringify(location.display)})`,
      );
    } else if (!statSync(location.filename).isFile()) {
      throw new RegistryUriError(location.display, `${location.filename} is not a file`);
    }
  }
}

/**
 * Opens the database of a registry without declaring any table, so a command can look at a
 * registry that `openRegistry` would refuse. Close it when done.
 *
 * @throws {@link RegistryUriError} for a missing SQLite file or a `--namespace` on SQLite.
 * @throws {@link DatabaseConnectionError} naming the file or server when the server cannot be
 *   reached or the file is not a SQLite database.
 */
export async function openDatabase(
  location: RegistryLocation,
  options: ConnectOptions,
): Promise<Database> {
  checkLocation(location, options);
  if (location.engine === 'sqlite') {
    // Loaded on demand: a PostgreSQL user never loads the SQLite driver, and the reverse.
    const { SqliteDatabase } = await import('@butler-ts/registry-sql/sqlite');
    try {
      const db = await SqliteDatabase.fromUri(location.uri, { writeable: options.writeable });
      // The driver reads the file lazily: list its tables now, so that a file that is not a
      // SQLite database fails here, named, rather than in the first command's query.
      await db.tableNames().catch(async (error: unknown) => {
        await db.close();
        throw error;
      });
      return db;
    } catch (error) {
      // It names the file and says what is wrong with it.
      if (DatabaseOpenError.is(error)) throw error;
      throw new DatabaseConnectionError(
        location.display,
        `Cannot open SQLite file ${location.filename}: ${errorText(error)}`,
        { cause: error },
      );
    }
  }
  const { PostgresDatabase } = await import('@butler-ts/registry-sql/postgres');
  try {
    return await PostgresDatabase.fromUri(location.uri, {
      writeable: options.writeable,
      poolSize: 2,
      ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    });
  } catch (error) {
    // Bad namespaces are the user's input: keep their own (typed, clear) error.
    if (InvalidIdentifierError.is(error)) throw error;
    // It names the URL (password hidden) and says what the server answered.
    if (DatabaseOpenError.is(error)) throw error;
    throw new DatabaseConnectionError(
      location.display,
      `Cannot connect to ${location.display}: ${errorText(error)}`,
      { cause: error },
    );
  }
}
