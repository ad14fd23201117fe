import { tableSpec } from '@butler-ts/ddl';
import { and, eq, col, inList, literal } from '@butler-ts/registry-interfaces';
import { describe, expect, it } from 'vitest';
import { WhereClauseError } from './errors.ts';
import { parseWhere } from './where.ts';

const spec = tableSpec({
  fields: [
    { name: 'id', dtype: 'uuid', primaryKey: true },
    { name: 'name', dtype: 'string', length: 4 },
    { name: 'n', dtype: 'smallint' },
    { name: 'x', dtype: 'float' },
    { name: 'ok', dtype: 'boolean' },
    { name: 'at', dtype: 'timestamp' },
    { name: 'raw', dtype: 'binary' },
  ],
});

function value(clause: string): unknown {
  const expr = parseWhere('t', spec, [clause]);
  if (expr.kind !== 'compare' || expr.right.kind !== 'value') throw new Error('not a comparison');
  return expr.right.value;
}

function failure(clause: string): WhereClauseError {
  try {
    parseWhere('t', spec, [clause]);
  } catch (error) {
    if (WhereClauseError.is(error)) return error;
    throw error;
  }
  throw new Error(`${clause} was accepted`);
}

describe('parseWhere', () => {
  it('parses each value as its column type', () => {
    expect(value('id={00000000-0000-4000-8000-00000000000A}')).toBe(
      '00000000-0000-4000-8000-00000000000a',
    );
    expect(value('n=-12')).toBe(-12);
    expect(value('x=2.5e3')).toBe(2500);
    expect(value('ok=No')).toBe(false);
    expect(value('ok=TRUE')).toBe(true);
    expect(value('at=2024-05-01 12:00')).toEqual(new Date('2024-05-01T12:00:00Z'));
    expect(value('at=2024-05-01T12:00:00+02:00')).toEqual(new Date('2024-05-01T10:00:00Z'));
    expect(value('raw=AAEC/w==')).toEqual(new Uint8Array([0, 1, 2, 255]));
    expect(value('name=a=b')).toBe('a=b');
    expect(value('name=')).toBe('');
  });

  it('ANDs columns and turns a repeated column into IN', () => {
    expect(parseWhere('t', spec, ['n=1', 'name=a', 'n=2'])).toEqual(
      and(inList(col('n'), [1, 2]), eq(col('name'), 'a')),
    );
    expect(parseWhere('t', spec, [])).toEqual(literal(true));
  });

  it('names the column and the reason when a value does not fit', () => {
    expect(failure('n=1.5').message).toBe(
      'Bad value "1.5" for column n (smallint) in --where: expected an integer',
    );
    expect(failure('n=40000').message).toMatch(
      /^Bad value "40000" for column n \(smallint\).*out of range/,
    );
    expect(failure('x=abc').column).toBe('x');
    expect(failure('ok=maybe').message).toMatch(/expected a boolean/);
    expect(failure('at=yesterday').message).toMatch(/expected an ISO 8601 date-time/);
    expect(failure('raw=not base64!').message).toMatch(/expected base64 bytes/);
    expect(failure('name=toolong').message).toMatch(/longer than 4 characters/);
  });

  it('rejects unknown columns and clauses without a column', () => {
    const unknown = failure('colour=red');
    expect(unknown.column).toBe('colour');
    expect(unknown.message).toBe(
      'Unknown column "colour" in --where: table t has columns id, name, n, x, ok, at, raw',
    );
    expect(failure('=3').column).toBeNull();
    expect(failure('novalue').message).toBe('Bad --where "novalue": expected column=value');
  });
});
