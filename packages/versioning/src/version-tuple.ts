import { VersionParseError } from './errors.ts';

// One piece of a version: decimal digits, optionally padded with white space (Python's int()
// accepts " 2 "); signs and underscores are refused, unlike Python, because versions are never
// negative and no registry stores them that way.
const PIECE = /^\s*(\d+)\s*$/;

function checkPart(label: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new VersionParseError(String(value), `${label} must be a non-negative safe integer`);
  }
  return value;
}

/**
 * A schema version: three non-negative integers `major.minor.patch`, compared by value.
 *
 * @example
 * ```ts
 * const v = VersionTuple.fromString('1.0.1');
 * v.equals(new VersionTuple(1, 0, 1)); // true
 * v.checkCompatibility(VersionTuple.fromString('1.0.0'), true); // true: patch levels never matter
 * ```
 */
export class VersionTuple {
  /** Incompatible schema change: code and registry must agree on it exactly. */
  readonly major: number;
  /** Backward-compatible schema change: newer code may read, but not write, an older minor. */
  readonly minor: number;
  /**
   * Change that never affects compatibility (ignored by {@link VersionTuple.checkCompatibility}).
   */
  readonly patch: number;

  /** @throws {@link VersionParseError} when a part is negative, fractional or unsafe. */
  constructor(major: number, minor: number, patch: number) {
    this.major = checkPart('major', major);
    this.minor = checkPart('minor', minor);
    this.patch = checkPart('patch', patch);
    Object.freeze(this);
  }

  /**
   * Parses `"M.m.p"`. Each part is decimal digits, white space around a part is ignored.
   *
   * @throws {@link VersionParseError} naming the string when it is not exactly three
   *   non-negative integers.
   */
  static fromString(versionStr: string): VersionTuple {
    if (typeof versionStr !== 'string') {
      throw new VersionParseError(String(versionStr), 'expected a string');
    }
    const pieces = versionStr.split('.');
    const numbers = pieces.map((piece) => PIECE.exec(piece)?.[1]);
    if (numbers.some((n) => n === undefined)) {
      throw new VersionParseError(versionStr, 'each part must be a non-negative integer');
    }
    if (numbers.length !== 3) {
      throw new VersionParseError(versionStr, 'must consist of three numbers');
    }
    const [major, minor, patch] = numbers.map(Number) as [number, number, number];
    for (const n of [major, minor, patch]) {
      if (!Number.isSafeInteger(n)) {
        throw new VersionParseError(versionStr, 'a part is too large');
      }
    }
    return new VersionTuple(major, minor, patch);
  }

  /**
   * Whether code implementing this version may use a registry at `registrySchemaVersion`.
   *
   * Majors must match. Minors may differ only when this (the code) is newer and `update`
   * is false: newer code reads an older schema but does not write it. Patch levels never
   * matter.
   */
  checkCompatibility(registrySchemaVersion: VersionTuple, update: boolean): boolean {
    if (this.major !== registrySchemaVersion.major) return false;
    if (this.minor !== registrySchemaVersion.minor) {
      return this.minor > registrySchemaVersion.minor && !update;
    }
    return true;
  }

  /** Value equality over all three parts. */
  equals(other: VersionTuple): boolean {
    return this.major === other.major && this.minor === other.minor && this.patch === other.patch;
  }

  /** Lexicographic order on (major, minor, patch): negative, zero or positive. */
  compare(other: VersionTuple): number {
    return this.major - other.major || this.minor - other.minor || this.patch - other.patch;
  }

  /** `"M.m.p"`. */
  toString(): string {
    return `${this.major}.${this.minor}.${this.patch}`;
  }

  /** `"M.m.p"`, so that versions serialise as their string form. */
  toJSON(): string {
    return this.toString();
  }
}

/**
 * Python's rule for comparing a stored version with new code (`ButlerVersionsManager.checkCompatibility`):
 * the same as {@link VersionTuple.checkCompatibility} with `newVersion` as the code's version.
 */
export function checkCompatibility(
  oldVersion: VersionTuple,
  newVersion: VersionTuple,
  update: boolean,
): boolean {
  return newVersion.checkCompatibility(oldVersion, update);
}
