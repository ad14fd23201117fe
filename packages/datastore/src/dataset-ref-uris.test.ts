import { isError } from '../test/is-error.ts';
import { TypeMismatchError } from '@butler-ts/core';
import { describe, expect, it } from 'vitest';
import { DatasetRefURIs } from './dataset-ref-uris.ts';
import { ResourcePath } from './resource-path.ts';

describe('DatasetRefURIs', () => {
  it('takes component URIs from a map or a plain object, and copies them', () => {
    const uri = new ResourcePath('mem://c');
    const source = new Map([['c', uri]]);
    const fromMap = new DatasetRefURIs(null, source);
    source.clear();
    expect(fromMap.componentURIs.get('c')).toBe(uri);
    expect(new DatasetRefURIs(null, { c: uri }).componentURIs.get('c')).toBe(uri);
  });

  it('checks its arguments with constructor checks', () => {
    expect(() => new DatasetRefURIs('mem://x' as unknown as ResourcePath)).toThrow(
      expect.toSatisfy(isError(TypeMismatchError)) as Error,
    );
    expect(() => new DatasetRefURIs(null, { c: 'mem://c' as unknown as ResourcePath })).toThrow(
      /Component URI c/,
    );
  });

  it('prints None for a missing primary URI', () => {
    expect(new DatasetRefURIs().toString()).toBe('DatasetRefURIs(None, {})');
  });

  it('compares component URIs', () => {
    const a = new DatasetRefURIs(null, { c: new ResourcePath('mem://c') });
    expect(a.equals(new DatasetRefURIs(null, { c: new ResourcePath('mem://c') }))).toBe(true);
    expect(a.equals(new DatasetRefURIs(null, { d: new ResourcePath('mem://c') }))).toBe(false);
    expect(a.equals(new DatasetRefURIs(null, {}))).toBe(false);
    expect(a.equals(null)).toBe(false);
  });
});
