import { resolve as resolvePath } from 'node:path';
import { redactUrl } from '@butler-ts/registry-sql';
import { RegistryUriError } from './errors.ts';

/** Where a registry lives, as the command understood its URI. */
export type RegistryLocation =
  | {
      readonly engine: 'sqlite';
      /** The URI to open (`sqlite:///` plus the absolute path). */
      readonly uri: string;
      /** The absolute path of the file. */
      readonly filename: string;
      /** The URI for messages. */
      readonly display: string;
    }
  | {
      readonly engine: 'postgresql';
      readonly uri: string;
      /** The URI for messages, password hidden. */
      readonly display: string;
    };

/**
 * The URI with its password (if any, also in a `password=` query parameter, also when the
 * URI does not parse) replaced by `***`, for messages.
 */
export function maskUri(uri: string): string {
  return redactUrl(uri);
}

const USAGE = 'use sqlite:///<path> (sqlite:////<absolute path>) or postgresql://user@host:port/db';

/**
 * Parses a registry URI as the command accepts it: `sqlite:///<path>` (SQLAlchemy style, so
 * `sqlite:///rel.sqlite3` is relative to the working directory and `sqlite:////abs.sqlite3`
 * absolute) or `postgresql://user@host:port/db` (`postgres://` too). In-memory SQLite
 * (`sqlite://`, `sqlite:///:memory:`) is refused: it would vanish when the command ends.
 *
 * @throws {@link RegistryUriError} for anything else, naming the URI (password hidden).
 * @example
 * ```ts
 * parseRegistryUri('sqlite:////data/repo/gen3.sqlite3').engine; // 'sqlite'
 * ```
 */
export function parseRegistryUri(uri: string): RegistryLocation {
  const display = maskUri(uri);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase();
  if (scheme === 'sqlite') {
    const rest = uri.slice('sqlite:'.length);
    if (rest.includes('?'))
      throw new RegistryUriError(
        display,
        `Registry URI ${JSON.stringify(display)} has query parameters, which butler-ts does not take; ${USAGE}`,
      );
    if (rest === '' || rest === '//' || rest === '///' || rest === '///:memory:')
      throw new RegistryUriError(
        display,
        `Registry URI ${JSON.stringify(display)} is an in-memory SQLite database, which would vanish when the command ends; give a file: sqlite:///<path>`,
      );
    if (!rest.startsWith('///'))
      throw new RegistryUriError(
        display,
        `Registry URI ${JSON.stringify(display)} is not sqlite:///<path>; ${USAGE}`,
      );
    const filename = resolvePath(rest.slice(3));
    return { engine: 'sqlite', uri: `sqlite:///${filename}`, filename, display };
  }
  if (scheme === 'postgresql' || scheme === 'postgres') {
    let parsed: URL;
    try {
      parsed = new URL(uri);
    } catch (error) {
      // No cause: the URL parser's error holds the whole input, password included.
      throw new RegistryUriError(
        display,
        `Registry URI ${JSON.stringify(display)} is not a valid PostgreSQL URL (${(error as Error).message}); ${USAGE}`,
      );
    }
    if (parsed.hostname === '' && !parsed.searchParams.has('host'))
      throw new RegistryUriError(
        display,
        `Registry URI ${JSON.stringify(display)} names no host; ${USAGE}`,
      );
    return { engine: 'postgresql', uri, display };
  }
  throw new RegistryUriError(
    display,
    scheme === undefined
      ? `${JSON.stringify(display)} is not a registry URI; ${USAGE}`
      : `Unsupported registry URI scheme ${JSON.stringify(`${scheme}:`)} in ${JSON.stringify(display)}; ${USAGE}`,
  );
}

const URI_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** Whether `text` is a registry URI (`sqlite:`, `postgresql:`…) rather than a folder. */
export function isRegistryUri(text: string): boolean {
  // `C:\…` is a path; `file:` names a folder.
  return URI_SCHEME.test(text) && !/^[A-Za-z]:[\\/]/.test(text) && !text.startsWith('file:');
}
