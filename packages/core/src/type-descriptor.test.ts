import { describe, expect, it } from 'vitest';
import { InvalidValueError, TypeMismatchError } from './errors.ts';
import { isTuple, tuple } from './tuple.ts';
import { BUILTIN_TYPES, classType, defineType, isSubtypeOf } from './type-descriptor.ts';

class Animal {}
class Dog extends Animal {}

describe('type descriptors', () => {
  it('map Python builtins to JavaScript values', () => {
    const {
      object,
      dict,
      list,
      tuple: tupleType,
      set,
      int,
      float,
      str,
      bool,
      bytes,
    } = BUILTIN_TYPES;
    expect(object.isInstance(undefined)).toBe(true);
    expect(dict.isInstance({})).toBe(true);
    expect(dict.isInstance(new Map())).toBe(false);
    expect(list.isInstance([])).toBe(true);
    expect(list.isInstance(tuple())).toBe(false);
    expect(tupleType.isInstance(tuple(1))).toBe(true);
    expect(set.isInstance(new Set())).toBe(true);
    expect(int.isInstance(3)).toBe(true);
    expect(int.isInstance(3n)).toBe(true);
    expect(int.isInstance(3.5)).toBe(false);
    expect(float.isInstance(3.5)).toBe(true);
    expect(str.isInstance('s')).toBe(true);
    expect(bool.isInstance(false)).toBe(true);
    expect(bytes.isInstance(new Uint8Array())).toBe(true);
  });

  it('construct builtins for assembly', () => {
    expect(BUILTIN_TYPES.dict.create!({ a: 1 })).toEqual({ a: 1 });
    expect(BUILTIN_TYPES.list.create!()).toEqual([]);
    expect(() => BUILTIN_TYPES.list.create!({ a: 1 })).toThrow(TypeMismatchError);
    expect(isTuple(BUILTIN_TYPES.tuple.create!())).toBe(true);
    expect(BUILTIN_TYPES.set.create!()).toEqual(new Set());
  });

  it('describe classes with a constructor check and subtypes through bases', () => {
    const animal = classType('zoo.Animal', Animal);
    const dog = classType('zoo.Dog', Dog, { bases: [animal] });
    expect(dog.isInstance(new Dog())).toBe(true);
    expect(animal.isInstance(new Dog())).toBe(true);
    expect(dog.isInstance(new Animal())).toBe(false);
    expect(isSubtypeOf(dog, animal)).toBe(true);
    expect(isSubtypeOf(animal, dog)).toBe(false);
    expect(isSubtypeOf(dog, BUILTIN_TYPES.object)).toBe(true);
    expect(isSubtypeOf(BUILTIN_TYPES.int, BUILTIN_TYPES.float)).toBe(false);
  });

  it('reject bad names and non-function guards', () => {
    expect(() => defineType('1bad', (_v): _v is unknown => true)).toThrow(InvalidValueError);
    expect(() => defineType('a..b', (_v): _v is unknown => true)).toThrow(InvalidValueError);
    expect(() => defineType(3 as unknown as string, (_v): _v is unknown => true)).toThrow(
      TypeMismatchError,
    );
    expect(() => defineType('ok', 'guard' as never)).toThrow(TypeMismatchError);
    expect(() => classType('ok', {} as never)).toThrow(TypeMismatchError);
  });
});
