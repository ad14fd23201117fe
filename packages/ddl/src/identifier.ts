import { InvalidIdentifierError } from './errors.ts';

/** The longest name any supported engine keeps unshortened (PostgreSQL's limit). */
export const MAX_IDENTIFIER_LENGTH = 63;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Checks that `name` is a plain SQL identifier: ASCII letters, digits and `_`, not starting
 * with a digit, at most 63 characters. Names are still quoted in SQL; this rule keeps them
 * portable and makes hostile names fail early with a clear error.
 *
 * @param what what the name is for, used in the message (`"table"`, `"column"`, …)
 * @throws {@link InvalidIdentifierError} naming the culprit.
 */
export function validateIdentifier(name: unknown, what = 'identifier'): string {
  if (typeof name !== 'string') {
    throw new InvalidIdentifierError(String(name), what, 'must be a string');
  }
  if (name.length === 0) throw new InvalidIdentifierError(name, what, 'must not be empty');
  if (name.length > MAX_IDENTIFIER_LENGTH) {
    throw new InvalidIdentifierError(name, what, `longer than ${MAX_IDENTIFIER_LENGTH} characters`);
  }
  if (!IDENTIFIER.test(name)) {
    throw new InvalidIdentifierError(
      name,
      what,
      'use ASCII letters, digits and underscores, not starting with a digit',
    );
  }
  return name;
}
