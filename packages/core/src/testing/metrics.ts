import type { DatasetId } from '../dataset-id.ts';
import { parseDatasetId } from '../dataset-id.ts';
import type { DatasetProvenance } from '../dataset-provenance.ts';
import { deepEqual } from '../deep-equal.ts';
import { LookupError, TypeMismatchError } from '../errors.ts';
import { isPlainObject, typeName } from '../format.ts';

/** A map of metric values (Python `dict`). */
export type MetricsMap = Record<string, unknown>;

/** The three fields every metrics example type has. */
export interface MetricsFields {
  /** A map of summary metrics (component `summary`), or null. */
  summary: MetricsMap | null;
  /** A map of output values (component `output`), or null. */
  output: MetricsMap | null;
  /** A list of values (component `data`, what `slice` applies to), or null. */
  data: unknown[] | null;
}

function checkMap(value: unknown, field: string, owner: string): MetricsMap | null {
  if (value === null || value === undefined) return null;
  if (!isPlainObject(value)) {
    throw new TypeMismatchError(`${owner}.${field} must be a mapping, got ${typeName(value)}`, {
      expected: 'dict',
      actual: typeName(value),
    });
  }
  return value;
}

function checkList(value: unknown, owner: string): unknown[] | null {
  if (value === null || value === undefined) return null;
  if (!Array.isArray(value)) {
    throw new TypeMismatchError(`${owner}.data must be a list, got ${typeName(value)}`, {
      expected: 'list',
      actual: typeName(value),
    });
  }
  return value as unknown[];
}

function hasMetricsFields(value: unknown): value is MetricsFields {
  return (
    typeof value === 'object' &&
    value !== null &&
    'summary' in value &&
    'output' in value &&
    'data' in value
  );
}

function sameFields(a: MetricsFields, b: unknown): boolean {
  if (!hasMetricsFields(b)) return false;
  return (
    deepEqual(a.summary, b.summary) && deepEqual(a.output, b.output) && deepEqual(a.data, b.data)
  );
}

/**
 * The F2 *MetricsRecord* (Python `MetricsExample`): three nullable fields, `summary` and
 * `output` maps and a `data` list. Equal to any metrics object with equal fields.
 */
export class MetricsRecord implements MetricsFields {
  summary: MetricsMap | null;
  output: MetricsMap | null;
  data: unknown[] | null;

  /** @throws {@link index!TypeMismatchError | TypeMismatchError} for a field of the wrong type. */
  constructor(
    summary: MetricsMap | null = null,
    output: MetricsMap | null = null,
    data: unknown[] | null = null,
  ) {
    this.summary = checkMap(summary, 'summary', 'MetricsRecord');
    this.output = checkMap(output, 'output', 'MetricsRecord');
    this.data = checkList(data, 'MetricsRecord');
  }

  /**
   * Makes a record from its exported map (checked with the plain-object type guard); `data`
   * may be missing (null).
   *
   * @throws {@link index!LookupError | LookupError} if `summary` or `output` is missing.
   * @throws {@link index!TypeMismatchError | TypeMismatchError} for a value of the wrong type.
   */
  static makeFromDict(exported: Readonly<Record<string, unknown>>): MetricsRecord {
    if (!isPlainObject(exported)) {
      throw new TypeMismatchError('makeFromDict needs a mapping', {
        expected: 'dict',
        actual: typeName(exported),
      });
    }
    for (const key of ['summary', 'output']) {
      if (!Object.hasOwn(exported, key)) {
        throw new LookupError(`Missing key '${key}' in exported metrics`, { kind: 'key', key });
      }
    }
    return new MetricsRecord(
      exported['summary'] as MetricsMap | null,
      exported['output'] as MetricsMap | null,
      (exported['data'] ?? null) as unknown[] | null,
    );
  }

  /** A record with the fields of a {@link MetricsModel}. */
  static fromModel(model: MetricsFields): MetricsRecord {
    return new MetricsRecord(
      model.summary,
      model.output,
      model.data === null ? null : [...model.data],
    );
  }

  /** `{summary, output, data}`, with `data` copied as a list (or null). */
  exportAsDict(): {
    /** The record's `summary` (the same object, not a copy). */
    summary: MetricsMap | null;
    /** The record's `output` (the same object, not a copy). */
    output: MetricsMap | null;
    /** A shallow copy of the record's `data`, or null. */
    data: unknown[] | null;
  } {
    return {
      summary: this.summary,
      output: this.output,
      data: this.data === null ? null : [...this.data],
    };
  }

  /** Equal fields (any metrics object). */
  equals(other: unknown): boolean {
    return sameFields(this, other);
  }
}

/** The constructor fields of {@link MetricsModel}. */
export interface MetricsModelInit {
  /** A map of summary metrics; default null. */
  readonly summary?: MetricsMap | null;
  /** A map of output values; default null. */
  readonly output?: MetricsMap | null;
  /** A list of values, copied; default null. */
  readonly data?: readonly unknown[] | null;
  /** The provenance of the dataset the model was read from; default null. */
  readonly provenance?: DatasetProvenance | null;
  /** A dataset ID in any form {@link parseDatasetId} accepts; default null. */
  readonly datasetId?: DatasetId | null;
}

/**
 * The F2 *MetricsModel* (Python `MetricsExampleModel`, a validated model): the metrics
 * fields plus optional provenance and dataset ID. Not a {@link MetricsRecord}, but equal to
 * one with equal fields.
 */
export class MetricsModel implements MetricsFields {
  summary: MetricsMap | null;
  output: MetricsMap | null;
  data: unknown[] | null;
  /** The provenance given at construction, or null; not compared by `equals`. */
  provenance: DatasetProvenance | null;
  /** The dataset ID in canonical form, or null; not compared by `equals`. */
  datasetId: DatasetId | null;

  /**
   * @throws {@link index!TypeMismatchError | TypeMismatchError} /
   *   {@link index!InvalidValueError | InvalidValueError} for an invalid field.
   */
  constructor(init: MetricsModelInit = {}) {
    this.summary = checkMap(init.summary, 'summary', 'MetricsModel');
    this.output = checkMap(init.output, 'output', 'MetricsModel');
    this.data = checkList(
      init.data === undefined || init.data === null ? null : [...init.data],
      'MetricsModel',
    );
    this.provenance = init.provenance ?? null;
    this.datasetId =
      init.datasetId === undefined || init.datasetId === null
        ? null
        : parseDatasetId(init.datasetId);
  }

  /** A model with the fields of a {@link MetricsRecord}. */
  static fromMetrics(metrics: MetricsFields): MetricsModel {
    return new MetricsModel({
      summary: metrics.summary,
      output: metrics.output,
      data: metrics.data,
    });
  }

  /** Equal metrics fields (any metrics object). */
  equals(other: unknown): boolean {
    return sameFields(this, other);
  }
}

/**
 * A plain record with the metrics fields (Python `MetricsExampleDataclass`); equal only to
 * another `MetricsDataclass` with equal fields.
 */
export class MetricsDataclass implements MetricsFields {
  summary: MetricsMap | null;
  output: MetricsMap | null;
  data: unknown[] | null;

  /** @throws {@link index!TypeMismatchError | TypeMismatchError} for a field of the wrong type. */
  constructor(summary: MetricsMap | null, output: MetricsMap | null, data: unknown[] | null) {
    this.summary = checkMap(summary, 'summary', 'MetricsDataclass');
    this.output = checkMap(output, 'output', 'MetricsDataclass');
    this.data = checkList(data, 'MetricsDataclass');
  }

  /** Same class and equal fields. */
  equals(other: unknown): boolean {
    return other instanceof MetricsDataclass && sameFields(this, other);
  }
}

/**
 * The F2 standard example value: **M** (`useNone` false) or **M0** (`useNone` true, `data`
 * null). Each call returns a new object.
 *
 * M: summary `{AM1: 5.2, AM2: 30.6}`, output `{a: [1, 2, 3], b: {blue: 5, red: 'green'}}`,
 * data `[563, 234, 456.7, 105, 2054, -1045]`.
 */
export function makeExampleMetrics(useNone = false): MetricsRecord {
  return new MetricsRecord(
    { AM1: 5.2, AM2: 30.6 },
    { a: [1, 2, 3], b: { blue: 5, red: 'green' } },
    useNone ? null : [563, 234, 456.7, 105, 2054, -1045],
  );
}
