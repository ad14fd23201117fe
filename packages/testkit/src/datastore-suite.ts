// The Datastore conformance suite: every CONS-*, IMD-* and P-MODEL-15 case of conformance.md,
// plus transactions (nesting, failure at each depth, concurrency), trash details and bad input.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Config,
  IncompatibleStorageClassError,
  InvalidValueError,
  LookupError,
  StorageClass,
  TypeMismatchError,
  UnknownParameterError,
  ValidationError,
  deepEqual,
  tuple,
} from '@butler-ts/core';
import type { ConfigData, DataIdMapping, DatasetRef, Logger } from '@butler-ts/core';
import {
  DictModel,
  MetricsDataclass,
  MetricsModel,
  MetricsRecord,
  TEST_TYPE_NAMES,
  makeExampleMetrics,
  makeRef,
  slice,
  testStorageClassFactory,
} from '@butler-ts/core/testing';
import {
  ConstraintsValidationError,
  DatasetNotFoundError,
  DatasetRefURIs,
  DatasetTypeNotSupportedError,
  Datastore,
  DatastoreLogicError,
  DatastoreNotSupportedError,
  ResourcePath,
  fileDataset,
} from '@butler-ts/datastore';
import type {
  DatastoreClass,
  DatastoreTransaction,
  TransferMode,
  UndoEvent,
} from '@butler-ts/datastore';
import type { DatastoreRegistryBridgeManager } from '@butler-ts/registry-interfaces';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isError, rejection } from './errors.ts';

/** What the Datastore suite needs to build and judge one datastore implementation. */
export interface DatastoreHarness {
  /** The `cls` value that names the datastore class in a configuration. */
  readonly cls: string;
  /** The URI scheme of stored datasets, e.g. `mem`. */
  readonly uriScheme: string;
  /** Whether datasets vanish with the process. */
  readonly isEphemeral: boolean;
  /** What every datastore name starts with, e.g. `InMemoryDatastore@`. */
  readonly namePrefix: string;
  /** Whether file ingest, zip ingest and artifact retrieval work (else: not supported). */
  readonly supportsIngest: boolean;
  /** Whether `validateConfiguration` can fail (ThingTwo then fails). */
  readonly validationCanFail: boolean;
  /** Configuration keys that `setConfigRoot` fills from the root. */
  readonly rootKeys: readonly string[];
  /** The repository root given to `Datastore.fromConfig`, if any (read once per datastore). */
  readonly butlerRoot?: string | null;
  /** Configuration merged under each test's own (e.g. formatters for the suite's classes). */
  readonly config?: ConfigData;
  /** What every datastore name continues with after `namePrefix`; default a timestamp. */
  readonly nameSuffix?: RegExp;
  /**
   * The bridge manager a clone of `datastore` is made on, when clones share stored datasets
   * only through the registry (a file datastore): default a new {@link DatastoreHarness.bridgeManager}.
   */
  cloneBridgeManager?(datastore: Datastore): Promise<DatastoreRegistryBridgeManager>;
  /**
   * What `names` (and the keys of `roots`) and `toString()` of `datastore` should be; default
   * `[datastore.name]` and `datastore.name`. A chained datastore lists its children instead.
   */
  identity?(datastore: Datastore): { readonly names: readonly string[]; readonly text: string };
  /**
   * The undo logs that the puts of a transaction body on `datastore` go to; default the
   * transaction's own log. A chained datastore's children keep their own.
   */
  undoLogs?(
    datastore: Datastore,
    transaction: DatastoreTransaction,
  ): readonly (readonly UndoEvent[])[];
  /** Whether a storage class needs a configured formatter to be stored (default false). */
  readonly needsFormatters?: boolean;
  /**
   * A new bridge manager, independent of earlier ones, whose universe is the F1 test
   * universe (`@butler-ts/core/testing`'s `testUniverse()`).
   */
  bridgeManager(): Promise<DatastoreRegistryBridgeManager>;
  /** Releases everything the harness made. */
  cleanup(): Promise<void>;
}

const M = () => makeExampleMetrics();
const dummy = (visit: number): DataIdMapping => ({ instrument: 'dummy', visit });

function expectSame(actual: unknown, expected: unknown): void {
  expect(
    deepEqual(actual, expected),
    `${JSON.stringify(actual)} should equal ${JSON.stringify(expected)}`,
  ).toBe(true);
}

async function expectNotFound(promise: Promise<unknown>): Promise<DatasetNotFoundError> {
  const error = await rejection(promise);
  expect(error, 'expected a DatasetNotFoundError').toSatisfy(isError(DatasetNotFoundError));
  return error as DatasetNotFoundError;
}

class UserError extends Error {
  override readonly name = 'UserError';
}

/**
 * Registers the Datastore conformance suite for one implementation. Each test gets a fresh
 * harness from `makeHarness` and builds its datastores with `Datastore.fromConfig`
 * (`{datastore: {cls: harness.cls, ...}}`), so the class must be registered.
 *
 * @example
 * ```ts
 * describeDatastore('InMemoryDatastore', () => inMemoryHarness());
 * ```
 */
export function describeDatastore(name: string, makeHarness: () => DatastoreHarness): void {
  describe(`Datastore conformance: ${name}`, () => {
    let harness: DatastoreHarness;
    const factory = testStorageClassFactory();

    beforeEach(() => {
      harness = makeHarness();
      warnings = [];
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    // Warnings of every datastore made; a test that expects none checks this.
    let warnings: string[] = [];
    const logger: Logger = {
      debug: () => {},
      warn: (message) => warnings.push(message),
      error: (message) => warnings.push(message),
    };

    async function make(
      extra: ConfigData = {},
      bridges?: DatastoreRegistryBridgeManager,
    ): Promise<Datastore> {
      return Datastore.fromConfig(
        { datastore: { cls: harness.cls, ...harness.config, ...extra } },
        bridges ?? (await harness.bridgeManager()),
        harness.butlerRoot ?? null,
        { logger },
      );
    }

    describe('P-MODEL-15: DatasetRefURIs', () => {
      it('P-MODEL-15: is a two-element sequence, assignable by name only', () => {
        const uris = new DatasetRefURIs();
        expect(uris.length).toBe(2);
        expect(uris.get(0)).toBeNull();
        expect(uris.get(1)).toBeInstanceOf(Map);
        expect(uris.get(1).size).toBe(0);
        expect(() => uris.get(2)).toThrow(expect.toSatisfy(isError(LookupError)) as Error);
        expect(() => uris.get(-1)).toThrow(/index out of range/);
        expect(() => {
          (uris as unknown as unknown[])[0] = null;
        }).toThrow(TypeError);
        expect(() => {
          (uris as unknown as unknown[])[1] = new Map();
        }).toThrow(TypeError);

        const primary = new ResourcePath('file:///1/2/3');
        const component = new ResourcePath('file:///a/b/c');
        uris.primaryURI = primary;
        uris.componentURIs = new Map([['comp', component]]);
        const [first, second] = uris;
        expect(first).toBe(primary);
        expect(second).toBe(uris.componentURIs);
        expect([...uris.iterAll()]).toEqual([primary, component]);
        expect(uris.toString()).toBe(
          `DatasetRefURIs(ResourcePath("file:///1/2/3"), {'comp': ResourcePath("file:///a/b/c")})`,
        );
      });

      it('P-MODEL-15: lists only component URIs when there is no primary', () => {
        const component = new ResourcePath('mem://x?a=1');
        const uris = new DatasetRefURIs(null, { comp: component });
        expect([...uris.iterAll()]).toEqual([component]);
      });

      it('compares by URIs, not always equal as in Python', () => {
        const a = new DatasetRefURIs(new ResourcePath('mem://a'));
        expect(a.equals(new DatasetRefURIs(new ResourcePath('mem://a')))).toBe(true);
        expect(a.equals(new DatasetRefURIs(new ResourcePath('mem://b')))).toBe(false);
        expect(a.equals(new DatasetRefURIs())).toBe(false);
      });
    });

    describe('CONS: constraints', () => {
      const dummySC = new StorageClass('DummySC', { pytype: 'dict', registry: factory.registry });
      const calexpA = makeRef('calexp', dummySC, { instrument: 'A', visit: 3 });
      const pviA = makeRef('pvi', dummySC, { instrument: 'A', visit: 1, detector: 0 });
      const pviB = makeRef('pvi', dummySC, { instrument: 'B', visit: 2, detector: 0 });

      async function judge(constraints: ConfigData | null): Promise<boolean[]> {
        const datastore = await make(constraints === null ? {} : { constraints });
        return [calexpA, pviA, pviB].map((ref) => datastore.constraints.isAcceptable(ref));
      }

      it('P-CONS-01: accepts the dataset types listed', async () => {
        expect((await judge({ accept: ['calexp', 'ExposureF'] })).slice(0, 2)).toEqual([
          true,
          false,
        ]);
      });

      it('P-CONS-02: accepts by dimensions, in any order', async () => {
        expect((await judge({ accept: ['instrument+visit', 'ExposureF'] })).slice(0, 2)).toEqual([
          true,
          false,
        ]);
        expect(
          (await judge({ accept: ['instrument+visit+detector', 'ExposureF'] })).slice(0, 2),
        ).toEqual([false, true]);
        expect((await judge({ accept: ['detector+visit+instrument'] })).slice(0, 2)).toEqual([
          false,
          true,
        ]);
      });

      it('P-CONS-03: accepts per instrument', async () => {
        expect(await judge({ accept: [{ 'instrument<A>': ['pvi'] }] })).toEqual([
          false,
          true,
          false,
        ]);
        expect(await judge({ accept: ['calexp', { 'instrument<B>': ['pvi'] }] })).toEqual([
          true,
          false,
          true,
        ]);
      });

      it('P-CONS-04: rejects the dataset types listed', async () => {
        expect((await judge({ reject: ['calexp', 'ExposureF'] })).slice(0, 2)).toEqual([
          false,
          true,
        ]);
      });

      it('P-CONS-05: an explicit accept beats a wildcard reject and the other way round', async () => {
        expect((await judge({ accept: ['calexp'], reject: ['all'] })).slice(0, 2)).toEqual([
          true,
          false,
        ]);
        expect((await judge({ reject: ['calexp'], accept: ['all'] })).slice(0, 2)).toEqual([
          false,
          true,
        ]);
      });

      it('P-CONS-06: rejects everything, or everything of one instrument', async () => {
        expect(await judge({ reject: ['all'] })).toEqual([false, false, false]);
        expect(await judge({ reject: [{ 'instrument<A>': ['all'] }] })).toEqual([
          false,
          false,
          true,
        ]);
      });

      it('P-CONS-07: accepts everything, or everything of one instrument', async () => {
        expect(await judge({})).toEqual([true, true, true]);
        expect(await judge(null)).toEqual([true, true, true]);
        expect(await judge({ accept: ['all'] })).toEqual([true, true, true]);
        expect(await judge({ accept: [{ 'instrument<A>': ['all'] }] })).toEqual([
          true,
          true,
          false,
        ]);
      });

      it('P-CONS-08: refuses to accept and reject all at once', async () => {
        const error = await rejection(make({ constraints: { accept: ['all'], reject: ['all'] } }));
        expect(error).toSatisfy(isError(ConstraintsValidationError));
        expect(error).toSatisfy(isError(ValidationError));
      });

      it('P-CONS-09: storage class names are keys', async () => {
        const datastore = await make({ constraints: { accept: ['StructuredDataJson'] } });
        const json = makeRef('metric5', 'StructuredDataJson', dummy(52));
        const plain = makeRef('metric5', 'StructuredData', dummy(52));
        expect(datastore.constraints.isAcceptable(json)).toBe(true);
        expect(datastore.constraints.isAcceptable(plain)).toBe(false);
      });

      it('refuses a malformed hierarchical entry with a Validation error', async () => {
        const error = await rejection(
          make({ constraints: { accept: [{ 'instrument[A]': ['x'] }] } }),
        );
        expect(error).toSatisfy(isError(ConstraintsValidationError));
        expect((error as Error).message).toContain("not in form 'key<value>'");
      });
    });

    describe('IMD: construction, put/get, transfer, ingest, clone', () => {
      it('P-IMD-01: reports isEphemeral, name, names and roots', async () => {
        const datastore = await make();
        expect(datastore.isEphemeral).toBe(harness.isEphemeral);
        expect(datastore.name.startsWith(harness.namePrefix)).toBe(true);
        expect(datastore.name.slice(harness.namePrefix.length)).toMatch(
          harness.nameSuffix ?? /^\d+(\.\d+)?$/,
        );
        const identity = harness.identity?.(datastore) ?? {
          names: [datastore.name],
          text: datastore.name,
        };
        expect(datastore.names).toEqual(identity.names);
        expect([...datastore.roots.keys()]).toEqual(identity.names);
        const roots = [...datastore.roots.values()];
        for (const root of roots) expect(root === null || root instanceof ResourcePath).toBe(true);
        if (harness.rootKeys.length === 0) expect(roots.every((root) => root === null)).toBe(true);
        else expect(roots.some((root) => root instanceof ResourcePath)).toBe(true);
        expect(datastore.toString()).toBe(identity.text);
      });

      it('P-IMD-02: sets the configuration root', async () => {
        const datastore = await make();
        const cls = datastore.constructor as unknown as DatastoreClass;
        const config = datastore.config;
        const updated = cls.setConfigRoot('/random/location', config, new Config(config.data));
        if (harness.rootKeys.length === 0) expect(updated.equals(config)).toBe(true);
        for (const key of harness.rootKeys) {
          expect(String(updated.get(key))).toContain('/random/location');
        }
      });

      it('P-IMD-03: validates the configuration', async () => {
        const datastore = await make();
        expect(() =>
          datastore.validateConfiguration([factory.getStorageClass('ThingOne')]),
        ).not.toThrow();
        const thingTwo = () =>
          datastore.validateConfiguration([factory.getStorageClass('ThingTwo')], {
            logFailures: true,
          });
        if (harness.validationCanFail) expect(thingTwo).toThrow();
        else expect(thingTwo).not.toThrow();
        const ref = makeRef('metric', 'ThingOne', dummy(52));
        expect(() => datastore.validateConfiguration([ref])).not.toThrow();
      });

      it.each(['StructuredData', 'StructuredDataJson', 'StructuredDataPickle'])(
        'P-IMD-04: puts then exists, knows, knowsThese, mexists and gets (%s)',
        async (storageClass) => {
          const datastore = await make();
          const ref = makeRef('metric', storageClass, dummy(52));
          const ref2 = makeRef('metric', storageClass, dummy(53));
          const metrics = M();
          await datastore.put(metrics, ref);
          expect(await datastore.exists(ref)).toBe(true);
          expect(await datastore.knows(ref)).toBe(true);
          expect(await datastore.knowsThese([ref])).toEqual(new Map([[ref, true]]));
          expect(await datastore.mexists([ref, ref2])).toEqual(
            new Map([
              [ref, true],
              [ref2, false],
            ]),
          );
          const value = await datastore.get(ref, { parameters: null });
          expect(value).toBeInstanceOf(MetricsRecord);
          expectSame(value, metrics);
        },
      );

      it('P-IMD-05: an unknown dataset does not exist and cannot be read', async () => {
        const datastore = await make();
        const ref = makeRef('metrics', 'StructuredData', dummy(52));
        await expectNotFound(datastore.get(ref));
        expect(await datastore.exists(ref)).toBe(false);
      });

      it('P-IMD-06: reads components of a record whose data is null', async () => {
        const datastore = await make();
        const ref = makeRef('metric', 'StructuredData', dummy(54));
        const metrics = makeExampleMetrics(true);
        await datastore.put(metrics, ref);
        expect(await datastore.get(ref.makeComponentRef('data'))).toBeNull();
        expectSame(await datastore.get(ref.makeComponentRef('output')), metrics.output);
      });

      it('P-IMD-07: validates read parameters', async () => {
        const datastore = await make();
        const ref = makeRef('metric', 'ThingOne', dummy(52));
        const value = { 1: 2, 3: 4 };
        await datastore.put(value, ref);
        expectSame(await datastore.get(ref), value);
        const error = await rejection(datastore.get(ref, { parameters: { missing: 5 } }));
        expect(error).toSatisfy(isError(UnknownParameterError));
        expect((error as Error).message).toBe(
          "Parameter 'missing' not understood by StorageClass ThingOne",
        );
      });

      it('P-IMD-08: refuses file ingest in every mode, zip ingest and artifact retrieval', async (context) => {
        if (harness.supportsIngest) context.skip();
        const datastore = await make();
        const directory = await mkdtemp(join(tmpdir(), 'butler-ingest-'));
        try {
          const path = join(directory, 'metrics.yaml');
          const text = new Config(M().exportAsDict()).toYaml();
          await writeFile(path, text);
          const ref = makeRef('metric', 'StructuredData', dummy(52));
          const modes: TransferMode[] = [
            null,
            'auto',
            'copy',
            'move',
            'link',
            'hardlink',
            'symlink',
            'relsymlink',
          ];
          for (const transfer of modes) {
            const error = await rejection(datastore.ingest([fileDataset(path, ref)], { transfer }));
            expect(error, `transfer ${String(transfer)}`).toSatisfy(
              isError(DatastoreNotSupportedError),
            );
            expect(await datastore.exists(ref)).toBe(false);
            expect(await readFile(path, 'utf8')).toBe(text);
          }
          expect(await rejection(datastore.ingestZip(join(directory, 'x.zip')))).toSatisfy(
            isError(DatastoreNotSupportedError),
          );
          expect(await rejection(datastore.retrieveArtifacts([ref], directory))).toSatisfy(
            isError(DatastoreNotSupportedError),
          );
        } finally {
          await rm(directory, { recursive: true, force: true });
        }
      });

      it('P-IMD-09: transfers a dataset from another datastore', async () => {
        const input = await make();
        const output = await make();
        const ref = makeRef('metric', 'StructuredData', dummy(2048));
        const metrics = M();
        await input.put(metrics, ref);
        await output.transfer(input, ref);
        expectSame(await output.get(ref), metrics);
      });

      it('P-IMD-09: refuses to transfer a dataset into the datastore it is in', async () => {
        const datastore = await make();
        const ref = makeRef('metric', 'StructuredData', dummy(2048));
        await datastore.put(M(), ref);
        expect(await rejection(datastore.transfer(datastore, ref))).toSatisfy(
          isError(DatastoreLogicError),
        );
      });

      it('P-IMD-10: putNew returns no records for an ephemeral datastore', async (context) => {
        if (!harness.isEphemeral) context.skip();
        const datastore = await make();
        const ref = makeRef('metric', 'StructuredData', dummy(52));
        const metrics = M();
        expect(await datastore.putNew(metrics, ref)).toEqual(new Map());
        expectSame(await datastore.get(ref), metrics);
      });

      it.each([
        ['MetricsExample', () => new MetricsRecord({ a: 1 }, { b: 2 }, [1, 2, 3])],
        ['MetricsExampleDataclass', () => new MetricsDataclass({ a: 1 }, { b: 2 }, [1, 2, 3])],
        [
          'MetricsExampleModel',
          () => new MetricsModel({ summary: { a: 1 }, output: { b: 2 }, data: [1, 2, 3] }),
        ],
        ['TupleExample', () => tuple('a', 'b', 1)],
      ] as const)(
        'P-IMD-11: one value put under two storage classes of one type reads back equal (%s)',
        async (root, value) => {
          const datastore = await make();
          const data = value();
          const refA = makeRef(`stored_as_${root}A`, `${root}A`, {});
          const refB = makeRef(`stored_as_${root}B`, `${root}B`, {});
          await datastore.put(data, refA);
          await datastore.put(data, refB);
          const [a, b] = [await datastore.get(refA), await datastore.get(refB)];
          expectSame(a, b);
          expectSame(a, data);
        },
      );

      it('P-IMD-12: a clone shares stored datasets and records', async () => {
        const x = await make();
        const r1 = makeRef('metric', 'StructuredData', dummy(1));
        const r2 = makeRef('metric', 'StructuredData', dummy(2));
        const metrics = M();
        await x.put(metrics, r1);
        const y = x.clone(await (harness.cloneBridgeManager?.(x) ?? harness.bridgeManager()));
        expect(y).not.toBe(x);
        expect(await y.exists(r1)).toBe(true);
        expectSame(await y.get(r1), metrics);
        const m0 = makeExampleMetrics(true);
        await y.put(m0, r2);
        expectSame(await x.get(r2), m0);
        await y.remove(r1);
        expect(await x.exists(r1)).toBe(false);
      });

      it('P-IMD-13: has no records, tables or expanded data IDs to offer', async (context) => {
        if (!harness.isEphemeral) context.skip();
        const datastore = await make();
        const ref = makeRef('metric', 'StructuredData', dummy(52));
        await datastore.put(M(), ref);
        expect(await datastore.exportRecords([ref])).toEqual(new Map());
        await expect(datastore.importRecords(new Map())).resolves.toBeUndefined();
        expect(datastore.getOpaqueTableDefinitions()).toEqual(new Map());
        expect(await datastore.exportPredictedRecords([ref])).toEqual(new Map());
        expect(datastore.needsExpandedDataIds()).toBe(false);
      });

      it('P-IMD-14: lists the lookup keys of its constraints, never all', async () => {
        const datastore = await make({
          constraints: {
            accept: ['metric', 'StructuredDataJson', { 'instrument<DummyCamComp>': ['metric33'] }],
          },
        });
        const keys = datastore.getLookupKeys().map(String).sort();
        const expected = [
          'StructuredDataJson',
          'metric',
          "metric33 ({instrument: 'DummyCamComp'})",
        ].sort();
        // Datastores with more configuration (formatters, templates) list those keys too.
        if (harness.isEphemeral) expect(keys).toEqual(expected);
        else expect(keys).toEqual(expect.arrayContaining(expected));
        expect(keys).not.toContain('all');
      });

      it('P-IMD-14: lists rejected keys too (daf_butler drops them by a slip)', async () => {
        const datastore = await make({
          constraints: { accept: ['all', 'metric'], reject: ['calexp'] },
        });
        const keys = datastore.getLookupKeys().map(String).sort();
        if (harness.isEphemeral) expect(keys).toEqual(['calexp', 'metric']);
        else expect(keys).toEqual(expect.arrayContaining(['calexp', 'metric']));
        expect(keys).not.toContain('all');
      });

      it('P-IMD-15: accepts a storage class configured nowhere when it has no constraints', async () => {
        const datastore = await make();
        const unsupported = new StorageClass('UnsupportedSC', {
          pytype: TEST_TYPE_NAMES.MetricsRecord,
          registry: factory.registry,
        });
        const ref = makeRef('metric', unsupported, dummy(52));
        const metrics = M();
        if (harness.needsFormatters ?? false) {
          // No formatter is configured for it: refused before anything is stored.
          expect(await rejection(datastore.put(metrics, ref))).toBeInstanceOf(Error);
          expect(await datastore.exists(ref)).toBe(false);
          return;
        }
        await datastore.put(metrics, ref);
        expectSame(await datastore.get(ref), metrics);
      });
    });

    describe('IMD-COMP: composites, components, parameters', () => {
      it('P-IMD-COMP-01: reads, locates and lists components', async () => {
        const datastore = await make();
        const ref = makeRef('metric', 'StructuredData', dummy(52));
        const metrics = M();
        await datastore.put(metrics, ref);
        for (const component of ['data', 'output'] as const) {
          const compRef = ref.makeComponentRef(component);
          expectSame(await datastore.get(compRef), metrics[component]);
          expect((await datastore.getURI(compRef)).scheme).toBe(harness.uriScheme);
          expect((await datastore.getManyURIs([compRef])).size).toBe(1);
        }
      });

      it('P-IMD-COMP-02: slices the data of a composite', async () => {
        const datastore = await make();
        const ref = makeRef('metric', 'StructuredCompositeReadComp', dummy(52));
        const metrics = M();
        await datastore.put(metrics, ref);
        const sliced = (await datastore.get(ref, {
          parameters: { slice: slice(0, 4) },
        })) as MetricsRecord;
        expectSame(sliced.summary, metrics.summary);
        expectSame(sliced.output, metrics.output);
        expectSame(sliced.data, metrics.data!.slice(0, 4));
        expect(deepEqual(sliced, metrics)).toBe(false);
      });

      it('P-IMD-COMP-03: never splits composites', async () => {
        const datastore = await make();
        const refs = [
          makeRef('metric_comp', 'StructuredCompositeReadComp', dummy(423)),
          makeRef('metric_comp_nd', 'StructuredCompositeReadCompNoDisassembly', dummy(423)),
        ];
        for (const ref of refs) {
          await datastore.put(M(), ref);
          const uris = await datastore.getURIs(ref);
          expect(uris.primaryURI).not.toBeNull();
          expect(uris.componentURIs.size).toBe(0);
          expect(uris.primaryURI!.fragment).toBe('');
          expect(uris.primaryURI!.toString()).toContain('423');
        }
      });

      it('P-IMD-COMP-04: applies parameters a storage class knows and refuses others', async () => {
        const datastore = await make();
        const ref = makeRef('metric', 'StructuredDataNoComponents', dummy(52));
        const metrics = M();
        await datastore.put(metrics, ref);
        const sliced = (await datastore.get(ref, {
          parameters: { slice: slice(0, 4) },
        })) as MetricsRecord;
        expectSame(sliced.data, metrics.data!.slice(0, 4));
        expectSame(sliced.summary, metrics.summary);
        expectSame(sliced.output, metrics.output);
        const error = await rejection(datastore.get(ref, { parameters: { unsupported: true } }));
        expect(error).toSatisfy(isError(UnknownParameterError));
        expect((error as Error).message).toContain("Parameter 'unsupported' not understood");
      });

      it('reads a derived component, with parameters applied to the composite first', async () => {
        const datastore = await make();
        const ref = makeRef('metric', 'StructuredCompositeReadComp', dummy(52));
        await datastore.put(M(), ref);
        const counter = ref.makeComponentRef('counter');
        expect(await datastore.get(counter)).toBe(6);
        expect(await datastore.get(counter, { parameters: { slice: slice(0, 4) } })).toBe(4);
      });
    });

    describe('IMD-CONV: storage class conversion', () => {
      it('P-IMD-CONV-01: reads a model back, or as a plain map through an override', async () => {
        const datastore = await make();
        const ref = makeRef('model', 'DictConvertibleModel', {});
        const model = new DictModel({ content: { a: 'one', b: 'two' }, extra: 'original content' });
        await datastore.put(model, ref);
        const back = await datastore.get(ref);
        expect(back).toBeInstanceOf(DictModel);
        expect((back as DictModel).extra).toBe('original content');
        expectSame(back, model);
        const asDict = await datastore.get(
          ref.overrideStorageClass('NativeDictForConvertibleModel'),
        );
        expect(asDict).toStrictEqual({ a: 'one', b: 'two' });
      });

      it('P-IMD-CONV-02: reads as another storage class given as an instance', async () => {
        const datastore = await make();
        const ref = makeRef('anything', 'StructuredData', dummy(52));
        const metrics = M();
        await datastore.put(metrics, ref);
        const plain = await datastore.get(ref);
        expect(plain).toBeInstanceOf(MetricsRecord);
        expectSame(plain, metrics);
        const converted = await datastore.get(ref, {
          storageClass: factory.getStorageClass('MetricsConversion'),
        });
        expect(converted).toBeInstanceOf(MetricsModel);
        expect(converted).not.toBeInstanceOf(MetricsRecord);
        const model = converted as MetricsModel;
        expectSame(
          [model.summary, model.output, model.data],
          [metrics.summary, metrics.output, metrics.data],
        );
      });

      it('P-IMD-CONV-03: converts a plain map when it is put', async () => {
        const datastore = await make();
        const ref = makeRef('metric', 'StructuredDataNoComponents', dummy(52));
        await datastore.put({ summary: { a: 1 }, output: { b: 2 } }, ref);
        const value = await datastore.get(ref);
        expect(value).toBeInstanceOf(MetricsRecord);
        expectSame(value, new MetricsRecord({ a: 1 }, { b: 2 }, null));
      });

      it('P-IMD-CONV-04: reads as another storage class given by name', async () => {
        const datastore = await make();
        const ref = makeRef('metric', 'StructuredData', dummy(52));
        const metrics = M();
        await datastore.put(metrics, ref);
        const value = await datastore.get(ref, { storageClass: 'StructuredDataDictJson' });
        expect(value).toStrictEqual(metrics.exportAsDict());
      });
    });

    describe('IMD-URI: URIs', () => {
      it('P-IMD-URI-01: fails for datasets not stored without predict', async () => {
        const datastore = await make();
        const ref = makeRef('metric', 'StructuredData', dummy(52));
        const error = await expectNotFound(datastore.getManyURIs([ref]));
        expect(error.missing).toEqual([ref]);
        expect(error.total).toBe(1);
      });

      it('P-IMD-URI-02: predicts URIs that carry the data ID', async () => {
        const datastore = await make();
        const ref = makeRef('metric', 'StructuredData', dummy(52));
        const ref2 = makeRef('metric', 'StructuredData', dummy(53));
        const uris = await datastore.getManyURIs([ref, ref2], { predict: true });
        expect(uris.size).toBe(2);
        for (const [r, visit] of [
          [ref, '52'],
          [ref2, '53'],
        ] as const) {
          const text = uris.get(r)!.primaryURI!.toString();
          expect(text).toContain(visit);
          expect(text).toContain('#predicted');
        }
      });

      it('P-IMD-URI-03: locates a stored dataset', async () => {
        const datastore = await make();
        const ref = makeRef('metric', 'StructuredData', dummy(52));
        await datastore.put(M(), ref);
        expect((await datastore.getURI(ref)).scheme).toBe(harness.uriScheme);
        const many = await datastore.getManyURIs([ref]);
        expect(many.size).toBe(1);
        const uris = many.get(ref)!;
        expect(await uris.primaryURI!.exists()).toBe(true);
        expect(uris.componentURIs.size).toBe(0);
      });

      it('P-IMD-URI-04: predicts only when asked', async () => {
        const datastore = await make();
        const ref = makeRef('metric', 'StructuredData', dummy(52));
        expect((await datastore.getURI(ref, { predict: true })).scheme).toBe(harness.uriScheme);
        await expectNotFound(datastore.getURI(ref));
      });

      it.each(['remove', 'forget'] as const)(
        'P-IMD-URI-05: predicts a URI after %s',
        async (how) => {
          const datastore = await make();
          const ref = makeRef('metric', 'StructuredData', dummy(52));
          await datastore.put(M(), ref);
          if (how === 'remove') await datastore.remove(ref);
          else await datastore.forget([ref]);
          const uri = await datastore.getURI(ref, { predict: true });
          expect(uri.fragment).toBe('predicted');
          // A mem:// resource always exists; a forgotten file stays where it was.
          expect(await uri.exists()).toBe(harness.uriScheme === 'mem' || how === 'forget');
        },
      );
    });

    describe('IMD-TRASH: remove, forget, trash', () => {
      async function tenStored(datastore: Datastore): Promise<DatasetRef[]> {
        const refs = Array.from({ length: 10 }, (_, i) =>
          makeRef('metric', 'StructuredData', dummy(638 + i)),
        );
        for (const ref of refs) await datastore.put(M(), ref);
        return refs;
      }

      it('P-IMD-TRASH-01: removes, then cannot read or remove again', async () => {
        const datastore = await make();
        const ref = makeRef('metric', 'StructuredData', dummy(638));
        await datastore.put(M(), ref);
        expect(await datastore.exists(ref)).toBe(true);
        await datastore.remove(ref);
        expect(await datastore.exists(ref)).toBe(false);
        await expectNotFound(datastore.get(ref));
        await expectNotFound(datastore.remove(ref));
      });

      it('P-IMD-TRASH-02: forgets, and forgetting again does nothing', async () => {
        const datastore = await make();
        const ref = makeRef('metric', 'StructuredData', dummy(638));
        await datastore.put(M(), ref);
        await datastore.forget([ref]);
        expect(await datastore.exists(ref)).toBe(false);
        await expectNotFound(datastore.get(ref));
        await expect(datastore.forget([ref])).resolves.toBeUndefined();
      });

      it('P-IMD-TRASH-03: a trashed dataset stays readable until the trash is emptied', async () => {
        const datastore = await make();
        const refs = await tenStored(datastore);
        const last = refs.at(-1)!;
        await datastore.trash(last);
        expect(await datastore.exists(last)).toBe(true);
        expectSame(await datastore.get(last), M());
        await datastore.emptyTrash();
        expect(await datastore.exists(last)).toBe(false);
        await expectNotFound(datastore.get(last));
        for (const ref of refs.slice(0, -1)) expect(await datastore.exists(ref)).toBe(true);
      });

      it('P-IMD-TRASH-04: trashes a list of datasets', async () => {
        const datastore = await make();
        const refs = await tenStored(datastore);
        await datastore.trash([refs[0]!, refs[1]!]);
        await datastore.emptyTrash();
        expect(await datastore.mexists(refs)).toEqual(new Map(refs.map((r, i) => [r, i >= 2])));
      });

      it('trashing an unknown dataset fails unless errors are ignored', async () => {
        const datastore = await make();
        const ref = makeRef('metric', 'StructuredData', dummy(1));
        await expectNotFound(datastore.trash(ref, { ignoreErrors: false }));
        await expect(datastore.trash(ref, { ignoreErrors: true })).resolves.toBeUndefined();
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toContain(ref.id);
        await expect(datastore.trash([ref])).resolves.toBeUndefined();
        expect(await datastore.emptyTrash()).toEqual(new Set());
      });

      it('empties only the trashed datasets asked for, and nothing on a dry run', async () => {
        const datastore = await make();
        const refs = await tenStored(datastore);
        await datastore.trash(refs.slice(0, 3));
        await datastore.emptyTrash({ dryRun: true });
        expect(await datastore.exists(refs[0]!)).toBe(true);
        await datastore.emptyTrash({ refs: [refs[1]!, refs[5]!] });
        expect((await datastore.mexists(refs.slice(0, 6))).get(refs[1]!)).toBe(false);
        expect(await datastore.exists(refs[0]!)).toBe(true);
        expect(await datastore.exists(refs[5]!)).toBe(true);
        await datastore.emptyTrash();
        expect(await datastore.exists(refs[0]!)).toBe(false);
        expect(await datastore.exists(refs[2]!)).toBe(false);
        expect(await datastore.exists(refs[5]!)).toBe(true);
      });

      it('takes trash marks back when the enclosing transaction fails', async () => {
        const datastore = await make();
        const ref = makeRef('metric', 'StructuredData', dummy(1));
        await datastore.put(M(), ref);
        await expect(
          datastore.transaction(async () => {
            await datastore.trash(ref);
            throw new UserError('undo the trash');
          }),
        ).rejects.toThrow('undo the trash');
        await datastore.emptyTrash();
        expect(await datastore.exists(ref)).toBe(true);
      });
    });

    describe('IMD-TXN: transactions and rollback', () => {
      it('P-IMD-TXN-01: undoes the puts of a failed transaction only', async () => {
        const datastore = await make();
        const refs = Array.from({ length: 6 }, (_, i) =>
          makeRef('metric', 'StructuredData', dummy(i)),
        );
        await datastore.transaction(async () => {
          for (const ref of refs.slice(0, 3)) await datastore.put(M(), ref);
        });
        const failure = new UserError('test error');
        const error = await rejection(
          datastore.transaction(async () => {
            for (const ref of refs.slice(3)) await datastore.put(M(), ref);
            throw failure;
          }),
        );
        expect(error).toBe(failure);
        for (const ref of refs.slice(0, 3)) {
          expect(await datastore.exists(ref)).toBe(true);
          expectSame(await datastore.get(ref), M());
          expect((await datastore.getURI(ref)).scheme).toBe(harness.uriScheme);
        }
        for (const ref of refs.slice(3)) {
          await expectNotFound(datastore.get(ref));
          await expectNotFound(datastore.getURI(ref));
        }
      });

      it('P-IMD-TXN-02: leaves puts made outside the transaction alone', async () => {
        const datastore = await make();
        const r0 = makeRef('metric', 'StructuredData', dummy(0));
        const r1 = makeRef('metric', 'StructuredData', dummy(1));
        await datastore.put(M(), r0);
        await expect(
          datastore.transaction(async () => {
            await datastore.put(M(), r1);
            throw new UserError('fail');
          }),
        ).rejects.toThrow('fail');
        expect(await datastore.exists(r0)).toBe(true);
        expect(await datastore.exists(r1)).toBe(false);
      });

      it('undoes an outer block and its committed inner block when the outer fails', async () => {
        const datastore = await make();
        const [before, outer, inner] = [1, 2, 3].map((v) =>
          makeRef('metric', 'StructuredData', dummy(v)),
        ) as [DatasetRef, DatasetRef, DatasetRef];
        await datastore.put(M(), before);
        await expect(
          datastore.transaction(async () => {
            await datastore.put(M(), outer);
            await datastore.transaction(async () => {
              await datastore.put(M(), inner);
            });
            for (const ref of [before, outer, inner]) expectSame(await datastore.get(ref), M());
            throw new UserError('outer fails');
          }),
        ).rejects.toThrow('outer fails');
        expect(await datastore.exists(before)).toBe(true);
        await expectNotFound(datastore.get(outer));
        await expectNotFound(datastore.get(inner));
      });

      it('undoes only the inner block when its failure is caught inside the outer one', async () => {
        const datastore = await make();
        const [outer, inner] = [1, 2].map((v) => makeRef('metric', 'StructuredData', dummy(v))) as [
          DatasetRef,
          DatasetRef,
        ];
        await datastore.transaction(async () => {
          await datastore.put(M(), outer);
          await expect(
            datastore.transaction(async () => {
              await datastore.put(M(), inner);
              throw new UserError('inner fails');
            }),
          ).rejects.toThrow('inner fails');
        });
        expect(await datastore.exists(outer)).toBe(true);
        expect(await datastore.exists(inner)).toBe(false);
        expect(datastore.currentTransaction).toBeNull();
      });

      it.each([1, 2, 3])(
        'a failure at depth %i of three undoes that block and every block around it',
        async (depth) => {
          const datastore = await make();
          const refs = [1, 2, 3].map((v) => makeRef('metric', 'StructuredData', dummy(v)));
          const level = async (n: number): Promise<void> => {
            await datastore.put(M(), refs[n - 1]!);
            if (n < 3) await datastore.transaction(() => level(n + 1));
            if (n === depth) throw new UserError(`depth ${n}`);
          };
          await expect(datastore.transaction(() => level(1))).rejects.toThrow(`depth ${depth}`);
          // daf_butler undoes only the failing block when the error escapes outer ones.
          expect(await datastore.mexists(refs)).toEqual(new Map(refs.map((r) => [r, false])));
          expect(datastore.currentTransaction).toBeNull();
          // Undoing a put trashes and empties in a transaction of its own: nothing fails.
          expect(warnings).toEqual([]);
        },
      );

      it('keeps concurrent transactions apart', async () => {
        const datastore = await make();
        const a = [1, 2, 3].map((v) => makeRef('metric', 'StructuredData', dummy(v)));
        const b = [4, 5, 6].map((v) => makeRef('metric', 'StructuredData', dummy(v)));
        const logs: Record<string, number[]> = {};
        const run = (name: string, refs: DatasetRef[], fail: boolean) =>
          datastore.transaction(async (transaction) => {
            for (const ref of refs) {
              await datastore.put(M(), ref);
              // Let the other transaction run between our puts.
              await new Promise((resolve) => setImmediate(resolve));
            }
            expect(datastore.currentTransaction).toBe(transaction);
            logs[name] = (harness.undoLogs?.(datastore, transaction) ?? [transaction.log]).map(
              (log) => log.length,
            );
            if (fail) throw new UserError(`${name} fails`);
          });
        const results = await Promise.allSettled([run('a', a, false), run('b', b, true)]);
        expect(results[0].status).toBe('fulfilled');
        expect(results[1].status).toBe('rejected');
        // Each log holds the three puts of its own transaction, none of the other's.
        expect(Object.keys(logs).sort()).toEqual(['a', 'b']);
        for (const lengths of Object.values(logs)) {
          expect(lengths.length).toBeGreaterThan(0);
          expect(lengths).toEqual(lengths.map(() => 3));
        }
        expect(await datastore.mexists([...a, ...b])).toEqual(
          new Map([...a.map((r) => [r, true] as const), ...b.map((r) => [r, false] as const)]),
        );
      });

      it('returns the body result and commits to nothing outside', async () => {
        const datastore = await make();
        const ref = makeRef('metric', 'StructuredData', dummy(1));
        const result = await datastore.transaction(async (transaction) => {
          await datastore.put(M(), ref);
          expect(transaction.parent).toBeNull();
          return 42;
        });
        expect(result).toBe(42);
        expect(datastore.currentTransaction).toBeNull();
        expect(await datastore.exists(ref)).toBe(true);
      });
    });

    describe('IMD-CONS: constraints from configuration', () => {
      it('P-IMD-CONS-01: accepts by name, per instrument and by storage class', async () => {
        const datastore = await make({
          constraints: {
            accept: ['metric', 'StructuredDataJson', { 'instrument<DummyCamComp>': ['metric33'] }],
          },
        });
        const dataId = { instrument: 'DummyCamComp', visit: 52 };
        const cases = [
          ['metric', 'StructuredData', true],
          ['metric5', 'StructuredData', false],
          ['metric33', 'StructuredData', true],
          ['metric5', 'StructuredDataJson', true],
        ] as const;
        for (const [typeName, storageClass, accepted] of cases) {
          const ref = makeRef(typeName, storageClass, dataId);
          if (accepted) {
            await datastore.put(M(), ref);
            expect(await datastore.exists(ref)).toBe(true);
            await datastore.remove(ref);
            expect(await datastore.exists(ref)).toBe(false);
          } else {
            const error = await rejection(datastore.put(M(), ref));
            expect(error, `${typeName} ${storageClass}`).toSatisfy(
              isError(DatasetTypeNotSupportedError),
            );
            expect(await datastore.exists(ref)).toBe(false);
          }
        }
      });
    });

    describe('bad input', () => {
      it('names the unknown dataset in the not-found error', async () => {
        const datastore = await make();
        const ref = makeRef('calexp', 'StructuredData', dummy(52));
        const error = await expectNotFound(datastore.get(ref));
        expect(error.datasetId).toBe(ref.id);
        expect(error.ref).toBe(ref);
        expect(error.datastore).toBe(datastore.name);
        expect(error.message).toContain(ref.id);
        expect(error.message).toContain('calexp');
      });

      it('refuses a storage class that cannot convert, or is unknown', async () => {
        const datastore = await make();
        const ref = makeRef('metric', 'StructuredData', dummy(52));
        await datastore.put(M(), ref);
        const incompatible = await rejection(datastore.get(ref, { storageClass: 'ThingOne' }));
        expect(incompatible).toSatisfy(isError(IncompatibleStorageClassError));
        expect(incompatible).toSatisfy(isError(InvalidValueError));
        const unknown = await rejection(datastore.get(ref, { storageClass: 'NoSuchClass' }));
        expect(unknown).toSatisfy(isError(LookupError));
        expect((unknown as Error).message).toContain('NoSuchClass');
      });

      it('refuses a value of the wrong type on put, storing nothing', async () => {
        const datastore = await make();
        const ref = makeRef('metric', 'StructuredData', dummy(52));
        expect(await rejection(datastore.put('not metrics', ref))).toSatisfy(
          isError(TypeMismatchError),
        );
        expect(await datastore.exists(ref)).toBe(false);
      });

      it('refuses parameters the delegate cannot apply, or of the wrong type', async () => {
        const datastore = await make();
        const thing = makeRef('thing', 'ThingOne', dummy(52));
        await datastore.put({ a: 1 }, thing);
        // ThingOne knows param1 but only has the base delegate, which applies none.
        expect(await rejection(datastore.get(thing, { parameters: { param1: 1 } }))).toSatisfy(
          isError(InvalidValueError),
        );
        const metrics = makeRef('metric', 'StructuredDataNoComponents', dummy(52));
        await datastore.put(M(), metrics);
        expect(
          await rejection(datastore.get(metrics, { parameters: { slice: 'first four' } })),
        ).toSatisfy(isError(TypeMismatchError));
      });

      it('refuses a component the storage class does not define', () => {
        const ref = makeRef('metric', 'StructuredData', dummy(52));
        expect(() => ref.makeComponentRef('nope')).toThrow(/not understood/);
      });
    });
  });
}
