import { TypeMismatchError, consoleLogger } from '@butler-ts/core';
import type { Logger } from '@butler-ts/core';
import type { UndoTransaction } from '@butler-ts/registry-interfaces';

/** An undo action as a transaction keeps it. */
export interface UndoEvent {
  /** What is undone, for logs (e.g. `'put'`, `'Trash 3 datasets'`). */
  readonly name: string;
  /** Reverts the action; may be async. */
  readonly undo: () => unknown;
}

/** Where a transaction is in its life. */
export type TransactionState = 'open' | 'committed' | 'rolledBack';

/** Options of the {@link DatastoreTransaction} constructor. */
export interface DatastoreTransactionOptions {
  /** Where failing undo actions are reported; default the parent's, else the console. */
  readonly logger?: Logger;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * The undo log of one datastore transaction. Implements registry-interfaces'
 * `UndoTransaction`, so bridges can register their own undo actions in it.
 *
 * Usually made by `Datastore.transaction`, which opens one per block: the block's undo
 * actions go to it; when the block succeeds they are handed to the parent transaction
 * ({@link DatastoreTransaction.commit}), so a failure further out still undoes them; when it
 * fails they are run newest first ({@link DatastoreTransaction.rollback}).
 *
 * Arguments are captured by the undo closure (Python stores them beside the function).
 *
 * @example
 * ```ts
 * const txn = new DatastoreTransaction();
 * await txn.undoWith('create file', () => rm(path), () => writeFile(path, data));
 * await txn.rollback(); // removes the file
 * ```
 */
export class DatastoreTransaction implements UndoTransaction {
  /** The enclosing transaction, or `null` for an outermost one. */
  readonly parent: DatastoreTransaction | null;
  /** Where failing undo actions are reported. */
  readonly logger: Logger;
  #log: UndoEvent[] = [];
  #state: TransactionState = 'open';

  /**
   * @throws `TypeMismatchError` unless `parent` is a DatastoreTransaction or null (a
   *   constructor check).
   */
  constructor(
    parent: DatastoreTransaction | null = null,
    options: DatastoreTransactionOptions = {},
  ) {
    if (parent !== null && !(parent instanceof DatastoreTransaction)) {
      throw new TypeMismatchError('The parent of a DatastoreTransaction must be one', {
        expected: 'DatastoreTransaction',
      });
    }
    this.parent = parent;
    this.logger = options.logger ?? parent?.logger ?? consoleLogger;
  }

  /** `'open'`, then `'committed'` or `'rolledBack'`. */
  get state(): TransactionState {
    return this.#state;
  }

  /** The undo actions registered so far, oldest first (a copy). */
  get log(): readonly UndoEvent[] {
    return Object.freeze([...this.#log]);
  }

  /**
   * Adds an undo action. On a transaction that has already ended (an async action that
   * outlived its block) the action goes where it would have gone at the end: to the parent
   * of a committed transaction (dropped for an outermost one, as a commit forgets), or it
   * runs at once for a rolled-back one.
   */
  registerUndo(name: string, undo: () => unknown): void {
    const event = Object.freeze({ name, undo });
    switch (this.#state) {
      case 'open':
        this.#log.push(event);
        return;
      case 'committed':
        this.parent?.registerUndo(name, undo);
        return;
      case 'rolledBack':
        void this.#runUndo(event);
        return;
    }
  }

  /**
   * Runs `body`; if it completes, registers `undo` and returns the body's result. If it
   * throws, nothing is registered and the error propagates.
   */
  async undoWith<T>(name: string, undo: () => unknown, body: () => T | Promise<T>): Promise<T> {
    const result = await body();
    this.registerUndo(name, undo);
    return result;
  }

  /**
   * Runs the undo actions, newest first, until the log is empty (actions added meanwhile run
   * too). A failing action is logged as a warning naming it, and the others still run.
   */
  async rollback(): Promise<void> {
    this.#state = 'rolledBack';
    for (let event = this.#log.pop(); event !== undefined; event = this.#log.pop()) {
      await this.#runUndo(event);
    }
  }

  /**
   * Ends the transaction successfully: a nested transaction hands its undo actions to its
   * parent (in order); an outermost one forgets them.
   */
  commit(): void {
    this.#state = 'committed';
    const log = this.#log;
    this.#log = [];
    if (this.parent !== null) {
      for (const event of log) this.parent.registerUndo(event.name, event.undo);
    }
  }

  async #runUndo(event: UndoEvent): Promise<void> {
    this.logger.debug(`Rolling back transaction: ${event.name}`);
    try {
      await event.undo();
    } catch (error) {
      this.logger.warn(
        `Exception caught while unrolling ${event.name}: ${describeError(error)}. Continuing.`,
      );
    }
  }
}
