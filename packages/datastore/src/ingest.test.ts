import { makeRef } from '@butler-ts/core/testing';
import { describe, expect, it } from 'vitest';
import { readConfigFile, datastoreConfig } from './datastore-config.ts';
import { IngestPrepData, fileDataset } from './ingest.ts';

describe('fileDataset and IngestPrepData', () => {
  const refs = [1, 2].map((visit) => makeRef('raw', 'ThingOne', { instrument: 'x', visit }));

  it('freezes one ref or several with the path', () => {
    const one = fileDataset('/data/a.fits', refs[0]!);
    expect(one.refs).toEqual([refs[0]]);
    expect(one.formatter).toBeNull();
    const two = fileDataset('/data/b.fits', refs, 'my.Formatter');
    expect(two.refs).toEqual(refs);
    expect(Object.isFrozen(two) && Object.isFrozen(two.refs)).toBe(true);
  });

  it('keys the refs to ingest by ID', () => {
    const prep = new IngestPrepData(refs);
    expect([...prep.refs.keys()]).toEqual(refs.map((r) => r.id));
  });
});

describe('datastoreConfig and readConfigFile', () => {
  it('reduces a configuration to its datastore section over defaults', () => {
    const config = datastoreConfig({ datastore: { root: 'r' } }, [
      { datastore: { cls: 'X', root: 'd' } },
    ]);
    expect(config.data).toEqual({ cls: 'X', root: 'r' });
  });

  it('skips a missing file, and fails for one that is not YAML', async () => {
    expect(await readConfigFile('/nonexistent-dir', 'datastore.yaml')).toBeNull();
    expect(await readConfigFile(new URL('file:///nonexistent-dir'), 'x.yaml')).toBeNull();
    await expect(readConfigFile('/', 'etc')).rejects.toThrow();
  });
});
