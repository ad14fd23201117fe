import { LookupError, TypeMismatchError } from '@butler-ts/core';
import { ResourcePath } from './resource-path.ts';

/** Component name → URI, as given to {@link DatasetRefURIs}. */
export type ComponentURIs =
  ReadonlyMap<string, ResourcePath> | Readonly<Record<string, ResourcePath>>;

function quote(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/**
 * The URIs of one dataset: the primary URI (null when the dataset is split into
 * components) and the URI of each stored component.
 *
 * Behaves as the two-element sequence `(primary, components)` of daf_butler: `length` is 2,
 * {@link DatasetRefURIs.get} takes index 0 or 1 and iteration destructures
 * (`const [primary, components] = uris`). Elements cannot be assigned by index (the instance
 * is not extensible, so `uris[0] = …` throws a `TypeError`), while the two fields can be
 * reassigned by name.
 *
 * Unlike the Python class, where any two instances compare equal (a dataclass without
 * fields), {@link DatasetRefURIs.equals} compares the URIs.
 *
 * @example
 * ```ts
 * const uris = new DatasetRefURIs(new ResourcePath('mem://metric?visit=52'));
 * const [primary, components] = uris;
 * [...uris.iterAll()].map(String); // ['mem://metric?visit=52']
 * ```
 */
export class DatasetRefURIs implements Iterable<ResourcePath | null | Map<string, ResourcePath>> {
  /** The URI of the whole dataset, or `null`. */
  primaryURI: ResourcePath | null;
  /** The URI of each component stored on its own. */
  componentURIs: Map<string, ResourcePath>;

  /**
   * `primaryURI` must be a ResourcePath or null and each component URI a ResourcePath
   * (constructor checks); a null or empty `componentURIs` gives an empty map.
   *
   * @throws `TypeMismatchError` for anything else.
   */
  constructor(primaryURI: ResourcePath | null = null, componentURIs: ComponentURIs | null = null) {
    if (primaryURI !== null && !(primaryURI instanceof ResourcePath)) {
      throw new TypeMismatchError('primaryURI must be a ResourcePath or null', {
        expected: 'ResourcePath',
      });
    }
    this.primaryURI = primaryURI;
    const entries: [string, ResourcePath][] =
      componentURIs === null
        ? []
        : componentURIs instanceof Map
          ? [...(componentURIs as ReadonlyMap<string, ResourcePath>)]
          : Object.entries(componentURIs as Readonly<Record<string, ResourcePath>>);
    for (const [name, uri] of entries) {
      if (!(uri instanceof ResourcePath)) {
        throw new TypeMismatchError(`Component URI ${name} must be a ResourcePath`, {
          expected: 'ResourcePath',
        });
      }
    }
    this.componentURIs = new Map(entries);
    Object.preventExtensions(this);
  }

  /** Always 2: (primary, components). */
  get length(): 2 {
    return 2;
  }

  /**
   * Element 0 (the primary URI) or 1 (the component map).
   *
   * @throws `LookupError` (kind `'index'`, Python's `IndexError`) for any other index,
   *   negative ones included.
   */
  get(index: 0): ResourcePath | null;
  get(index: 1): Map<string, ResourcePath>;
  get(index: number): ResourcePath | null | Map<string, ResourcePath>;
  get(index: number): ResourcePath | null | Map<string, ResourcePath> {
    if (index === 0) return this.primaryURI;
    if (index === 1) return this.componentURIs;
    throw new LookupError('list index out of range', { kind: 'index', key: String(index) });
  }

  /** Yields the primary URI, then the component map. */
  *[Symbol.iterator](): Iterator<ResourcePath | null | Map<string, ResourcePath>> {
    yield this.primaryURI;
    yield this.componentURIs;
  }

  /** Every URI: the primary one first (if not null), then the component URIs. */
  *iterAll(): IterableIterator<ResourcePath> {
    if (this.primaryURI !== null) yield this.primaryURI;
    yield* this.componentURIs.values();
  }

  /** Same primary URI and same component URIs; `other` must be a DatasetRefURIs. */
  equals(other: unknown): boolean {
    if (!(other instanceof DatasetRefURIs)) return false;
    if ((this.primaryURI === null) !== (other.primaryURI === null)) return false;
    if (this.primaryURI !== null && !this.primaryURI.equals(other.primaryURI)) return false;
    if (this.componentURIs.size !== other.componentURIs.size) return false;
    for (const [name, uri] of this.componentURIs) {
      if (!uri.equals(other.componentURIs.get(name))) return false;
    }
    return true;
  }

  /** `DatasetRefURIs(ResourcePath("file:///1/2/3"), {'comp': ResourcePath("file:///a/b/c")})`. */
  toString(): string {
    const components = [...this.componentURIs]
      .map(([name, uri]) => `${quote(name)}: ${uri.repr()}`)
      .join(', ');
    return `DatasetRefURIs(${this.primaryURI === null ? 'None' : this.primaryURI.repr()}, {${components}})`;
  }
}
