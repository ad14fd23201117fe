// The YAML and JSON writers against the bytes daf_butler wrote for the same objects.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pyFloat, pythonFloatRepr, pythonJsonDumps, pyyamlSafeDump } from '../src/index.ts';
import { FIXTURE, manifest, pythonObject } from './manifest.ts';

const written = manifest.datasets.filter((d) => d.how.startsWith('Datastore.put'));

describe('byte compatibility with daf_butler', () => {
  for (const dataset of written) {
    it(`writes ${dataset.key} as daf_butler did`, () => {
      const object = pythonObject(dataset) as Record<string, unknown>;
      for (const artifact of dataset.artifacts) {
        const value = artifact.component === null ? object : object[artifact.component];
        const text = artifact.record.path.endsWith('.json')
          ? pythonJsonDumps(value)
          : pyyamlSafeDump(value);
        const expected = readFileSync(`${FIXTURE}${artifact.file_in_fixture}`, 'utf8');
        expect(text).toBe(expected);
        expect(Buffer.byteLength(text)).toBe(artifact.record.file_size);
      }
    });
  }
});

describe('Python float repr', () => {
  it.each([
    [2, '2.0'],
    [0.1, '0.1'],
    [1e-10, '1e-10'],
    [6.02214076e23, '6.02214076e+23'],
    [1e16, '1e+16'],
    [123456789012345.6, '123456789012345.6'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [-3.75, '-3.75'],
    [-0, '-0.0'],
    [NaN, 'nan'],
    [-Infinity, '-inf'],
  ])('repr(%s) is %s', (value, text) => {
    expect(pythonFloatRepr(value)).toBe(text);
  });
});

describe('PyYAML corner cases', () => {
  it.each([
    ['a lone plain scalar ends the document', 'abc', 'abc\n...\n'],
    ['a lone int too', 5, '5\n...\n'],
    ['a quoted scalar does not', '123', "'123'\n"],
    ['the empty string is quoted', '', "''\n"],
    ['floats without a dot get one', pyFloat(1e17), '1.0e+17\n...\n'],
    ['special floats', [NaN, Infinity, -Infinity], '- .nan\n- .inf\n- -.inf\n'],
    ['keys that need quotes', { null: 1, '1.5': 2, 'a: b': 3 }, "'null': 1\n'1.5': 2\n'a: b': 3\n"],
    ['a quote inside a quoted string', ["it's", "'x"], "- it's\n- '''x'\n"],
    ['a leading space', ' x', "' x'\n"],
    ['a tab is escaped', 'a\tb', '"a\\tb"\n'],
    ['an astral character', '😀', '"\\U0001F600"\n'],
    ['an empty key is complex', new Map([['', 1]]), "? ''\n: 1\n"],
    ['a timestamp-like string', '2020-01-01', "'2020-01-01'\n"],
    ['1e5 is a plain string in YAML 1.1', '1e5', '1e5\n...\n'],
  ])('%s', (_label, value, text) => {
    expect(pyyamlSafeDump(value)).toBe(text);
  });

  it('folds long double-quoted strings with escaped breaks', () => {
    const text = pyyamlSafeDump({ k: `${'é'.repeat(30)} ${'x'.repeat(20)}` });
    expect(text).toBe(`k: "${'\\xE9'.repeat(20)}\\\n  ${'\\xE9'.repeat(10)} ${'x'.repeat(20)}"\n`);
  });
});

describe('Python json.dumps corner cases', () => {
  it.each([
    [{ a: 'x"y\\z\n\u0001' }, '{"a": "x\\"y\\\\z\\n\\u0001"}'],
    [[NaN, Infinity, pyFloat(3)], '[NaN, Infinity, 3.0]'],
    [{}, '{}'],
    [new Map<unknown, unknown>([[1, 'a']]), '{"1": "a"}'],
  ])('%j', (value, text) => {
    expect(pythonJsonDumps(value)).toBe(text);
  });
});

// 600 random values (strings full of indicators, quotes, breaks, non-ASCII and long words;
// ints, floats, booleans, nulls; nested lists and dicts) with what PyYAML 6.0.3's
// `yaml.safe_dump(v, sort_keys=False)` and Python 3.11's `json.dumps(v, ensure_ascii=False)`
// wrote for them (generated once with Python; the test itself needs none). Floats and ints
// are tagged in the file because JSON cannot tell them apart.
describe('600 random values against PyYAML and json.dumps', () => {
  const cases = JSON.parse(readFileSync(`${FIXTURE}../pyyaml/cases.json`, 'utf8')) as [
    unknown,
    string,
    string,
  ][];
  const decode = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(decode);
    if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if ('__float__' in o)
        return pyFloat(Number((o['__float__'] as string).replace('inf', 'Infinity')));
      if ('__int__' in o) return BigInt(o['__int__'] as string);
      return new Map((o['__map__'] as [string, unknown][]).map(([k, x]) => [k, decode(x)]));
    }
    return v;
  };
  it.each(cases.map((c, i) => [i, ...c] as const))('case %i', (_i, value, yamlText, jsonText) => {
    const decoded = decode(value);
    expect(pyyamlSafeDump(decoded)).toBe(yamlText);
    expect(pythonJsonDumps(decoded)).toBe(jsonText);
  });
});
