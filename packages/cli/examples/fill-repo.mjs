// Puts three datasets into a repository made by `butler-ts create <folder>`, through the
// library (FileDatastore.put), and prints their IDs and files. Run it from a clone after
// `pnpm build`: node packages/cli/examples/fill-repo.mjs <folder>
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import {
  Config,
  DatasetIdGenEnum,
  DatasetRef,
  DatasetType,
  DimensionUniverse,
} from '@butler-ts/core';
import { FileDatastore } from '@butler-ts/datastore-file';
import { openRegistry } from '@butler-ts/registry-sql';

const root = resolve(process.argv[2] ?? 'repo');
const config = Config.fromYaml(readFileSync(join(root, 'butler.yaml'), 'utf8'));
const universe = new DimensionUniverse({
  dimensions: {
    instrument: { keyType: 'string', governor: true },
    visit: { keyType: 'int', requires: ['instrument'] },
  },
});
const summary = new DatasetType('summary', ['instrument', 'visit'], 'StructuredDataDict', {
  universe,
});
const registry = await openRegistry(`sqlite:///${join(root, 'gen3.sqlite3')}`);
try {
  const datastore = await FileDatastore.create(config, registry.bridges, { butlerRoot: root });
  for (const visit of [1, 2, 3]) {
    // Reproducible IDs (a UUIDv5 of dataset type, data ID and run), as daf_butler makes them.
    const ref = new DatasetRef(summary, { instrument: 'Cam', visit }, 'run/1', {
      idGenerationMode: DatasetIdGenEnum.DATAID_TYPE_RUN,
    });
    await datastore.put({ visit, seeing: 0.5 + visit / 10, band: 'r' }, ref);
    const file = (await datastore.getURI(ref)).ospath ?? '';
    console.log(`${ref.id}  ${relative(root, file)}`);
  }
} finally {
  await registry.close();
}
