// Which transaction the current async call is in, per database connection. One
// AsyncLocalStorage serves every database of the process: an enabled storage makes every
// later promise of the process pay for it (on Node 20 and 22), so one per database would
// slow the whole process down with each database ever opened, closed or not.
import { AsyncLocalStorage } from 'node:async_hooks';

const storage = new AsyncLocalStorage<ReadonlyMap<TransactionContext<unknown>, unknown>>();

/**
 * The transaction state of one connection (or one SQLite file) in the current async context.
 * A context holds nothing itself: the states live in the async call chain, so a closed
 * database leaves nothing behind.
 */
export class TransactionContext<S> {
  /** The state `run` set in this async context, or `undefined` outside of it. */
  get(): S | undefined {
    return storage.getStore()?.get(this) as S | undefined;
  }

  /** Runs `fn` with `state` as this context's state (other contexts' states are kept). */
  run<T>(state: S, fn: () => T): T {
    const next = new Map(storage.getStore());
    next.set(this, state);
    return storage.run(next, fn);
  }
}
