// The driver errors that say "try again": serialization failures, deadlocks, lock timeouts
// (PostgreSQL) and a busy database (SQLite), as typed TransientDatabaseErrors.
import { TransientDatabaseError } from '@butler-ts/registry-interfaces';
import type { TransientKind } from '@butler-ts/registry-interfaces';

const PG_CODES: Readonly<Record<string, TransientKind>> = {
  '40001': 'serialization',
  '40P01': 'deadlock',
  '55P03': 'lockTimeout',
};

/**
 * `error` as a `TransientDatabaseError` when PostgreSQL reported a serialization failure,
 * deadlock or lock timeout; otherwise `error` itself.
 */
export function pgTransient(error: unknown, where: string): unknown {
  if (TransientDatabaseError.is(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const kind = typeof code === 'string' ? PG_CODES[code] : undefined;
  if (kind === undefined) return error;
  return new TransientDatabaseError(
    kind,
    `${where}: ${(error as Error).message} (PostgreSQL ${code as string}; the transaction may be retried)`,
    { cause: error },
  );
}

/** `error` as a `TransientDatabaseError` when SQLite was busy or locked; otherwise `error`. */
export function sqliteTransient(error: unknown, where: string): unknown {
  if (TransientDatabaseError.is(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (
    typeof code !== 'string' ||
    !(code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
  )
    return error;
  return new TransientDatabaseError(
    'busy',
    `${where}: ${(error as Error).message} (${code}; the transaction may be retried)`,
    { cause: error },
  );
}
