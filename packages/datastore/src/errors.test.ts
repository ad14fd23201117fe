import { LookupError, ValidationError } from '@butler-ts/core';
import { FakeDatasetRef } from '@butler-ts/registry-interfaces';
import { ButlerError } from '@butler-ts/versioning';
import { describe, expect, it } from 'vitest';
import {
  ConstraintsValidationError,
  DatasetNotFoundError,
  DatasetTypeNotSupportedError,
  DatastoreLogicError,
  DatastoreNotSupportedError,
  DatastoreValidationError,
  UnknownDatastoreClassError,
} from './errors.ts';

const ID = '01a20000-0000-7000-8000-000000000001';

describe('datastore errors', () => {
  it.each([
    ['DatasetNotFoundError', new DatasetNotFoundError('x')],
    ['DatasetTypeNotSupportedError', new DatasetTypeNotSupportedError('x')],
    ['DatastoreValidationError', new DatastoreValidationError('x')],
    ['ConstraintsValidationError', new ConstraintsValidationError('x')],
    ['DatastoreNotSupportedError', new DatastoreNotSupportedError('x', { operation: 'op' })],
    ['DatastoreLogicError', new DatastoreLogicError('x')],
    ['UnknownDatastoreClassError', new UnknownDatastoreClassError('X', [])],
  ] as const)('%s carries its name and brand', (name, error) => {
    expect(error.name).toBe(name);
    expect(ButlerError.is(error)).toBe(true);
    const cls = error.constructor as unknown as { brand: symbol };
    expect(cls.brand).toBe(Symbol.for(`@butler-ts/datastore:${name}`));
  });

  it('recognises errors by brand, not by class identity', () => {
    const error = new DatasetNotFoundError('gone');
    const copy = Object.create(error) as unknown;
    expect(DatasetNotFoundError.is(copy)).toBe(true);
    expect(DatasetNotFoundError.is(new DatastoreLogicError('x'))).toBe(false);
    expect(DatasetNotFoundError.is({ name: 'DatasetNotFoundError' })).toBe(false);
  });

  it('names the missing dataset, or lists the missing ones with the count', () => {
    const ref = new FakeDatasetRef(ID);
    const one = new DatasetNotFoundError('missing', { datastore: 'ds', ref });
    expect(one.datasetId).toBe(ID);
    expect(one.ref).toBe(ref);
    expect(one.missing).toEqual([ref]);
    expect(one.datastore).toBe('ds');
    const many = new DatasetNotFoundError('missing', { missing: [ref, ref], total: 5 });
    expect(many.datasetId).toBeNull();
    expect(many.missing).toHaveLength(2);
    expect(many.total).toBe(5);
    expect(Object.isFrozen(many.missing)).toBe(true);
  });

  it('makes validation errors core ValidationErrors and an unknown class a LookupError', () => {
    expect(ValidationError.is(new DatastoreValidationError('bad', ['a', 'b']))).toBe(true);
    expect(new DatastoreValidationError('bad', ['a', 'b']).problems).toEqual(['a', 'b']);
    expect(ValidationError.is(new ConstraintsValidationError('bad', { accept: 1 }))).toBe(true);
    const unknown = new UnknownDatastoreClassError('Nope', ['A', 'B']);
    expect(LookupError.is(unknown)).toBe(true);
    expect(unknown.key).toBe('Nope');
    expect(unknown.kind).toBe('datastore class');
    expect(unknown.message).toContain('known: A, B');
  });

  it('records the refused refs and operations', () => {
    const ref = new FakeDatasetRef(ID);
    expect(new DatasetTypeNotSupportedError('no', { datastore: 'd', refs: [ref] }).refs).toEqual([
      ref,
    ]);
    const refused = new DatastoreNotSupportedError('no', { datastore: 'd', operation: 'ingest' });
    expect([refused.datastore, refused.operation]).toEqual(['d', 'ingest']);
  });
});
