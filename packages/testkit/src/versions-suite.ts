// The versions-manager conformance suite: P-AVM-07…09, the compatibility matrix of stored
// versions (spec/versioning.md §3.6) and the missing/mismatched manager errors.
import {
  ButlerAttributeExistsError,
  ManagerMismatchError,
  MissingManagerError,
} from '@butler-ts/registry-interfaces';
import type {
  ButlerAttributeManager,
  ButlerAttributeManagerClass,
  Database,
} from '@butler-ts/registry-interfaces';
import { IncompatibleVersionError, VersionParseError, VersionTuple } from '@butler-ts/versioning';
import type { VersionedExtension, VersionedExtensionClass } from '@butler-ts/versioning';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attributeMap, declareAttributes } from './attributes-suite.ts';
import type { DatabaseHarness } from './database-suite.ts';
import { isError, rejection } from './errors.ts';
import { E0, E1, E11, E2 } from './extension-stubs.ts';

/** What the suite needs from a versions manager (daf_butler's `ButlerVersionsManager`). */
export interface VersionsManagerLike {
  storeManagersConfig(managers: ReadonlyMap<string, VersionedExtension>): Promise<void>;
  checkManagersConfig(managers: ReadonlyMap<string, VersionedExtensionClass>): Promise<void>;
  managerVersions(): Promise<Map<string, VersionTuple>>;
}

/** The implementation under test: an attributes manager class and a versions-manager factory. */
export interface VersionsSuiteSubject {
  readonly attributes: ButlerAttributeManagerClass;
  readonly versions: (attributes: ButlerAttributeManager) => VersionsManagerLike;
}

const v = (text: string) => VersionTuple.fromString(text);

/** Runs the versions-manager suite on the databases `makeHarness` gives. */
export function describeVersionsManager(
  name: string,
  makeHarness: () => DatabaseHarness,
  subject: VersionsSuiteSubject,
): void {
  describe(`versions manager conformance: ${name}`, () => {
    let harness: DatabaseHarness;
    let db: Database;
    let attributes: ButlerAttributeManager;

    beforeEach(async () => {
      harness = makeHarness();
      db = await harness.make();
      attributes = await declareAttributes(db, subject.attributes, true);
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    const stubs = () =>
      new Map<string, VersionedExtension>([
        ['manager0', new E0()],
        ['manager1', new E1()],
        ['manager2', new E2()],
      ]);
    const classes = new Map<string, VersionedExtensionClass>([
      ['manager0', E0],
      ['manager1', E1],
      ['manager2', E2],
    ]);
    const fiveAttributes = (e2Version = '1.0.0') =>
      new Map([
        ['config:registry.managers.manager0', E0.extensionName()],
        ['config:registry.managers.manager1', E1.extensionName()],
        ['config:registry.managers.manager2', E2.extensionName()],
        [`version:${E1.extensionName()}`, '1.0.0'],
        [`version:${E2.extensionName()}`, e2Version],
      ]);

    // Stores one manager type with the given stored version, as a registry of that version would.
    async function storeRaw(
      managerType: string,
      cls: VersionedExtensionClass,
      version: string,
    ): Promise<void> {
      await attributes.set(`config:registry.managers.${managerType}`, cls.extensionName());
      await attributes.set(`version:${cls.extensionName()}`, version);
    }

    it('stores names and versions, none for an unversioned extension (P-AVM-07)', async () => {
      await subject.versions(attributes).storeManagersConfig(stubs());
      expect(await attributeMap(attributes)).toEqual(fiveAttributes());
    });

    it('stores the same with configured versions (P-AVM-08)', async () => {
      E1.checkNewSchemaVersion(v('1.0.0'));
      E2.checkNewSchemaVersion(v('1.0.0'));
      const managers = new Map<string, VersionedExtension>([
        ['manager0', new E0()],
        ['manager1', new E1(v('1.0.0'))],
        ['manager2', new E2(v('1.0.0'))],
      ]);
      await subject.versions(attributes).storeManagersConfig(managers);
      expect(await attributeMap(attributes)).toEqual(fiveAttributes());
    });

    it('stores the configured one of several versions', async () => {
      const managers = new Map<string, VersionedExtension>([
        ['manager0', new E0()],
        ['manager1', new E1()],
        ['manager2', new E2(v('2.0.0'))],
      ]);
      await subject.versions(attributes).storeManagersConfig(managers);
      expect(await attributeMap(attributes)).toEqual(fiveAttributes('2.0.0'));
    });

    it('checks and reads back the stored configuration on reopening (P-AVM-09)', async () => {
      await subject.versions(attributes).storeManagersConfig(stubs());
      const reopened = await declareAttributes(db, subject.attributes, false);
      const versions = subject.versions(reopened);
      await versions.checkManagersConfig(classes);
      const stored = await versions.managerVersions();
      expect(new Map([...stored].map(([type, version]) => [type, version.toString()]))).toEqual(
        new Map([
          ['manager1', '1.0.0'],
          ['manager2', '1.0.0'],
        ]),
      );
      E1.checkCompatibility(stored.get('manager1')!, db.isWriteable());
      E2.checkCompatibility(stored.get('manager2')!, db.isWriteable());
      expect(new E0(stored.get('manager0') ?? null).configuredVersion).toBeNull();
      expect(new E1(stored.get('manager1') ?? null).configuredVersion?.toString()).toBe('1.0.0');
      expect(new E2(stored.get('manager2') ?? null).configuredVersion?.toString()).toBe('1.0.0');
    });

    it('never overwrites a stored manager', async () => {
      await subject.versions(attributes).storeManagersConfig(stubs());
      await expect(subject.versions(attributes).storeManagersConfig(stubs())).rejects.toSatisfy(
        isError(ButlerAttributeExistsError),
      );
    });

    it('reports configured managers that are not stored (MissingManager)', async () => {
      await subject.versions(attributes).storeManagersConfig(stubs());
      const configured = new Map<string, VersionedExtensionClass>([
        ['manager0', E0],
        ['datasets', E1],
        ['dimensions', E2],
      ]);
      const error = await rejection(subject.versions(attributes).checkManagersConfig(configured));
      expect(MissingManagerError.is(error)).toBe(true);
      expect((error as MissingManagerError).managers).toEqual(['datasets', 'dimensions']);
      expect((error as Error).message).toBe(
        'Cannot find stored configuration for managers: datasets, dimensions',
      );
    });

    it('reports missing managers before mismatched ones', async () => {
      await subject.versions(attributes).storeManagersConfig(stubs());
      const configured = new Map<string, VersionedExtensionClass>([
        ['manager1', E2],
        ['other', E1],
      ]);
      await expect(subject.versions(attributes).checkManagersConfig(configured)).rejects.toSatisfy(
        isError(MissingManagerError),
      );
    });

    it('reports every manager stored under another name (ManagerMismatch)', async () => {
      await subject.versions(attributes).storeManagersConfig(stubs());
      const configured = new Map<string, VersionedExtensionClass>([
        ['manager0', E0],
        ['manager1', E2],
        ['manager2', E1],
      ]);
      const error = await rejection(subject.versions(attributes).checkManagersConfig(configured));
      expect(ManagerMismatchError.is(error)).toBe(true);
      expect((error as ManagerMismatchError).mismatches).toEqual([
        `manager1: configured ${E2.extensionName()}, stored: ${E1.extensionName()}`,
        `manager2: configured ${E1.extensionName()}, stored: ${E2.extensionName()}`,
      ]);
    });

    it('ignores stored managers that are not configured', async () => {
      await subject.versions(attributes).storeManagersConfig(stubs());
      await subject.versions(attributes).checkManagersConfig(new Map([['manager1', E1]]));
    });

    it('checks nothing and reads no versions on an empty attributes table', async () => {
      const versions = subject.versions(attributes);
      await versions.checkManagersConfig(classes);
      expect(await versions.managerVersions()).toEqual(new Map());
    });

    it('fails on a malformed stored version', async () => {
      await storeRaw('manager1', E1, '1.x');
      await expect(subject.versions(attributes).managerVersions()).rejects.toSatisfy(
        isError(VersionParseError),
      );
    });

    describe('compatibility of stored versions (spec/versioning.md §3.6)', () => {
      const matrix: [VersionedExtensionClass, string, boolean, boolean][] = [
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
      ];
      for (const [cls, stored, read, write] of matrix) {
        it(`${cls.extensionName().split('.').pop()} with stored ${stored}: read ${read ? 'ok' : 'fails'}, write ${write ? 'ok' : 'fails'}`, async () => {
          await storeRaw('manager', cls, stored);
          const versions = subject.versions(attributes);
          await versions.checkManagersConfig(new Map([['manager', cls]]));
          const version = (await versions.managerVersions()).get('manager')!;
          expect(version.toString()).toBe(stored);
          for (const [update, ok] of [
            [false, read],
            [true, write],
          ] as const) {
            const error = await rejection(
              Promise.resolve().then(() => cls.checkCompatibility(version, update)),
            );
            if (ok) expect(error).toBeUndefined();
            else expect(IncompatibleVersionError.is(error)).toBe(true);
          }
        });
      }
    });
  });
}
