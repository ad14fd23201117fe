import { ReadOnlyDatabaseError, checkOptions } from '@butler-ts/registry-interfaces';
import type { Database, TransactionOptions } from '@butler-ts/registry-interfaces';

const TRANSACTION_OPTIONS = ['interrupting', 'savepoint', 'lock'] as const;

/**
 * Checks the options of `Database.transaction` before anything runs: no unknown keys, and no
 * `lock` on a read-only database (whose locks would only stall the writers).
 */
export function checkTransactionOptions(db: Database, options: TransactionOptions): void {
  checkOptions('Database.transaction', options, TRANSACTION_OPTIONS);
  const lock = options.lock ?? [];
  if (lock.length > 0 && !db.isWriteable()) {
    throw new ReadOnlyDatabaseError(
      `Read-only database ${db.toString()} cannot lock tables (${lock.map((t) => t.name).join(', ')})`,
    );
  }
}
