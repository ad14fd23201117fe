// FileDatastore behaviour beyond the conformance suite: configuration, templates, files on
// disk, registry rows, failures and rollback, trash and ingest, checksums, records.
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  existsSync,
  lstatSync,
  readlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { makeRef, testStorageClassFactory, testUniverse } from '@butler-ts/core/testing';
import { DatasetRef, DatasetType } from '@butler-ts/core';
import {
  DatasetNotFoundError,
  Datastore,
  DatastoreValidationError,
  fileDataset,
} from '@butler-ts/datastore';
import { FakeDatasetRef } from '@butler-ts/registry-interfaces';
import {
  createRegistry,
  openRegistry,
  standaloneDatasetForeignKeys,
} from '@butler-ts/registry-sql';
import type { Registry } from '@butler-ts/registry-sql';
import { isError, rejection } from '@butler-ts/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ArtifactExistsError,
  DimensionRecordError,
  FileDatastore,
  FileDatastoreConfigError,
  FileIntegrityError,
  FileTemplate,
  FileTemplateError,
  FormatterNotFoundError,
  IngestError,
  StoredFileInfo,
  checksumOf,
} from '../src/index.ts';

const FORMATTERS = {
  StructuredDataDict: 'lsst.daf.butler.formatters.yaml.YamlFormatter',
  StructuredDataDictJson: 'lsst.daf.butler.formatters.json.JsonFormatter',
  StructuredData: 'lsst.daf.butler.formatters.yaml.YamlFormatter',
  StructuredDataDictYaml: 'lsst.daf.butler.formatters.yaml.YamlFormatter',
  StructuredDataListYaml: 'lsst.daf.butler.formatters.yaml.YamlFormatter',
};

function files(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(root, path).split('\\').join('/'));
    }
  };
  if (existsSync(root)) walk(root);
  return out.sort();
}

const dict = (visit: number) =>
  makeRef('metric', 'StructuredDataDict', { instrument: 'dummy', visit });

describe('FileDatastore', () => {
  let dir: string;
  let root: string;
  let registry: Registry;
  let uri: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'butler-fds-'));
    root = join(dir, 'repo');
    uri = `sqlite:///${join(dir, 'gen3.sqlite3')}`;
    registry = await createRegistry(uri, {
      datasetForeignKeys: standaloneDatasetForeignKeys,
      universe: testUniverse(),
    });
  });
  afterEach(async () => {
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const make = (extra: Record<string, unknown> = {}, options = {}) =>
    FileDatastore.create(
      {
        datastore: { cls: 'FileDatastore', root: '<butlerRoot>', formatters: FORMATTERS, ...extra },
      },
      registry.bridges,
      { butlerRoot: root, ...options },
    );

  async function rows(table: string): Promise<Record<string, unknown>[]> {
    const storage = registry.opaque.getOrThrow(table);
    const out: Record<string, unknown>[] = [];
    for await (const row of storage.fetch()) out.push(row);
    return out;
  }

  describe('configuration', () => {
    it("takes daf_butler's defaults through Datastore.fromConfig", async () => {
      const datastore = await Datastore.fromConfig(
        { datastore: { cls: 'FileDatastore' } },
        registry.bridges,
        root,
      );
      expect(datastore).toBeInstanceOf(FileDatastore);
      const fds = datastore as FileDatastore;
      expect(fds.name).toBe('FileDatastore@<butlerRoot>');
      expect(fds.root).toBe(root);
      expect(fds.recordsTableName).toBe('file_datastore_records');
      expect(fds.useChecksum).toBe(false);
      expect(fds.templates.default?.template).toMatch(
        /^\{run:\/\}\/\{datasetType\}\.\{component:\?\}/,
      );
      expect(existsSync(root)).toBe(true);
      expect([...datastore.getOpaqueTableDefinitions().keys()]).toEqual(['file_datastore_records']);
      expect(registry.opaque.get('file_datastore_records')).not.toBeNull();
    });

    it('picks formatters and templates per instrument, for refs sharing one dataset type', async () => {
      // Lookups are kept per dataset type and instrument: both must still decide.
      const datastore = await make({
        formatters: {
          ...FORMATTERS,
          'instrument<other>': {
            StructuredDataDict: 'lsst.daf.butler.formatters.json.JsonFormatter',
          },
        },
        templates: {
          default: '{run:/}/{datasetType}/{visit}_{instrument}_{run}',
          'instrument<other>': { metric: 'other/{run:/}/{visit}' },
        },
      });
      const type = new DatasetType('metric', ['instrument', 'visit'], 'StructuredDataDict', {
        universe: testUniverse(),
        factory: testStorageClassFactory(),
      });
      const refs = [
        new DatasetRef(type, { instrument: 'dummy', visit: 1 }, 'run'),
        new DatasetRef(type, { instrument: 'other', visit: 2 }, 'run'),
        new DatasetRef(type, { instrument: 'dummy', visit: 3 }, 'run'),
        new DatasetRef(type, { instrument: 'other', visit: 4 }, 'run'),
      ];
      for (const ref of refs) await datastore.put({ v: ref.dataId.get('visit') }, ref);
      expect(files(root)).toEqual([
        'other/run/2.json',
        'other/run/4.json',
        'run/metric/1_dummy_run.yaml',
        'run/metric/3_dummy_run.yaml',
      ]);
      for (const ref of refs)
        expect(await datastore.get(ref)).toEqual({ v: ref.dataId.get('visit') });
    });

    it('takes a configured name, records table and root path', async () => {
      const datastore = await make({
        name: 'mine',
        records: { table: 'my_records' },
        root: join(dir, 'elsewhere'),
      });
      expect(datastore.name).toBe('mine');
      expect(datastore.root).toBe(join(dir, 'elsewhere'));
      await datastore.put({ a: 1 }, dict(1));
      expect(await rows('my_records')).toHaveLength(1);
    });

    it.each([
      [{ root: null }, /needs a root/],
      [{ records: { table: 'bad name' } }, /records.table/],
      [{ formatters: ['x'] }, /formatters must be a mapping/],
      [{ composites: { disassembled: { StructuredData: 'yes' } } }, /must be true or false/],
      [{ templates: { default: 'no fields' } }, /at least one field/],
    ])('refuses %j before writing anything', async (extra, message) => {
      const error = await rejection(make(extra));
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(message);
      expect(FileDatastoreConfigError.is(error) || FileTemplateError.is(error)).toBe(true);
      expect(existsSync(root)).toBe(false);
    });

    it('refuses <butlerRoot> without a repository root', async () => {
      const error = await rejection(
        FileDatastore.create(
          { datastore: { cls: 'FileDatastore', root: '<butlerRoot>' } },
          registry.bridges,
        ),
      );
      expect(error).toSatisfy(isError(FileDatastoreConfigError));
    });
  });

  describe('file templates', () => {
    const ref = makeRef(
      'calexp',
      'StructuredData',
      { instrument: 'Cam 1', visit: 7 },
      { run: 'a/b' },
    );
    it.each([
      [
        '{run:/}/{datasetType}/{visit:?}/{detector:?}/{datasetType}_{instrument}_{run}',
        'a/b/calexp/7/calexp_Cam_1_a_b',
      ],
      ['{run}/{visit:05d}/{datasetType}.{component:?}', 'a_b/00007/calexp'],
      ['{run}/{tract:?}/x/{detector|visit}/{datasetType}.v{visit}', 'a_b/x/7/calexp_v7'],
      ['/{run}/{id}', `a_b/${ref.id}`],
      ['{run}/{visit.name:?}_{datasetType}', 'a_b/_calexp'],
    ])('%s renders as daf_butler does', (template, path) => {
      expect(new FileTemplate(template).format(ref)).toBe(path);
    });

    it('uses record fields and component suffixes', () => {
      const template = new FileTemplate(
        '{run:/}/{datasetType}.{component:?}/{datasetType}_{component:?}_{visit.name:?}',
      );
      const records = (element: string) => (element === 'visit' ? { name: 'v#7' } : null);
      expect(template.format(ref.makeComponentRef('summary'), records)).toBe(
        'a/b/calexp.summary/calexp_summary_vHASH7',
      );
    });

    describe('dimension record fields, as daf_butler renders them', () => {
      const detRef = makeRef(
        'raw',
        'StructuredData',
        { instrument: 'Cam 1', visit: 7, detector: 3 },
        { run: 'r' },
      );
      const records = new Map<string, Record<string, unknown> | null>([
        ['visit', { day_obs: 20260105, name: 'v 7/a', note: null }],
        ['detector', { full_name: 'R11_S01' }],
      ]);
      it.each([
        ['{run}/{detector.full_name}/{visit.name}', 'r/R11_S01/v_7_a'],
        // The first alternative whose dimension is in the data ID, records or not.
        ['{run}/{day_obs|visit.day_obs|exposure.day_obs:?}/{datasetType}', 'r/20260105/raw'],
        ['{run}/{exposure.obs_id|visit.name}/x', 'r/v_7_a/x'],
        // A record without the field: the field has no value (dropped when optional).
        ['{run}/{visit.nothing:?}/{datasetType}_{visit.nothing:?}', 'r/raw'],
        // A null value renders as Python's None.
        ['{run}/{visit.note}', 'r/None'],
        // An element that is not a dimension of the data ID needs no record.
        ['{run}/{exposure.obs_id:?}/{tract.name:?}{datasetType}', 'r/raw'],
        // Spaces are replaced in values before the spec pads them (so padding stays).
        ['{run}/{detector.full_name:>10}.{visit.day_obs:010d}', 'r/   R11_S01_0020260105'],
      ])('%s → %s', (template, path) => {
        expect(new FileTemplate(template).format(detRef, records)).toBe(path);
        expect(new FileTemplate(template).format(detRef, (element) => records.get(element))).toBe(
          path,
        );
      });

      it('refuses a field whose record is missing from the records given, optional or not', () => {
        for (const template of ['{run}/{detector.full_name}', '{run}/{detector.full_name:?}']) {
          let error: unknown;
          try {
            new FileTemplate(template).format(detRef, new Map([['visit', {}]]));
          } catch (caught) {
            error = caught;
          }
          expect(error).toSatisfy(isError(DimensionRecordError));
          const typed = error as DimensionRecordError;
          expect(FileTemplateError.is(typed)).toBe(true);
          expect(typed.field).toBe('detector.full_name');
          expect(typed.element).toBe('detector');
          expect(typed.dataId).toBe(detRef.dataId.toString());
          expect(typed.template).toBe(template);
          expect(typed.message).toContain('detector.full_name');
          expect(typed.message).toContain(detRef.dataId.toString());
        }
      });

      it('without records, drops optional record fields and refuses required ones', () => {
        expect(new FileTemplate('{run}/{detector.full_name:?}_{datasetType}').format(detRef)).toBe(
          'r/_raw',
        );
        expect(() => new FileTemplate('{run}/{visit.name}').format(detRef)).toThrow(
          /'visit\.name'.*visit record of data ID \{instrument: 'Cam 1', detector: 3, visit: 7\}.*dimensionRecords/,
        );
        expect(() => new FileTemplate('{run}/{visit.nothing}').format(detRef, records)).toThrow(
          /'visit.nothing' requested/,
        );
      });

      it('lists the record fields a ref reads and fetches their records once per element', async () => {
        const template = new FileTemplate(
          '{run}/{day_obs|visit.day_obs:?}/{visit.name}/{detector.full_name:?}/{exposure.x:?}',
        );
        expect(template.recordFields(detRef)).toEqual([
          { field: 'visit.day_obs', element: 'visit', optional: true },
          { field: 'visit.name', element: 'visit', optional: false },
          { field: 'detector.full_name', element: 'detector', optional: true },
        ]);
        const asked: string[] = [];
        const fetched = await template.fetchRecords(detRef, async (element, ref) => {
          asked.push(`${element}@${ref.id}`);
          await new Promise((resolve) => setTimeout(resolve, 1));
          return records.get(element);
        });
        expect(asked).toEqual([`visit@${detRef.id}`, `detector@${detRef.id}`]);
        expect(template.format(detRef, fetched)).toBe('r/20260105/v_7_a/R11_S01');
        expect(() => template.format(detRef, (() => Promise.resolve({})) as never)).toThrow(
          /fetchRecords/,
        );
      });
    });

    it('refuses a missing required field and an unused component', () => {
      expect(() => new FileTemplate('{run}/{detector}').format(ref)).toThrow(FileTemplateError);
      expect(() =>
        new FileTemplate('{run}/{datasetType}').format(ref.makeComponentRef('data')),
      ).toThrow(/did not use it/);
      expect(() => new FileTemplate('{datasetType}').validateTemplate()).toThrow(/run or id/);
    });
  });

  describe('dimension records of file templates', () => {
    const withDetector = (visit: number) =>
      makeRef('metric', 'StructuredDataDict', { instrument: 'dummy', visit, detector: 3 });
    // As a registry lookup would: asynchronous, by element and data ID.
    const lookups: string[] = [];
    const source = async (element: string, ref: DatasetRef) => {
      lookups.push(element);
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (element === 'visit') return { day_obs: 20260100 + Number(ref.dataId.get('visit')) };
      if (element === 'detector') return { full_name: `R11_S0${ref.dataId.get('detector')}` };
      return null;
    };

    it("fills daf_butler's default template from a record source, for puts and predictions", async () => {
      lookups.length = 0;
      const datastore = await make({}, { dimensionRecords: source });
      const ref = withDetector(5);
      await datastore.put({ a: 1 }, ref);
      expect(files(root)).toEqual(['dummy/metric/20260105/5/metric_dummy_5_R11_S03_dummy.yaml']);
      expect(lookups.sort()).toEqual(['detector', 'visit']);
      expect(await datastore.get(ref)).toEqual({ a: 1 });
      const predicted = await datastore.getURI(withDetector(6), { predict: true });
      expect(predicted.toString()).toMatch(
        /dummy\/metric\/20260106\/6\/metric_dummy_6_R11_S03_dummy\.yaml#predicted$/,
      );
    });

    it('refuses a put whose record the source lacks, naming the field and data ID, writing nothing', async () => {
      const datastore = await make({}, { dimensionRecords: () => null });
      const ref = withDetector(5);
      const error = await rejection(datastore.put({ a: 1 }, ref));
      expect(error).toSatisfy(isError(DimensionRecordError));
      expect((error as DimensionRecordError).field).toBe('visit.day_obs');
      expect((error as DimensionRecordError).dataId).toBe(ref.dataId.toString());
      expect((error as Error).message).toContain(ref.dataId.toString());
      expect(files(root)).toEqual([]);
      expect(await rows('file_datastore_records')).toEqual([]);
    });

    it('without a source, leaves optional record fields out (said once, at debug level) and refuses required ones', async () => {
      const warnings: string[] = [];
      const logger = {
        debug: (m: string) => warnings.push(m),
        error: () => undefined,
        warn: (m: string) => warnings.push(`warn: ${m}`),
      };
      const datastore = await make(
        { templates: { metric2: '{run}/{datasetType}/{detector.full_name}' } },
        { logger },
      );
      await datastore.put({ a: 1 }, withDetector(1));
      await datastore.put({ a: 2 }, withDetector(2));
      expect(files(root)).toEqual([
        'dummy/metric/1/metric_dummy_1_dummy.yaml',
        'dummy/metric/2/metric_dummy_2_dummy.yaml',
      ]);
      expect(warnings).toHaveLength(2);
      expect(warnings.join('\n')).toMatch(/'visit\.day_obs'[^]*'detector\.full_name'/);
      const required = makeRef('metric2', 'StructuredDataDict', {
        instrument: 'dummy',
        detector: 3,
      });
      const error = await rejection(datastore.put({ a: 3 }, required));
      expect(error).toSatisfy(isError(DimensionRecordError));
      expect((error as Error).message).toMatch(/detector\.full_name.*dimensionRecords/);
      expect(files(root)).toHaveLength(2);
    });

    it('refuses a dimensionRecords option that is not a function', async () => {
      const error = await rejection(make({}, { dimensionRecords: { visit: {} } }));
      expect(error).toSatisfy(isError(FileDatastoreConfigError));
    });
  });

  describe('put and get', () => {
    it('writes the file through a temporary name, then the record and bridge row', async () => {
      const datastore = await make();
      const ref = dict(52);
      await datastore.put({ b: [1, 2.5], a: 'x' }, ref);
      expect(files(root)).toEqual([`dummy/metric/52/metric_dummy_52_dummy.yaml`]);
      expect(readFileSync(join(root, 'dummy/metric/52/metric_dummy_52_dummy.yaml'), 'utf8')).toBe(
        'b:\n- 1\n- 2.5\na: x\n',
      );
      const [record] = await rows('file_datastore_records');
      expect(record).toMatchObject({
        dataset_id: ref.id,
        path: 'dummy/metric/52/metric_dummy_52_dummy.yaml',
        formatter: 'lsst.daf.butler.formatters.yaml.YamlFormatter',
        storage_class: 'StructuredDataDict',
        component: '__NULL_STRING__',
        checksum: null,
      });
      expect(Number(record!['file_size'])).toBe(Buffer.byteLength('b:\n- 1\n- 2.5\na: x\n'));
      const found: string[] = [];
      for await (const name of registry.bridges.findDatastores(ref)) found.push(name);
      expect(found).toEqual([datastore.name]);
      expect(await datastore.get(ref)).toEqual({ b: [1, 2.5], a: 'x' });
      expect((await datastore.getURI(ref)).ospath).toBe(
        join(root, 'dummy/metric/52/metric_dummy_52_dummy.yaml'),
      );
    });

    it('makes a folder again when it was removed after an earlier put made it', async () => {
      const datastore = await make({
        templates: { default: '{run:/}/{datasetType}/{visit}_{instrument}_{run}' },
      });
      await datastore.put({ a: 1 }, dict(1));
      rmSync(join(root, 'dummy'), { recursive: true });
      const second = dict(2);
      await datastore.put({ a: 2 }, second);
      expect(files(root)).toEqual(['dummy/metric/2_dummy_dummy.yaml']);
      expect(await datastore.get(second)).toEqual({ a: 2 });
    });

    it('refuses to store a dataset twice or over an existing file, storing nothing new', async () => {
      const datastore = await make();
      const ref = dict(1);
      await datastore.put({ a: 1 }, ref);
      expect(await rejection(datastore.put({ a: 2 }, ref))).toSatisfy(isError(ArtifactExistsError));
      const other = dict(1); // same path, another id
      expect(await rejection(datastore.put({ a: 3 }, other))).toSatisfy(
        isError(ArtifactExistsError),
      );
      expect(await datastore.knows(other)).toBe(false);
      expect(await datastore.get(ref)).toEqual({ a: 1 });
      expect(files(root)).toHaveLength(1);
    });

    it('refuses a dataset the registry has not registered (daf_butler foreign key), leaving no file', async () => {
      const fkDir = mkdtempSync(join(tmpdir(), 'butler-fds-fk-'));
      const withKeys = await createRegistry(`sqlite:///${join(fkDir, 'gen3.sqlite3')}`, {
        universe: testUniverse(),
      });
      try {
        const datastore = await FileDatastore.create(
          { datastore: { cls: 'FileDatastore', root: '<butlerRoot>', formatters: FORMATTERS } },
          withKeys.bridges,
          { butlerRoot: join(fkDir, 'repo') },
        );
        const ref = dict(7);
        const error = await rejection(datastore.put({ a: 1 }, ref));
        expect(error).toSatisfy(isError(DatasetNotFoundError));
        expect((error as Error).message).toContain(`is not registered in the registry`);
        expect((error as Error).message).toContain(ref.id);
        expect(files(join(fkDir, 'repo'))).toEqual([]);
        expect(await datastore.knows(ref)).toBe(false);
      } finally {
        await withKeys.close();
        rmSync(fkDir, { recursive: true, force: true });
      }
    });

    it('refuses a value its formatter cannot write, and a type without a formatter, before writing', async () => {
      const datastore = await make();
      expect(await rejection(datastore.put({ f: () => 1 }, dict(2)))).toBeInstanceOf(Error);
      const json = makeRef('metric', 'StructuredDataDictYaml', { instrument: 'dummy', visit: 3 });
      const bare = await make({ formatters: {} });
      expect(await rejection(bare.put({ a: 1 }, json))).toSatisfy(isError(FormatterNotFoundError));
      expect(files(root)).toEqual([]);
      expect(await rows('file_datastore_records')).toEqual([]);
    });

    it('removes the file when the registry refuses the records', async () => {
      const datastore = await make();
      await datastore.put({ a: 1 }, dict(1));
      const readOnly = await openRegistry(uri, { writeable: false, universe: testUniverse() });
      try {
        const reader = await FileDatastore.create(
          { datastore: { cls: 'FileDatastore', root: '<butlerRoot>', formatters: FORMATTERS } },
          readOnly.bridges,
          { butlerRoot: root },
        );
        expect(await rejection(reader.put({ a: 2 }, dict(2)))).toBeInstanceOf(Error);
      } finally {
        await readOnly.close();
      }
      expect(files(root)).toEqual(['dummy/metric/1/metric_dummy_1_dummy.yaml']);
    });

    it('undoes the puts of a failed transaction: records, bridge rows and files', async () => {
      const datastore = await make();
      await datastore.put({ keep: true }, dict(1));
      const error = await rejection(
        datastore.transaction(async () => {
          await datastore.put({ a: 1 }, dict(2));
          await datastore.put({ a: 2 }, dict(3));
          throw new Error('fail');
        }),
      );
      expect((error as Error).message).toBe('fail');
      expect(files(root)).toEqual(['dummy/metric/1/metric_dummy_1_dummy.yaml']);
      expect(await rows('file_datastore_records')).toHaveLength(1);
    });

    it('disassembles a composite when configured, and reads it whole, by component and sliced', async () => {
      const factory = testStorageClassFactory();
      const datastore = await make(
        { composites: { disassembled: { StructuredData: true } } },
        { storageClassFactory: factory },
      );
      const ref = makeRef('metric', 'StructuredData', { instrument: 'dummy', visit: 5 });
      const { makeExampleMetrics, slice } = await import('@butler-ts/core/testing');
      const metrics = makeExampleMetrics();
      await datastore.put(metrics, ref);
      expect(files(root)).toEqual([
        'dummy/metric.data/5/metric_data_dummy_5_dummy.yaml',
        'dummy/metric.output/5/metric_output_dummy_5_dummy.yaml',
        'dummy/metric.summary/5/metric_summary_dummy_5_dummy.yaml',
      ]);
      const records = await rows('file_datastore_records');
      expect(records.map((r) => [r['component'], r['storage_class']]).sort()).toEqual([
        ['data', 'StructuredDataListYaml'],
        ['output', 'StructuredDataDictYaml'],
        ['summary', 'StructuredDataDictYaml'],
      ]);
      expect(await datastore.get(ref.makeComponentRef('summary'))).toEqual(metrics.summary);
      expect(
        await datastore.get(ref.makeComponentRef('data'), { parameters: { slice: slice(0, 2) } }),
      ).toEqual(metrics.data!.slice(0, 2));
      const whole = await datastore.get(ref);
      expect(whole).toEqual(metrics);
      const predicted = await datastore.getURIs(dict(99), { predict: true });
      expect(predicted.primaryURI?.fragment).toBe('predicted');
    });

    it('checks file sizes, and checksums when asked', async () => {
      const datastore = await make({ checksum: true }, { verifyChecksums: true });
      const ref = dict(1);
      await datastore.put({ a: 'abc' }, ref);
      const [record] = await rows('file_datastore_records');
      const path = join(root, record!['path'] as string);
      expect(record!['checksum']).toBe(checksumOf(readFileSync(path)));
      writeFileSync(path, 'a: abd\n');
      expect(await rejection(datastore.get(ref))).toSatisfy(isError(FileIntegrityError));
      writeFileSync(path, 'a: abcd\n');
      expect(((await rejection(datastore.get(ref))) as Error).message).toMatch(/size/);
      writeFileSync(path, 'a: ab\n'); // shorter than recorded
      expect(((await rejection(datastore.get(ref))) as Error).message).toMatch(
        /\(6\) does not match size recorded in registry of 7/,
      );
      rmSync(path);
      expect(await rejection(datastore.get(ref))).toSatisfy(isError(DatasetNotFoundError));
      expect(await datastore.exists(ref)).toBe(false);
      expect(await datastore.knows(ref)).toBe(true);
    });
  });

  describe('trash', () => {
    it('removes a file only when no remaining record points at it, and can run again', async () => {
      const datastore = await make();
      const source = join(root, 'shared', 'file.yaml');
      rmSync(join(root, 'shared'), { recursive: true, force: true });
      (await import('node:fs')).mkdirSync(join(root, 'shared'), { recursive: true });
      writeFileSync(source, 'a: 1\n');
      const [a, b] = [dict(1), dict(2)];
      await datastore.ingest([fileDataset(source, [a, b])], { transfer: null });
      expect((await rows('file_datastore_records')).map((r) => r['path'])).toEqual([
        'shared/file.yaml',
        'shared/file.yaml',
      ]);
      await datastore.trash(a);
      expect(await datastore.get(a)).toEqual({ a: 1 }); // trashed, not yet gone
      expect(await datastore.emptyTrash()).toEqual(new Set());
      expect(existsSync(source)).toBe(true);
      expect(await datastore.knows(a)).toBe(false);
      await datastore.trash(b);
      const removed = await datastore.emptyTrash();
      expect([...removed].map((u) => u.ospath)).toEqual([source]);
      expect(existsSync(source)).toBe(false);
      expect(await datastore.emptyTrash()).toEqual(new Set());
    });

    it('finishes after a crash between removing the file and the records', async () => {
      const datastore = await make();
      const ref = dict(1);
      await datastore.put({ a: 1 }, ref);
      await datastore.trash(ref);
      rmSync((await datastore.getURI(ref)).ospath!); // the file went, the records stayed
      await datastore.emptyTrash();
      expect(await rows('file_datastore_records')).toEqual([]);
    });

    it('forgets records and bridge rows but leaves the file', async () => {
      const datastore = await make();
      const ref = dict(1);
      await datastore.put({ a: 1 }, ref);
      await datastore.forget([ref, dict(9)]);
      expect(await datastore.knows(ref)).toBe(false);
      expect(files(root)).toHaveLength(1);
      await datastore.remove(dict(2)).catch(() => undefined);
      expect(await rejection(datastore.remove(ref))).toSatisfy(isError(DatasetNotFoundError));
    });
  });

  describe('transferFrom', () => {
    const makeTarget = () =>
      make({ root: join(dir, 'target'), name: 'Target', records: { table: 'target_records' } }, {});

    it('copies files to the same paths and records them, once', async () => {
      const source = await make();
      const target = await makeTarget();
      const [one, two, absent] = [dict(1), dict(2), dict(3)];
      await source.put({ a: 1 }, one);
      await source.put({ a: 2 }, two);

      const [wouldTake, dryRejected] = await target.transferFrom(source, [one, two, absent], {
        dryRun: true,
      });
      expect([...wouldTake]).toEqual([one, two]);
      expect(dryRejected.size).toBe(0);
      expect(files(join(dir, 'target'))).toEqual([]);
      expect(await rows('target_records')).toEqual([]);

      const [accepted, rejected] = await target.transferFrom(source, [one, two, absent]);
      expect([...accepted]).toEqual([one, two]);
      expect(rejected.size).toBe(0);
      expect(files(join(dir, 'target'))).toEqual(files(root));
      for (const path of files(root)) {
        expect(readFileSync(join(dir, 'target', path))).toEqual(readFileSync(join(root, path)));
      }
      const strip = (r: Record<string, unknown>) => ({ ...r, file_size: Number(r['file_size']) });
      const byId = (a: Record<string, unknown>, b: Record<string, unknown>) =>
        String(a['dataset_id']).localeCompare(String(b['dataset_id']));
      expect((await rows('target_records')).map(strip).sort(byId)).toEqual(
        (await rows('file_datastore_records')).map(strip).sort(byId),
      );
      expect(await target.get(two)).toEqual({ a: 2 });
      const found: string[] = [];
      for await (const name of registry.bridges.findDatastores(one)) found.push(name);
      expect(found.sort()).toEqual([source.name, 'Target'].sort());
      // Held already: nothing to do.
      expect((await target.transferFrom(source, [one]))[0].size).toBe(0);
    });

    it('records nothing and leaves no file when a target file is in the way', async () => {
      const source = await make();
      const target = await makeTarget();
      const [one, two] = [dict(1), dict(2)];
      await source.put({ a: 1 }, one);
      await source.put({ a: 2 }, two);
      const inTheWay = (await source.getURI(two)).ospath!.replace(root, join(dir, 'target'));
      const { mkdirSync } = await import('node:fs');
      mkdirSync(join(inTheWay, '..'), { recursive: true });
      writeFileSync(inTheWay, 'mine');
      const error = await rejection(target.transferFrom(source, [one, two]));
      expect(error).toSatisfy(isError(ArtifactExistsError));
      expect(files(join(dir, 'target'))).toEqual([relative(join(dir, 'target'), inTheWay)]);
      expect(readFileSync(inTheWay, 'utf8')).toBe('mine');
      expect(await rows('target_records')).toEqual([]);
    });

    it('is undone with a failing transaction, and refuses other transfer modes', async () => {
      const source = await make();
      const target = await makeTarget();
      const one = dict(1);
      await source.put({ a: 1 }, one);
      const failure = await rejection(
        target.transaction(async () => {
          await target.transferFrom(source, [one], { transfer: 'hardlink' });
          expect(await target.get(one)).toEqual({ a: 1 });
          throw new Error('boom');
        }),
      );
      expect((failure as Error).message).toBe('boom');
      expect(files(join(dir, 'target'))).toEqual([]);
      expect(await rows('target_records')).toEqual([]);
      expect(
        await rejection(target.transferFrom(source, [dict(1)], { transfer: 'move' })),
      ).toSatisfy(isError(IngestError));
      expect(files(root)).toHaveLength(1);
    });
  });

  describe('trust mode (trust_get_request)', () => {
    it('reads a dataset without records from where a put would have written it', async () => {
      const datastore = await make();
      expect(datastore.trustGetRequest).toBe(false);
      const ref = dict(1);
      await datastore.put({ a: 1 }, ref);
      const path = (await datastore.getURI(ref)).ospath;
      await datastore.forget([ref]); // the records go, the file stays
      expect(await rejection(datastore.get(ref))).toSatisfy(isError(DatasetNotFoundError));
      expect(await datastore.exists(ref)).toBe(false);

      datastore.setTrustMode(true);
      expect(datastore.trustGetRequest).toBe(true);
      expect(await datastore.get(ref)).toEqual({ a: 1 });
      expect(await datastore.knows(ref)).toBe(true);
      expect(await datastore.exists(ref)).toBe(true);
      expect([...(await datastore.mexists([ref, dict(2)])).values()]).toEqual([true, false]);
      expect([...(await datastore.knowsThese([ref, dict(2)])).values()]).toEqual([true, false]);
      const uri = await datastore.getURI(ref);
      expect(uri.ospath).toBe(path);
      expect(uri.fragment).not.toBe('predicted');
      // Nothing there: not found, and a prediction is still a prediction.
      expect(await rejection(datastore.get(dict(2)))).toSatisfy(isError(DatasetNotFoundError));
      expect((await datastore.getURI(dict(2), { predict: true })).fragment).toBe('predicted');
      // Trust reads nothing into the registry.
      expect(await rows('file_datastore_records')).toEqual([]);
    });

    it('reads a disassembled composite without records, whole and by component', async () => {
      const factory = testStorageClassFactory();
      const datastore = await make(
        { composites: { disassembled: { StructuredData: true } }, trust_get_request: true },
        { storageClassFactory: factory },
      );
      expect(datastore.trustGetRequest).toBe(true);
      const ref = makeRef('metric', 'StructuredData', { instrument: 'dummy', visit: 5 });
      const { makeExampleMetrics } = await import('@butler-ts/core/testing');
      const metrics = makeExampleMetrics();
      await datastore.put(metrics, ref);
      await datastore.forget([ref]);
      expect(await datastore.get(ref)).toEqual(metrics);
      expect(await datastore.get(ref.makeComponentRef('summary'))).toEqual(metrics.summary);
      const uris = await datastore.getURIs(ref);
      expect([...uris.componentURIs.keys()].sort()).toEqual(['data', 'output', 'summary']);
      // One component file gone: the dataset is no longer whole.
      rmSync(uris.componentURIs.get('output')!.ospath!);
      expect(await datastore.exists(ref)).toBe(false);
      expect(await datastore.get(ref.makeComponentRef('summary'))).toEqual(metrics.summary);
    });

    it('refuses a trust_get_request that is not a boolean', async () => {
      const error = await rejection(make({ trust_get_request: 'yes' }));
      expect(error).toSatisfy(isError(FileDatastoreConfigError));
      expect((error as Error).message).toMatch(/trust_get_request/);
    });
  });

  describe('ingest', () => {
    let outside: string;
    beforeEach(() => {
      outside = join(dir, 'outside.yaml');
      writeFileSync(outside, '# by hand\na: 1\n');
    });

    it.each(['copy', 'move', 'hardlink', 'symlink', 'relsymlink', 'link'] as const)(
      'ingests with %s, keeping the extension and the bytes',
      async (transfer) => {
        const datastore = await make();
        const ref = dict(7);
        await datastore.ingest([fileDataset(outside, ref)], { transfer });
        const target = join(root, 'dummy/metric/7/metric_dummy_7_dummy.yaml');
        expect(readFileSync(target, 'utf8')).toBe('# by hand\na: 1\n');
        expect(existsSync(outside)).toBe(transfer !== 'move');
        if (transfer === 'symlink') expect(readlinkSync(target)).toBe(outside);
        if (transfer === 'relsymlink')
          expect(readlinkSync(target)).toBe('../../../../outside.yaml');
        if (transfer === 'copy') expect(lstatSync(target).isSymbolicLink()).toBe(false);
        expect(await datastore.get(ref)).toEqual({ a: 1 });
        const [record] = await rows('file_datastore_records');
        expect(record!['file_size']).toBe(15);
      },
    );

    it('ingests direct (and auto outside the root) with an absolute URI, never deleting it', async () => {
      const datastore = await make();
      const [ref, ref2] = [dict(1), dict(2)];
      await datastore.ingest([fileDataset(outside, ref)], { transfer: 'direct' });
      await datastore.ingest([fileDataset(outside, ref2)], { transfer: 'auto' });
      const records = await rows('file_datastore_records');
      expect(records.map((r) => r['path'])).toEqual([`file://${outside}`, `file://${outside}`]);
      expect(await datastore.get(ref2)).toEqual({ a: 1 });
      await datastore.remove(ref);
      await datastore.remove(ref2);
      expect(existsSync(outside)).toBe(true);
    });

    it('refuses files that are missing, in place outside the root, or direct inside it', async () => {
      const datastore = await make();
      expect(
        await rejection(
          datastore.ingest([fileDataset(join(dir, 'none.yaml'), dict(1))], { transfer: 'copy' }),
        ),
      ).toSatisfy(isError(IngestError));
      expect(
        await rejection(datastore.ingest([fileDataset(outside, dict(1))], { transfer: null })),
      ).toSatisfy(isError(IngestError));
      expect(
        await rejection(datastore.ingest([fileDataset(outside, dict(1))], { transfer: 'split' })),
      ).toSatisfy(isError(IngestError));
      expect(await rows('file_datastore_records')).toEqual([]);
    });
  });

  describe('artifacts and records', () => {
    it('retrieves artifacts keeping their paths, and overwrites only when asked', async () => {
      const datastore = await make();
      const refs = [dict(1), dict(2)];
      for (const ref of refs) await datastore.put({ v: ref.dataId.get('visit') }, ref);
      const out = join(dir, 'out');
      const written = await datastore.retrieveArtifacts(refs, out);
      expect([...written.keys()].map((u) => relative(out, u.ospath!)).sort()).toEqual([
        'dummy/metric/1/metric_dummy_1_dummy.yaml',
        'dummy/metric/2/metric_dummy_2_dummy.yaml',
      ]);
      expect(await rejection(datastore.retrieveArtifacts(refs, out))).toSatisfy(
        isError(ArtifactExistsError),
      );
      await datastore.retrieveArtifacts(refs, out, { overwrite: true, preservePath: false });
      expect(readdirSync(out).sort()).toEqual([
        'dummy',
        'metric_dummy_1_dummy.yaml',
        'metric_dummy_2_dummy.yaml',
      ]);
    });

    it('exports records and imports them into another registry', async () => {
      const datastore = await make();
      const ref = dict(1);
      await datastore.put({ a: 1 }, ref);
      const exported = await datastore.exportRecords([
        ref,
        new FakeDatasetRef('0190d6f2-0000-7000-8000-000000000000'),
      ]);
      const data = exported.get(datastore.name)!;
      expect([...data.records.keys()]).toEqual([ref.id]);
      expect(data.records.get(ref.id)!.get('file_datastore_records')![0]).toBeInstanceOf(
        StoredFileInfo,
      );
      const other = await createRegistry('sqlite://', {
        datasetForeignKeys: standaloneDatasetForeignKeys,
        universe: testUniverse(),
      });
      try {
        const copy = await FileDatastore.create(
          { datastore: { cls: 'FileDatastore', root: '<butlerRoot>', formatters: FORMATTERS } },
          other.bridges,
          { butlerRoot: root },
        );
        await copy.importRecords(exported);
        await copy.importRecords(exported); // again: nothing new
        expect(await copy.get(ref)).toEqual({ a: 1 });
      } finally {
        await other.close();
      }
    });

    it('validates its configuration against entities', async () => {
      const datastore = await make({
        formatters: { ...FORMATTERS, StructuredDataList: 'no.such.Formatter' },
      });
      const factory = testStorageClassFactory();
      expect(() =>
        datastore.validateConfiguration([factory.getStorageClass('StructuredDataDict')]),
      ).not.toThrow();
      expect(() =>
        datastore.validateConfiguration([factory.getStorageClass('StructuredDataList')]),
      ).toThrow(DatastoreValidationError);
      expect(() =>
        datastore.validateConfiguration([factory.getStorageClass('StructuredDataDataTest')]),
      ).toThrow(/No formatter/);
    });
  });
});

export type { DatasetRef };
