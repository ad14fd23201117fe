// Opening a SQLite file: what can be checked is checked before the driver runs (so that a
// mistyped path creates nothing), and what the driver reports becomes a DatabaseOpenError
// naming the path.
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseOpenError } from '@butler-ts/registry-interfaces';
import type BetterSqlite3 from 'better-sqlite3';

type Client = BetterSqlite3.Database;
type Driver = new (filename: string, options: BetterSqlite3.Options) => Client;

/** How to open: writeable or not, and whether a missing file may be created. */
export interface SqliteOpenMode {
  readonly writeable: boolean;
  /** Create the file when it is missing (only when writeable). */
  readonly create: boolean;
  /** How long to wait for another process's write lock, in ms. */
  readonly busyTimeout: number;
}

function stat(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    throw new DatabaseOpenError(
      path,
      'cannotOpen',
      `Cannot open SQLite file ${path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

function checkPath(filename: string, mode: SqliteOpenMode): void {
  const file = stat(filename);
  if (file !== undefined) {
    if (file.isDirectory())
      throw new DatabaseOpenError(
        filename,
        'cannotOpen',
        `Cannot open SQLite file ${filename}: it is a folder`,
      );
    return;
  }
  const folder = dirname(filename);
  const parent = stat(folder);
  if (parent === undefined)
    throw new DatabaseOpenError(
      filename,
      'missing',
      `Cannot open SQLite file ${filename}: folder ${folder} does not exist`,
    );
  if (!parent.isDirectory())
    throw new DatabaseOpenError(
      filename,
      'missing',
      `Cannot open SQLite file ${filename}: ${folder} is not a folder`,
    );
  if (!(mode.writeable && mode.create))
    throw new DatabaseOpenError(
      filename,
      'missing',
      `No SQLite file at ${filename}${mode.writeable ? ' (only creating a registry makes one)' : ''}`,
    );
}

function openError(filename: string, error: unknown): DatabaseOpenError {
  const code = (error as { code?: unknown }).code;
  const message = (error as Error).message;
  if (code === 'SQLITE_NOTADB')
    return new DatabaseOpenError(
      filename,
      'notADatabase',
      `${filename} is not a SQLite database (${message})`,
      { cause: error },
    );
  if (error instanceof TypeError && /directory does not exist/.test(message))
    return new DatabaseOpenError(
      filename,
      'missing',
      `Cannot open SQLite file ${filename}: folder ${dirname(filename)} does not exist`,
      { cause: error },
    );
  return new DatabaseOpenError(
    filename,
    'cannotOpen',
    `Cannot open SQLite file ${filename}: ${message}${typeof code === 'string' ? ` (${code})` : ''}`,
    { cause: error },
  );
}

/**
 * Opens `filename` (or memory, for `null`) with foreign keys on, the busy timeout set and, for
 * a writeable file, WAL; reads the schema once, so that a file that is no database fails here.
 *
 * @throws `DatabaseOpenError` naming the path for a missing file (unless creating) or folder,
 *   a folder given as the file, a file that is no SQLite database or cannot be opened.
 */
export function openSqliteClient(
  Driver: Driver,
  filename: string | null,
  mode: SqliteOpenMode,
): Client {
  if (filename !== null) checkPath(filename, mode);
  let client: Client | undefined;
  try {
    client = new Driver(filename ?? ':memory:', {
      readonly: !mode.writeable,
      fileMustExist: !(mode.writeable && mode.create),
    });
    client.pragma('foreign_keys = ON');
    client.pragma(`busy_timeout = ${mode.busyTimeout}`);
    if (filename !== null && mode.writeable) client.pragma('journal_mode = WAL');
    client.prepare('SELECT count(*) FROM sqlite_master').get();
    return client;
  } catch (error) {
    if (client?.open === true) client.close();
    throw openError(filename ?? ':memory:', error);
  }
}
