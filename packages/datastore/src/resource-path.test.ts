import { isError } from '../test/is-error.ts';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidValueError } from '@butler-ts/core';
import { describe, expect, it } from 'vitest';
import { DatastoreNotSupportedError } from './errors.ts';
import { ResourcePath } from './resource-path.ts';

describe('ResourcePath', () => {
  it('splits a mem URI into scheme, name, query and fragment', () => {
    const uri = new ResourcePath('mem://metric.data?instrument=dummy&visit=52#predicted');
    expect(uri.scheme).toBe('mem');
    expect(uri.netloc).toBe('metric.data');
    expect(uri.query).toBe('instrument=dummy&visit=52');
    expect(uri.fragment).toBe('predicted');
    expect(uri.geturl()).toBe('mem://metric.data?instrument=dummy&visit=52#predicted');
    expect(uri.ospath).toBeNull();
  });

  it('turns paths into file URIs, relative ones against the working directory', () => {
    expect(new ResourcePath('/a/b c').toString()).toBe('file:///a/b%20c');
    expect(new ResourcePath('rel/x.yaml').toString()).toBe(
      pathToFileURL(resolve('rel/x.yaml')).href,
    );
    expect(new ResourcePath('/a/b').ospath).toBe('/a/b');
    expect(new ResourcePath(new URL('file:///x')).path).toBe('/x');
  });

  it('copies, compares and prints like lsst.resources', () => {
    const a = new ResourcePath('file:///1/2/3');
    expect(new ResourcePath(a).equals(a)).toBe(true);
    expect(a.equals(new ResourcePath('file:///1/2/4'))).toBe(false);
    expect(a.equals('file:///1/2/3')).toBe(false);
    expect(a.repr()).toBe('ResourcePath("file:///1/2/3")');
    expect(JSON.stringify({ a })).toBe('{"a":"file:///1/2/3"}');
  });

  it('rejects empty and malformed input', () => {
    expect(() => new ResourcePath('')).toThrow(
      expect.toSatisfy(isError(InvalidValueError)) as Error,
    );
    expect(() => new ResourcePath('http://[bad')).toThrow(/Not a valid URI/);
  });

  it('checks existence: mem always, files on disk, other schemes not supported', async () => {
    expect(await new ResourcePath('mem://anything').exists()).toBe(true);
    const directory = await mkdtemp(join(tmpdir(), 'butler-rp-'));
    try {
      const file = join(directory, 'f.txt');
      expect(await new ResourcePath(file).exists()).toBe(false);
      await writeFile(file, 'x');
      expect(await new ResourcePath(file).exists()).toBe(true);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
    await expect(new ResourcePath('s3://bucket/key').exists()).rejects.toSatisfy(
      isError(DatastoreNotSupportedError),
    );
  });
});
