import { describe, expect, it } from 'vitest';
import { IncompatibleVersionError, NotImplementedError } from './errors.ts';
import { VersionTuple } from './version-tuple.ts';
import { VersionedExtension } from './versioned-extension.ts';
import type { VersionedExtensionClass } from './versioned-extension.ts';

const v = (s: string) => VersionTuple.fromString(s);

type Options = { registrySchemaVersion?: VersionTuple | null };

// The F6 stubs of spec/conformance.md.
class E0 extends VersionedExtension {
  constructor(options?: Options) {
    super(options);
  }
  static override currentVersions(): readonly VersionTuple[] {
    return [];
  }
}
class E1 extends VersionedExtension {
  constructor(options?: Options) {
    super(options);
  }
  static override currentVersions(): readonly VersionTuple[] {
    return [v('1.0.0')];
  }
}
class E11 extends VersionedExtension {
  static override currentVersions(): readonly VersionTuple[] {
    return [v('1.1.0')];
  }
}
class E2 extends VersionedExtension {
  constructor(options?: Options) {
    super(options);
  }
  static override currentVersions(): readonly VersionTuple[] {
    return [v('1.0.0'), v('2.0.0')];
  }
  protected static override _newDefaultSchemaVersion(): VersionTuple {
    return v('1.0.0');
  }
}
class Named extends E1 {
  static override extensionName(): string {
    return 'lsst.daf.butler.registry.opaque.ByNameOpaqueTableStorageManager';
  }
}
class Multi extends VersionedExtension {
  constructor(options?: Options) {
    super(options);
  }
  static override currentVersions(): readonly VersionTuple[] {
    return [v('1.0.0'), v('2.0.0')];
  }
}
class Unversioned extends VersionedExtension {}

function incompatible(run: () => void): IncompatibleVersionError {
  try {
    run();
  } catch (error) {
    expect(IncompatibleVersionError.is(error)).toBe(true);
    return error as IncompatibleVersionError;
  }
  throw new Error('expected IncompatibleVersionError');
}

describe('VersionedExtension', () => {
  it('accepts creating a schema at a supported version (P-VER-02)', () => {
    expect(() => E1.checkNewSchemaVersion(v('1.0.0'))).not.toThrow();
    expect(() => E2.checkNewSchemaVersion(v('1.0.0'))).not.toThrow();
    expect(() => E2.checkNewSchemaVersion(v('2.0.0'))).not.toThrow();
  });

  it('rejects creating a schema at any other version, patch included (P-VER-03)', () => {
    for (const [cls, version] of [
      [E1, '1.0.1'],
      [E1, '1.1.0'],
      [E2, '1.0.1'],
    ] as const) {
      const error = incompatible(() => cls.checkNewSchemaVersion(v(version)));
      expect(error.message).toContain(cls.extensionName());
      expect(error.message).toContain(version);
      expect(error.found).toBe(version);
      expect(error.extensionName).toBe(cls.extensionName());
    }
  });

  it('never objects when it declares no versions (P-VER-04)', () => {
    expect(() => E0.checkNewSchemaVersion(v('1.0.0'))).not.toThrow();
    expect(() => E0.checkNewSchemaVersion(v('7.3.9'))).not.toThrow();
  });

  it('chooses the version a new registry stores (P-VER-05)', () => {
    expect(new E0().newSchemaVersion()).toBeNull();
    expect(new E1().newSchemaVersion()?.toString()).toBe('1.0.0');
    expect(new E1({ registrySchemaVersion: v('1.0.0') }).newSchemaVersion()?.toString()).toBe(
      '1.0.0',
    );
    expect(new E2().newSchemaVersion()?.toString()).toBe('1.0.0');
    expect(new E2({ registrySchemaVersion: v('1.0.0') }).newSchemaVersion()?.toString()).toBe(
      '1.0.0',
    );
    expect(new E2({ registrySchemaVersion: v('2.0.0') }).newSchemaVersion()?.toString()).toBe(
      '2.0.0',
    );
  });

  it('ignores the configured version when exactly one is supported', () => {
    expect(E1.clsNewSchemaVersion(v('9.9.9'))?.toString()).toBe('1.0.0');
  });

  it('rejects a configured version outside several supported ones', () => {
    const error = incompatible(() => E2.clsNewSchemaVersion(v('3.0.0')));
    expect(error.message).toContain('3.0.0');
    expect(error.supported).toEqual(['1.0.0', '2.0.0']);
  });

  it('fails without a default when several versions are supported and none is configured', () => {
    expect(() => new Multi().newSchemaVersion()).toThrow(NotImplementedError);
    expect(() => Multi.clsNewSchemaVersion(null)).toThrow(
      /Multi supports multiple schema versions/,
    );
    expect(Multi.clsNewSchemaVersion(v('2.0.0'))?.toString()).toBe('2.0.0');
  });

  it('fails when a subclass does not declare its versions', () => {
    expect(() => Unversioned.currentVersions()).toThrow(NotImplementedError);
    expect(() => Unversioned.checkCompatibility(v('1.0.0'), false)).toThrow(/Unversioned/);
  });

  it.each([
    [E0, '1.0.0', true, true],
    [E1, '1.0.0', true, true],
    [E1, '1.0.1', true, true],
    [E1, '1.1.0', false, false],
    [E1, '2.0.0', false, false],
    [E11, '1.0.0', true, false],
    [E11, '1.0.1', true, false],
    [E11, '1.1.0', true, true],
    [E2, '1.0.0', true, true],
    [E2, '1.0.1', true, true],
    [E2, '1.1.0', false, false],
    [E2, '2.0.0', true, true],
  ] as const)('%o at stored %s: read %s, write %s (P-VER-06)', (cls, stored, read, write) => {
    for (const [update, ok] of [
      [false, read],
      [true, write],
    ] as const) {
      if (ok) {
        expect(() => cls.checkCompatibility(v(stored), update)).not.toThrow();
      } else {
        const error = incompatible(() => cls.checkCompatibility(v(stored), update));
        expect(error.message).toContain(cls.extensionName());
        expect(error.message).toContain(stored);
      }
    }
  });

  it('has a stable default name, the one stored in attribute keys (P-VER-07)', () => {
    expect(E1.extensionName()).toBe('E1');
    expect(new E1().extensionName()).toBe('E1');
    expect(E2.extensionName()).toBe(E2.extensionName());
  });

  it('uses a declared name, and subclasses get their own default', () => {
    expect(Named.extensionName()).toBe(
      'lsst.daf.butler.registry.opaque.ByNameOpaqueTableStorageManager',
    );
    expect(new Named().extensionName()).toBe(Named.extensionName());
    class Sub extends E1 {}
    expect(Sub.extensionName()).toBe('Sub');
  });

  it('refuses a default name for an anonymous class', () => {
    const anonymous = (() => class extends E1 {})();
    Object.defineProperty(anonymous, 'name', { value: '' });
    expect(() => anonymous.extensionName()).toThrow(NotImplementedError);
  });

  it('lets code be configured with classes through VersionedExtensionClass', () => {
    const managers: Record<string, VersionedExtensionClass> = { e0: E0, e1: E1, e2: E2 };
    const names = Object.values(managers).map((cls) => cls.extensionName());
    expect(names).toEqual(['E0', 'E1', 'E2']);
  });
});
