import { parseDatasetId } from './dataset-id.ts';
import type { DatasetId } from './dataset-id.ts';
import type { DatasetRef } from './dataset-ref.ts';
import { InvalidValueError, TypeMismatchError } from './errors.ts';
import { typeName } from './format.ts';

/** A value of extra provenance: a simple scalar. */
export type ProvenanceValue = string | number | boolean;

/** Options of {@link DatasetProvenance.toFlatDict}. */
export interface FlatDictOptions {
  /** Prepended to every key (followed by `sep`); upper-case first letter → upper-case keys. */
  readonly prefix?: string;
  /** The hierarchy separator: one character, not a letter, digit or underscore. Default `.`. */
  readonly sep?: string;
  /** Turn extra values that are not simple scalars into strings. Default false. */
  readonly simpleTypes?: boolean;
  /** Write at most this many inputs (all by default). */
  readonly maxInputs?: number;
}

const FORBIDDEN_EXTRA_KEYS = new Set(['run', 'id', 'datasettype']);

/**
 * Provenance of one dataset, attached at `put`: the input datasets it was made from, the ID
 * of the processing step (quantum) and extra per-input values. Datastores hand it to the
 * delegate's `addProvenance`.
 *
 * butler-ts keeps the input refs themselves (Python keeps their serialised form).
 *
 * @example
 * ```ts
 * const provenance = new DatasetProvenance({ quantumId });
 * provenance.addInput(inputRef);
 * provenance.addExtraProvenance(inputRef.id, { exposure_time: 30 });
 * provenance.toFlatDict(ref, { prefix: 'LSST.BUTLER' });
 * ```
 */
export class DatasetProvenance {
  /** The ID of the quantum that produced the dataset, or `null`. */
  readonly quantumId: DatasetId | null;
  readonly #inputs: DatasetRef[] = [];
  readonly #ids = new Set<DatasetId>();
  readonly #extras = new Map<DatasetId, Record<string, ProvenanceValue>>();

  /**
   * @throws {@link InvalidValueError} / {@link TypeMismatchError} for a quantum ID that is not
   *   a UUID.
   */
  constructor(
    options: { readonly inputs?: Iterable<DatasetRef>; readonly quantumId?: DatasetId | null } = {},
  ) {
    this.quantumId =
      options.quantumId === undefined || options.quantumId === null
        ? null
        : parseDatasetId(options.quantumId);
    for (const ref of options.inputs ?? []) this.addInput(ref);
  }

  /** The input refs, in the order added (a copy). */
  get inputs(): readonly DatasetRef[] {
    return [...this.#inputs];
  }

  /** Extra provenance by input dataset ID (copies). */
  get extras(): ReadonlyMap<DatasetId, Readonly<Record<string, ProvenanceValue>>> {
    return new Map([...this.#extras].map(([id, extra]) => [id, { ...extra }]));
  }

  /**
   * Adds an input dataset; one already present (by ID) is ignored.
   *
   * @throws {@link TypeMismatchError} if `ref` has no string `id` (a structural type guard,
   *   so refs from another copy of this package are accepted).
   */
  addInput(ref: DatasetRef): void {
    if (typeof ref !== 'object' || ref === null || typeof ref.id !== 'string') {
      throw new TypeMismatchError(`An input must be a DatasetRef, got ${typeName(ref)}`, {
        expected: 'DatasetRef',
        actual: typeName(ref),
      });
    }
    if (this.#ids.has(ref.id)) return;
    this.#ids.add(ref.id);
    this.#inputs.push(ref);
  }

  /**
   * Attaches extra values to an input dataset (merged with earlier ones).
   *
   * @throws {@link InvalidValueError} if `datasetId` is not an input, or a key is `run`,
   *   `id` or `datasettype` in any case (they would clash in the flat form).
   */
  addExtraProvenance(datasetId: DatasetId, extra: Readonly<Record<string, ProvenanceValue>>): void {
    const id = parseDatasetId(datasetId);
    if (!this.#ids.has(id)) {
      throw new InvalidValueError(
        `The given dataset ID ${id} is not known to this provenance instance.`,
        datasetId,
      );
    }
    const clashing = Object.keys(extra).filter((key) =>
      FORBIDDEN_EXTRA_KEYS.has(key.toLowerCase()),
    );
    if (clashing.length > 0) {
      throw new InvalidValueError(
        `Extra provenance may not use the keys ${clashing.join(', ')} (reserved: run, id, datasettype)`,
        clashing,
      );
    }
    this.#extras.set(id, { ...this.#extras.get(id), ...extra });
  }

  /**
   * The provenance as a flat mapping for headers: `id`, `run`, `datasettype` and
   * `dataid<sep><dim>` of `ref` (if given), `quantum`, and for input N
   * `input<sep>N<sep>id|run|datasettype` plus its extras. Keys carry `prefix` and are
   * upper-cased when the prefix starts with an upper-case letter.
   *
   * @throws {@link InvalidValueError} for a separator that is not one non-word character.
   */
  toFlatDict(
    ref: DatasetRef | null,
    options: FlatDictOptions = {},
  ): Record<string, ProvenanceValue> {
    const { prefix = '', sep = '.', simpleTypes = false, maxInputs } = options;
    if (typeof sep !== 'string' || [...sep].length !== 1) {
      throw new InvalidValueError(
        `Separator for provenance keys must be a single character. Got ${JSON.stringify(sep)}.`,
        sep,
      );
    }
    if (/^[\p{L}\p{N}_]$/u.test(sep)) {
      throw new InvalidValueError(
        `Separator for provenance keys can not be word character or underscore. Got ${JSON.stringify(sep)}.`,
        sep,
      );
    }
    const upper = prefix !== '' && prefix[0] !== prefix[0]!.toLowerCase();
    const key = (...parts: (string | number)[]): string => {
      const body = parts.map(String).join(sep);
      return `${prefix === '' ? '' : prefix + sep}${upper ? body.toUpperCase() : body}`;
    };
    const result: Record<string, ProvenanceValue> = {};
    if (ref !== null) {
      result[key('id')] = ref.id;
      result[key('run')] = ref.run;
      result[key('datasettype')] = ref.datasetType.name;
      const required = [...ref.dataId.required].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (const [dimension, value] of required) result[key('dataid', dimension)] = value;
    }
    if (this.quantumId !== null) result[key('quantum')] = this.quantumId;
    const inputs =
      maxInputs === undefined ? this.#inputs : this.#inputs.slice(0, Math.max(0, maxInputs));
    inputs.forEach((input, i) => {
      result[key('input', i, 'id')] = input.id;
      result[key('input', i, 'run')] = input.run;
      result[key('input', i, 'datasettype')] = input.datasetType.name;
      for (const [name, value] of Object.entries(this.#extras.get(input.id) ?? {})) {
        const simple = ['string', 'number', 'boolean'].includes(typeof value);
        result[key('input', i, name)] = simpleTypes && !simple ? String(value) : value;
      }
    });
    return result;
  }
}
