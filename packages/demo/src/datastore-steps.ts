// The datastore part of the demo: an InMemoryDatastore on the registry's bridge manager, with
// puts and gets, a component and a sliced read, URIs, a rolled-back transaction, the trash and
// a typed error.
import { DatasetRef, DatasetType } from '@butler-ts/core';
import type { MetricsRecord } from '@butler-ts/core/testing';
import {
  makeExampleMetrics,
  makeTestStorageClassFactory,
  slice,
  testUniverse,
} from '@butler-ts/core/testing';
import { DatasetNotFoundError } from '@butler-ts/datastore';
import { InMemoryDatastore } from '@butler-ts/datastore-memory';
import type { DatastoreRegistryBridgeManager } from '@butler-ts/registry-interfaces';

/**
 * Puts and gets datasets through an InMemoryDatastore built from configuration on `bridges`,
 * reads a component, rolls a transaction back and empties the trash, reporting each step
 * through `step`.
 */
export async function datastoreSteps(
  bridges: DatastoreRegistryBridgeManager,
  step: (title: string, ...lines: string[]) => void,
): Promise<void> {
  const datastore = await InMemoryDatastore.fromConfig(
    {
      datastore: {
        cls: 'lsst.daf.butler.datastores.inMemoryDatastore.InMemoryDatastore',
        constraints: { reject: ['scratch'] },
      },
    },
    bridges,
  );
  step(
    'Build an in-memory datastore from a daf_butler-style configuration',
    `name: ${datastore.name}`,
    `ephemeral: ${String(datastore.isEphemeral)}`,
    `constraints: ${datastore.constraints.toString()}`,
  );

  // Storage classes and dimensions of the daf_butler test suite: a metrics record whose
  // summary, output and data are components, and instrument/visit data IDs.
  const factory = makeTestStorageClassFactory();
  const metric = new DatasetType('metric', ['instrument', 'visit'], 'StructuredData', {
    universe: testUniverse(),
    factory,
  });
  const refs = [52, 53].map(
    (visit) => new DatasetRef(metric, { instrument: 'DemoCam', visit }, 'demo/run'),
  );
  for (const ref of refs) await datastore.put(makeExampleMetrics(), ref);
  step('Put two datasets', ...refs.map((ref) => ref.toString()));

  const whole = (await datastore.get(refs[0]!)) as MetricsRecord;
  const summary = await datastore.get(refs[0]!.makeComponentRef('summary'));
  const firstTwo = (await datastore.get(refs[0]!, {
    parameters: { slice: slice(0, 2) },
  })) as MetricsRecord;
  step(
    'Get one back, a component of it, and a slice of its data',
    `whole: a ${whole.constructor.name} with ${whole.data?.length ?? 0} data points`,
    `component summary: ${JSON.stringify(summary)}`,
    `parameters {slice: 0..2}: data ${JSON.stringify(firstTwo.data)}`,
  );

  const later = new DatasetRef(metric, { instrument: 'DemoCam', visit: 54 }, 'demo/run');
  step(
    'Locate datasets: stored ones by object, others predicted',
    `stored:    ${(await datastore.getURI(refs[0]!)).toString()}`,
    `predicted: ${(await datastore.getURI(later, { predict: true })).toString()}`,
  );

  try {
    await datastore.transaction(async () => {
      await datastore.put(makeExampleMetrics(), later);
      throw new Error('something went wrong after the put');
    });
  } catch (error) {
    step(
      'Roll a transaction back',
      `the block failed: ${(error as Error).message}`,
      `visit 54 exists afterwards: ${String(await datastore.exists(later))}`,
    );
  }

  await datastore.trash(refs[1]!);
  const beforeEmpty = await datastore.exists(refs[1]!);
  await datastore.emptyTrash();
  step(
    'Trash a dataset, then empty the trash',
    `readable while trashed: ${String(beforeEmpty)}`,
    `exists after emptyTrash: ${String(await datastore.exists(refs[1]!))}`,
  );

  try {
    await datastore.get(refs[1]!);
  } catch (error) {
    if (!DatasetNotFoundError.is(error)) throw error;
    step('Reading it now fails with a typed error', `${error.name}: ${error.message}`);
  }
}
