/**
 * Where core reports what Python would log: a converter that cannot be resolved and is
 * dropped (a warning), a converter that throws (an error), a lookup-key fallback (debug).
 */
export interface Logger {
  debug(message: string): void;
  warn(message: string): void;
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
