import { LookupError } from '@butler-ts/core';
import { tableSpec } from '@butler-ts/ddl';
import type { Row } from '@butler-ts/registry-interfaces';
import { describe, expect, it } from 'vitest';
import { isError } from '../test/is-error.ts';
import { DatastoreLogicError, DatastoreNotSupportedError } from './errors.ts';
import { datastoreOpaqueTable } from './opaque-table.ts';
import { DatastoreRecordData, StoredDatastoreItemInfo } from './record-data.ts';
import type { SerializedDatastoreRecordData, StoredDatastoreItemInfoClass } from './record-data.ts';

class PathInfo extends StoredDatastoreItemInfo {
  static override readonly recordClassName: string = 'test.PathInfo';
  readonly path: string;
  constructor(path: string) {
    super();
    this.path = path;
  }
  static override fromRecord(row: Row): PathInfo {
    return new PathInfo(row.path as string);
  }
  override toRecord(extra: Readonly<Record<string, unknown>> = {}): Row {
    return { path: this.path, ...extra };
  }
}
class OtherInfo extends PathInfo {}
class Bare extends StoredDatastoreItemInfo {}

const A = '01a20000-0000-7000-8000-00000000000a';
const B = '01a20000-0000-7000-8000-00000000000b';
const data = (entries: [string, string, StoredDatastoreItemInfo[]][]) => {
  const result = new DatastoreRecordData();
  for (const [id, table, infos] of entries) {
    const tables = result.records.get(id) ?? new Map<string, StoredDatastoreItemInfo[]>();
    tables.set(table, infos);
    result.records.set(id, tables);
  }
  return result;
};

describe('DatastoreRecordData', () => {
  it('adds only (dataset, table) pairs it does not have yet', () => {
    const mine = data([[A, 't', [new PathInfo('mine')]]]);
    mine.update(
      data([
        [A, 't', [new PathInfo('theirs')]],
        [A, 'u', [new PathInfo('u')]],
        [B, 't', [new PathInfo('b')]],
      ]),
    );
    expect((mine.records.get(A)!.get('t')![0] as PathInfo).path).toBe('mine');
    expect(mine.records.get(A)!.has('u')).toBe(true);
    expect(mine.records.get(B)!.has('t')).toBe(true);
  });

  it('takes a subset sharing the lists, or null when nothing matches', () => {
    const all = data([
      [A, 't', [new PathInfo('a')]],
      [B, 't', [new PathInfo('b')]],
    ]);
    const subset = all.subset([A, 'unknown'])!;
    expect([...subset.records.keys()]).toEqual([A]);
    expect(subset.records.get(A)).toBe(all.records.get(A));
    expect(all.subset(['unknown'])).toBeNull();
  });

  it('merges mappings per datastore name', () => {
    const merged = DatastoreRecordData.mergeMappings(
      new Map([['one', data([[A, 't', [new PathInfo('a')]]])]]),
      new Map([
        ['one', data([[B, 't', [new PathInfo('b')]]])],
        ['two', data([[A, 't', [new PathInfo('c')]]])],
      ]),
    );
    expect([...merged.keys()]).toEqual(['one', 'two']);
    expect([...merged.get('one')!.records.keys()]).toEqual([A, B]);
  });

  it('round-trips through its JSON form keyed by class, hex ID and table', () => {
    const original = data([
      [A, 't', [new PathInfo('a1'), new PathInfo('a2')]],
      [B, 'u', [new PathInfo('b')]],
    ]);
    const simple = original.toSimple();
    expect(simple).toEqual({
      records: {
        'test.PathInfo': {
          [A.replaceAll('-', '')]: { t: [{ path: 'a1' }, { path: 'a2' }] },
          [B.replaceAll('-', '')]: { u: [{ path: 'b' }] },
        },
      },
    });
    const classes = new Map<string, StoredDatastoreItemInfoClass>([['test.PathInfo', PathInfo]]);
    const back = DatastoreRecordData.fromSimple(
      JSON.parse(JSON.stringify(simple)) as SerializedDatastoreRecordData,
      classes,
    );
    expect((back.records.get(A)!.get('t') as PathInfo[]).map((i) => i.path)).toEqual(['a1', 'a2']);
    expect(() => DatastoreRecordData.fromSimple(simple, new Map())).toThrow(
      expect.toSatisfy(isError(LookupError)) as Error,
    );
    expect(() =>
      DatastoreRecordData.fromSimple({ records: { 'test.PathInfo': { xyz: {} } } }, classes),
    ).toThrow(/hex form/);
  });

  it('refuses records of mixed classes and records without rows', () => {
    expect(StoredDatastoreItemInfo.toRecords([])).toEqual(['', []]);
    expect(StoredDatastoreItemInfo.toRecords([new PathInfo('x')], { id: 1 })).toEqual([
      'test.PathInfo',
      [{ path: 'x', id: 1 }],
    ]);
    expect(() =>
      StoredDatastoreItemInfo.toRecords([new PathInfo('x'), new OtherInfo('y')]),
    ).toThrow(expect.toSatisfy(isError(DatastoreLogicError)) as Error);
    const bare = new Bare();
    for (const call of [
      () => bare.toRecord(),
      () => bare.fileLocation(null),
      () => bare.update({}),
      () => Bare.fromRecord({}),
    ]) {
      expect(call).toThrow(expect.toSatisfy(isError(DatastoreNotSupportedError)) as Error);
    }
  });
});

describe('datastoreOpaqueTable', () => {
  it('freezes a table spec with its record class, which must read rows', () => {
    const spec = tableSpec({
      fields: [{ name: 'path', dtype: 'string', length: 64, primaryKey: true }],
    });
    const table = datastoreOpaqueTable(spec, PathInfo);
    expect(table.tableSpec).toBe(spec);
    expect(table.recordClass).toBe(PathInfo);
    expect(Object.isFrozen(table)).toBe(true);
    expect(() => datastoreOpaqueTable(spec, {} as StoredDatastoreItemInfoClass)).toThrow(
      /fromRecord/,
    );
  });
});
