const BRANDS = Symbol.for('@butler-ts/versioning:brands');

type Branded = { readonly [BRANDS]?: ReadonlySet<symbol> };

/**
 * Base class of every butler-ts error.
 *
 * Each subclass declares a `static readonly brand` made with `Symbol.for`, so that
 * `SomeError.is(value)` recognises errors thrown by another copy of the same package,
 * where `instanceof` would not.
 *
 * @example
 * ```ts
 * class TableMissingError extends ButlerError {
 *   static override readonly brand = Symbol.for('@my-plugin:TableMissingError');
 *   override readonly name = 'TableMissingError';
 * }
 * if (TableMissingError.is(caught)) …
 * ```
 */
export class ButlerError extends Error {
  /** The brand of this class; subclasses override it with their own `Symbol.for` key. */
  static readonly brand: symbol = Symbol.for('@butler-ts/versioning:ButlerError');
  /**
   * The class name, `'ButlerError'`; each subclass sets its own so logs and stack traces name it.
   */
  override readonly name: string = 'ButlerError';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    const brands = new Set<symbol>();
    for (
      let cls: unknown = new.target;
      typeof cls === 'function';
      cls = Object.getPrototypeOf(cls)
    ) {
      if (Object.hasOwn(cls, 'brand')) brands.add((cls as unknown as { brand: symbol }).brand);
    }
    Object.defineProperty(this, BRANDS, { value: brands, enumerable: false });
  }

  /** Whether `value` is an error of this class (or a subclass), from any copy of its package. */
  static is<T>(
    this: { readonly brand: symbol; readonly prototype: T },
    value: unknown,
  ): value is T {
    if (typeof value !== 'object' || value === null) return false;
    return (value as Branded)[BRANDS]?.has(this.brand) === true;
  }
}
