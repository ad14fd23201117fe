import { InvalidArgumentError, UnknownOptionError } from './errors.ts';

/**
 * Checks an options object before anything runs: `undefined` or a plain object whose keys are
 * all among `known`. Implementations of the abstract classes here call it on every options
 * argument, so that an option nobody reads (a typo, an option of another method) fails
 * instead of being ignored.
 *
 * @param method The name the error message uses, e.g. `Database.insert`.
 * @throws {@link UnknownOptionError} for a key not in `known`.
 * @throws {@link InvalidArgumentError} when `options` is not an object.
 * @example
 * ```ts
 * checkOptions('Database.insert', options, ['returnIds']);
 * ```
 */
export function checkOptions(method: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new InvalidArgumentError(
      `The options of ${method} must be an object, not ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`,
    );
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new UnknownOptionError(method, key, known);
  }
}
