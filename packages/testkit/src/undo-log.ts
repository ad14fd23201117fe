import type { UndoTransaction } from '@butler-ts/registry-interfaces';

/**
 * A minimal datastore transaction for the suites: undo actions are collected and run in
 * reverse by {@link UndoLog.rollback}; {@link UndoLog.commit} forgets them.
 */
export class UndoLog implements UndoTransaction {
  #undos: { readonly name: string; readonly undo: () => void | Promise<void> }[] = [];
  /** Errors thrown by undo actions during the last rollback (a real transaction logs them). */
  readonly failures: unknown[] = [];

  registerUndo(name: string, undo: () => void | Promise<void>): void {
    this.#undos.push({ name, undo });
  }

  async undoWith<T>(
    name: string,
    undo: () => void | Promise<void>,
    body: () => T | Promise<T>,
  ): Promise<T> {
    const result = await body();
    this.registerUndo(name, undo);
    return result;
  }

  /** Forgets the undo actions. */
  commit(): void {
    this.#undos = [];
  }

  /** Runs the undo actions, newest first, collecting their errors in `failures`. */
  async rollback(): Promise<void> {
    const undos = this.#undos.reverse();
    this.#undos = [];
    for (const { undo } of undos) {
      try {
        await undo();
      } catch (error) {
        this.failures.push(error);
      }
    }
  }
}
