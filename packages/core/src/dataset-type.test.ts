import { describe, expect, it } from 'vitest';
import { DatasetType } from './dataset-type.ts';
import {
  DimensionNameError,
  IncompatibleStorageClassError,
  InvalidValueError,
  LookupError,
  RuntimeError,
  TypeMismatchError,
  UnknownComponentError,
} from './errors.ts';
import { StorageClass } from './storage-class.ts';
import { StorageClassFactory } from './storage-class-factory.ts';
import { makeTestUniverse } from './testing/universe.ts';
import { TypeRegistry } from './storage-class.ts';

const universe = makeTestUniverse();
const instrumentOnly = universe.conform(['instrument']);
const visitDims = universe.conform(['visit']);
const dict = new StorageClass('Dict', { pytype: 'dict' });

describe('DatasetType names (P-MODEL-07)', () => {
  const good = ['a', 'A', 'z1', 'Z1', 'a_1B', 'A_1b', '_a'];
  const bad = ['1', 'a%b', 'B+Z', 'T[0]'];

  it.each(good)('accepts %j', (name) => {
    expect(new DatasetType(name, instrumentOnly, dict).name).toBe(name);
  });

  it.each(bad)('rejects %j', (name) => {
    expect(() => new DatasetType(name, instrumentOnly, dict)).toThrow(InvalidValueError);
  });

  it('accepts every <good>.<good> component name', () => {
    for (const name of good.flatMap((a) => good.map((b) => `${a}.${b}`))) {
      expect(
        new DatasetType(name, instrumentOnly, dict, { parentStorageClass: dict }).isComponent(),
      ).toBe(true);
    }
  });

  it('rejects a good name combined with a bad component name', () => {
    for (const name of [
      ...good.flatMap((a) => bad.map((b) => `${a}.${b}`)),
      'a.1',
      'a.',
      '.a',
      '',
    ]) {
      expect(
        () => new DatasetType(name, instrumentOnly, dict, { parentStorageClass: dict }),
      ).toThrow(InvalidValueError);
    }
  });

  it('rejects a name that is not a string', () => {
    expect(() => new DatasetType(5 as unknown as string, instrumentOnly, dict)).toThrow(
      InvalidValueError,
    );
  });
});

describe('DatasetType construction', () => {
  it('rejects a component without a parent storage class (P-MODEL-08)', () => {
    expect(() => new DatasetType('test.comp', instrumentOnly, dict)).toThrow(InvalidValueError);
    expect(() => new DatasetType('test.comp', instrumentOnly, dict)).toThrow(
      /without parent storage class/,
    );
  });

  it('rejects a parent storage class for a non-component (P-MODEL-08)', () => {
    expect(
      () => new DatasetType('test', instrumentOnly, dict, { parentStorageClass: dict }),
    ).toThrow(InvalidValueError);
  });

  it('rejects a governor dimension name', () => {
    expect(() => new DatasetType('instrument', instrumentOnly, dict)).toThrow(
      'Governor dimension name instrument cannot be used as a dataset type name',
    );
  });

  it('conforms dimension names with a universe and needs one', () => {
    const type = new DatasetType('calexp', ['visit'], dict, { universe });
    expect(type.dimensions.equals(visitDims)).toBe(true);
    expect(() => new DatasetType('calexp', ['visit'], dict)).toThrow(InvalidValueError);
    expect(() => new DatasetType('calexp', ['exposure'], dict, { universe })).toThrow(
      DimensionNameError,
    );
    expect(() => new DatasetType('calexp', ['visit'], dict, { universe: {} as never })).toThrow(
      TypeMismatchError,
    );
  });

  it('rejects a storage class that is neither a StorageClass nor a name', () => {
    expect(() => new DatasetType('a', instrumentOnly, 3 as unknown as string)).toThrow(
      InvalidValueError,
    );
    expect(
      () =>
        new DatasetType('a.b', instrumentOnly, dict, { parentStorageClass: {} as StorageClass }),
    ).toThrow(InvalidValueError);
  });

  it('rejects a non-boolean calibration flag', () => {
    expect(
      () => new DatasetType('a', instrumentOnly, dict, { isCalibration: 'yes' as never }),
    ).toThrow(TypeMismatchError);
  });

  it('resolves a storage class name lazily through its factory', () => {
    const factory = new StorageClassFactory({ registry: new TypeRegistry() });
    const type = new DatasetType('a', instrumentOnly, 'StructuredDataDict', { factory });
    const unknown = new DatasetType('b', instrumentOnly, 'NotThere', { factory });
    expect(type.storageClassName).toBe('StructuredDataDict');
    expect(type.storageClass).toBe(factory.getStorageClass('StructuredDataDict'));
    expect(unknown.storageClassName).toBe('NotThere');
    expect(() => unknown.storageClass).toThrow(LookupError);
    expect(type.factory).toBe(factory);
    expect(new DatasetType('c', instrumentOnly, dict).factory).toBe(StorageClassFactory.shared);
  });

  it('splits names at the first dot and joins components', () => {
    expect(DatasetType.splitDatasetTypeName('a.b.c')).toEqual(['a', 'b.c']);
    expect(DatasetType.splitDatasetTypeName('a')).toEqual(['a', null]);
    expect(DatasetType.nameWithComponent('a', 'b')).toBe('a.b');
    const nested = new DatasetType('a.b.c', instrumentOnly, dict, { parentStorageClass: dict });
    expect(nested.component()).toBe('b.c');
  });

  it('defaults to not a calibration and prints its definition', () => {
    expect(new DatasetType('a', instrumentOnly, dict).isCalibration()).toBe(false);
    const type = new DatasetType('a.b', visitDims, dict, {
      parentStorageClass: 'P',
      isCalibration: true,
    });
    expect(type.isCalibration()).toBe(true);
    expect(String(type)).toBe(
      "DatasetType('a.b', {instrument, visit}, Dict, parentStorageClass=P, isCalibration=True)",
    );
  });
});

describe('DatasetType components (P-MODEL-09)', () => {
  const compA = new StorageClass('compA_sc', { pytype: 'dict' });
  const compB = new StorageClass('compB_sc', { pytype: 'list' });
  const composite = new StorageClass('test_composite', { components: { compA, compB } });
  const type = new DatasetType('composite', visitDims, composite);

  it('describes the composite', () => {
    expect(type.isComposite()).toBe(true);
    expect(type.isComponent()).toBe(false);
    expect(type.parentStorageClass).toBeNull();
    expect(type.nameAndComponent()).toEqual(['composite', null]);
  });

  it('makes component dataset types', () => {
    const a = type.makeComponentDatasetType('compA');
    const b = type.makeComponentDatasetType('compB');
    expect(a.name).toBe('composite.compA');
    expect(b.name).toBe('composite.compB');
    expect(a.isComposite()).toBe(false);
    expect(b.isComponent()).toBe(true);
    expect(a.nameAndComponent()).toEqual(['composite', 'compA']);
    expect(a.parentStorageClass!.name).toBe('test_composite');
    expect(b.parentStorageClass!.name).toBe('test_composite');
    expect(a.storageClass).toBe(compA);
    expect(a.dimensions.equals(visitDims)).toBe(true);
  });

  it('fails for unknown components', () => {
    expect(() => type.makeComponentDatasetType('compF')).toThrow(UnknownComponentError);
    expect(() => type.componentTypeName('unknown')).toThrow(UnknownComponentError);
    let caught: unknown;
    try {
      type.componentTypeName('unknown');
    } catch (error) {
      caught = error;
    }
    expect(LookupError.is(caught)).toBe(true);
    expect((caught as UnknownComponentError).component).toBe('unknown');
    expect((caught as Error).message).toContain('composite');
  });

  it('makes derived component types and all components', () => {
    const int = new StorageClass('Int', { pytype: 'int' });
    const withDerived = new DatasetType(
      'x',
      visitDims,
      new StorageClass('WithDerived', {
        components: { compA, compB },
        derivedComponents: { n: int },
      }),
    );
    expect(withDerived.makeComponentDatasetType('n').storageClass).toBe(int);
    expect(
      withDerived
        .makeAllComponentDatasetTypes()
        .map((t) => t.name)
        .sort(),
    ).toEqual(['x.compA', 'x.compB', 'x.n']);
  });

  it('goes back to the composite from a component', () => {
    const a = type.makeComponentDatasetType('compA');
    expect(a.makeCompositeDatasetType().equals(type)).toBe(true);
    expect(() => type.makeCompositeDatasetType()).toThrow(RuntimeError);
  });
});

describe('DatasetType compatibility (P-MODEL-10)', () => {
  const a = new StorageClass('A', { pytype: 'set', converters: { list: 'set' } });
  const b = new StorageClass('B', { pytype: 'list' });
  const c = new StorageClass('C', { pytype: 'dict' });
  const dA = new DatasetType('a', instrumentOnly, a);
  const dA2 = new DatasetType('a', instrumentOnly, b);
  const dA3 = new DatasetType('a', instrumentOnly, c);

  it('checks equality and compatibility in each direction', () => {
    expect(dA.equals(dA2)).toBe(false);
    expect(dA.isCompatibleWith(dA)).toBe(true);
    expect(dA.isCompatibleWith(dA2)).toBe(true);
    expect(dA2.isCompatibleWith(dA)).toBe(false);
    expect(dA.isCompatibleWith(dA3)).toBe(false);
  });

  it('needs the same name, dimensions and calibration flag', () => {
    expect(dA.isCompatibleWith(new DatasetType('b', instrumentOnly, a))).toBe(false);
    expect(dA.isCompatibleWith(new DatasetType('a', visitDims, a))).toBe(false);
    expect(
      dA.isCompatibleWith(new DatasetType('a', instrumentOnly, a, { isCalibration: true })),
    ).toBe(false);
  });
});

describe('DatasetType.overrideStorageClass (P-MODEL-11)', () => {
  const registry = new TypeRegistry();
  registry.registerConverter('test.dictToList', (v) => Object.values(v as Record<string, unknown>));
  const a = new StorageClass('A', {
    pytype: 'list',
    converters: { dict: 'test.dictToList' },
    registry,
  });
  const b = new StorageClass('B', { pytype: 'dict', converters: { list: 'dict' }, registry });
  const p = new StorageClass('P', { pytype: 'tuple', components: { a, c: a }, registry });
  const dA = new DatasetType('a', instrumentOnly, a);
  const comp = new DatasetType('comp', instrumentOnly, p);

  it('overrides to a convertible storage class and back', () => {
    const overridden = dA.overrideStorageClass(b);
    expect(overridden.equals(dA)).toBe(false);
    expect(overridden.storageClass).toBe(b);
    expect(overridden.overrideStorageClass(a).equals(dA)).toBe(true);
  });

  it('keeps the parent storage class of a component', () => {
    const overridden = comp.makeComponentDatasetType('a').overrideStorageClass(b);
    expect(overridden.storageClass).toBe(b);
    expect(overridden.parentStorageClass).toBe(p);
    expect(overridden.name).toBe('comp.a');
  });

  it('returns the same type for the current storage class', () => {
    expect(dA.overrideStorageClass(a)).toBe(dA);
    expect(dA.overrideStorageClass('A')).toBe(dA);
  });

  it('rejects a storage class that converts neither way', () => {
    const unrelated = new StorageClass('Ints', { pytype: 'int', registry });
    let caught: unknown;
    try {
      dA.overrideStorageClass(unrelated);
    } catch (error) {
      caught = error;
    }
    expect(InvalidValueError.is(caught)).toBe(true);
    expect(IncompatibleStorageClassError.is(caught)).toBe(true);
    expect((caught as Error).message).toContain('is not compatible');
    expect((caught as IncompatibleStorageClassError).existing).toBe('A');
  });

  it('resolves a storage class name through the factory', () => {
    const factory = new StorageClassFactory({ registry });
    factory.registerStorageClass(a);
    factory.registerStorageClass(b);
    const type = new DatasetType('a', instrumentOnly, 'A', { factory });
    expect(type.overrideStorageClass('B').storageClass).toBe(b);
    expect(() => type.overrideStorageClass('Missing')).toThrow(LookupError);
  });
});

describe('DatasetType equality and lookup', () => {
  it('compares storage classes by name until both are resolved', () => {
    const factory = new StorageClassFactory();
    const byName = new DatasetType('a', instrumentOnly, 'StructuredDataDict', { factory });
    const byInstance = new DatasetType(
      'a',
      instrumentOnly,
      new StorageClass('StructuredDataDict', { pytype: 'list' }),
    );
    expect(byName.equals(byInstance)).toBe(true);
    void byName.storageClass;
    expect(byName.equals(byInstance)).toBe(false);
  });

  it('compares names, dimensions, calibration and parents', () => {
    const base = new DatasetType('a.b', instrumentOnly, dict, { parentStorageClass: 'P' });
    expect(
      base.equals(new DatasetType('a.b', instrumentOnly, dict, { parentStorageClass: 'P' })),
    ).toBe(true);
    expect(
      base.equals(new DatasetType('a.b', instrumentOnly, dict, { parentStorageClass: 'Q' })),
    ).toBe(false);
    expect(base.equals(new DatasetType('a.b', visitDims, dict, { parentStorageClass: 'P' }))).toBe(
      false,
    );
    expect(
      base.equals(
        new DatasetType('a.b', instrumentOnly, dict, {
          parentStorageClass: 'P',
          isCalibration: true,
        }),
      ),
    ).toBe(false);
    expect(base.equals('a.b')).toBe(false);
  });

  it('orders by name', () => {
    const a = new DatasetType('a', instrumentOnly, dict);
    const b = new DatasetType('b', instrumentOnly, dict);
    expect(a.compare(b)).toBeLessThan(0);
    expect(b.compare(a)).toBeGreaterThan(0);
    expect(a.compare(a)).toBe(0);
  });

  it('lists its lookup keys in priority order', () => {
    const component = new DatasetType('calexp.wcs', visitDims, dict, {
      parentStorageClass: 'ExposureF',
    });
    expect(component.lookupNames().map(String)).toEqual([
      'calexp.wcs',
      'calexp',
      'instrument+visit',
      'Dict',
      'ExposureF',
    ]);
    const plain = new DatasetType('calexp', universe.empty, dict);
    expect(plain.lookupNames().map(String)).toEqual(['calexp', 'Dict']);
  });
});
