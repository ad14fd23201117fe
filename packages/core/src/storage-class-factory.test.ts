import { describe, expect, it } from 'vitest';
import { Config } from './config.ts';
import {
  InvalidValueError,
  LookupError,
  StorageClassConflictError,
  TypeMismatchError,
  ValidationError,
} from './errors.ts';
import { StorageClass } from './storage-class.ts';
import { StorageClassDelegate } from './storage-class.ts';
import { DEFAULT_STORAGE_CLASSES_YAML, StorageClassFactory } from './storage-class-factory.ts';
import { makeTestStorageClassFactory } from './testing/storage-classes.ts';
import { BUILTIN_TYPES } from './type-descriptor.ts';
import { BASE_DELEGATE_NAME, TypeRegistry } from './storage-class.ts';

describe('StorageClassFactory registration (P-MODEL-04)', () => {
  it('accepts an unchanged definition again silently', () => {
    const factory = new StorageClassFactory();
    const first = new StorageClass('Temporary2', { pytype: 'str' });
    factory.registerStorageClass(first);
    expect(() =>
      factory.registerStorageClass(new StorageClass('Temporary2', { pytype: 'str' })),
    ).not.toThrow();
    expect(factory.getStorageClass('Temporary2')).toBe(first);
  });

  it('rejects a conflicting definition, showing its native type', () => {
    const factory = new StorageClassFactory();
    factory.registerStorageClass(new StorageClass('Temporary2', { pytype: 'str' }));
    const conflicting = new StorageClass('Temporary2', { pytype: 'dict' });
    let caught: unknown;
    try {
      factory.registerStorageClass(conflicting);
    } catch (error) {
      caught = error;
    }
    expect(InvalidValueError.is(caught)).toBe(true);
    expect(StorageClassConflictError.is(caught)).toBe(true);
    expect((caught as Error).message).toContain('pytype=dict');
    expect((caught as StorageClassConflictError).storageClass).toBe('Temporary2');
  });

  it('carries an extra message in the conflict error', () => {
    const factory = new StorageClassFactory();
    factory.registerStorageClass(new StorageClass('Temporary2', { pytype: 'str' }));
    expect(() =>
      factory.registerStorageClass(
        new StorageClass('Temporary2', { pytype: 'dict' }),
        'error string',
      ),
    ).toThrow(/pytype=dict.*error string/);
  });

  it('contains the name and the class object, and not Temporary3', () => {
    const factory = new StorageClassFactory();
    const sc = new StorageClass('Temporary2', { pytype: 'str' });
    factory.registerStorageClass(sc);
    expect(factory.has('Temporary2')).toBe(true);
    expect(factory.has(sc)).toBe(true);
    expect(factory.has(new StorageClass('Temporary2', { pytype: 'dict' }))).toBe(false);
    expect(factory.has('Temporary3')).toBe(false);
    expect(factory.has(new StorageClass('Temporary3'))).toBe(false);
  });

  it('rejects registering something that is not a StorageClass', () => {
    expect(() =>
      new StorageClassFactory().registerStorageClass({ name: 'x' } as StorageClass),
    ).toThrow(TypeMismatchError);
  });
});

describe('StorageClassFactory from configuration (P-MODEL-05)', () => {
  const factory = makeTestStorageClassFactory();

  it("gives ThingTwo ThingOne's parameters plus param3", () => {
    const one = factory.getStorageClass('ThingOne');
    const two = factory.getStorageClass('ThingTwo');
    expect(two.parameters).toEqual(new Set(['param1', 'param2', 'param3']));
    expect(one.parameters).toEqual(new Set(['param1', 'param2']));
    expect(one.parameters.has('param3')).toBe(false);
  });

  it('gives StructuredDataJson the components of StructuredData', () => {
    const json = factory.getStorageClass('StructuredDataJson');
    const data = factory.getStorageClass('StructuredData');
    expect([...json.components.keys()]).toEqual([...data.components.keys()]);
    for (const [name, component] of data.components) {
      expect(json.components.get(name)).toBe(component);
    }
  });

  it('gives StructuredCompositeReadComp a ListWithCounter data, a counter and slice', () => {
    const sc = factory.getStorageClass('StructuredCompositeReadComp');
    expect(sc.components.get('data')!.name).toBe('StructuredDataDataTest');
    expect([...sc.derivedComponents.keys()]).toEqual(['counter']);
    expect(sc.derivedComponents.get('counter')!.name).toBe('Integer');
    expect(sc.parameters.has('slice')).toBe(true);
  });
});

describe('StorageClassFactory.addFromConfig', () => {
  it('seeds the default storage classes', () => {
    const factory = new StorageClassFactory();
    expect(factory.names()).toEqual(['int', 'StructuredDataDict', 'StructuredDataList']);
    expect(DEFAULT_STORAGE_CLASSES_YAML).toContain('StructuredDataDict');
  });

  it('starts empty without defaults and re-seeds on reset', () => {
    expect(new StorageClassFactory({ defaults: false }).names()).toEqual([]);
    const factory = new StorageClassFactory();
    factory.registerStorageClass(new StorageClass('Extra'));
    factory.unregister('int');
    expect(factory.has('int')).toBe(false);
    factory.reset();
    expect(factory.has('Extra')).toBe(false);
    expect(factory.has('int')).toBe(true);
  });

  it('resolves references in any order and gives every entry a delegate', () => {
    const factory = new StorageClassFactory({ defaults: false });
    factory.addFromConfig({
      storageClasses: {
        Composite: {
          pytype: 'dict',
          components: { a: 'Part', b: 'Part' },
          derivedComponents: { n: 'Num' },
        },
        Part: { pytype: 'list' },
        Num: { pytype: 'int' },
      },
    });
    const composite = factory.getStorageClass('Composite');
    expect(composite.components.get('a')).toBe(factory.getStorageClass('Part'));
    expect(composite.derivedComponents.get('n')).toBe(factory.getStorageClass('Num'));
    expect(factory.getStorageClass('Part').delegateName).toBe(BASE_DELEGATE_NAME);
    expect(factory.getStorageClass('Part').delegate()).toBeInstanceOf(StorageClassDelegate);
  });

  it('accepts a bare mapping of definitions and YAML text', () => {
    const factory = new StorageClassFactory({ defaults: false });
    factory.addFromConfig({ Bare: { pytype: 'dict' } });
    factory.addFromConfig('storageClasses:\n  FromText:\n    pytype: list\n');
    expect(factory.getStorageClass('Bare').pytypeName).toBe('dict');
    expect(factory.getStorageClass('FromText').pytypeName).toBe('list');
  });

  it('inherits and overrides pytype, delegate and converters', () => {
    const factory = new StorageClassFactory({ defaults: false });
    factory.addFromConfig({
      Base: {
        pytype: 'list',
        delegate: BASE_DELEGATE_NAME,
        converters: { tuple: 'list' },
        parameters: ['p'],
      },
      Child: { inheritsFrom: 'Base', pytype: 'tuple', converters: { list: 'tuple' } },
    });
    const child = factory.getStorageClass('Child');
    expect(child.pytypeName).toBe('tuple');
    expect(child.delegateName).toBe(BASE_DELEGATE_NAME);
    expect([...child.converters]).toEqual([
      ['tuple', 'list'],
      ['list', 'tuple'],
    ]);
    expect(child.parameters).toEqual(new Set(['p']));
  });

  it('uses already registered storage classes as references', () => {
    const factory = new StorageClassFactory();
    factory.addFromConfig({
      Holder: { pytype: 'dict', components: { a: 'int', b: 'StructuredDataDict' } },
    });
    expect(factory.getStorageClass('Holder').components.get('a')).toBe(
      factory.getStorageClass('int'),
    );
  });

  it('fails on a reference to an unknown storage class', () => {
    const factory = new StorageClassFactory();
    expect(() => factory.addFromConfig({ Bad: { inheritsFrom: 'Nowhere' } })).toThrow(LookupError);
    expect(() =>
      factory.addFromConfig({ Bad2: { pytype: 'dict', components: { a: 'Nope', b: 'int' } } }),
    ).toThrow(/Storage class Nope \(component a of Bad2\) is not defined/);
  });

  it('fails on an entry without pytype or inheritsFrom', () => {
    expect(() => new StorageClassFactory().addFromConfig({ Empty: { parameters: ['a'] } })).toThrow(
      'Invalid definition of storage class Empty: it needs a pytype or inheritsFrom',
    );
  });

  it.each([
    ['a non-mapping entry', { Bad: 'dict' }, /expected a mapping/],
    ['a non-string pytype', { Bad: { pytype: 3 } }, /pytype must be a string/],
    [
      'non-string parameters',
      { Bad: { pytype: 'dict', parameters: 'abc' } },
      /parameters must be a list/,
    ],
    [
      'a non-mapping converters',
      { Bad: { pytype: 'dict', converters: ['x'] } },
      /converters must map/,
    ],
    [
      'one component',
      { Bad: { pytype: 'dict', components: { a: 'int' } } },
      /cannot have exactly one component/,
    ],
  ])('rejects %s with a validation error', (_label, config, message) => {
    const factory = new StorageClassFactory();
    expect(() => factory.addFromConfig(config)).toThrow(ValidationError);
    expect(() => factory.addFromConfig(config)).toThrow(message);
  });

  it('rejects a self-referencing entry', () => {
    expect(() =>
      new StorageClassFactory().addFromConfig({ Loop: { inheritsFrom: 'Loop' } }),
    ).toThrow(/refers to itself/);
  });

  it('rejects a storageClasses section that is not a mapping', () => {
    expect(() => new StorageClassFactory().addFromConfig({ storageClasses: ['a'] })).toThrow(
      ValidationError,
    );
  });

  it('rejects malformed YAML and names the source file in errors', () => {
    const factory = new StorageClassFactory();
    expect(() => factory.addFromConfig('storageClasses: [unclosed')).toThrow(/Malformed YAML/);
    const config = Config.fromYaml('storageClasses:\n  Bad:\n    pytype: 1\n', {
      source: 'sc.yaml',
    });
    expect(() => factory.addFromConfig(config)).toThrow(/read from sc\.yaml/);
  });

  it('rejects a conflicting redefinition from configuration', () => {
    const factory = new StorageClassFactory();
    expect(() => factory.addFromConfig({ int: { pytype: 'str' } })).toThrow(
      StorageClassConflictError,
    );
  });

  it('adds an initial config from the constructor and summarises itself', () => {
    const factory = new StorageClassFactory({
      config: Config.fromYaml('X:\n  pytype: dict\n', { source: 'x.yaml' }),
    });
    expect(factory.has('X')).toBe(true);
    expect(String(factory)).toContain('4 storage classes');
    expect(String(factory)).toContain('x.yaml');
  });

  it('rejects a registry that is not a TypeRegistry', () => {
    expect(() => new StorageClassFactory({ registry: {} as TypeRegistry })).toThrow(
      TypeMismatchError,
    );
  });
});

describe('StorageClassFactory lookup', () => {
  it('fails for an unknown name', () => {
    expect(() => new StorageClassFactory().getStorageClass('Nope')).toThrow(LookupError);
    expect(() => new StorageClassFactory().getStorageClass('Nope')).toThrow(
      'Unable to find a StorageClass associated with "Nope"',
    );
  });

  it('finds the first storage class of a native type', () => {
    const factory = new StorageClassFactory();
    expect(factory.findStorageClass('dict').name).toBe('StructuredDataDict');
    expect(factory.findStorageClass(BUILTIN_TYPES.list).name).toBe('StructuredDataList');
    expect(() => factory.findStorageClass('set')).toThrow(LookupError);
  });

  it('skips storage classes whose type cannot be resolved when comparing types', () => {
    const factory = new StorageClassFactory({ defaults: false });
    factory.registerStorageClass(new StorageClass('Unresolvable', { pytype: 'no.such.Type' }));
    factory.registerStorageClass(new StorageClass('Sets', { pytype: 'set' }));
    expect(factory.findStorageClass(BUILTIN_TYPES.set, true).name).toBe('Sets');
    expect(() => factory.findStorageClass(BUILTIN_TYPES.tuple, true)).toThrow(
      'Unable to find a StorageClass associated with type tuple',
    );
  });

  it('shares one process-wide instance', () => {
    expect(StorageClassFactory.shared).toBe(StorageClassFactory.shared);
    expect(StorageClassFactory.shared.registry).toBe(TypeRegistry.shared);
  });
});
