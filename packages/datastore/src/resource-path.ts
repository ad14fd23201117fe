import { access } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InvalidValueError } from '@butler-ts/core';
import { DatastoreNotSupportedError } from './errors.ts';

/**
 * A URI of a dataset artifact (the part of `lsst.resources.ResourcePath` datastores need):
 * `mem://…` for in-memory datasets, `file://…` for files.
 *
 * Immutable. Parsed with the WHATWG `URL` parser; a plain path becomes a `file:` URI (relative
 * paths resolved against the working directory).
 *
 * @example
 * ```ts
 * const uri = new ResourcePath('mem://metric?instrument=dummy&visit=52#predicted');
 * uri.scheme; // 'mem'
 * uri.fragment; // 'predicted'
 * await uri.exists(); // true: a mem:// resource always exists
 * ```
 */
export class ResourcePath {
  readonly #url: URL;

  /**
   * `uri` is a URI string, a `URL`, another ResourcePath (constructor checks), or a file path.
   *
   * @throws `InvalidValueError` for a string that is neither a URI nor a path.
   */
  constructor(uri: string | URL | ResourcePath) {
    if (uri instanceof ResourcePath) {
      this.#url = new URL(uri.#url.href);
    } else if (uri instanceof URL) {
      this.#url = new URL(uri.href);
    } else if (typeof uri === 'string' && uri !== '') {
      this.#url =
        /^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri) && !/^[A-Za-z]:[\\/]/.test(uri)
          ? parse(uri)
          : pathToFileURL(isAbsolute(uri) ? uri : resolve(uri));
    } else {
      throw new InvalidValueError(`A ResourcePath needs a URI or a path, got ${String(uri)}`, uri);
    }
  }

  /** The scheme without the colon: `'mem'`, `'file'`. */
  get scheme(): string {
    return this.#url.protocol.slice(0, -1);
  }

  /** The network location (host and port); for `mem://name?…` the name. */
  get netloc(): string {
    return this.#url.host;
  }

  /** The path component. */
  get path(): string {
    return this.#url.pathname;
  }

  /** The query without the `?`, or `''`. */
  get query(): string {
    return this.#url.search.slice(1);
  }

  /** The fragment without the `#`, or `''`. */
  get fragment(): string {
    return this.#url.hash.slice(1);
  }

  /** The full URI text. */
  geturl(): string {
    return this.#url.href;
  }

  /** The local path of a `file:` URI, or `null` for other schemes. */
  get ospath(): string | null {
    return this.scheme === 'file' ? fileURLToPath(this.#url) : null;
  }

  /**
   * Whether the resource exists: always true for `mem:` (as `lsst.resources` says), a file
   * system check for `file:`.
   *
   * @throws {@link DatastoreNotSupportedError} for any other scheme.
   */
  async exists(): Promise<boolean> {
    switch (this.scheme) {
      case 'mem':
        return true;
      case 'file':
        try {
          await access(fileURLToPath(this.#url));
          return true;
        } catch {
          return false;
        }
      default:
        throw new DatastoreNotSupportedError(
          `Cannot check whether ${this.geturl()} exists: scheme ${this.scheme} is not supported`,
          { operation: 'exists' },
        );
    }
  }

  /** Same URI text; `other` must be a ResourcePath (a constructor check). */
  equals(other: unknown): boolean {
    return other instanceof ResourcePath && other.#url.href === this.#url.href;
  }

  /** Python's repr: `ResourcePath("file:///1/2/3")`. */
  repr(): string {
    return `ResourcePath(${JSON.stringify(this.#url.href)})`;
  }

  /** The URI text. */
  toString(): string {
    return this.#url.href;
  }

  /** The URI text. */
  toJSON(): string {
    return this.#url.href;
  }
}

function parse(uri: string): URL {
  try {
    return new URL(uri);
  } catch (error) {
    throw new InvalidValueError(`Not a valid URI: ${uri}`, uri, { cause: error });
  }
}
