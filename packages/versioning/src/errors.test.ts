import { describe, expect, it } from 'vitest';
import { ButlerError } from './butler-error.ts';
import { IncompatibleVersionError, NotImplementedError, VersionParseError } from './errors.ts';

describe('ButlerError brands', () => {
  it('recognises an error by brand and rejects other values', () => {
    const error = new VersionParseError('x', 'bad');
    expect(VersionParseError.is(error)).toBe(true);
    expect(ButlerError.is(error)).toBe(true);
    expect(IncompatibleVersionError.is(error)).toBe(false);
    expect(NotImplementedError.is(new Error('plain'))).toBe(false);
    expect(VersionParseError.is(null)).toBe(false);
    expect(VersionParseError.is('VersionParseError')).toBe(false);
    expect(error.name).toBe('VersionParseError');
  });

  it('recognises an error thrown by another copy of the package', () => {
    // A second copy has its own class objects but the same Symbol.for brand.
    class CopyOfVersionParseError extends ButlerError {
      static override readonly brand = Symbol.for('@butler-ts/versioning:VersionParseError');
    }
    expect(VersionParseError.is(new CopyOfVersionParseError('copy'))).toBe(true);
  });

  it('keeps the cause', () => {
    const cause = new Error('root');
    expect(new NotImplementedError('x', { cause }).cause).toBe(cause);
  });
});
