import type { DatasetId } from '@butler-ts/core';
import { StoredDatastoreItemInfo } from '@butler-ts/datastore';
import { tableSpec } from '@butler-ts/ddl';
import type { Row } from '@butler-ts/registry-interfaces';

/** The `component` value of a whole (not disassembled) dataset: daf_butler's NULL sentinel. */
export const NULL_COMPONENT = '__NULL_STRING__';

/**
 * The spec of daf_butler's FileDatastore records table (`file_datastore_records` by
 * default): `dataset_id` and `component` form the primary key, `path` is indexed.
 */
export const FILE_RECORDS_SPEC = tableSpec({
  fields: [
    {
      /** Column `dataset_id`: the dataset (CHAR(32) hex on SQLite, uuid on PostgreSQL). */
      name: 'dataset_id',
      /** A UUID column. */
      dtype: 'uuid',
      /** Part of the primary key, with `component`. */
      primaryKey: true,
    },
    {
      /** Column `path`: relative to the root (POSIX separators), or an absolute URI. */
      name: 'path',
      /** A string column (unsized TEXT in the DDL). */
      dtype: 'string',
      /** 256 characters, as daf_butler declares it. */
      length: 256,
      /** NOT NULL. */
      nullable: false,
    },
    {
      /** Column `formatter`: the formatter's name (daf_butler's Python class name). */
      name: 'formatter',
      /** A string column (unsized TEXT in the DDL). */
      dtype: 'string',
      /** 128 characters, as daf_butler declares it. */
      length: 128,
      /** NOT NULL. */
      nullable: false,
    },
    {
      /** Column `storage_class`: the storage class of what the file holds. */
      name: 'storage_class',
      /** A string column (unsized TEXT in the DDL). */
      dtype: 'string',
      /** 64 characters, as daf_butler declares it. */
      length: 64,
      /** NOT NULL. */
      nullable: false,
    },
    {
      /** Column `component`: the component, or `__NULL_STRING__` for a whole dataset. */
      name: 'component',
      /** A short string column (VARCHAR(32)). */
      dtype: 'string',
      /** 32 characters. */
      length: 32,
      /** Part of the primary key, with `dataset_id`. */
      primaryKey: true,
    },
    {
      /** Column `checksum`: the file's checksum, or NULL. */
      name: 'checksum',
      /** A string column (unsized TEXT in the DDL). */
      dtype: 'string',
      /** 128 characters, as daf_butler declares it. */
      length: 128,
      /** NULL when checksums are off. */
      nullable: true,
    },
    {
      /** Column `file_size`: the size in bytes, or NULL if unknown. */
      name: 'file_size',
      /** A BIGINT column. */
      dtype: 'bigint',
      /** NULL when unknown. */
      nullable: true,
    },
  ] as const,
  indexes: [['path']],
});

/** The fields of a {@link StoredFileInfo}. */
export interface StoredFileInfoInit {
  /** The dataset. */
  readonly datasetId: DatasetId;
  /** The file, relative to the datastore root, or an absolute URI (direct ingest). */
  readonly path: string;
  /** The name of the formatter that reads it. */
  readonly formatter: string;
  /** The storage class of what the file holds. */
  readonly storageClass: string;
  /** The component the file holds, or `null` for the whole dataset. */
  readonly component: string | null;
  /** The checksum, or `null`. */
  readonly checksum: string | null;
  /** The file size in bytes, or `null` if unknown. */
  readonly fileSize: number | null;
}

/**
 * One row of the FileDatastore records table: which file holds a dataset (or one component
 * of it), with which formatter and storage class (daf_butler's `StoredFileInfo`).
 */
export class StoredFileInfo extends StoredDatastoreItemInfo implements StoredFileInfoInit {
  /** The name daf_butler serializes these records under. */
  static override readonly recordClassName: string =
    'lsst.daf.butler.datastore.stored_file_info.StoredFileInfo';

  /** The dataset. */
  readonly datasetId: DatasetId;
  /** The file, relative to the datastore root, or an absolute URI (direct ingest). */
  readonly path: string;
  /** The name of the formatter that reads it. */
  readonly formatter: string;
  /** The storage class of what the file holds. */
  readonly storageClass: string;
  /** The component the file holds, or `null` for the whole dataset. */
  readonly component: string | null;
  /** The checksum, or `null`. */
  readonly checksum: string | null;
  /** The file size in bytes, or `null` if unknown. */
  readonly fileSize: number | null;

  constructor(init: StoredFileInfoInit) {
    super();
    this.datasetId = init.datasetId;
    this.path = init.path;
    this.formatter = init.formatter;
    this.storageClass = init.storageClass;
    this.component = init.component;
    this.checksum = init.checksum;
    this.fileSize = init.fileSize;
    Object.freeze(this);
  }

  /** A record from a row of the records table (`__NULL_STRING__` is no component). */
  static override fromRecord(row: Row): StoredFileInfo {
    const component = row['component'] as string;
    const size = row['file_size'];
    return new StoredFileInfo({
      datasetId: row['dataset_id'] as string,
      path: row['path'] as string,
      formatter: row['formatter'] as string,
      storageClass: row['storage_class'] as string,
      component: component === NULL_COMPONENT ? null : component,
      checksum: (row['checksum'] as string | null | undefined) ?? null,
      fileSize: size === null || size === undefined ? null : Number(size),
    });
  }

  /** The row of the records table, with `extra` columns added (they win). */
  override toRecord(extra: Readonly<Record<string, unknown>> = {}): Row {
    return {
      dataset_id: this.datasetId,
      path: this.path,
      formatter: this.formatter,
      storage_class: this.storageClass,
      component: this.component ?? NULL_COMPONENT,
      checksum: this.checksum,
      file_size: this.fileSize,
      ...extra,
    };
  }

  /** A copy with some fields changed. */
  override update(changes: Partial<StoredFileInfoInit>): StoredFileInfo {
    return new StoredFileInfo({ ...this, ...changes });
  }

  /** Whether the path is an absolute URI (a `direct` ingest) rather than relative to the root. */
  get isAbsolute(): boolean {
    return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(this.path) || this.path.startsWith('/');
  }
}
