import { ButlerError } from '@butler-ts/versioning';
import { describe, expect, it } from 'vitest';
import {
  DimensionNameError,
  IncompatibleStorageClassError,
  InvalidValueError,
  LookupError,
  MissingAttributeError,
  RuntimeError,
  StorageClassConflictError,
  TypeMismatchError,
  UnknownComponentError,
  UnknownParameterError,
  ValidationError,
} from './errors.ts';

describe('core errors', () => {
  const samples = [
    new LookupError('m', { kind: 'type', key: 'k' }),
    new DimensionNameError('m', 'visit'),
    new UnknownComponentError('c', 'dataset type x'),
    new UnknownParameterError('SC', ['a']),
    new InvalidValueError('m', 1),
    new IncompatibleStorageClassError('A', 'B'),
    new StorageClassConflictError('m', 'SC'),
    new TypeMismatchError('m', { expected: 'dict', actual: 'list' }),
    new MissingAttributeError('m', 'attr'),
    new ValidationError('m'),
    new RuntimeError('m'),
  ];

  it.each(samples.map((e) => [e.name, e] as const))(
    '%s is a branded ButlerError named after its class',
    (_n, error) => {
      expect(ButlerError.is(error)).toBe(true);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(error.constructor.name);
    },
  );

  it('recognises the kind families through the brand chain', () => {
    expect(LookupError.is(new DimensionNameError('m', 'v'))).toBe(true);
    expect(LookupError.is(new UnknownComponentError('c', 'x'))).toBe(true);
    expect(LookupError.is(new UnknownParameterError('S', ['a']))).toBe(true);
    expect(InvalidValueError.is(new IncompatibleStorageClassError('A', 'B'))).toBe(true);
    expect(InvalidValueError.is(new StorageClassConflictError('m', 'S'))).toBe(true);
    expect(LookupError.is(new InvalidValueError('m'))).toBe(false);
    expect(TypeMismatchError.is(new ValidationError('m'))).toBe(false);
    expect(LookupError.is('LookupError')).toBe(false);
  });

  it('carries its data', () => {
    const lookup = new LookupError('m', { kind: 'storage class', key: 'X' });
    expect([lookup.kind, lookup.key]).toEqual(['storage class', 'X']);
    const component = new UnknownComponentError('wcs', 'dataset type calexp');
    expect([component.component, component.owner, component.kind]).toEqual([
      'wcs',
      'dataset type calexp',
      'component',
    ]);
    expect(component.message).toBe(
      'Requested component (wcs) not understood by dataset type calexp',
    );
    const mismatch = new TypeMismatchError('m', { expected: 'dict' });
    expect([mismatch.expected, mismatch.actual]).toEqual(['dict', null]);
    const incompatible = new IncompatibleStorageClassError('A', 'B');
    expect([incompatible.storageClass, incompatible.existing, incompatible.value]).toEqual([
      'A',
      'B',
      'A',
    ]);
    expect(new MissingAttributeError('m', 'attr').attribute).toBe('attr');
    expect(new DimensionNameError('m', 'visit').dimension).toBe('visit');
  });

  it('words unknown parameters as the conformance vocabulary says', () => {
    expect(new UnknownParameterError('ThingOne', ['missing']).message).toBe(
      "Parameter 'missing' not understood by StorageClass ThingOne",
    );
    expect(new UnknownParameterError('ThingOne', ['b', 'a']).message).toBe(
      "Parameters 'a', 'b' not understood by StorageClass ThingOne",
    );
  });

  it('appends the sources of a validation error', () => {
    const error = new ValidationError('bad entry', ['a.yaml', 'b.yaml']);
    expect(error.message).toBe('bad entry (read from a.yaml, b.yaml)');
    expect(error.sources).toEqual(['a.yaml', 'b.yaml']);
    expect(new ValidationError('bad').message).toBe('bad');
  });
});
