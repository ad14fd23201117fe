/** Anything with a brand check, such as a `ButlerError` subclass. */
export interface BrandedErrorClass {
  is(value: unknown): boolean;
}

/** A predicate for `toSatisfy` recognising errors of `cls` by brand. */
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
