// The Butler part of the demo: a repository laid out as daf_butler lays one out (butler.yaml, a
// SQLite registry with daf_butler's schema and default dimension universe, a FileDatastore in
// the folder) is made and filled through a Butler, closed, reopened read-only, and its datasets
// are found by dataset type and data ID, in a run and through a chain of two runs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Butler, DatasetNotFoundInCollectionsError } from '@butler-ts/butler';
import { DatasetType } from '@butler-ts/core';
import { CollectionType } from '@butler-ts/registry-interfaces';
import { createRegistry } from '@butler-ts/registry-sql';

// daf_butler's butler.yaml for a SQLite registry and a FileDatastore in the same folder.
const BUTLER_YAML = `datastore:
  cls: lsst.daf.butler.datastores.fileDatastore.FileDatastore
  records:
    table: file_datastore_records
  root: <butlerRoot>
registry:
  db: sqlite:///<butlerRoot>/gen3.sqlite3
`;

// The dimension records the data IDs below refer to, parents first.
const RECORDS: readonly (readonly [string, readonly Record<string, unknown>[]])[] = [
  ['instrument', [{ name: 'DemoCam', visit_max: 1000, detector_max: 4 }]],
  ['physical_filter', [{ instrument: 'DemoCam', name: 'demo-r', band: 'r' }]],
  ['day_obs', [{ instrument: 'DemoCam', id: 20260101 }]],
  ['detector', [1, 2, 3].map((id) => ({ instrument: 'DemoCam', id, full_name: `det0${id}` }))],
  ['visit', [{ instrument: 'DemoCam', id: 42, physical_filter: 'demo-r', day_obs: 20260101 }]],
];

/** The calexp summaries put: run, detector, value. Run r2 redoes detector 2 only. */
const PUTS = [
  ['demo/r1', 1, { detector: 1, seeing: 0.71 }],
  ['demo/r1', 2, { detector: 2, seeing: 0.74 }],
  ['demo/r2', 2, { detector: 2, seeing: 0.69 }],
] as const;

const dataId = (detector: number): Record<string, unknown> => ({
  instrument: 'DemoCam',
  visit: 42,
  detector,
});

/**
 * Makes a repository in a new temp folder, fills it through a Butler (dimension records,
 * dataset type, runs r1 and r2 and a chain of them, three datasets), closes it, reopens it
 * read-only and finds datasets by dataset type and data ID: in a run, through the chain, and
 * one that is not there, reporting each step through `step`. The folder is removed unless
 * `keep`.
 */
export async function butlerSteps(
  step: (title: string, ...lines: string[]) => void,
  keep: boolean,
): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'butler-demo-repo-'));
  try {
    writeFileSync(join(root, 'butler.yaml'), BUTLER_YAML);
    const registry = await createRegistry(`sqlite:///${join(root, 'gen3.sqlite3')}`);
    const universe = registry.dimensions.universe;
    const stored: string[] = [];
    for (const [element, records] of RECORDS) {
      await registry.dimensions.insertRecords(element, records);
      stored.push(`${element}: ${records.length}`);
    }
    await registry.close();
    step(
      'Make a repository: butler.yaml, a registry with daf_butler schema, a file datastore',
      `root: ${root}`,
      `dimension universe: ${universe.namespace} version ${universe.version}`,
      `dimension records: ${stored.join(', ')}`,
    );

    const writer = await Butler.fromRepo(root, { run: 'demo/r1', writeable: true });
    const put: string[] = [];
    try {
      const { collections, datasets } = writer.registry;
      await datasets.registerDatasetType(
        new DatasetType('calexp', ['visit', 'detector'], 'StructuredDataDict', { universe }),
      );
      await collections.registerRun('demo/r1');
      await collections.registerRun('demo/r2');
      await collections.register('demo/chain', CollectionType.CHAINED);
      await collections.setChain('demo/chain', ['demo/r2', 'demo/r1']);
      for (const [run, detector, value] of PUTS) {
        const ref = await writer.put(value, 'calexp', dataId(detector), { run });
        const path = (await writer.getURI(ref)).ospath ?? '?';
        put.push(`${run} detector ${detector}: ${relative(root, path)}`);
      }
    } finally {
      await writer.close();
    }
    step(
      'Put calexp datasets through a Butler: runs demo/r1 and demo/r2, chain demo/chain = [r2, r1]',
      ...put,
    );

    const butler = await Butler.fromRepo(root);
    try {
      const found = await butler.get('calexp', dataId(1), { collections: 'demo/r1' });
      const ref = await butler.findDataset('calexp', dataId(1), { collections: 'demo/r1' });
      step(
        'Close it, reopen it read-only, and get the calexp of visit 42, detector 1 in demo/r1',
        `writeable: ${String(butler.isWriteable)}`,
        `found: ${ref?.toString() ?? 'nothing'}`,
        `value: ${JSON.stringify(found)}`,
      );

      const chained: string[] = [];
      for (const detector of [1, 2]) {
        const hit = await butler.findDataset('calexp', dataId(detector), {
          collections: 'demo/chain',
        });
        const value = hit === null ? null : await butler.get(hit);
        chained.push(`detector ${detector}: in ${hit?.run ?? 'none'}, ${JSON.stringify(value)}`);
      }
      step('Search the chain demo/chain: the first run holding the data ID wins', ...chained);

      try {
        await butler.get('calexp', dataId(3), { collections: 'demo/chain' });
      } catch (error) {
        if (!DatasetNotFoundInCollectionsError.is(error)) throw error;
        step(
          'A data ID with no dataset fails with a clear error',
          `${error.name}: ${error.message}`,
        );
      }
    } finally {
      await butler.close();
    }
  } finally {
    if (!keep) rmSync(root, { recursive: true, force: true });
  }
}
