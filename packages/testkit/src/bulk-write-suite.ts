// Set-based writes over composite keys (issue 11): deletes, ensures and replaces whose rows
// vary in several key columns, with nulls, repeats and rows that match nothing, on a table
// shaped like daf_butler's file datastore records. Run by `describeDatabase`.
import { ColumnValueError, UnknownColumnError, tableSpec } from '@butler-ts/ddl';
import { IntegrityError } from '@butler-ts/registry-interfaces';
import type { Database, Row, TableHandle } from '@butler-ts/registry-interfaces';
import { expect, it } from 'vitest';

/** daf_butler's `file_datastore_records`, with a third key column for width-3 keys. */
const recordsSpec = tableSpec({
  fields: [
    { name: 'dataset_id', dtype: 'uuid', primaryKey: true },
    { name: 'component', dtype: 'string', length: 32, primaryKey: true },
    { name: 'part', dtype: 'bigint', primaryKey: true },
    { name: 'path', dtype: 'string', length: 256, nullable: false },
    { name: 'checksum', dtype: 'string', length: 128 },
    { name: 'file_size', dtype: 'bigint' },
  ],
});

/** Rows of `recordsSpec`'s first two key columns that a child row may reference. */
const parentSpec = tableSpec({
  fields: [
    { name: 'dataset_id', dtype: 'uuid', primaryKey: true },
    { name: 'component', dtype: 'string', length: 32, primaryKey: true },
  ],
});
const childSpec = tableSpec({
  fields: [
    { name: 'id', dtype: 'integer', primaryKey: true },
    { name: 'dataset_id', dtype: 'uuid', nullable: false },
    { name: 'component', dtype: 'string', length: 32, nullable: false },
  ],
  foreignKeys: [
    {
      table: 'bulk_parent',
      source: ['dataset_id', 'component'],
      target: ['dataset_id', 'component'],
    },
  ],
});

type Key = readonly [string, string, number];

const uuid = (i: number) => `00000000-0000-7000-8000-${i.toString(16).padStart(12, '0')}`;
const COMPONENTS = ['image', 'mask', 'variance', '__NULL_STRING__'] as const;
const keyOf = (row: Row): string =>
  `${String(row['dataset_id'])}/${String(row['component'])}/${String(row['part'])}`;

/** Rows for `datasets` datasets x every component x parts 0 and 1; a few nulls elsewhere. */
function records(datasets: number): Row[] {
  const rows: Row[] = [];
  for (let d = 0; d < datasets; d++) {
    for (const component of COMPONENTS) {
      for (const part of [0, 1]) {
        rows.push({
          dataset_id: uuid(d),
          component,
          part,
          path: `run/${d}/${component}_${part}.fits`,
          checksum: d % 3 === 0 ? null : `c${d % 5}`,
          file_size: d % 4 === 0 ? null : d % 7,
        });
      }
    }
  }
  return rows;
}

async function keys(db: Database, table: TableHandle): Promise<Set<string>> {
  return new Set((await db.fetch(table)).map(keyOf));
}

/** The tests; `context` gives the database of the current test. */
export function bulkWriteTests(context: () => Database): void {
  const setup = async (datasets: number) => {
    const db = context();
    let table!: TableHandle<typeof recordsSpec>;
    await db.declareStaticTables({ create: true }, (tables) => {
      table = tables.addTable('bulk_records', recordsSpec);
    });
    const rows = records(datasets);
    await db.insert(table, rows as never);
    return { db, table, rows };
  };

  it('deletes by two varying key columns in one call, with repeats and misses', async () => {
    const { db, table, rows } = await setup(6);
    const pairs = [
      { dataset_id: uuid(0), component: 'image' },
      { dataset_id: uuid(1), component: 'mask' },
      { dataset_id: uuid(0), component: 'image' },
      { dataset_id: uuid(2), component: '__NULL_STRING__' },
      // Each column's value exists, the pair does not; and a dataset that does not exist.
      { dataset_id: uuid(5), component: 'nothing' },
      { dataset_id: uuid(99), component: 'image' },
    ];
    // Three distinct existing pairs, two parts each.
    expect(await db.delete(table, ['dataset_id', 'component'], pairs)).toBe(6);
    const gone = new Set(
      [0, 1, 2].flatMap((d) =>
        [0, 1].map((p) => `${uuid(d)}/${['image', 'mask', '__NULL_STRING__'][d]!}/${p}`),
      ),
    );
    expect(await keys(db, table)).toEqual(new Set(rows.map(keyOf).filter((k) => !gone.has(k))));
    expect(await db.delete(table, ['dataset_id', 'component'], pairs)).toBe(0);
  });

  it('deletes by three varying key columns in one call', async () => {
    const { db, table, rows } = await setup(5);
    const triples: Key[] = [
      [uuid(0), 'image', 0],
      [uuid(1), 'mask', 1],
      [uuid(4), 'variance', 0],
      [uuid(4), 'variance', 0],
      [uuid(3), 'image', 7],
    ];
    const byTriple = triples.map(([dataset_id, component, part]) => ({
      dataset_id,
      component,
      part,
    }));
    expect(await db.delete(table, ['dataset_id', 'component', 'part'], byTriple)).toBe(3);
    const gone = new Set(triples.slice(0, 3).map(([d, c, p]) => `${d}/${c}/${p}`));
    expect(await keys(db, table)).toEqual(new Set(rows.map(keyOf).filter((k) => !gone.has(k))));
  });

  it('deletes by keys in any accepted form, checking every row before any SQL', async () => {
    const { db, table, rows } = await setup(13);
    // A UUID in capitals and a bigint (canonicalised), keys in another order, another column.
    const given: Row[] = [
      { dataset_id: uuid(10).toUpperCase(), component: 'image' },
      { component: 'mask', dataset_id: uuid(11) },
      { dataset_id: uuid(12), component: 'variance', path: 'not compared.fits' },
    ];
    expect(uuid(10).toUpperCase()).not.toBe(uuid(10));
    expect(await db.delete(table, ['dataset_id', 'component'], given)).toBe(6);
    expect(
      await db.delete(
        table,
        ['dataset_id', 'component', 'part'],
        [
          { dataset_id: uuid(0), component: 'image', part: 1n },
          { dataset_id: uuid(0), component: 'mask', part: -0 },
        ],
      ),
    ).toBe(2);
    const left = rows.length - 8;
    expect(await db.count(table)).toBe(left);
    // One bad row among good ones: nothing is deleted.
    const good = { dataset_id: uuid(1), component: 'image' };
    const bad: [Row[], (e: unknown) => boolean][] = [
      [[good, { ...good, path: 7 }], (e) => ColumnValueError.is(e)],
      [[good, { ...good, colour: 'red' }], (e) => UnknownColumnError.is(e)],
      [[good, { dataset_id: uuid(2) }], (e) => ColumnValueError.is(e)],
      [[good, { dataset_id: uuid(2), component: undefined }], (e) => ColumnValueError.is(e)],
      [[good, { dataset_id: 'not a uuid', component: 'image' }], (e) => ColumnValueError.is(e)],
      [[good, { dataset_id: null, component: 'image' }], (e) => ColumnValueError.is(e)],
      [[good, ['x', 'image'] as unknown as Row], (e) => ColumnValueError.is(e)],
    ];
    for (const [attempt, isExpected] of bad) {
      const error = await db.delete(table, ['dataset_id', 'component'], attempt).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isExpected(error), String(error)).toBe(true);
    }
    expect(await db.count(table)).toBe(left);
  });

  it('deletes alone or in the caller transaction: failures typed, rollbacks undo them', async () => {
    const db = context();
    let parent!: TableHandle<typeof parentSpec>;
    let child!: TableHandle<typeof childSpec>;
    await db.declareStaticTables({ create: true }, (tables) => {
      parent = tables.addTable('bulk_parent', parentSpec);
      child = tables.addTable('bulk_child', childSpec);
    });
    const pairs = [0, 1, 2, 3].map((d) => ({ dataset_id: uuid(d), component: 'image' }));
    await db.insert(parent, pairs);
    await db.insert(child, [{ id: 1, ...pairs[0]! }]);
    const columns = ['dataset_id', 'component'];
    const isForeignKey = (e: unknown) => IntegrityError.is(e) && e.kind === 'foreignKey';
    // A referenced row: the whole delete fails, typed, and deletes nothing.
    await expect(db.delete(parent, columns, [pairs[1]!, pairs[0]!])).rejects.toSatisfy(
      isForeignKey,
    );
    await expect(db.deleteWhere(parent, { dataset_id: uuid(0) })).rejects.toSatisfy(isForeignKey);
    await expect(db.delete(parent, ['dataset_id'], [{ dataset_id: uuid(0) }])).rejects.toSatisfy(
      isForeignKey,
    );
    expect(await db.count(parent)).toBe(4);
    // Inside a transaction: a failed delete leaves the transaction usable; a rollback undoes
    // the deletes that succeeded.
    const rollback = new Error('roll back');
    await expect(
      db.transaction(async () => {
        expect(await db.delete(parent, columns, [pairs[2]!, pairs[1]!])).toBe(2);
        await expect(db.delete(parent, columns, [pairs[0]!])).rejects.toSatisfy(isForeignKey);
        expect(await db.delete(parent, ['dataset_id'], [{ dataset_id: uuid(3) }])).toBe(1);
        expect(await db.count(parent)).toBe(1);
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    expect(await db.count(parent)).toBe(4);
    await db.transaction(async () => {
      expect(await db.delete(parent, columns, pairs.slice(1))).toBe(3);
    });
    expect(await db.fetch(parent)).toEqual([pairs[0]]);
  });

  it('deletes on non-key columns holding nulls, a null matching only NULL', async () => {
    const { db, table, rows } = await setup(40);
    const wanted = [
      { checksum: null, file_size: 1 },
      { checksum: 'c2', file_size: null },
      { checksum: null, file_size: null },
      { checksum: 'c4', file_size: 5 },
      { checksum: 'c4', file_size: 5 },
      { checksum: 'none', file_size: 3 },
    ];
    const matches = (row: Row) =>
      wanted.some((w) => w.checksum === row['checksum'] && w.file_size === row['file_size']);
    const expected = rows.filter(matches).length;
    // Every pattern of nulls matches some rows.
    for (const w of wanted.slice(0, 4))
      expect(rows.some((r) => w.checksum === r['checksum'] && w.file_size === r['file_size'])).toBe(
        true,
      );
    expect(await db.delete(table, ['checksum', 'file_size'], wanted)).toBe(expected);
    expect(await keys(db, table)).toEqual(new Set(rows.filter((r) => !matches(r)).map(keyOf)));
  });

  it('deletes more varying pairs than one statement takes', { timeout: 120_000 }, async () => {
    // 3 000 datasets x 4 components x 2 parts = 24 000 rows; 12 000 pairs, beyond one chunk.
    const { db, table } = await setup(3000);
    const pairs: Row[] = [];
    for (let d = 0; d < 3000; d++)
      for (const component of COMPONENTS)
        if ((d + component.length) % 2 === 0) pairs.push({ dataset_id: uuid(d), component });
    // Descending order: the engine must not depend on the caller's order.
    pairs.reverse();
    expect(await db.delete(table, ['dataset_id', 'component'], pairs)).toBe(pairs.length * 2);
    expect(await db.count(table)).toBe(24_000 - pairs.length * 2);
    const left = await db.fetch(table);
    for (const row of left)
      expect(
        (parseInt(String(row['dataset_id']).slice(-12), 16) + String(row['component']).length) % 2,
      ).toBe(1);
  });

  it('ensures and replaces over a three-column key, repeats inside one call', async () => {
    const { db, table } = await setup(2);
    const base = {
      path: 'new/path.fits',
      checksum: null,
      file_size: 1,
    };
    const fresh = { dataset_id: uuid(7), component: 'image', part: 0 };
    // An existing key, a new one given twice (the first wins), a new one with another part.
    const ensured = await db.ensure(table, [
      { dataset_id: uuid(0), component: 'mask', part: 1, ...base },
      { ...fresh, ...base, path: 'first.fits' },
      { ...fresh, ...base, path: 'second.fits' },
      { ...fresh, part: 1, ...base },
    ] as never);
    expect(ensured).toBe(2);
    const read = async (k: Row) => (await db.fetch(table, { where: k })).map((r) => r['path']);
    expect(await read({ dataset_id: uuid(0), component: 'mask', part: 1 })).toEqual([
      'run/0/mask_1.fits',
    ]);
    expect(await read(fresh)).toEqual(['first.fits']);
    // Replace: the last row for a key wins; other keys untouched.
    await db.replace(table, [
      { ...fresh, ...base, path: 'r1.fits' },
      { dataset_id: uuid(1), component: 'variance', part: 0, ...base, path: 'r2.fits' },
      { ...fresh, ...base, path: 'r3.fits', checksum: 'x' },
    ] as never);
    expect(await read(fresh)).toEqual(['r3.fits']);
    expect(await read({ dataset_id: uuid(1), component: 'variance', part: 0 })).toEqual([
      'r2.fits',
    ]);
    expect(await read({ dataset_id: uuid(1), component: 'variance', part: 1 })).toEqual([
      'run/1/variance_1.fits',
    ]);
    expect(await db.count(table)).toBe(2 * 4 * 2 + 2);
  });
}
