// The daf_butler w.2026.34 interop fixture (copied from the shared fixtures): its manifest,
// and the objects with Python floats marked as they were in Python.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pyFloat } from '../src/index.ts';

/** The fixture folder. */
export const FIXTURE = fileURLToPath(new URL('./fixtures/daf_butler-w.2026.34/', import.meta.url));

/** One records row of a dataset, as the manifest gives it. */
export interface ManifestRecord {
  readonly path: string;
  readonly formatter: string;
  readonly storage_class: string;
  readonly component: string;
  readonly checksum: string | null;
  readonly file_size: number;
}

/** One dataset of the manifest. */
export interface ManifestDataset {
  readonly key: string;
  readonly id: string;
  readonly id_hex: string;
  readonly run: string;
  readonly dataset_type: string;
  readonly dimensions: readonly string[];
  readonly implied_dimensions: readonly string[];
  readonly storage_class: string;
  readonly data_id: Readonly<Record<string, string | number>>;
  readonly data_id_full: Readonly<Record<string, string | number>>;
  readonly how: string;
  readonly registered_in_before: boolean;
  readonly location_in_after: string;
  readonly disassembled: boolean;
  readonly path: string | null;
  readonly artifacts: readonly {
    readonly component: string | null;
    readonly record: ManifestRecord;
    readonly file_in_fixture: string;
    readonly sha256: string;
  }[];
  readonly object: unknown;
  readonly float_pointers: readonly string[];
  readonly external_source: string | null;
}

/** The manifest. */
export interface Manifest {
  readonly datastore_name: string;
  readonly file_templates: Readonly<Record<string, string>>;
  readonly dimension_records: Readonly<Record<string, readonly Record<string, unknown>[]>>;
  readonly datasets: readonly ManifestDataset[];
}

/** The parsed manifest. */
export const manifest: Manifest = JSON.parse(
  readFileSync(`${FIXTURE}manifest.json`, 'utf8'),
) as Manifest;

function mark(value: unknown, pointer: string, pointers: ReadonlySet<string>): unknown {
  if (typeof value === 'number') return pointers.has(pointer) ? pyFloat(value) : value;
  if (Array.isArray(value)) return value.map((v, i) => mark(v, `${pointer}/${i}`, pointers));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, mark(v, `${pointer}/${k}`, pointers)]),
    );
  }
  return value;
}

/** The dataset's object with every Python float of `float_pointers` wrapped in `pyFloat`. */
export function pythonObject(dataset: ManifestDataset): unknown {
  return mark(dataset.object, '', new Set(dataset.float_pointers));
}
