import { E0, E1, E2, attributeMap, declareAttributes } from '@butler-ts/testkit';
import { VersionTuple } from '@butler-ts/versioning';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ButlerVersionsManager, DefaultButlerAttributeManager } from '../src/index.ts';
import type { ButlerAttributeManager, Database } from '@butler-ts/registry-interfaces';
import { sqliteMemoryHarness } from './sqlite-harness.ts';

const v = (text: string) => VersionTuple.fromString(text);

describe('ButlerVersionsManager', () => {
  let harness: ReturnType<typeof sqliteMemoryHarness>;
  let db: Database;
  let attributes: ButlerAttributeManager;

  beforeEach(async () => {
    harness = sqliteMemoryHarness();
    db = await harness.make();
    attributes = await declareAttributes(db, DefaultButlerAttributeManager, true);
  });
  afterEach(async () => {
    await harness.cleanup();
  });

  it('warns through onWarning when the attributes table is empty, and checks nothing', async () => {
    const warnings: string[] = [];
    const versions = new ButlerVersionsManager(attributes, {
      onWarning: (message) => warnings.push(message),
    });
    await versions.checkManagersConfig(new Map([['manager1', E1]]));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/butler_attributes table is empty/);
  });

  it('warns through process warnings by default', async () => {
    const seen: Error[] = [];
    const listener = (warning: Error) => seen.push(warning);
    process.on('warning', listener);
    try {
      await new ButlerVersionsManager(attributes).checkManagersConfig(new Map([['manager1', E1]]));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', listener);
    }
    expect(seen.map((w) => w.name)).toContain('ButlerVersionsWarning');
  });

  it('takes managers as a record too, in key order', async () => {
    const versions = new ButlerVersionsManager(attributes);
    await versions.storeManagersConfig({ manager2: new E2(v('2.0.0')), manager0: new E0() });
    expect([...(await attributeMap(attributes)).keys()].sort()).toEqual(
      [
        'config:registry.managers.manager0',
        'config:registry.managers.manager2',
        `version:${E2.extensionName()}`,
      ].sort(),
    );
    await versions.checkManagersConfig({ manager0: E0, manager2: E2 });
    expect((await versions.managerVersions()).get('manager2')?.toString()).toBe('2.0.0');
  });

  it('reads managers stored after a first empty read', async () => {
    const versions = new ButlerVersionsManager(attributes);
    expect(await versions.managerVersions()).toEqual(new Map());
    await new ButlerVersionsManager(attributes).storeManagersConfig({ manager1: new E1() });
    expect((await versions.managerVersions()).get('manager1')?.toString()).toBe('1.0.0');
  });

  it('takes the manager type after the last dot of the key', async () => {
    await attributes.set('config:registry.managers.extra.opaque', E1.extensionName());
    await attributes.set(`version:${E1.extensionName()}`, '1.0.0');
    expect([...(await new ButlerVersionsManager(attributes).managerVersions()).keys()]).toEqual([
      'opaque',
    ]);
  });

  it('compares versions statically like VersionTuple.checkCompatibility', () => {
    const cases: [string, string, boolean, boolean][] = [
      ['1.0.0', '1.0.0', true, true],
      ['1.0.0', '1.0.5', true, true],
      ['1.0.0', '1.1.0', true, false],
      ['1.1.0', '1.0.0', false, false],
      ['1.0.0', '2.0.0', false, false],
    ];
    for (const [oldVersion, newVersion, read, write] of cases) {
      expect(ButlerVersionsManager.checkCompatibility(v(oldVersion), v(newVersion), false)).toBe(
        read,
      );
      expect(ButlerVersionsManager.checkCompatibility(v(oldVersion), v(newVersion), true)).toBe(
        write,
      );
    }
  });
});
