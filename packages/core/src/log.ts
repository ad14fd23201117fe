/**
 * Where core reports what Python would log: a converter that cannot be resolved and is
 * dropped (a warning), a converter that throws (an error), a lookup-key fallback (debug).
 */
export interface Logger {
  /** Diagnostic detail that needs no action; {@link consoleLogger} drops it. */
  debug(message: string): void;
  /** Something was skipped but work goes on, e.g. a converter that cannot be resolved. */
  warn(message: string): void;
  /** Something failed and the error is about to be thrown, e.g. a converter that threw. */
  error(message: string): void;
}

/**
 * The default {@link Logger}: warnings and errors go to the console (as Python's last-resort
 * logging handler prints them to stderr), debug messages are dropped.
 */
export const consoleLogger: Logger = Object.freeze({
  debug(): void {},
  warn(message: string): void {
    console.warn(message);
  },
  error(message: string): void {
    console.error(message);
  },
});
