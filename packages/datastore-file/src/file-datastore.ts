import { copyFile, link, mkdir, rename, stat, symlink } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BUILTIN_TYPES, DimensionUniverse, StorageClassDelegate, toTuple } from '@butler-ts/core';
import type {
  Config,
  ConfigInput,
  DatasetRef,
  Logger,
  LookupKey,
  StorageClass,
  StorageClassFactory,
} from '@butler-ts/core';
import {
  DatasetNotFoundError,
  DatasetRefURIs,
  DatasetTypeNotSupportedError,
  DatastoreClassRegistry,
  DatastoreLogicError,
  DatastoreNotSupportedError,
  DatastoreRecordData,
  DatastoreValidationError,
  GenericBaseDatastore,
  IngestPrepData,
  ResourcePath,
  datastoreConfig,
  datastoreOpaqueTable,
  getFromStored,
  postProcessGet,
  readConfigFile,
} from '@butler-ts/datastore';
import type {
  Datastore,
  DatastoreCreateOptions,
  DatastoreEntity,
  DatastoreOpaqueTable,
  EmptyTrashOptions,
  FileDataset,
  GetOptions,
  IngestZipOptions,
  PutOptions,
  RetrieveArtifactsOptions,
  TransferFromOptions,
  TransferMode,
  TrashOptions,
  URIOptions,
  ValidateOptions,
  DatastoreTransaction,
} from '@butler-ts/datastore';
import { IntegrityError } from '@butler-ts/registry-interfaces';
import type {
  DatasetIdRef,
  DatastoreRegistryBridge,
  DatastoreRegistryBridgeManager,
  OpaqueTableStorage,
} from '@butler-ts/registry-interfaces';
import {
  ArtifactExistsError,
  FileDatastoreConfigError,
  FileIntegrityError,
  FormatterNotFoundError,
  IngestError,
} from './errors.ts';
import {
  checksumOf,
  exists,
  isMissing,
  readBytes,
  readSized,
  removeFile,
  writeNewFile,
} from './file-io.ts';
import { FileTemplates } from './file-template.ts';
import type { DimensionRecordSource, FileTemplate } from './file-template.ts';
import { FormatterRegistry } from './formatter.ts';
import type { Formatter } from './formatter.ts';
import { LookupTable } from './lookup-table.ts';
import { FILE_RECORDS_SPEC, StoredFileInfo } from './stored-file-info.ts';

/** Options of {@link FileDatastore.create} and the constructor. */
export interface FileDatastoreOptions {
  /** The repository root that replaces `<butlerRoot>` in the configured `root`. */
  readonly butlerRoot?: string | null;
  /** Where warnings go; default the console. */
  readonly logger?: Logger;
  /** The storage class factory; default the shared one. */
  readonly storageClassFactory?: StorageClassFactory;
  /** Where formatter names are resolved; default {@link FormatterRegistry.shared}. */
  readonly formatters?: FormatterRegistry;
  /**
   * Where template fields such as `detector.full_name` get their dimension records (daf_butler
   * reads them from expanded data IDs, which butler-ts's data IDs do not carry yet): called
   * with the element and the ref, it returns or resolves to the record, e.g. from the
   * registry's dimension tables. Without it an optional record field is left out of paths
   * (logged at debug level, once per field) and a required one is refused with a
   * `DimensionRecordError`; with it, a record it does not have is a `DimensionRecordError`.
   */
  readonly dimensionRecords?: DimensionRecordSource | null;
  /** Check the recorded checksum of every file read (when one was recorded). Default false. */
  readonly verifyChecksums?: boolean;
}

// A formatter entry of the `formatters` section.
interface FormatterEntry {
  readonly name: string;
  readonly parameters: Readonly<Record<string, unknown>>;
}

// One file of a put: what goes where, and its record.
interface Artifact {
  readonly ref: DatasetRef;
  readonly value: unknown;
  readonly storageClass: StorageClass;
  readonly component: string | null;
}

type Records = DatastoreOpaqueTable['tableSpec'] extends never ? never : OpaqueTableStorage;

function isIterable(value: unknown): value is Iterable<DatasetRef> {
  return typeof value === 'object' && value !== null && Symbol.iterator in value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

const BUILTIN: ReadonlySet<unknown> = new Set(Object.values(BUILTIN_TYPES));

const TRANSFER_MODES: ReadonlySet<string> = new Set([
  'auto',
  'copy',
  'move',
  'link',
  'hardlink',
  'symlink',
  'relsymlink',
  'direct',
]);

/**
 * daf_butler's `FileDatastore`: each dataset in a file under a root folder (one file per
 * component when its composite is disassembled), its records in the registry's opaque table
 * `file_datastore_records`, its location in the registry bridge. Repositories are shared with
 * daf_butler both ways: the same configuration, paths, record rows and file bytes.
 *
 * Configuration (the `datastore` section): `root` (with `<butlerRoot>` replaced by the
 * repository root), `records.table`, `templates`, `formatters`, `composites.disassembled`,
 * `constraints`, `checksum`, `create`, and optionally `name` (default
 * `FileDatastore@<root as configured>`).
 *
 * A put serializes everything first, writes each file through a temporary name (never
 * replacing a file), then inserts the records and the bridge row in one registry transaction;
 * if that fails the files are removed. Inside `Datastore.transaction`, a failing block undoes
 * the put (records first, then files). A record never exists without its file.
 *
 * Loading this module registers the class under `FileDatastore` and
 * `lsst.daf.butler.datastores.fileDatastore.FileDatastore`.
 *
 * @example
 * ```ts
 * const datastore = await Datastore.fromConfig(
 *   { datastore: { cls: 'FileDatastore' } },
 *   registry.bridges,
 *   '/data/repo',
 * );
 * await datastore.put({ a: 1 }, ref);
 * ```
 */
export class FileDatastore extends GenericBaseDatastore {
  /** The default configuration file, relative to {@link FileDatastore.configDirectory}. */
  static override readonly defaultConfigFile: string = 'datastores/fileDatastore.yaml';
  /** The `configs/` folder shipped in this package. */
  static override readonly configDirectory: URL = new URL('../configs/', import.meta.url);

  /** The root folder (absolute). */
  readonly root: string;
  /** The records table name. */
  readonly recordsTableName: string;
  /** The file templates. */
  readonly templates: FileTemplates;
  /** Whether checksums are computed on put and ingest. */
  readonly useChecksum: boolean;
  /** Whether recorded checksums are checked on read. */
  readonly verifyChecksums: boolean;
  /** Where formatter names are resolved. */
  readonly formatterRegistry: FormatterRegistry;

  readonly #bridgeManager: DatastoreRegistryBridgeManager;
  readonly #bridge: DatastoreRegistryBridge;
  readonly #formatters: LookupTable<FormatterEntry>;
  readonly #disassembled: LookupTable<boolean>;
  readonly #disassembleDefault: boolean;
  readonly #dimensionRecords: DimensionRecordSource | null;
  readonly #madeDirs = new Set<string>();
  #trust: boolean;
  readonly #warnedFields = new Set<string>();
  #records: Promise<Records> | null = null;
  // The records table once registered: the hot paths use it without awaiting #records.
  #recordsTable: Records | null = null;

  /**
   * Use {@link FileDatastore.create} or `Datastore.fromConfig`, which also register the
   * records table and make the root.
   *
   * @throws {@link FileDatastoreConfigError} for a missing root, a `<butlerRoot>` without a
   *   repository root, or a malformed section.
   */
  constructor(
    config: ConfigInput,
    bridgeManager: DatastoreRegistryBridgeManager,
    options: FileDatastoreOptions = {},
  ) {
    const rootText = FileDatastore.#configuredRoot(config);
    const name = FileDatastore.#configuredName(config) ?? `FileDatastore@${rootText}`;
    super(config, bridgeManager, {
      name,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.storageClassFactory === undefined
        ? {}
        : { storageClassFactory: options.storageClassFactory }),
    });
    const butlerRoot = options.butlerRoot ?? null;
    let root = rootText;
    if (root.includes('<butlerRoot>')) {
      if (butlerRoot === null) {
        throw new FileDatastoreConfigError(
          `Datastore root ${rootText} uses <butlerRoot> but no repository root was given`,
        );
      }
      root = root.replaceAll('<butlerRoot>', butlerRoot);
    }
    if (root.startsWith('file:')) root = fileURLToPath(root);
    this.root = resolve(root);
    const table = this.config.get(['records', 'table']) ?? 'file_datastore_records';
    if (typeof table !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) {
      throw new FileDatastoreConfigError(
        `records.table must be a table name, got ${JSON.stringify(table)}`,
      );
    }
    this.recordsTableName = table;
    const universe =
      bridgeManager.universe instanceof DimensionUniverse ? bridgeManager.universe : null;
    this.templates = new FileTemplates(this.config.get('templates') ?? null, universe);
    this.#formatters = new LookupTable(this.config.get('formatters') ?? null, {
      section: 'formatters',
      exclude: ['default', 'write_recipes'],
      universe,
      convert: (value, key) => {
        if (typeof value === 'string') return { name: value, parameters: {} };
        if (isPlainObject(value) && typeof value['formatter'] === 'string') {
          const parameters = value['parameters'] ?? {};
          if (!isPlainObject(parameters)) {
            throw new FileDatastoreConfigError(`formatters.${key}.parameters must be a mapping`);
          }
          return { name: value['formatter'], parameters };
        }
        throw new FileDatastoreConfigError(
          `formatters.${key} must be a formatter name or {formatter, parameters}`,
        );
      },
    });
    const composites = this.config.get('composites') ?? {};
    if (!isPlainObject(composites)) {
      throw new FileDatastoreConfigError('composites must be a mapping');
    }
    this.#disassembleDefault = composites['default'] === true;
    this.#disassembled = new LookupTable(composites['disassembled'] ?? null, {
      section: 'composites.disassembled',
      exclude: ['__null__'],
      universe,
      convert: (value, key) => {
        if (typeof value !== 'boolean') {
          throw new FileDatastoreConfigError(
            `composites.disassembled.${key} must be true or false`,
          );
        }
        return value;
      },
    });
    this.useChecksum = this.config.get('checksum') === true;
    const trust = this.config.get('trust_get_request') ?? false;
    if (typeof trust !== 'boolean') {
      throw new FileDatastoreConfigError(
        `trust_get_request must be true or false, got ${JSON.stringify(trust)}`,
      );
    }
    this.#trust = trust;
    this.verifyChecksums = options.verifyChecksums ?? false;
    this.formatterRegistry = options.formatters ?? FormatterRegistry.shared;
    const dimensionRecords = options.dimensionRecords ?? null;
    if (dimensionRecords !== null && typeof dimensionRecords !== 'function') {
      throw new FileDatastoreConfigError(
        `The dimensionRecords option must be a function (element, ref) => record, got ${typeof dimensionRecords}`,
      );
    }
    this.#dimensionRecords = dimensionRecords;
    this.#bridgeManager = bridgeManager;
    this.#bridge = bridgeManager.register(this.name);
  }

  static #configuredRoot(config: ConfigInput): string {
    const root = FileDatastore.#section(config)['root'];
    if (typeof root !== 'string' || root === '') {
      throw new FileDatastoreConfigError(
        `A FileDatastore needs a root (a path, file: URI, or <butlerRoot>), got ${JSON.stringify(root)}`,
      );
    }
    return root;
  }

  static #configuredName(config: ConfigInput): string | null {
    const name = FileDatastore.#section(config)['name'];
    return typeof name === 'string' && name !== '' ? name : null;
  }

  static #section(config: ConfigInput): Record<string, unknown> {
    const data = (
      config !== null && typeof config === 'object' && 'data' in config
        ? (config as Config).data
        : config
    ) as Record<string, unknown> | null | undefined;
    if (data === null || data === undefined) return {};
    const inner = data['datastore'];
    if (isPlainObject(inner)) {
      const innermost = inner['datastore'];
      return isPlainObject(innermost) ? innermost : inner;
    }
    return data;
  }

  /**
   * A datastore whose records table is registered and whose root exists (made when `create`
   * is not false). The class defaults (`configs/datastores/fileDatastore.yaml`: daf_butler's
   * templates, formatters and records table) are merged under `config`.
   *
   * @throws as the constructor; the registry's errors when the records table cannot be
   *   registered (e.g. it exists with other columns).
   */
  static async create(
    config: ConfigInput,
    bridgeManager: DatastoreRegistryBridgeManager,
    options: FileDatastoreOptions = {},
  ): Promise<FileDatastore> {
    // The class defaults (daf_butler's fileDatastore.yaml) under the given configuration;
    // merging them again under a configuration Datastore.fromConfig loaded changes nothing.
    const defaults = await readConfigFile(
      FileDatastore.configDirectory,
      FileDatastore.defaultConfigFile,
    );
    const merged = datastoreConfig(config, defaults === null ? [] : [defaults]);
    const datastore = new FileDatastore(merged, bridgeManager, options);
    await datastore.#table();
    if (datastore.config.get('create') !== false) await mkdir(datastore.root, { recursive: true });
    return datastore;
  }

  /** {@link FileDatastore.create} from a loaded configuration. */
  static override createFromConfig(options: DatastoreCreateOptions): Promise<FileDatastore> {
    return FileDatastore.create(options.config, options.bridgeManager, {
      butlerRoot: options.butlerRoot ?? null,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
  }

  /**
   * Sets `root` for a new repository (daf_butler passes `<butlerRoot>`, which is what
   * `butler.yaml` then holds) and copies `cls` and `records.table` from `full`; with
   * `overwrite` false, values already in `config` are kept.
   */
  static override setConfigRoot(
    root: string,
    config: Config,
    full: Config,
    overwrite = true,
  ): Config {
    const prefix = config.has('datastore') ? 'datastore.' : '';
    const fullPrefix = full.has('datastore') ? 'datastore.' : '';
    let result = config;
    if (overwrite || !result.has(`${prefix}root`)) result = result.with(`${prefix}root`, root);
    for (const key of ['cls', 'records.table']) {
      const value = full.get(`${fullPrefix}${key}`);
      if (value !== undefined && (overwrite || !result.has(`${prefix}${key}`))) {
        result = result.with(`${prefix}${key}`, value);
      }
    }
    return result;
  }

  /**
   * `Datastore.transaction` inside a transaction of the registry's database: when the block
   * fails, its puts are undone (records, then files) and whatever it changed in the registry
   * (trash marks among them) rolls back with the database transaction.
   */
  override transaction<T>(body: (transaction: DatastoreTransaction) => T | Promise<T>): Promise<T> {
    return this.#bridgeManager.transaction(() => super.transaction(body));
  }

  /** The roots: this datastore's name → its root folder. */
  override get roots(): Map<string, ResourcePath | null> {
    return new Map([[this.name, new ResourcePath(pathToFileURL(`${this.root}${sep}`))]]);
  }

  /** A datastore on the same root and configuration with another bridge manager. */
  override clone(bridgeManager: DatastoreRegistryBridgeManager): FileDatastore {
    return new FileDatastore(
      this.config
        .with('root', this.root)
        .with('name', this.name)
        .with('trust_get_request', this.#trust),
      bridgeManager,
      {
        logger: this.logger,
        storageClassFactory: this.storageClassFactory,
        formatters: this.formatterRegistry,
        dimensionRecords: this.#dimensionRecords,
        verifyChecksums: this.verifyChecksums,
      },
    );
  }

  #table(): Promise<Records> {
    if (this.#records !== null) return this.#records;
    const pending = this.#bridgeManager.opaque.register(this.recordsTableName, FILE_RECORDS_SPEC);
    this.#records = pending;
    // A failed registration is forgotten, so the next call tries again.
    pending.then(
      (table) => {
        if (this.#records === pending) this.#recordsTable = table;
      },
      () => {
        if (this.#records === pending) this.#records = null;
      },
    );
    return pending;
  }

  /** The records of a dataset (all its components), in no particular order. */
  async getStoredItemsInfo(ref: DatasetIdRef): Promise<StoredFileInfo[]> {
    const table = this.#recordsTable ?? (await this.#table());
    const result: StoredFileInfo[] = [];
    // Batches rather than rows: one async step per statement, not per row.
    for await (const batch of table.fetchBatches({ dataset_id: ref.id })) {
      for (const row of batch) result.push(StoredFileInfo.fromRecord(row));
    }
    return result;
  }

  async #recordsOf(ids: readonly string[]): Promise<Map<string, StoredFileInfo[]>> {
    const table = await this.#table();
    const result = new Map<string, StoredFileInfo[]>();
    if (ids.length === 0) return result;
    for await (const batch of table.fetchBatches({ dataset_id: ids })) {
      for (const row of batch) {
        const info = StoredFileInfo.fromRecord(row);
        const list = result.get(info.datasetId);
        if (list === undefined) result.set(info.datasetId, [info]);
        else list.push(info);
      }
    }
    return result;
  }

  /** The absolute path of a record's file. */
  pathOf(info: StoredFileInfo): string {
    if (info.path.startsWith('file:')) return fileURLToPath(info.path);
    if (isAbsolute(info.path)) return info.path;
    return join(this.root, ...info.path.split('/'));
  }

  #uriOf(info: StoredFileInfo): ResourcePath {
    return new ResourcePath(pathToFileURL(this.pathOf(info)));
  }

  /**
   * Whether reads of a dataset without records look for its files where a put with the
   * current configuration would have written them (daf_butler's `trust_get_request`, also set
   * by {@link FileDatastore.setTrustMode}). Such reads cannot check sizes or checksums, and
   * find nothing written with another template, formatter or disassembly.
   */
  get trustGetRequest(): boolean {
    return this.#trust;
  }

  /** Turns trust mode ({@link FileDatastore.trustGetRequest}) on or off. */
  override setTrustMode(mode: boolean): void {
    this.#trust = mode;
  }

  // Where a put with the current configuration would have written `ref` (its composite for
  // a component ref): one file, or one per component when disassembled. Records without size.
  async #expectedInfos(ref: DatasetRef): Promise<StoredFileInfo[]> {
    const composite = ref.isComponent() ? ref.makeCompositeRef() : ref;
    const storageClass = composite.datasetType.storageClass;
    const targets = this.shouldDisassemble(composite)
      ? [...storageClass.components].map(([name, component]) => ({
          ref: composite.makeComponentRef(name),
          storageClass: component,
          component: name,
        }))
      : [{ ref: composite, storageClass, component: null }];
    const infos: StoredFileInfo[] = [];
    for (const target of targets) {
      const { formatter } = this.#formatterFor(target.ref);
      infos.push(
        new StoredFileInfo({
          datasetId: ref.id,
          path: await this.#relativePath(target.ref, formatter.extension),
          formatter: formatter.name,
          storageClass: target.storageClass.name,
          component: target.component,
          checksum: null,
          fileSize: -1,
        }),
      );
    }
    return infos;
  }

  // In trust mode, the expected files of a dataset without records: those that exist, and
  // whether all do.
  async #trusted(ref: DatasetRef): Promise<{ present: StoredFileInfo[]; all: boolean }> {
    const present: StoredFileInfo[] = [];
    const expected = await this.#expectedInfos(ref);
    for (const info of expected) if (await exists(this.pathOf(info))) present.push(info);
    return { present, all: present.length > 0 && present.length === expected.length };
  }

  /**
   * Whether the datastore has records of the dataset (files are not checked); in trust mode,
   * without records, whether its expected files exist.
   */
  override async knows(ref: DatasetRef): Promise<boolean> {
    if ((await this.getStoredItemsInfo(ref)).length > 0) return true;
    return this.#trust && (await this.#trusted(ref)).all;
  }

  /** {@link FileDatastore.knows} for many refs, with one records query. */
  override async knowsThese(refs: Iterable<DatasetRef>): Promise<Map<DatasetRef, boolean>> {
    const list = [...refs];
    const records = await this.#recordsOf([...new Set(list.map((ref) => ref.id))]);
    const result = new Map<DatasetRef, boolean>();
    for (const ref of list) {
      result.set(ref, records.has(ref.id) || (this.#trust && (await this.#trusted(ref)).all));
    }
    return result;
  }

  /**
   * Whether the dataset has records and every one of its files exists; in trust mode, without
   * records, whether its expected files exist.
   */
  override async exists(ref: DatasetRef): Promise<boolean> {
    const infos = await this.getStoredItemsInfo(ref);
    if (infos.length === 0) return this.#trust && (await this.#trusted(ref)).all;
    for (const info of infos) if (!(await exists(this.pathOf(info)))) return false;
    return true;
  }

  /** {@link FileDatastore.exists} for many refs, with one records query. */
  override async mexists(
    refs: Iterable<DatasetRef>,
    artifactExistence?: Map<ResourcePath, boolean> | null,
  ): Promise<Map<DatasetRef, boolean>> {
    const list = [...refs];
    const records = await this.#recordsOf([...new Set(list.map((ref) => ref.id))]);
    const result = new Map<DatasetRef, boolean>();
    for (const ref of list) {
      const infos = records.get(ref.id) ?? [];
      if (infos.length === 0 && this.#trust) {
        result.set(ref, (await this.#trusted(ref)).all);
        continue;
      }
      let ok = infos.length > 0;
      for (const info of infos) {
        if (!ok) break;
        const uri = this.#uriOf(info);
        const cached = [...(artifactExistence?.entries() ?? [])].find(([k]) => k.equals(uri));
        const there = cached?.[1] ?? (await exists(this.pathOf(info)));
        artifactExistence?.set(uri, there);
        ok = there;
      }
      result.set(ref, ok);
    }
    return result;
  }

  // ---- configuration lookups -------------------------------------------------------------

  #formatterEntry(ref: DatasetRef): { key: LookupKey | null; entry: FormatterEntry } {
    const found = this.#formatters.lookup(ref);
    if (found === null) {
      throw new FormatterNotFoundError(
        `No formatter is configured for ${ref.toString()} (looked up ${ref
          .lookupNames()
          .map(String)
          .join(', ')})`,
      );
    }
    return { key: found.key, entry: found.value };
  }

  #formatterFor(ref: DatasetRef): { formatter: Formatter; entry: FormatterEntry } {
    const { entry } = this.#formatterEntry(ref);
    return { formatter: this.formatterRegistry.get(entry.name), entry };
  }

  /** Whether the composite of `ref` is written as one file per component. */
  shouldDisassemble(ref: DatasetRef): boolean {
    const datasetType = ref.datasetType;
    if (datasetType.isComponent()) return false;
    if (!datasetType.storageClass.isComposite()) return false;
    const found = this.#disassembled.lookup(ref);
    return found === null ? this.#disassembleDefault : found.value;
  }

  #artifacts(value: unknown, ref: DatasetRef): Artifact[] {
    const storageClass = ref.datasetType.storageClass;
    if (this.shouldDisassemble(ref)) {
      const components = storageClass.delegate().disassemble(value);
      return Object.values(components).map((component) => ({
        ref: ref.makeComponentRef(component.name),
        value: component.component,
        storageClass: component.storageClass,
        component: component.name,
      }));
    }
    return [{ ref, value, storageClass, component: ref.datasetType.component() }];
  }

  #template(ref: DatasetRef): FileTemplate {
    return this.templates.getTemplate(ref);
  }

  // The path of a put: the template rendered with the records it reads (fetched from the
  // dimension record source), plus the formatter's extension. Synchronous without a source.
  #relativePath(ref: DatasetRef, extension: string): string | Promise<string> {
    const template = this.#template(ref);
    const source = this.#dimensionRecords;
    if (source === null) {
      for (const { field, optional } of template.recordFields(ref)) {
        const key = `${template.template}\u0000${field}`;
        if (!optional || this.#warnedFields.has(key)) continue;
        this.#warnedFields.add(key);
        this.logger.debug(
          `File template field '${field}' is left out of paths (no dimension records: give FileDatastore a dimensionRecords source); daf_butler would fill it in`,
        );
      }
      return `${template.format(ref)}${extension}`;
    }
    return template
      .fetchRecords(ref, source)
      .then((records) => `${template.format(ref, records)}${extension}`);
  }

  // ---- put ------------------------------------------------------------------------------

  /**
   * Writes a dataset to its file(s) and records it. The value is coerced to the ref's storage
   * class unless its delegate accepts it (and the delegate may attach `provenance`); a
   * composite configured as disassembled is written one file per (non-null) component.
   * Everything is serialized before any file is written.
   *
   * @throws `DatasetTypeNotSupportedError` if the constraints reject the ref.
   * @throws {@link ArtifactExistsError} if the dataset is stored already, or a file is there.
   * @throws {@link FormatterNotFoundError} / `FileTemplateError` / `SerializationError` when
   *   the dataset cannot be written; nothing is then stored.
   */
  override async put(
    inMemoryDataset: unknown,
    ref: DatasetRef,
    options: PutOptions = {},
  ): Promise<void> {
    if (!this.constraints.isAcceptable(ref)) {
      throw new DatasetTypeNotSupportedError(
        `Dataset ${ref.toString()} has been rejected by this datastore via configuration.`,
        { datastore: this.name, refs: [ref] },
      );
    }
    const storageClass = ref.datasetType.storageClass;
    const delegateClass = storageClass.delegateClass;
    const delegate =
      delegateClass === null || delegateClass === StorageClassDelegate
        ? null
        : storageClass.delegate();
    let value = inMemoryDataset;
    if (delegate === null || !delegate.canAccept(value)) value = storageClass.coerceType(value);
    if (delegate !== null) value = delegate.addProvenance(value, ref, options.provenance ?? null);

    const prepared = [];
    for (const artifact of this.#artifacts(value, ref)) {
      const { formatter, entry } = this.#formatterFor(artifact.ref);
      const rendered = this.#relativePath(artifact.ref, formatter.extension);
      const path = typeof rendered === 'string' ? rendered : await rendered;
      const codec = this.formatterRegistry.codec(artifact.storageClass.pytypeName);
      const plain = codec === undefined ? artifact.value : codec.toPlain(artifact.value);
      const bytes = formatter.write(plain, {
        storageClass: artifact.storageClass,
        parameters: entry.parameters,
      });
      prepared.push({
        path,
        bytes,
        info: new StoredFileInfo({
          datasetId: ref.id,
          path,
          formatter: formatter.name,
          storageClass: artifact.storageClass.name,
          component: artifact.component,
          checksum: this.useChecksum ? checksumOf(bytes) : null,
          fileSize: bytes.byteLength,
        }),
      });
    }
    const paths = new Set(prepared.map((p) => p.path));
    if (paths.size !== prepared.length) {
      throw new ArtifactExistsError(
        `The file template gives two components of ${ref.toString()} the same path`,
      );
    }
    // A dataset stored already is caught by the records' primary key (after the files were
    // written, which are then removed): no extra query on the hot path.
    const written: string[] = [];
    try {
      for (const { path, bytes } of prepared) {
        const absolute = join(this.root, ...path.split('/'));
        await writeNewFile(absolute, bytes, this.#madeDirs);
        written.push(absolute);
      }
      await this.#register(
        ref,
        prepared.map((p) => p.info),
      );
    } catch (error) {
      for (const path of written) await removeFile(path).catch(() => undefined);
      if (IntegrityError.is(error) && error.kind === 'foreignKey') {
        throw new DatasetNotFoundError(
          `Dataset ${ref.toString()} is not registered in the registry (${error.table} refers to its dataset table), so ${this.name} cannot store it`,
          { datastore: this.name, ref },
          { cause: error },
        );
      }
      if (IntegrityError.is(error)) {
        throw new ArtifactExistsError(
          `Dataset ${ref.toString()} is already stored in ${this.name}`,
          { cause: error },
        );
      }
      throw error;
    }
    this.currentTransaction?.registerUndo(`put ${ref.id}`, () => this.#unput(ref, written));
  }

  async #register(ref: DatasetIdRef, infos: readonly StoredFileInfo[]): Promise<void> {
    const table = this.#recordsTable ?? (await this.#table());
    await this.#bridgeManager.transaction(async () => {
      await table.insert(infos.map((info) => info.toRecord()) as never[]);
      await this.#bridge.insert([{ id: ref.id }]);
    });
  }

  // Undoes a put: records and bridge rows first, so no record outlives its file.
  async #unput(ref: DatasetIdRef, files: readonly string[]): Promise<void> {
    const table = await this.#table();
    await this.#bridgeManager.transaction(async () => {
      await table.delete(['dataset_id'], [{ dataset_id: ref.id }]);
      await this.#bridge.forget([{ id: ref.id }]);
    });
    for (const path of files) await removeFile(path);
  }

  /** {@link FileDatastore.put}, then this datastore's name → the ref. */
  override async putNew(
    inMemoryDataset: unknown,
    ref: DatasetRef,
  ): Promise<Map<string, DatasetRef>> {
    await this.put(inMemoryDataset, ref);
    return new Map([[this.name, ref]]);
  }

  // ---- get ------------------------------------------------------------------------------

  async #readFile(info: StoredFileInfo, ref: DatasetRef): Promise<unknown> {
    const path = this.pathOf(info);
    let bytes: Buffer;
    try {
      bytes = await readSized(path, info.fileSize);
    } catch (error) {
      if (isMissing(error)) {
        throw new DatasetNotFoundError(
          `Dataset ${ref.toString()} does not seem to exist at its expected location ${path}`,
          { datastore: this.name, ref },
        );
      }
      throw error;
    }
    if (info.fileSize !== null && info.fileSize >= 0 && bytes.byteLength !== info.fileSize) {
      throw new FileIntegrityError(
        `Integrity failure in datastore ${this.name}: size of file ${path} (${bytes.byteLength}) does not match size recorded in registry of ${info.fileSize}`,
      );
    }
    if (this.verifyChecksums && info.checksum !== null && checksumOf(bytes) !== info.checksum) {
      throw new FileIntegrityError(
        `Integrity failure in datastore ${this.name}: checksum of file ${path} does not match the recorded one`,
      );
    }
    const storageClass = this.#storageClassNamed(
      info.storageClass,
      ref.datasetType.storageClass,
      ref,
    );
    const formatter = this.formatterRegistry.get(info.formatter);
    const value = formatter.read(bytes, { storageClass, parameters: {} });
    return this.#asStorageClass(value, storageClass);
  }

  // The storage class recorded for a file: from the datastore's factory, else the factory of
  // the ref's dataset type, else `fallback`.
  #storageClassNamed(name: string, fallback: StorageClass, ref?: DatasetRef): StorageClass {
    if (name === fallback.name) return fallback;
    for (const factory of [this.storageClassFactory, ref?.datasetType.factory]) {
      if (factory?.has(name) ?? false) return factory!.getStorageClass(name);
    }
    return fallback;
  }

  // What daf_butler's formatters do after parsing: build a non-builtin type from the mapping.
  #asStorageClass(value: unknown, storageClass: StorageClass): unknown {
    if (value === null || value === undefined) return value;
    const codec = this.formatterRegistry.codec(storageClass.pytypeName);
    if (codec !== undefined) return codec.fromPlain(value);
    const pytype = storageClass.pytype;
    // YAML and JSON have no tuples: Python's formatters write them as lists.
    if (pytype === BUILTIN_TYPES.tuple && Array.isArray(value)) return toTuple(value);
    if (BUILTIN.has(pytype) || pytype.isInstance(value) || !isPlainObject(value)) return value;
    if (storageClass.isComposite()) return storageClass.delegate().assemble(value, pytype);
    return pytype.create === undefined ? value : pytype.create(value);
  }

  /**
   * Reads a dataset: the whole of it, a component (`ref.makeComponentRef(…)`, read from its
   * own file when disassembled), or a derived component; with read parameters applied; as the
   * ref's storage class or `options.storageClass`. File sizes are checked (and checksums, with
   * `verifyChecksums`).
   *
   * @throws `DatasetNotFoundError` if it is not stored or its file is missing.
   * @throws {@link FileIntegrityError} when a file does not match its record.
   * @throws as `InMemoryDatastore.get` for storage classes and parameters.
   */
  override async get(ref: DatasetRef, options: GetOptions = {}): Promise<unknown> {
    let infos = await this.getStoredItemsInfo(ref);
    // Trust mode: without records, the expected files that exist.
    if (infos.length === 0 && this.#trust) infos = (await this.#trusted(ref)).present;
    if (infos.length === 0) {
      throw new DatasetNotFoundError(`Could not retrieve dataset ${ref.toString()}`, {
        datastore: this.name,
        ref,
      });
    }
    const read =
      options.storageClass === undefined || options.storageClass === null
        ? ref
        : ref.overrideStorageClass(options.storageClass);
    const readStorageClass = read.datasetType.storageClass;
    const component = read.datasetType.component();
    const parameters = options.parameters ?? null;

    const whole = infos.find((info) => info.component === null);
    let stored: unknown;
    let writeStorageClass: StorageClass;
    if (whole !== undefined || infos.length === 1) {
      const info = whole ?? infos[0]!;
      const fallback = read.datasetType.parentStorageClass ?? readStorageClass;
      writeStorageClass = this.#storageClassNamed(info.storageClass, fallback, ref);
      stored = await this.#readFile(info, ref);
      if (info.component !== null && component === info.component) {
        // A component ref of a dataset stored as that single component.
        return postProcessGet(stored, readStorageClass, parameters, true);
      }
    } else {
      // Disassembled: a stored component comes from its own file.
      const own = component === null ? undefined : infos.find((i) => i.component === component);
      if (own !== undefined) {
        readStorageClass.validateParameters(parameters);
        const value = await this.#readFile(own, ref);
        return readStorageClass.coerceType(
          postProcessGet(value, readStorageClass, parameters, true),
        );
      }
      writeStorageClass =
        component === null
          ? ref.datasetType.storageClass
          : (ref.datasetType.parentStorageClass ?? ref.datasetType.storageClass);
      const parts: Record<string, unknown> = {};
      for (const info of infos) {
        if (info.component !== null) parts[info.component] = await this.#readFile(info, ref);
      }
      stored = writeStorageClass.delegate().assemble(parts);
    }

    return getFromStored(stored, writeStorageClass, read.datasetType, parameters);
  }

  // ---- URIs -----------------------------------------------------------------------------

  /**
   * The file URIs of a dataset: the primary one, or one per component when disassembled.
   * With `predict`, a dataset not stored gets the URIs a put would use, with fragment
   * `predicted`.
   *
   * @throws `DatasetNotFoundError` if it is not stored and `predict` is not set.
   */
  override async getURIs(ref: DatasetRef, options: URIOptions = {}): Promise<DatasetRefURIs> {
    let infos = await this.getStoredItemsInfo(ref);
    if (infos.length === 0 && this.#trust) {
      const trusted = await this.#trusted(ref);
      if (trusted.all) infos = trusted.present;
    }
    if (infos.length > 0) {
      const whole = infos.find((info) => info.component === null);
      if (whole !== undefined || infos.length === 1) {
        return new DatasetRefURIs(this.#uriOf(whole ?? infos[0]!));
      }
      return new DatasetRefURIs(
        null,
        Object.fromEntries(infos.map((info) => [info.component!, this.#uriOf(info)])),
      );
    }
    if (!(options.predict ?? false)) {
      throw new DatasetNotFoundError(`Dataset ${ref.toString()} not in this datastore`, {
        datastore: this.name,
        ref,
      });
    }
    const predicted = async (target: DatasetRef): Promise<ResourcePath> => {
      const { formatter } = this.#formatterFor(target);
      const inRoot = await this.#relativePath(target, formatter.extension);
      const path = join(this.root, ...inRoot.split('/'));
      return new ResourcePath(`${pathToFileURL(path).href}#predicted`);
    };
    if (this.shouldDisassemble(ref)) {
      const components: [string, ResourcePath][] = [];
      for (const c of ref.datasetType.storageClass.components.keys()) {
        components.push([c, await predicted(ref.makeComponentRef(c))]);
      }
      return new DatasetRefURIs(null, Object.fromEntries(components));
    }
    return new DatasetRefURIs(await predicted(ref));
  }

  /**
   * The URI of a dataset stored in one file (or predicted, with `predict`).
   *
   * @throws `DatasetNotFoundError` if it is not stored and `predict` is not set.
   * @throws `DatastoreLogicError` for a disassembled dataset (use `getURIs`).
   */
  override async getURI(ref: DatasetRef, options: URIOptions = {}): Promise<ResourcePath> {
    const uris = await this.getURIs(ref, options);
    if (uris.primaryURI === null) {
      throw new DatastoreLogicError(
        `Dataset (${ref.toString()}) includes distinct URIs for components. Use Datastore.getURIs() instead.`,
      );
    }
    return uris.primaryURI;
  }

  /**
   * Copies the files of `refs` below `destination`, keeping their paths relative to the root
   * (or only their names without `preservePath`). Returns the files written.
   *
   * @throws {@link ArtifactExistsError} for a file already at the destination unless
   *   `overwrite`.
   * @throws `DatasetNotFoundError` for a ref that is not stored.
   * @throws {@link IngestError} for a transfer mode other than `auto`, `copy`, `link`,
   *   `hardlink`, `symlink` or `relsymlink`.
   */
  override async retrieveArtifacts(
    refs: Iterable<DatasetRef>,
    destination: string | ResourcePath,
    options: RetrieveArtifactsOptions = {},
  ): Promise<Map<ResourcePath, unknown>> {
    const transfer = options.transfer ?? 'auto';
    if (!['auto', 'copy', 'link', 'hardlink', 'symlink', 'relsymlink'].includes(String(transfer))) {
      throw new IngestError(`Transfer mode ${String(transfer)} cannot retrieve artifacts`);
    }
    const target =
      typeof destination === 'string' ? resolve(destination) : (destination.ospath ?? '');
    if (target === '') throw new IngestError(`Cannot retrieve artifacts to ${String(destination)}`);
    const preservePath = options.preservePath ?? true;
    const overwrite = options.overwrite ?? false;
    const result = new Map<ResourcePath, unknown>();
    const seen = new Set<string>();
    for (const ref of refs) {
      const infos = await this.getStoredItemsInfo(ref);
      if (infos.length === 0) {
        throw new DatasetNotFoundError(`Dataset ${ref.toString()} not in this datastore`, {
          datastore: this.name,
          ref,
        });
      }
      for (const info of infos) {
        const source = this.pathOf(info);
        if (seen.has(source)) continue;
        seen.add(source);
        let relativePath = info.isAbsolute ? source.split(sep).pop()! : info.path;
        if (!preservePath) relativePath = relativePath.split('/').pop()!;
        if (options.addPrefix ?? false) {
          const parts = relativePath.split('/');
          parts[parts.length - 1] = `${ref.id}-${parts[parts.length - 1]!}`;
          relativePath = parts.join('/');
        }
        const out = join(target, ...relativePath.split('/'));
        if (!overwrite && (await exists(out))) {
          throw new ArtifactExistsError(`Cannot retrieve ${source}: ${out} exists already`);
        }
        await mkdir(dirname(out), { recursive: true });
        if (overwrite) await removeFile(out);
        await this.#transferFile(source, out, transfer === 'auto' ? 'copy' : transfer);
        result.set(new ResourcePath(pathToFileURL(out)), { ref, component: info.component });
      }
    }
    return result;
  }

  /**
   * Copies datasets of another `FileDatastore` into this one (daf_butler's `transfer_from`):
   * each file to the same path below this root (a file recorded by absolute URI, from a
   * `direct` ingest, is recorded as it is), then the same records and this datastore's bridge
   * rows in one registry transaction. Inside `datastore.transaction`, a failing block undoes
   * it. In the source's trust mode, datasets without records are taken from their expected
   * files.
   *
   * @param options `transfer`: `auto` (= `copy`), `copy`, `link`, `hardlink`, `symlink` or
   *   `relsymlink`; `dryRun`: only report.
   * @returns the refs transferred (or that would be, in a dry run) and the refs this
   *   datastore's constraints reject. Refs this datastore holds already, or the source does
   *   not hold, are in neither.
   * @throws `DatastoreNotSupportedError` when the source is not a `FileDatastore`.
   * @throws {@link IngestError} for another transfer mode.
   * @throws {@link ArtifactExistsError} when a target file exists already; nothing is then
   *   recorded and the files copied so far are removed.
   */
  override async transferFrom(
    source: Datastore,
    refs: Iterable<DatasetRef>,
    options: TransferFromOptions = {},
  ): Promise<[Set<DatasetRef>, Set<DatasetRef>]> {
    if (!(source instanceof FileDatastore)) {
      throw new DatastoreNotSupportedError(
        `FileDatastore ${this.name} can only transfer from another FileDatastore, not ${source.name}`,
        { datastore: this.name, operation: 'transferFrom' },
      );
    }
    const requested = options.transfer ?? 'auto';
    if (
      !['auto', 'copy', 'link', 'hardlink', 'symlink', 'relsymlink'].includes(String(requested))
    ) {
      throw new IngestError(`Transfer mode ${String(requested)} cannot transfer datasets`);
    }
    const mode: TransferMode = requested === 'auto' ? 'copy' : requested;
    const accepted = new Set<DatasetRef>();
    const rejected = new Set<DatasetRef>();
    const candidates: DatasetRef[] = [];
    for (const ref of refs) {
      if (this.constraints.isAcceptable(ref)) candidates.push(ref);
      else rejected.add(ref);
    }
    const ids = [...new Set(candidates.map((ref) => ref.id))];
    const known = await this.#recordsOf(ids);
    const held = await source.#recordsOf(ids);
    const plan: { ref: DatasetRef; infos: StoredFileInfo[] }[] = [];
    const planned = new Set<string>();
    for (const ref of candidates) {
      if (known.has(ref.id) || planned.has(ref.id)) continue;
      let infos = held.get(ref.id) ?? [];
      if (infos.length === 0 && source.#trust) {
        const trusted = await source.#trusted(ref);
        if (trusted.all) infos = trusted.present;
      }
      if (infos.length === 0) continue;
      planned.add(ref.id);
      plan.push({ ref, infos });
      accepted.add(ref);
    }
    if (options.dryRun ?? false) return [accepted, rejected];

    const created: string[] = [];
    const records: StoredFileInfo[] = [];
    try {
      for (const { infos } of plan) {
        for (const info of infos) {
          if (isAbsolute(info.path) || info.path.startsWith('file:')) {
            records.push(info);
            continue;
          }
          const from = source.pathOf(info);
          const to = this.pathOf(info);
          let size = info.fileSize;
          if (size === null || size < 0) size = (await stat(from)).size;
          records.push(new StoredFileInfo({ ...info, fileSize: size }));
          if (from === to) continue;
          if (await exists(to)) {
            throw new ArtifactExistsError(`Cannot transfer ${from}: ${to} exists already`);
          }
          await mkdir(dirname(to), { recursive: true });
          await this.#transferFile(from, to, mode);
          created.push(to);
        }
      }
      const table = await this.#table();
      await this.#bridgeManager.transaction(async () => {
        await table.insert(records.map((info) => info.toRecord()) as never[]);
        await this.#bridge.insert(plan.map(({ ref }) => ({ id: ref.id })));
      });
    } catch (error) {
      for (const path of created) await removeFile(path).catch(() => undefined);
      throw error;
    }
    const made = new Set(created);
    for (const { ref, infos } of plan) {
      const files = infos.map((info) => this.pathOf(info)).filter((path) => made.has(path));
      this.currentTransaction?.registerUndo(`transfer ${ref.id}`, () => this.#unput(ref, files));
    }
    return [accepted, rejected];
  }

  async #transferFile(source: string, target: string, mode: TransferMode): Promise<void> {
    switch (mode) {
      case 'copy':
        await copyFile(source, target);
        return;
      case 'move':
        await rename(source, target);
        return;
      case 'hardlink':
        await link(source, target);
        return;
      case 'link':
        try {
          await link(source, target);
        } catch {
          await symlink(resolve(source), target);
        }
        return;
      case 'symlink':
        await symlink(resolve(source), target);
        return;
      case 'relsymlink':
        await symlink(relative(dirname(target), resolve(source)), target);
        return;
      default:
        throw new IngestError(`Transfer mode ${String(mode)} cannot copy a file`);
    }
  }

  /** @throws `DatastoreNotSupportedError` always: zip ingest is not ported yet. */
  override ingestZip(_zipPath: string | ResourcePath, _options?: IngestZipOptions): Promise<void> {
    return Promise.reject(
      new DatastoreNotSupportedError('Zip ingest is not supported by this FileDatastore yet.', {
        datastore: this.name,
        operation: 'ingestZip',
      }),
    );
  }

  // ---- ingest ---------------------------------------------------------------------------

  /**
   * `auto` becomes `direct` for files outside the root and `null` (in place) for files inside
   * it; other modes are kept.
   *
   * @throws {@link IngestError} for an unknown transfer mode.
   */
  protected override overrideTransferMode(
    datasets: readonly FileDataset[],
    transfer: TransferMode,
  ): TransferMode {
    if (transfer !== null && !TRANSFER_MODES.has(transfer)) {
      throw new IngestError(`Transfer mode ${String(transfer)} is not supported by FileDatastore`);
    }
    if (transfer !== 'auto') return transfer;
    const inside = datasets.every((dataset) => this.#isInsideRoot(this.#sourcePath(dataset.path)));
    return inside ? null : 'direct';
  }

  #sourcePath(path: string): string {
    return path.startsWith('file:') ? fileURLToPath(path) : resolve(path);
  }

  #isInsideRoot(path: string): boolean {
    const rel = relative(this.root, path);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  }

  /**
   * Checks the files and refs of an ingest: constraints (refused refs are left out), that
   * each file exists, that in-place files are inside the root, and that `direct` files are
   * outside it.
   *
   * @throws {@link IngestError} for a missing file or a mode that does not fit.
   */
  protected override async prepIngest(
    datasets: readonly FileDataset[],
    transfer: TransferMode,
  ): Promise<IngestPrepData> {
    const accepted: DatasetRef[] = [];
    const files: { readonly dataset: FileDataset; readonly refs: DatasetRef[] }[] = [];
    for (const dataset of datasets) {
      const refs = dataset.refs.filter((ref) => this.constraints.isAcceptable(ref));
      if (refs.length === 0) continue;
      const source = this.#sourcePath(dataset.path);
      if (!(await exists(source))) {
        throw new IngestError(`File ${dataset.path} to ingest does not exist`);
      }
      const inside = this.#isInsideRoot(source);
      if (transfer === null && !inside) {
        throw new IngestError(
          `Cannot ingest ${dataset.path} in place: it is outside the datastore root ${this.root}`,
        );
      }
      if (transfer === 'direct' && inside) {
        throw new IngestError(
          `Cannot ingest ${dataset.path} with transfer direct: it is inside the datastore root`,
        );
      }
      if (dataset.formatter !== null && dataset.formatter !== undefined) {
        this.formatterRegistry.get(dataset.formatter);
      }
      accepted.push(...refs);
      files.push({ dataset, refs });
    }
    const prep = new IngestPrepData(accepted);
    (prep as IngestPrepData & { files?: typeof files }).files = files;
    return prep;
  }

  /**
   * Moves, copies or links the files into place (by the file template, keeping the source's
   * extension), then records them (one record per ref; every ref of a file shares it).
   */
  protected override async finishIngest(
    prep: IngestPrepData,
    options: { readonly transfer: TransferMode; readonly recordValidationInfo: boolean },
  ): Promise<void> {
    const files =
      (
        prep as IngestPrepData & {
          files?: { readonly dataset: FileDataset; readonly refs: DatasetRef[] }[];
        }
      ).files ?? [];
    const transfer = options.transfer;
    const created: string[] = [];
    const registered: DatasetRef[] = [];
    try {
      for (const { dataset, refs } of files) {
        const source = this.#sourcePath(dataset.path);
        const first = refs[0]!;
        const formatterName = dataset.formatter ?? this.#formatterFor(first).formatter.name;
        let path: string;
        if (transfer === 'direct') {
          path = pathToFileURL(source).href;
        } else if (transfer === null) {
          path = relative(this.root, source).split(sep).join('/');
        } else {
          path = await this.#relativePath(first, extname(source));
          const target = join(this.root, ...path.split('/'));
          if (await exists(target)) {
            throw new ArtifactExistsError(
              `Cannot ingest ${dataset.path}: ${target} exists already`,
            );
          }
          await mkdir(dirname(target), { recursive: true });
          await this.#transferFile(source, target, transfer);
          created.push(target);
        }
        const absolute = transfer === 'direct' ? source : join(this.root, ...path.split('/'));
        let size: number | null = null;
        let checksum: string | null = null;
        if (options.recordValidationInfo) {
          size = (await stat(absolute)).size;
          if (this.useChecksum) checksum = checksumOf(await readBytes(absolute));
        }
        for (const ref of refs) {
          await this.#register(ref, [
            new StoredFileInfo({
              datasetId: ref.id,
              path,
              formatter: formatterName,
              storageClass: ref.datasetType.storageClass.name,
              component: ref.datasetType.component(),
              checksum,
              fileSize: size,
            }),
          ]);
          registered.push(ref);
          this.currentTransaction?.registerUndo(`ingest ${ref.id}`, () =>
            this.#unput(
              ref,
              transfer === 'move' ? [] : created.includes(absolute) ? [absolute] : [],
            ),
          );
        }
      }
    } catch (error) {
      for (const ref of registered) await this.#unput(ref, []).catch(() => undefined);
      for (const path of created) await removeFile(path).catch(() => undefined);
      throw error;
    }
  }

  // ---- deletion -------------------------------------------------------------------------

  /**
   * Drops the records and bridge rows of the datasets; their files stay. Unknown refs are
   * ignored.
   */
  override async forget(refs: Iterable<DatasetRef>): Promise<void> {
    const ids = [...new Set([...refs].map((ref) => ref.id))];
    if (ids.length === 0) return;
    const table = await this.#table();
    await this.#bridgeManager.transaction(async () => {
      await table.delete(
        ['dataset_id'],
        ids.map((id) => ({ dataset_id: id })),
      );
      await this.#bridge.forget(ids.map((id) => ({ id })));
    });
  }

  /**
   * Moves datasets to the registry's trash; records and files stay (and the datasets stay
   * readable, as in daf_butler) until {@link FileDatastore.emptyTrash}. A single unknown ref
   * fails unless `ignoreErrors`. `ignoreErrors` defaults to false.
   *
   * @throws `DatasetNotFoundError` for a single unknown ref unless `ignoreErrors`.
   */
  override async trash(
    refOrRefs: DatasetRef | Iterable<DatasetRef>,
    options: TrashOptions = {},
  ): Promise<void> {
    const ignoreErrors = options.ignoreErrors ?? false;
    let refs: DatasetRef[];
    if (isIterable(refOrRefs)) {
      refs = [...refOrRefs];
    } else {
      refs = [refOrRefs];
      if (!(await this.knows(refOrRefs))) {
        const error = new DatasetNotFoundError(
          `Dataset ${refOrRefs.toString()} is not in ${this.name}`,
          { datastore: this.name, ref: refOrRefs },
        );
        if (!ignoreErrors) throw error;
        this.logger.warn(`Attempted to trash a dataset that is not stored: ${error.message}`);
        return;
      }
    }
    await this.#bridge.moveToTrash(
      refs.map((ref) => ({ id: ref.id })),
      this.currentTransaction,
    );
  }

  /**
   * Deletes the trashed datasets (only those of `refs` when given and non-empty): their files
   * (unless another remaining record still points at the same file), then their records and
   * trash rows. Safe to run again after a crash between the two. Returns the URIs of the
   * files removed (none with `dryRun`, which changes nothing).
   */
  override async emptyTrash(options: EmptyTrashOptions = {}): Promise<Set<ResourcePath>> {
    const ignoreErrors = options.ignoreErrors ?? false;
    const refs = options.refs === null || options.refs === undefined ? null : [...options.refs];
    const selectedIds = refs === null || refs.length === 0 ? null : refs.map((ref) => ref.id);
    const dryRun = options.dryRun ?? false;
    const table = await this.#table();
    return this.#bridge.emptyTrash(
      {
        recordsTable: table,
        recordClass: StoredFileInfo,
        recordColumn: 'path',
        selectedIds,
        dryRun,
      },
      async (trashed, keep) => {
        const removed = new Set<ResourcePath>();
        const done = new Set<string>();
        for (const [, info] of trashed) {
          if (info === null) continue;
          if (keep?.has(info.path) ?? false) continue;
          if (info.isAbsolute) continue; // direct ingest: never delete what is outside the root
          const path = this.pathOf(info);
          if (done.has(path)) continue;
          done.add(path);
          if (dryRun) continue;
          try {
            await removeFile(path);
          } catch (error) {
            if (!ignoreErrors) throw error;
            this.logger.warn(`Could not remove ${path}: ${String(error)}`);
          }
          removed.add(new ResourcePath(pathToFileURL(path)));
        }
        return removed;
      },
    );
  }

  // ---- configuration checks -------------------------------------------------------------

  /**
   * Checks that every entity has a formatter that is registered, a valid file template, and
   * (for refs) a template that can render it.
   *
   * @throws `DatastoreValidationError` listing every problem.
   */
  override validateConfiguration(
    entities: Iterable<DatastoreEntity>,
    options: ValidateOptions = {},
  ): void {
    const problems: string[] = [];
    for (const entity of entities) {
      try {
        const found = this.#formatters.lookup(entity);
        if (found === null) throw new FormatterNotFoundError(`No formatter for ${String(entity)}`);
        this.formatterRegistry.get(found.value.name);
      } catch (error) {
        problems.push(String((error as Error).message));
      }
      if ('datasetType' in entity || 'dimensions' in entity) {
        try {
          this.templates
            .getTemplate(entity)
            .validateTemplate('dimensions' in entity ? entity : null);
        } catch (error) {
          problems.push(String((error as Error).message));
        }
      }
    }
    if (problems.length > 0) {
      if (options.logFailures ?? false) for (const p of problems) this.logger.error(p);
      throw new DatastoreValidationError(
        `Configuration of ${this.name} cannot handle: ${problems.join('; ')}`,
      );
    }
  }

  /**
   * Checks one configuration key against an entity: the formatter or template it names must
   * exist.
   *
   * @throws `DatastoreValidationError` when the key is used by no section.
   */
  override validateKey(lookupKey: LookupKey, _entity: DatastoreEntity): void {
    const formatter = this.#formatters.get(lookupKey);
    if (formatter !== undefined && !this.formatterRegistry.has(formatter.name)) {
      throw new DatastoreValidationError(
        `Formatter ${formatter.name} of ${lookupKey.toString()} is not registered`,
      );
    }
  }

  /** The keys of the formatters, templates, composites and constraints sections. */
  override getLookupKeys(): readonly LookupKey[] {
    const keys = new Map<string, LookupKey>();
    for (const key of [
      ...this.#formatters.keys(),
      ...this.#disassembled.keys(),
      ...this.constraints.getLookupKeys(),
    ]) {
      keys.set(key.hashKey, key);
    }
    return [...keys.values()];
  }

  // ---- records import/export ------------------------------------------------------------

  /** The records of `refs` (unknown ones left out), under this datastore's name. */
  override async exportRecords(
    refs: Iterable<DatasetIdRef>,
  ): Promise<Map<string, DatastoreRecordData>> {
    const ids = [...new Set([...refs].map((ref) => ref.id))];
    const records = await this.#recordsOf(ids);
    const data = new DatastoreRecordData();
    for (const [id, infos] of records)
      data.records.set(id, new Map([[this.recordsTableName, infos]]));
    return new Map([[this.name, data]]);
  }

  /**
   * Inserts records exported by {@link FileDatastore.exportRecords} under this datastore's
   * name (other names are ignored) and records the datasets in the bridge; records already
   * there are kept.
   */
  override async importRecords(data: ReadonlyMap<string, DatastoreRecordData>): Promise<void> {
    const mine = data.get(this.name);
    if (mine === undefined) return;
    const rows: Record<string, unknown>[] = [];
    const ids: string[] = [];
    for (const [id, tables] of mine.records) {
      for (const infos of tables.values()) {
        for (const info of infos) {
          if (!(info instanceof StoredFileInfo)) {
            throw new DatastoreValidationError(
              `Cannot import a ${info.constructor.name} into ${this.name}: not a StoredFileInfo`,
            );
          }
          rows.push(info.toRecord({ dataset_id: id }));
        }
      }
      ids.push(id);
    }
    const table = await this.#table();
    await this.#bridgeManager.transaction(async () => {
      await table.ensure(rows as never[]);
      await this.#bridge.ensure(ids.map((id) => ({ id })));
    });
  }

  /** The records table: name → its spec and {@link StoredFileInfo}. */
  override getOpaqueTableDefinitions(): Map<string, DatastoreOpaqueTable> {
    return new Map([
      [this.recordsTableName, datastoreOpaqueTable(FILE_RECORDS_SPEC, StoredFileInfo)],
    ]);
  }
}

DatastoreClassRegistry.shared.registerDefault(
  FileDatastore,
  'FileDatastore',
  'lsst.daf.butler.datastores.fileDatastore.FileDatastore',
);
