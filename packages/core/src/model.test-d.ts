import { expectTypeOf, test } from 'vitest';
import {
  BUILTIN_TYPES,
  DatasetIdGenEnum,
  DatasetRef,
  LookupKey,
  StorageClass,
  UnknownParameterError,
  classType,
  isTuple,
  tuple,
} from './index.ts';
import type { DataIdValue, Tuple, DataCoordinate, DatasetType } from './index.ts';
import { makeRef } from './testing/index.ts';

declare const datasetType: DatasetType;

test('a DatasetRef needs a run (P-MODEL-12, compile-time)', () => {
  // @ts-expect-error the run argument is mandatory
  void (() => new DatasetRef(datasetType, { instrument: 'a', visit: 1 }));
  expectTypeOf<ConstructorParameters<typeof DatasetRef>[2]>().toEqualTypeOf<string>();
});

test('model values are read-only', () => {
  const ref = makeRef('m', 'ThingOne', {});
  // @ts-expect-error id is readonly
  ref.id = 'x';
  // @ts-expect-error run is readonly
  ref.run = 'x';
  const key = new LookupKey({ name: 'a' });
  // @ts-expect-error name is readonly
  key.name = 'b';
  const sc = new StorageClass('A');
  // @ts-expect-error name is readonly
  sc.name = 'B';
  expectTypeOf(sc.components).toEqualTypeOf<ReadonlyMap<string, StorageClass>>();
});

test('tuples are read-only arrays and isTuple narrows', () => {
  const t = tuple('a', 1);
  expectTypeOf(t).toEqualTypeOf<Tuple<string | number>>();
  // @ts-expect-error a tuple cannot be changed
  t[0] = 'b';
  const value: unknown = t;
  if (isTuple(value)) expectTypeOf(value).toEqualTypeOf<Tuple>();
});

test('type descriptors are type guards', () => {
  class Catalog {
    rows = 0;
  }
  const catalog = classType('my.Catalog', Catalog);
  const value: unknown = new Catalog();
  if (catalog.isInstance(value)) expectTypeOf(value).toEqualTypeOf<Catalog>();
  if (BUILTIN_TYPES.dict.isInstance(value))
    expectTypeOf(value).toEqualTypeOf<Record<string, unknown>>();
  if (BUILTIN_TYPES.int.isInstance(value)) expectTypeOf(value).toEqualTypeOf<number | bigint>();
});

test('error guards narrow to the error class', () => {
  const caught: unknown = new Error('x');
  if (UnknownParameterError.is(caught))
    expectTypeOf(caught.parameters).toEqualTypeOf<readonly string[]>();
});

test('data ID values are strings or numbers and the ID modes are a union', () => {
  expectTypeOf<ReturnType<DataCoordinate['get']>>().toEqualTypeOf<DataIdValue | undefined>();
  expectTypeOf<DatasetIdGenEnum>().toEqualTypeOf<'UNIQUE' | 'DATAID_TYPE' | 'DATAID_TYPE_RUN'>();
  expectTypeOf(DatasetIdGenEnum.UNIQUE).toEqualTypeOf<'UNIQUE'>();
});
