// Puts three datasets into a repository made by `butler-ts create <folder>`, through a Butler,
// and prints their IDs and files. The registry has daf_butler's default dimension universe:
// the dimension records of the data IDs go in first, then the dataset type and the run, then
// the datasets (registered, then stored). Run it from a clone after `pnpm build`:
//   node packages/cli/examples/fill-repo.mjs <folder>
import { relative, resolve } from 'node:path';
import { Butler } from '@butler-ts/butler';
import { DatasetIdGenEnum, DatasetType } from '@butler-ts/core';

const root = resolve(process.argv[2] ?? 'repo');
const butler = await Butler.fromRepo(root, { run: 'run/1', writeable: true });
try {
  const { collections, datasets, dimensions } = butler.registry;
  await dimensions.insertRecords('instrument', [{ name: 'Cam', visit_max: 100 }]);
  await dimensions.insertRecords('physical_filter', [
    { instrument: 'Cam', name: 'Cam-r', band: 'r' },
  ]);
  await dimensions.insertRecords('day_obs', [{ instrument: 'Cam', id: 20260101 }]);
  await dimensions.insertRecords(
    'visit',
    [1, 2, 3].map((id) => ({ instrument: 'Cam', id, physical_filter: 'Cam-r', day_obs: 20260101 })),
  );
  const summary = new DatasetType('summary', ['visit'], 'StructuredDataDict', {
    universe: dimensions.universe,
  });
  await datasets.registerDatasetType(summary);
  await collections.registerRun('run/1');
  for (const visit of [1, 2, 3]) {
    // Reproducible IDs (a UUIDv5 of dataset type, data ID and run), as daf_butler makes them.
    const ref = await butler.put(
      { visit, seeing: 0.5 + visit / 10, band: 'r' },
      'summary',
      { instrument: 'Cam', visit },
      { idGenerationMode: DatasetIdGenEnum.DATAID_TYPE_RUN },
    );
    const file = (await butler.getURI(ref)).ospath ?? '';
    console.log(`${ref.id}  ${relative(root, file)}`);
  }
} finally {
  await butler.close();
}
