import { tableSpec } from '@butler-ts/ddl';
import { describe, expect, it } from 'vitest';
import { createFormatter, plainValue } from './formats.ts';

const spec = tableSpec({
  fields: [
    { name: 'id', dtype: 'integer', primaryKey: true },
    { name: 'text', dtype: 'text' },
  ],
});

describe('plainValue', () => {
  it('writes bytes as base64, dates as ISO, big integers and non-finite floats as strings', () => {
    expect(plainValue(new Uint8Array([104, 105]))).toBe('aGk=');
    expect(plainValue(new Date(Date.UTC(2020, 0, 2)))).toBe('2020-01-02T00:00:00.000Z');
    expect(plainValue(12n)).toBe(12);
    expect(plainValue(2n ** 60n)).toBe('1152921504606846976');
    expect(plainValue(Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(plainValue(undefined)).toBeNull();
  });
});

describe('createFormatter', () => {
  it('writes CSV with quoting only where needed, NULL empty and the empty string quoted', () => {
    const csv = createFormatter('csv', spec.fields);
    const text =
      csv.rows([
        { id: 1, text: 'plain' },
        { id: 2, text: 'a,b' },
        { id: 3, text: 'say "hi"' },
        { id: 4, text: null },
        { id: 5, text: '' },
      ]) + csv.end();
    expect(text).toBe('id,text\n1,plain\n2,"a,b"\n3,"say ""hi"""\n4,\n5,""\n');
  });

  it('streams one JSON array across pages', () => {
    const json = createFormatter('json', spec.fields);
    const text =
      json.rows([{ id: 1, text: 'a' }]) + json.rows([{ id: 2, text: null }]) + json.end();
    expect(JSON.parse(text)).toEqual([
      { id: 1, text: 'a' },
      { id: 2, text: null },
    ]);
  });

  it('keeps table widths from the first page and cuts longer text on later pages', () => {
    const table = createFormatter('table', spec.fields);
    const text =
      table.rows([{ id: 1, text: 'abcdef' }]) +
      table.rows([{ id: 22, text: 'abcdefghij' }]) +
      table.end();
    expect(text).toBe(
      [
        '         id  text',
        '-----------  ------',
        '          1  abcdef',
        '         22  abcde…',
        '(2 rows)',
        '',
      ].join('\n'),
    );
  });
});
