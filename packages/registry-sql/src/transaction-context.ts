// Which transaction the current async call is in, per database connection. One
// AsyncLocalStorage serves every database of the process: an enabled storage makes every
// later promise of the process pay for it (on Node 20 and 22: a promise hook on each, about
// seven times the cost of an `await`), so one per database would slow the whole process down
// with each database ever opened, closed or not. And the storage is enabled only while a
// transaction runs: when the last one ends it is disabled again, so code between
// transactions (a datastore's puts, a loop of reads) pays nothing.
import { AsyncLocalStorage } from 'node:async_hooks';

const storage = new AsyncLocalStorage<ReadonlyMap<TransactionContext<unknown>, unknown>>();

/** How many `run` calls of any context have not settled yet. */
let running = 0;

function leave(): void {
  running--;
  // No transaction is running anywhere: every state still reachable from an async context
  // belongs to a finished transaction, which `get` callers treat as none (they check that
  // the state is active), so dropping the stores changes nothing they can see.
  if (running === 0) storage.disable();
}

/**
 * How many transactions (and savepoints) of any database of the process are running; the
 * async context storage is enabled exactly while this is above zero. For tests and
 * diagnostics.
 */
export function runningTransactions(): number {
  return running;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * The transaction state of one connection (or one SQLite file) in the current async context.
 * A context holds nothing itself: the states live in the async call chain, so a closed
 * database leaves nothing behind. A state outlives its `run` only in async work that `fn`
 * started and did not await; callers mark a finished state inactive.
 */
export class TransactionContext<S> {
  /** The state `run` set in this async context, or `undefined` outside of it. */
  get(): S | undefined {
    return storage.getStore()?.get(this) as S | undefined;
  }

  /**
   * Runs `fn` with `state` as this context's state (other contexts' states are kept); when
   * `fn` returns a promise, the state counts as running until it settles.
   */
  run<T>(state: S, fn: () => T): T {
    const next = new Map(storage.getStore());
    next.set(this, state);
    running++;
    let result: T;
    try {
      result = storage.run(next, fn);
    } catch (error) {
      leave();
      throw error;
    }
    // The handlers only count; the caller still sees (and must handle) a rejection.
    if (isThenable(result)) result.then(leave, leave);
    else leave();
    return result;
  }
}
