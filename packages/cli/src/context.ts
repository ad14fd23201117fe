import type { Writable } from 'node:stream';
import { openRegistry } from '@butler-ts/registry-sql';
import type { Registry } from '@butler-ts/registry-sql';
import { ButlerError } from '@butler-ts/versioning';
import { checkLocation, errorText } from './connect.ts';
import { DatabaseConnectionError } from './errors.ts';
import type { OutputSink } from './output.ts';
import type { RegistryLocation } from './uri.ts';

/** What a command writes to. */
export interface CommandContext {
  /** Standard output, with backpressure. */
  readonly out: OutputSink;
  /** Standard error (progress only). */
  readonly stderr: Writable;
  /** Whether standard error is a terminal (progress is shown only then). */
  readonly stderrIsTTY: boolean;
}

/** Options every command that opens a registry takes. */
export interface RegistryCommandOptions {
  readonly namespace?: string;
}

/**
 * Opens a registry read-only with `openRegistry`, which checks its managers and versions.
 *
 * @throws what `openRegistry` throws for a missing or incompatible registry, and
 *   {@link DatabaseConnectionError} when the database cannot be opened at all.
 */
export function openReadOnly(
  location: RegistryLocation,
  options: RegistryCommandOptions,
): Promise<Registry> {
  return openRegistryAt(location, options, false);
}

/**
 * Opens a registry with `openRegistry` for reading, or for reading and writing.
 *
 * @throws as {@link openReadOnly}.
 */
export async function openRegistryAt(
  location: RegistryLocation,
  options: RegistryCommandOptions,
  writeable: boolean,
): Promise<Registry> {
  checkLocation(location, { writeable, namespace: options.namespace });
  try {
    return await openRegistry(location.uri, {
      writeable,
      ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
      onWarning: () => undefined,
    });
  } catch (error) {
    // butler-ts errors already say what is wrong; driver errors need to say where.
    if (ButlerError.is(error)) throw error;
    throw new DatabaseConnectionError(
      location.display,
      location.engine === 'sqlite'
        ? `Cannot open SQLite file ${location.filename}: ${errorText(error)}`
        : `Cannot open the registry at ${location.display}: ${errorText(error)}`,
      { cause: error },
    );
  }
}

/** Runs `body` with `db`, closing it afterwards whatever happens. */
export async function using<D extends { close(): Promise<void> }, T>(
  db: D,
  body: (db: D) => Promise<T>,
): Promise<T> {
  try {
    return await body(db);
  } finally {
    await db.close();
  }
}
