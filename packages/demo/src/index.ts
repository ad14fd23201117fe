// The butler-ts demo: what each layer does, printed step by step. Later layers (registry,
// datastore) add their steps here as they land.
import { VersionTuple } from '@butler-ts/versioning';
import { rowChecker, tableSpec } from '@butler-ts/ddl';
import type { RowOf } from '@butler-ts/ddl';

function step(title: string, detail: string): void {
  console.log(`• ${title}\n  ${detail.replaceAll('\n', '\n  ')}`);
}

const code = VersionTuple.fromString('0.2.1');
const stored = VersionTuple.fromString('0.2.0');
step(
  'versioning',
  `code ${code.toString()} vs registry ${stored.toString()}: read ${code.checkCompatibility(stored, false)}, write ${code.checkCompatibility(stored, true)}`,
);

const records = tableSpec({
  fields: [
    { name: 'dataset_id', dtype: 'uuid', primaryKey: true },
    { name: 'path', dtype: 'string', length: 256, nullable: false },
    { name: 'file_size', dtype: 'bigint' },
  ],
});
type RecordRow = RowOf<typeof records>;
const row: RecordRow = { dataset_id: crypto.randomUUID(), path: 'a/b.fits', file_size: 2880 };
step(
  'ddl',
  `table spec with ${records.fields.length} fields; a checked row: ${JSON.stringify(rowChecker('records', records)(row, 'insert'))}`,
);
try {
  rowChecker('records', records)({ ...row, file_size: 'big' }, 'insert');
} catch (error) {
  step('ddl rejects bad input before any SQL', (error as Error).message);
}
