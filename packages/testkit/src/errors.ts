/** Anything with a brand check, such as a `ButlerError` subclass. */
export interface BrandedErrorClass {
  readonly name: string;
  is(value: unknown): boolean;
}

/**
 * A predicate for `expect(…).rejects.toSatisfy(…)` that recognises errors of `cls` by brand
 * (so it works across copies of a package, where `instanceof` would not).
 */
export function isError(cls: BrandedErrorClass): (error: unknown) => boolean {
  return (error) => cls.is(error);
}

/** The error a promise rejects with, or `undefined` when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error;
  }
}
