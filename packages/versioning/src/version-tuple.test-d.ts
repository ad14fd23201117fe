import { expectTypeOf, test } from 'vitest';
import { VersionTuple, VersionedExtension } from './index.ts';
import type { VersionedExtensionClass } from './index.ts';

test('VersionedExtensionClass accepts a manager class and exposes the static side', () => {
  class M extends VersionedExtension {
    static override currentVersions() {
      return [new VersionTuple(1, 0, 0)];
    }
  }
  expectTypeOf(M).toExtend<VersionedExtensionClass>();
  expectTypeOf<VersionedExtensionClass<M>['prototype']>().toEqualTypeOf<M>();
  expectTypeOf(VersionTuple.fromString).returns.toEqualTypeOf<VersionTuple>();
});

test('VersionTuple parts are read-only', () => {
  const version = new VersionTuple(1, 0, 0);
  // @ts-expect-error major is readonly
  version.major = 2;
});
