/**
 * The part of a datastore transaction that registry code needs: a log of undo actions run
 * (in reverse) when the transaction fails. `@butler-ts/datastore`'s `DatastoreTransaction`
 * implements it; registry code depends only on this interface.
 */
export interface UndoTransaction {
  /** Adds an undo action, run if the enclosing transaction fails. */
  registerUndo(name: string, undo: () => void | Promise<void>): void;
  /** Runs `body`; when it succeeds, registers `undo` (a failed body registers nothing). */
  undoWith<T>(
    name: string,
    undo: () => void | Promise<void>,
    body: () => T | Promise<T>,
  ): Promise<T>;
}
