import { describe, expect, it } from 'vitest';
import {
  InvalidValueError,
  LookupError,
  TypeMismatchError,
  UnknownParameterError,
} from './errors.ts';
import type { Logger } from './log.ts';
import { StorageClass } from './storage-class.ts';
import { StorageClassDelegate } from './storage-class.ts';
import { makeTestTypeRegistry } from './testing/storage-classes.ts';
import { MetricsRecord } from './testing/metrics.ts';
import { tuple } from './tuple.ts';
import { BUILTIN_TYPES, classType } from './type-descriptor.ts';
import { BASE_DELEGATE_NAME, TypeRegistry } from './storage-class.ts';

function capturingLogger(): Logger & { messages: string[] } {
  const messages: string[] = [];
  return {
    messages,
    debug: (m) => messages.push(`debug: ${m}`),
    warn: (m) => messages.push(`warn: ${m}`),
    error: (m) => messages.push(`error: ${m}`),
  };
}

describe('StorageClass construction', () => {
  it('has a name, a native type and no components (P-MODEL-01)', () => {
    const sc = new StorageClass('TestImage', { pytype: 'dict' });
    expect(sc.name).toBe('TestImage');
    expect(String(sc)).toBe('TestImage');
    expect(sc.components.size).toBe(0);
    expect(sc.isComposite()).toBe(false);
    expect(sc.validateInstance({})).toBe(true);
    expect(sc.validateInstance('a string')).toBe(false);
    expect(() => sc.delegate()).toThrow(TypeMismatchError);
    expect(() => sc.delegate()).toThrow(
      'No delegate class is associated with StorageClass TestImage',
    );
  });

  it('defaults the native type to any object (P-MODEL-01)', () => {
    const sc = new StorageClass('TestImage2');
    expect(sc.pytypeName).toBe('object');
    expect(sc.pytype).toBe(BUILTIN_TYPES.object);
    expect(sc.validateInstance(null)).toBe(true);
    expect(sc.validateInstance(new Map())).toBe(true);
  });

  it('defaults the name to the empty string', () => {
    expect(new StorageClass().name).toBe('');
  });

  it('accepts a type descriptor and keeps its name', () => {
    const sc = new StorageClass('Ints', { pytype: BUILTIN_TYPES.int });
    expect(sc.pytypeName).toBe('int');
    expect(sc.validateInstance(3)).toBe(true);
    expect(sc.validateInstance(3.5)).toBe(false);
  });

  it('strips a builtins. prefix from a pytype name', () => {
    expect(new StorageClass('L', { pytype: 'builtins.list' }).pytypeName).toBe('list');
  });

  it('resolves a pytype name lazily and fails on first use if unknown', () => {
    const sc = new StorageClass('Later', { pytype: 'my.pkg.NotYet' });
    expect(sc.pytypeName).toBe('my.pkg.NotYet');
    expect(() => sc.pytype).toThrow(LookupError);
    expect(() => sc.validateInstance({})).toThrow(/No type registered as "my.pkg.NotYet"/);
  });

  it('gets the base delegate when components are passed, even empty', () => {
    const withEmpty = new StorageClass('E', { pytype: 'dict', components: {} });
    expect(withEmpty.delegateName).toBe(BASE_DELEGATE_NAME);
    expect(withEmpty.delegateClass).toBe(StorageClassDelegate);
    expect(withEmpty.delegate()).toBeInstanceOf(StorageClassDelegate);
    expect(withEmpty.delegate().storageClass).toBe(withEmpty);
    expect(new StorageClass('N', { pytype: 'dict' }).delegateName).toBeNull();
  });

  it('rejects exactly one component', () => {
    const part = new StorageClass('Part', { pytype: 'dict' });
    expect(() => new StorageClass('Bad', { components: { only: part } })).toThrow(
      InvalidValueError,
    );
    expect(() => new StorageClass('Bad', { components: { only: part } })).toThrow(
      /exactly one component \(only\)/,
    );
  });

  it('rejects a name that is not a string', () => {
    expect(() => new StorageClass(42 as unknown as string)).toThrow(TypeMismatchError);
  });

  it('rejects a component that is not a StorageClass', () => {
    expect(
      () =>
        new StorageClass('Bad', {
          components: { a: 'Dict', b: 'Dict' } as unknown as Record<string, StorageClass>,
        }),
    ).toThrow(/Component a of StorageClass Bad must be a StorageClass/);
  });

  it('rejects parameters given as a bare string', () => {
    expect(() => new StorageClass('Bad', { parameters: 'ab' })).toThrow(TypeMismatchError);
  });

  it('rejects a non-string parameter name', () => {
    expect(() => new StorageClass('Bad', { parameters: [1 as unknown as string] })).toThrow(
      'A parameter name must be a string, got int',
    );
  });

  it('rejects a pytype that is neither a name nor a descriptor', () => {
    expect(() => new StorageClass('Bad', { pytype: 5 as unknown as string })).toThrow(
      TypeMismatchError,
    );
  });

  it('rejects a converter entry that is not a function name', () => {
    expect(
      () => new StorageClass('Bad', { converters: { list: (() => 1) as unknown as string } }),
    ).toThrow(/Converter for list in StorageClass Bad must be a function name/);
  });

  it('rejects an empty or non-string delegate name', () => {
    expect(() => new StorageClass('Bad', { delegate: '' })).toThrow(TypeMismatchError);
    expect(() => new StorageClass('Bad', { delegate: 3 as unknown as string })).toThrow(
      TypeMismatchError,
    );
  });

  it('rejects a registry that is not a TypeRegistry', () => {
    expect(() => new StorageClass('Bad', { registry: {} as TypeRegistry })).toThrow(
      TypeMismatchError,
    );
  });

  it('fails to make a delegate whose name is not registered', () => {
    const sc = new StorageClass('D', { delegate: 'no.such.Delegate' });
    expect(() => sc.delegate()).toThrow(LookupError);
  });

  it('returns copies of its collections', () => {
    const sc = new StorageClass('C', { parameters: ['a'], converters: { list: 'tuple' } });
    sc.parameters.add('b');
    (sc.converters as Map<string, string>).delete('list');
    expect([...sc.parameters]).toEqual(['a']);
    expect([...sc.converters]).toEqual([['list', 'tuple']]);
  });
});

describe('StorageClass parameters', () => {
  it.each([
    ['a list', ['a', 'b']],
    ['a set', new Set(['a', 'b'])],
    ['a tuple', tuple('a', 'b')],
  ])('makes the parameter set {a, b} from %s (P-MODEL-02)', (_label, parameters) => {
    const sc = new StorageClass('Params', { parameters });
    expect(sc.parameters).toEqual(new Set(['a', 'b']));
    expect(() => sc.validateParameters()).not.toThrow();
    expect(() => sc.validateParameters(null)).not.toThrow();
    expect(() => sc.validateParameters({ a: null, b: null })).not.toThrow();
    expect(() => sc.validateParameters(['a'])).not.toThrow();
  });

  it('rejects an unknown parameter and names it (P-MODEL-02)', () => {
    const sc = new StorageClass('Params', { parameters: ['a', 'b'] });
    let caught: unknown;
    try {
      sc.validateParameters(new Set(['a', 'c']));
    } catch (error) {
      caught = error;
    }
    expect(UnknownParameterError.is(caught)).toBe(true);
    expect(LookupError.is(caught)).toBe(true);
    expect((caught as UnknownParameterError).message).toBe(
      "Parameter 'c' not understood by StorageClass Params",
    );
    expect((caught as UnknownParameterError).parameters).toEqual(['c']);
    expect((caught as UnknownParameterError).storageClass).toBe('Params');
  });

  it('uses the plural form for several unknown parameters', () => {
    const sc = new StorageClass('P', { parameters: ['a'] });
    expect(() => sc.validateParameters({ z: 1, y: 2 })).toThrow(
      "Parameters 'y', 'z' not understood by StorageClass P",
    );
  });

  it('accepts an empty parameter collection', () => {
    expect(() => new StorageClass('P').validateParameters([])).not.toThrow();
    expect(() => new StorageClass('P').validateParameters({})).not.toThrow();
  });

  it('rejects parameters that are not a collection', () => {
    expect(() => new StorageClass('P').validateParameters(3 as unknown as string[])).toThrow(
      TypeMismatchError,
    );
  });

  it('knows the parameters of its read/write components but not of derived ones', () => {
    const list = new StorageClass('L', { pytype: 'list', parameters: ['slice'] });
    const counter = new StorageClass('I', { pytype: 'int', parameters: ['never'] });
    const composite = new StorageClass('C', {
      components: { a: list, b: new StorageClass('D', { pytype: 'dict' }) },
      derivedComponents: { counter },
      parameters: ['own'],
    });
    expect(composite.knownParameters()).toEqual(new Set(['own', 'slice']));
    expect(() => composite.validateParameters({ slice: 1 })).not.toThrow();
    expect(() => composite.validateParameters({ never: 1 })).toThrow(UnknownParameterError);
  });

  it('filters parameters by a subset or by the known parameters', () => {
    const sc = new StorageClass('F', { parameters: ['a', 'b'] });
    expect(sc.filterParameters(null)).toEqual({});
    expect(sc.filterParameters({ a: 1, b: 2, c: 3 })).toEqual({ a: 1, b: 2 });
    expect(sc.filterParameters({ a: 1, b: 2 }, ['b'])).toEqual({ b: 2 });
    expect(() => sc.filterParameters({ a: 1 }, [])).toThrow(InvalidValueError);
    expect(() => sc.filterParameters({ a: 1 }, ['z'])).toThrow(/not known to StorageClass F: z/);
  });
});

describe('StorageClass equality (P-MODEL-03)', () => {
  it('is equal for the same name and native type', () => {
    expect(
      new StorageClass('A', { pytype: 'dict' }).equals(new StorageClass('A', { pytype: 'dict' })),
    ).toBe(true);
  });

  it('is not equal for the same name with another native type', () => {
    expect(
      new StorageClass('A', { pytype: 'dict' }).equals(new StorageClass('A', { pytype: 'list' })),
    ).toBe(false);
  });

  it('is not equal for differing parameter sets', () => {
    const a = new StorageClass('A', { parameters: ['x'] });
    expect(a.equals(new StorageClass('A', { parameters: ['x', 'y'] }))).toBe(false);
    expect(a.equals(new StorageClass('A', { parameters: ['x'] }))).toBe(true);
  });

  it('is not equal for different component names or component definitions', () => {
    const dict = new StorageClass('D', { pytype: 'dict' });
    const list = new StorageClass('L', { pytype: 'list' });
    const base = new StorageClass('C', { components: { a: dict, b: list } });
    expect(base.equals(new StorageClass('C', { components: { a: dict, b: list } }))).toBe(true);
    expect(base.equals(new StorageClass('C', { components: { a: dict, c: list } }))).toBe(false);
    const otherList = new StorageClass('L', { pytype: 'tuple' });
    expect(base.equals(new StorageClass('C', { components: { a: dict, b: otherList } }))).toBe(
      false,
    );
  });

  it('is not equal for the same components with another delegate', () => {
    const dict = new StorageClass('D', { pytype: 'dict' });
    const components = { a: dict, b: dict };
    const base = new StorageClass('C', { components });
    expect(base.equals(new StorageClass('C', { components, delegate: 'other.Delegate' }))).toBe(
      false,
    );
  });

  it('ignores converters and derived components', () => {
    const int = new StorageClass('I', { pytype: 'int' });
    const a = new StorageClass('A', { pytype: 'list', converters: { tuple: 'list' } });
    const b = new StorageClass('A', { pytype: 'list', derivedComponents: { counter: int } });
    expect(a.equals(b)).toBe(true);
  });

  it('is never equal to a non-StorageClass', () => {
    expect(new StorageClass('A').equals('A')).toBe(false);
  });
});

describe('StorageClass conversion (P-MODEL-06)', () => {
  function setup() {
    const logger = capturingLogger();
    const registry = makeTestTypeRegistry({ logger });
    registry.registerConverter('test.listToDict', (value) => {
      const list = value as unknown[];
      if (list.length === 0) throw new RangeError('empty list cannot be converted');
      return { key: list };
    });
    const c = new StorageClass('C', {
      pytype: 'dict',
      converters: {
        'lsst.daf.butler.tests.MetricsExample': 'lsst.daf.butler.tests.MetricsExample.exportAsDict',
        list: 'test.listToDict',
      },
      registry,
    });
    const s2 = new StorageClass('S2', { pytype: 'set', registry });
    const s3 = new StorageClass('S3', { pytype: 'lsst.daf.butler.tests.MetricsExample', registry });
    return { c, s2, s3, logger, registry };
  }

  it('answers canConvert true, false, true', () => {
    const { c, s2, s3 } = setup();
    expect(c.canConvert(c)).toBe(true);
    expect(c.canConvert(s2)).toBe(false);
    expect(c.canConvert(s3)).toBe(true);
  });

  it('passes null through and converts a list with the list converter', () => {
    const { c } = setup();
    expect(c.coerceType(null)).toBeNull();
    expect(c.coerceType([1, 2, 3])).toEqual({ key: [1, 2, 3] });
  });

  it('converts a MetricsRecord to its exported map', () => {
    const { c } = setup();
    const coerced = c.coerceType(new MetricsRecord({ a: 1 }, null, [1, 2])) as Record<
      string,
      unknown
    >;
    expect(coerced['data']).toEqual([1, 2]);
    expect(coerced).toEqual({ summary: { a: 1 }, output: null, data: [1, 2] });
  });

  it('rejects a set, for which there is no converter', () => {
    const { c } = setup();
    expect(() => c.coerceType(new Set([1, 2, 3]))).toThrow(TypeMismatchError);
    expect(() => c.coerceType(new Set([1, 2, 3]))).toThrow(
      "Type does not match and no valid converter found to convert 'set' to 'dict'",
    );
  });

  it("logs and propagates the converter's own error", () => {
    const { c, logger } = setup();
    expect(() => c.coerceType([])).toThrow(RangeError);
    expect(() => c.coerceType([])).toThrow('empty list cannot be converted');
    expect(
      logger.messages.some((m) => m.startsWith('error: Converter test.listToDict failed')),
    ).toBe(true);
  });

  it('lets two storage classes of one native type convert each other, unchanged', () => {
    const { registry } = setup();
    const a = new StorageClass('A', { pytype: 'dict', registry });
    const b = new StorageClass('B', { pytype: 'dict', registry });
    const value = { x: 1 };
    expect(a.canConvert(b)).toBe(true);
    expect(b.canConvert(a)).toBe(true);
    expect(a.coerceType(value)).toBe(value);
    expect(b.coerceType(value)).toBe(value);
  });
});

describe('StorageClass converters and types', () => {
  it('drops a converter whose type or function is not registered, with a warning', () => {
    const logger = capturingLogger();
    const registry = new TypeRegistry({ logger });
    const sc = new StorageClass('Broken', {
      pytype: 'tuple',
      converters: { list: 'tuple', 'no.such.Type': 'tuple', set: 'no.such.function' },
      registry,
    });
    expect(sc.converters.size).toBe(3);
    expect(sc.canConvert(new StorageClass('S', { pytype: 'set', registry }))).toBe(false);
    expect([...sc.converters.keys()]).toEqual(['list']);
    expect(logger.messages.filter((m) => m.startsWith('warn:'))).toHaveLength(2);
    expect(sc.coerceType(['a', 1])).toEqual(['a', 1]);
  });

  it('counts a subtype as convertible', () => {
    class Base {}
    class Derived extends Base {}
    const registry = new TypeRegistry();
    const baseType = classType('test.Base', Base);
    registry
      .registerType(baseType)
      .registerType(classType('test.Derived', Derived, { bases: [baseType] }));
    const base = new StorageClass('B', { pytype: 'test.Base', registry });
    const derived = new StorageClass('D', { pytype: 'test.Derived', registry });
    expect(base.canConvert(derived)).toBe(true);
    expect(derived.canConvert(base)).toBe(false);
    const value = new Derived();
    expect(base.coerceType(value)).toBe(value);
  });

  it('cannot convert when a native type does not resolve', () => {
    const known = new StorageClass('K', { pytype: 'dict' });
    const unknown = new StorageClass('U', { pytype: 'no.such.Type' });
    expect(known.canConvert(unknown)).toBe(false);
    expect(unknown.canConvert(known)).toBe(false);
  });

  it('compares types by name before resolution and by identity after', () => {
    const sc = new StorageClass('T', { pytype: 'dict' });
    expect(sc.isType('dict')).toBe(true);
    expect(sc.isType('builtins.dict')).toBe(true);
    expect(sc.isType('list')).toBe(false);
    void sc.pytype;
    expect(sc.isType(BUILTIN_TYPES.dict)).toBe(true);
    expect(sc.isType(BUILTIN_TYPES.list)).toBe(false);
  });

  it('compares resolved types with compareTypes, treating failures as no match', () => {
    const sc = new StorageClass('T', { pytype: 'builtins.set' });
    expect(sc.isType('no.such.Type', true)).toBe(false);
    const other = new StorageClass('U', { pytype: 'no.such.Type' });
    expect(other.isType('dict', true)).toBe(false);
  });

  it('merges read/write and derived components, read/write first', () => {
    const dict = new StorageClass('D', { pytype: 'dict' });
    const int = new StorageClass('I', { pytype: 'int' });
    const sc = new StorageClass('C', {
      components: { a: dict, b: dict },
      derivedComponents: { a: int, n: int },
    });
    const all = sc.allComponents();
    expect([...all.keys()].sort()).toEqual(['a', 'b', 'n']);
    expect(all.get('a')).toBe(dict);
    expect(sc.isComposite()).toBe(true);
  });

  it('lists its name as its lookup key', () => {
    expect(new StorageClass('Thing').lookupNames().map(String)).toEqual(['Thing']);
  });

  it('describes its definition', () => {
    const dict = new StorageClass('D', { pytype: 'dict' });
    expect(
      new StorageClass('C', { components: { a: dict, b: dict }, parameters: ['p'] }).describe(),
    ).toBe(
      `StorageClass(name='C', pytype=object, components={a: D, b: D}, parameters={p}, delegate=${BASE_DELEGATE_NAME})`,
    );
  });
});
