// Lists of values this package has already checked and normalised for one column, so the
// query compiler need not check them again (an opaque fetch of 10 000 ids would otherwise
// parse every UUID twice). Only arrays built here, never mutated afterwards, are marked; a
// list from anywhere else is checked as usual.
import type { FieldSpec } from '@butler-ts/ddl';

const lists = new WeakMap<readonly unknown[], FieldSpec>();

/** Marks `values` (non-null, canonical for `field`) and returns it. */
export function canonicalList<T extends readonly unknown[]>(values: T, field: FieldSpec): T {
  lists.set(values, field);
  return values;
}

/** Whether `values` was marked canonical for exactly this `field` object. */
export function isCanonicalList(values: readonly unknown[], field: FieldSpec): boolean {
  return lists.get(values) === field;
}
