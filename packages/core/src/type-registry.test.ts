import { describe, expect, it } from 'vitest';
import { InvalidValueError, LookupError, TypeMismatchError } from './errors.ts';
import { StorageClassDelegate } from './storage-class.ts';
import { isTuple } from './tuple.ts';
import { BUILTIN_TYPES, classType, defineType } from './type-descriptor.ts';
import { BASE_DELEGATE_NAME, TypeRegistry } from './storage-class.ts';
import type { StorageClassDelegateClass } from './storage-class.ts';

class Animal {}

describe('TypeRegistry', () => {
  it('knows the builtins, their converters and the base delegate', () => {
    const registry = new TypeRegistry();
    expect(registry.getType('dict')).toBe(BUILTIN_TYPES.dict);
    expect(registry.getType('builtins.list')).toBe(BUILTIN_TYPES.list);
    expect(registry.getDelegate(BASE_DELEGATE_NAME)).toBe(StorageClassDelegate);
    expect(isTuple(registry.getConverter('tuple')([1, 2]))).toBe(true);
    expect(registry.getConverter('dict')(new Map([['a', 1]]))).toEqual({ a: 1 });
    expect(registry.getConverter('set')([1, 1])).toEqual(new Set([1]));
    expect(registry.getConverter('int')('42')).toBe(42);
    expect(registry.getConverter('float')('1.5')).toBe(1.5);
    expect(registry.getConverter('str')(5)).toBe('5');
    expect(registry.getConverter('list')('ab')).toEqual(['a', 'b']);
  });

  it('has builtin converters that fail like Python', () => {
    const registry = new TypeRegistry();
    expect(() => registry.getConverter('int')('x')).toThrow(InvalidValueError);
    expect(() => registry.getConverter('float')('x')).toThrow(InvalidValueError);
    expect(() => registry.getConverter('list')(5)).toThrow(TypeMismatchError);
    expect(() => registry.getConverter('dict')(5)).toThrow(TypeMismatchError);
  });

  it('can start empty', () => {
    const registry = new TypeRegistry({ builtins: false });
    expect(registry.typeNames()).toEqual([]);
    expect(registry.findType('dict')).toBeUndefined();
    expect(() => registry.getType('dict')).toThrow(LookupError);
    expect(() => registry.getConverter('tuple')).toThrow(/No converter registered as "tuple"/);
    expect(() => registry.getDelegate(BASE_DELEGATE_NAME)).toThrow(LookupError);
  });

  it('registers types, converters and delegates, idempotently', () => {
    class MyDelegate extends StorageClassDelegate {}
    const registry = new TypeRegistry();
    const animal = classType('zoo.Animal', Animal);
    const convert = (v: unknown) => v;
    registry.registerType(animal).registerType(animal);
    registry.registerConverter('zoo.convert', convert).registerConverter('zoo.convert', convert);
    registry.registerDelegate('zoo.Delegate', MyDelegate);
    expect(registry.findType('zoo.Animal')).toBe(animal);
    expect(registry.findConverter('zoo.convert')).toBe(convert);
    expect(registry.findDelegate('zoo.Delegate')).toBe(MyDelegate);
  });

  it('refuses a different entry under a taken name unless replacing', () => {
    const registry = new TypeRegistry();
    const other = defineType('dict', (v): v is unknown => v instanceof Map);
    expect(() => registry.registerType(other)).toThrow(InvalidValueError);
    registry.registerType(other, { replace: true });
    expect(registry.getType('dict')).toBe(other);
    expect(() => registry.registerConverter('tuple', (v) => v)).toThrow(
      /already registered as "tuple"/,
    );
  });

  it('rejects entries of the wrong kind', () => {
    const registry = new TypeRegistry();
    expect(() => registry.registerType({ name: 'x' } as never)).toThrow(TypeMismatchError);
    expect(() => registry.registerConverter('c', 'fn' as never)).toThrow(/not callable/);
    expect(() => registry.registerConverter('', (v) => v)).toThrow(TypeMismatchError);
    expect(() =>
      registry.registerDelegate('d', class {} as unknown as StorageClassDelegateClass),
    ).toThrow(/not a StorageClassDelegate class/);
  });

  it('shares one process-wide instance', () => {
    expect(TypeRegistry.shared).toBe(TypeRegistry.shared);
    expect(TypeRegistry.shared.getType('object')).toBe(BUILTIN_TYPES.object);
  });
});
