import type { DatasetId, DatasetRef } from '@butler-ts/core';

/**
 * How files reach a datastore on ingest or leave it on export: `null` (ingest in place),
 * `'auto'` (let the datastore choose), or an explicit mode.
 */
export type TransferMode =
  | null
  | 'auto'
  | 'copy'
  | 'move'
  | 'link'
  | 'hardlink'
  | 'symlink'
  | 'relsymlink'
  | 'direct'
  | 'split';

/** A file and the datasets stored in it, for `Datastore.ingest` (Python `FileDataset`). */
export interface FileDataset {
  /** The file path or URI. */
  readonly path: string;
  /** The datasets the file holds. */
  readonly refs: readonly DatasetRef[];
  /** The name of the formatter that reads it, if known. */
  readonly formatter?: string | null;
}

/**
 * A frozen {@link FileDataset}; one ref or several.
 *
 * @example
 * ```ts
 * await datastore.ingest([fileDataset('/data/raw_52.fits', ref)], { transfer: 'copy' });
 * ```
 */
export function fileDataset(
  path: string,
  refs: DatasetRef | readonly DatasetRef[],
  formatter: string | null = null,
): FileDataset {
  const list = Array.isArray(refs) ? [...(refs as readonly DatasetRef[])] : [refs as DatasetRef];
  return Object.freeze({ path, refs: Object.freeze(list), formatter });
}

/**
 * What `Datastore.prepIngest` hands to `Datastore.finishIngest`: the refs it will ingest, by
 * ID (Python `IngestPrepData`). Datastores extend it with their own state.
 */
export class IngestPrepData {
  /** The refs to ingest, by dataset ID. */
  readonly refs: ReadonlyMap<DatasetId, DatasetRef>;

  constructor(refs: Iterable<DatasetRef>) {
    this.refs = new Map([...refs].map((ref) => [ref.id, ref]));
  }
}
