import { expectTypeOf, test } from 'vitest';
import type { InsertRowOf, RowOf } from './row.ts';
import { tableSpec } from './table-spec.ts';
import type { TaiTime } from './tai-time.ts';

const spec = tableSpec({
  fields: [
    { name: 'id', dtype: 'bigint', primaryKey: true, autoincrement: true },
    { name: 'name', dtype: 'string', length: 16, nullable: false },
    { name: 'value', dtype: 'smallint' },
    { name: 'payload', dtype: 'base64Bytes', nbytes: 128 },
    { name: 'ref', dtype: 'uuid', nullable: true },
    { name: 'flag', dtype: 'boolean', nullable: false, default: 'FALSE' },
    { name: 'at', dtype: 'timeNsecTai' },
    { name: 'made', dtype: 'timestamp' },
    { name: 'ratio', dtype: 'float' },
    { name: 'blob', dtype: 'binary' },
    { name: 'note', dtype: 'text' },
  ],
});

test('RowOf gives required NOT NULL columns and optional nullable ones', () => {
  expectTypeOf<RowOf<typeof spec>>().toEqualTypeOf<{
    id: number;
    name: string;
    flag: boolean;
    value?: number | null;
    payload?: Uint8Array | null;
    ref?: string | null;
    at?: TaiTime | null;
    made?: Date | null;
    ratio?: number | null;
    blob?: Uint8Array | null;
    note?: string | null;
  }>();
});

test('InsertRowOf lets autoincrement and defaulted columns be left out', () => {
  expectTypeOf<{ name: string }>().toExtend<InsertRowOf<typeof spec>>();
  expectTypeOf<{ value: number }>().not.toExtend<InsertRowOf<typeof spec>>();
  expectTypeOf<InsertRowOf<typeof spec>['id']>().toEqualTypeOf<number | undefined>();
});

test('RowOf reads a plain spec declared as const', () => {
  const plain = {
    fields: [
      { name: 'dataset_id', dtype: 'uuid', primaryKey: true },
      { name: 'path', dtype: 'string', length: 256, nullable: false },
      { name: 'size', dtype: 'bigint' },
    ],
  } as const;
  expectTypeOf(plain.fields).toExtend<readonly unknown[]>();
  expectTypeOf<RowOf<typeof plain>>().toEqualTypeOf<{
    dataset_id: string;
    path: string;
    size?: number | null;
  }>();
});

test('a row with a wrong value type or unknown column does not type-check', () => {
  type Row = RowOf<typeof spec>;
  // @ts-expect-error name must be a string
  const wrongType: Row = { id: 1, name: 2, flag: true };
  // @ts-expect-error nmae is not a column
  const unknownColumn: Row = { id: 1, name: 'x', flag: true, nmae: 'y' };
  // @ts-expect-error name is NOT NULL
  const nullName: Row = { id: 1, name: null, flag: true };
  void [wrongType, unknownColumn, nullName];
});

test('the spec keeps literal field types', () => {
  expectTypeOf(spec.fields[0].name).toEqualTypeOf<'id'>();
  expectTypeOf(spec.fields[0].nullable).toEqualTypeOf<false>();
  expectTypeOf(spec.fields[2].nullable).toEqualTypeOf<true>();
  expectTypeOf(spec.fields[1].dtype).toEqualTypeOf<'string'>();
});
