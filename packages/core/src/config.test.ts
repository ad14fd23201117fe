import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Config, configSubset } from './config.ts';
import { LookupError, TypeMismatchError, ValidationError } from './errors.ts';

describe('Config access', () => {
  const config = new Config({
    datastore: { cls: 'InMemoryDatastore', records: { table: 'x' }, list: [{ a: 1 }, 'two'] },
    'dotted.key': { inner: true },
    nothing: null,
  });

  it('reads nested values by dotted key and by parts', () => {
    expect(config.get('datastore.cls')).toBe('InMemoryDatastore');
    expect(config.get(['datastore', 'records', 'table'])).toBe('x');
    expect(config.get('datastore.missing')).toBeUndefined();
    expect(config.get('datastore.cls.deeper')).toBeUndefined();
  });

  it('indexes lists with numeric parts', () => {
    expect(config.get('datastore.list.0.a')).toBe(1);
    expect(config.get(['datastore', 'list', 1])).toBe('two');
    expect(config.get('datastore.list.x')).toBeUndefined();
  });

  it('splits on a leading non-alphanumeric delimiter', () => {
    expect(config.get('/dotted.key/inner')).toBe(true);
    expect(config.get(':datastore:records:table')).toBe('x');
  });

  it('treats null as a present value', () => {
    expect(config.has('nothing')).toBe(true);
    expect(config.get('nothing')).toBeNull();
    expect(config.has('absent')).toBe(false);
  });

  it('requires a key, naming it when missing', () => {
    expect(config.require('datastore.cls')).toBe('InMemoryDatastore');
    expect(() => config.require('datastore.root')).toThrow(LookupError);
    expect(() => config.require('datastore.root')).toThrow(
      'Configuration key "datastore.root" is missing',
    );
  });

  it('returns sections as configs and refuses non-mappings', () => {
    expect(config.section('datastore.records')?.get('table')).toBe('x');
    expect(config.section('datastore.cls')).toBeUndefined();
  });

  it('lists top-level keys and all hierarchical names', () => {
    expect(config.keys()).toEqual(['datastore', 'dotted.key', 'nothing']);
    expect(config.names()).toContain('datastore.records.table');
  });

  it('is deeply frozen', () => {
    const records = config.get('datastore.records') as Record<string, unknown>;
    expect(Object.isFrozen(records)).toBe(true);
    expect(() => {
      records['table'] = 'y';
    }).toThrow(TypeError);
    const copy = config.toObject();
    (copy['datastore'] as Record<string, unknown>)['cls'] = 'Other';
    expect(config.get('datastore.cls')).toBe('InMemoryDatastore');
  });

  it('does not let later changes to the input leak in', () => {
    const input = { a: { b: 1 } };
    const c = new Config(input);
    input.a.b = 2;
    expect(c.get('a.b')).toBe(1);
  });

  it('rejects bad keys', () => {
    expect(() => config.get('')).toThrow(TypeMismatchError);
    expect(() => config.get(5 as unknown as string)).toThrow(TypeMismatchError);
    expect(() => config.get([{}] as unknown as string[])).toThrow(TypeMismatchError);
  });
});

describe('Config changes and merging', () => {
  const defaults = new Config(
    { datastore: { cls: 'Default', records: { table: 'd', keep: 1 }, list: [1, 2] } },
    { source: 'defaults.yaml' },
  );

  it('sets and removes values in copies', () => {
    const base = new Config({ a: { b: 1 } });
    const changed = base.with('a.c.d', 2);
    expect(changed.get('a.c.d')).toBe(2);
    expect(changed.get('a.b')).toBe(1);
    expect(base.has('a.c')).toBe(false);
    expect(changed.without('a.b').has('a.b')).toBe(false);
    expect(changed.without('no.such').equals(changed)).toBe(true);
    expect(new Config({ l: [1, 2] }).with('l.1', 5).get('l')).toEqual([1, 5]);
  });

  it('merges defaults under overrides, recursively', () => {
    const config = new Config({ datastore: { records: { table: 'mine' }, list: [9] } }).merge(
      defaults,
    );
    expect(config.get('datastore.cls')).toBe('Default');
    expect(config.get('datastore.records.table')).toBe('mine');
    expect(config.get('datastore.records.keep')).toBe(1);
    expect(config.get('datastore.list')).toEqual([9]);
    expect(config.sources).toEqual(['defaults.yaml']);
  });

  it('applies overrides over values with update', () => {
    const config = defaults.update({ datastore: { cls: 'Override' } });
    expect(config.get('datastore.cls')).toBe('Override');
    expect(config.get('datastore.records.table')).toBe('d');
  });

  it('compares trees, not sources', () => {
    expect(
      new Config({ a: [1, { b: 2 }] }).equals(new Config({ a: [1, { b: 2 }] }, { source: 'x' })),
    ).toBe(true);
    expect(new Config({ a: 1 }).equals(new Config({ a: 2 }))).toBe(false);
    expect(new Config({ a: 1 }).equals({ a: 1 })).toBe(false);
  });

  it('round-trips through YAML', () => {
    const again = Config.fromYaml(defaults.toYaml());
    expect(again.equals(defaults)).toBe(true);
    expect(String(defaults)).toContain('cls: Default');
  });

  it('copies another config, keeping its sources', () => {
    const copy = new Config(defaults, { source: 'more.yaml' });
    expect(copy.equals(defaults)).toBe(true);
    expect(copy.sources).toEqual(['defaults.yaml', 'more.yaml']);
  });
});

describe('Config parsing', () => {
  it('parses YAML with the 1.2 core schema', () => {
    const config = Config.fromYaml('a: yes\nb: true\nc: 010\nd: ~\n');
    expect(config.get('a')).toBe('yes');
    expect(config.get('b')).toBe(true);
    expect(config.get('c')).toBe(10);
    expect(config.get('d')).toBeNull();
  });

  it('reads an empty document as an empty config', () => {
    expect(Config.fromYaml('').keys()).toEqual([]);
    expect(Config.fromYaml('# only a comment\n').keys()).toEqual([]);
  });

  it('rejects malformed YAML, keeping the source', () => {
    expect(() => Config.fromYaml('a: [1, 2', { source: 'bad.yaml' })).toThrow(ValidationError);
    expect(() => Config.fromYaml('a: [1, 2', { source: 'bad.yaml' })).toThrow(
      /Malformed YAML.*read from bad\.yaml/s,
    );
  });

  it('rejects duplicate keys', () => {
    expect(() => Config.fromYaml('a: 1\na: 2\n')).toThrow(/Map keys must be unique/);
  });

  it('rejects a document that is not a mapping', () => {
    expect(() => Config.fromYaml('- a\n- b\n')).toThrow(
      'A YAML configuration must be a mapping at the top level, got list',
    );
    expect(() => Config.fromYaml('just text')).toThrow(ValidationError);
  });

  it('rejects non-string YAML input and non-mapping objects', () => {
    expect(() => Config.fromYaml(3 as unknown as string)).toThrow(TypeMismatchError);
    expect(() => new Config([1, 2] as unknown as Record<string, unknown>)).toThrow(ValidationError);
    expect(() => new Config('a: 1' as unknown as Record<string, unknown>)).toThrow(ValidationError);
  });

  describe('from files', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'butler-core-config-'));
      await writeFile(join(dir, 'good.yaml'), 'datastore:\n  cls: FromFile\n');
      await writeFile(join(dir, 'bad.yaml'), 'datastore: {cls: [\n');
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('reads a file and records it as the source', async () => {
      const config = await Config.fromFile(join(dir, 'good.yaml'));
      expect(config.get('datastore.cls')).toBe('FromFile');
      expect(config.sources).toEqual([join(dir, 'good.yaml')]);
    });

    it('names the file in a parse error', async () => {
      await expect(Config.fromFile(join(dir, 'bad.yaml'))).rejects.toThrow(/bad\.yaml/);
    });

    it('rejects a missing file with the file system error', async () => {
      await expect(Config.fromFile(join(dir, 'missing.yaml'))).rejects.toThrow(/ENOENT/);
    });
  });
});

describe('configSubset', () => {
  it('takes the component section and merges defaults under it', () => {
    const config = configSubset(
      { datastore: { root: '/repo' } },
      {
        component: 'datastore',
        defaults: [{ datastore: { cls: 'Low', root: '/low' } }, { cls: 'High' }],
        requiredKeys: ['cls'],
      },
    );
    expect(config.get('cls')).toBe('High');
    expect(config.get('root')).toBe('/repo');
  });

  it('prefers a doubly nested section and accepts the bare section', () => {
    expect(
      configSubset(
        { datastore: { datastore: { cls: 'A' }, cls: 'B' } },
        { component: 'datastore' },
      ).get('cls'),
    ).toBe('A');
    expect(configSubset({ cls: 'C' }, { component: 'datastore' }).get('cls')).toBe('C');
    expect(configSubset(null, { component: 'datastore' }).keys()).toEqual([]);
  });

  it('names missing mandatory keys', () => {
    expect(() =>
      configSubset({ datastore: {} }, { component: 'datastore', requiredKeys: ['cls', 'root'] }),
    ).toThrow('Mandatory keys (cls, root) missing from supplied configuration for datastore');
  });
});
