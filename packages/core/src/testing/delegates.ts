import { InvalidValueError, TypeMismatchError } from '../errors.ts';
import { typeName } from '../format.ts';
import { StorageClassDelegate } from '../storage-class.ts';
import type { ReadParameters } from '../storage-class.ts';
import { Slice } from './slice.ts';
import type { MetricsFields } from './metrics.ts';

function sliceOf(
  delegate: StorageClassDelegate,
  parameters: ReadParameters | null | undefined,
): Slice | undefined {
  const use = delegate.storageClass.filterParameters(parameters ?? null, ['slice']);
  const value = use['slice'];
  if (value === undefined) return undefined;
  if (!(value instanceof Slice)) {
    throw new TypeMismatchError(`The slice parameter must be a Slice, got ${typeName(value)}`, {
      expected: 'slice',
      actual: typeName(value),
    });
  }
  return value;
}

/**
 * The F3 *List* delegate (Python `ListDelegate`) for lists and tuples: parameters copy the
 * sequence and apply `slice`; the derived component `counter` is its length.
 */
export class ListDelegate extends StorageClassDelegate {
  /** `counter` → the length; other names as the base delegate. */
  override getComponent(composite: unknown, componentName: string): unknown {
    if (componentName === 'counter') {
      if (!Array.isArray(composite)) {
        throw new TypeMismatchError(`counter needs a sequence, got ${typeName(composite)}`, {
          expected: 'list',
          actual: typeName(composite),
        });
      }
      return composite.length;
    }
    return super.getComponent(composite, componentName);
  }

  /**
   * A copy of the sequence, sliced by a `slice` parameter if given.
   *
   * @throws {@link index!InvalidValueError | InvalidValueError} if the storage class does not know
   *   `slice`.
   * @throws {@link index!TypeMismatchError | TypeMismatchError} if `slice` is not a {@link Slice}
   *   (a constructor check) or the value is not an array (a type guard).
   */
  override handleParameters(value: unknown, parameters?: ReadParameters | null): unknown {
    const copy = this.copy(value);
    const range = sliceOf(this, parameters);
    if (range === undefined) return copy;
    if (!Array.isArray(copy)) {
      throw new TypeMismatchError(`Cannot slice a ${typeName(copy)}`, {
        expected: 'list',
        actual: typeName(copy),
      });
    }
    return range.apply(copy as unknown[]);
  }
}

/**
 * The F3 *Metrics* delegate (Python `MetricsDelegate`) for the metrics types: parameters copy
 * the record and apply `slice` to its `data`; components are read by field name; the derived
 * component `counter` is the length of `data`.
 */
export class MetricsDelegate extends StorageClassDelegate {
  /** `counter` → `data.length`; other names as the base delegate (field by name). */
  override getComponent(composite: unknown, componentName: string): unknown {
    if (componentName === 'counter') {
      const data = (composite as Partial<MetricsFields> | null)?.data;
      if (!Array.isArray(data)) {
        throw new TypeMismatchError('counter needs metrics with a data list', {
          expected: 'list',
          actual: typeName(data),
        });
      }
      return data.length;
    }
    return super.getComponent(composite, componentName);
  }

  /**
   * A copy of the record with `data` sliced by a `slice` parameter if given.
   *
   * @throws {@link index!InvalidValueError | InvalidValueError} if the storage class does not know
   *   `slice`.
   * @throws {@link index!TypeMismatchError | TypeMismatchError} if `slice` is not a {@link Slice}
   *   (a constructor check).
   */
  override handleParameters(value: unknown, parameters?: ReadParameters | null): unknown {
    const copy = this.copy(value) as MetricsFields;
    const range = sliceOf(this, parameters);
    if (range !== undefined && copy.data !== null && copy.data !== undefined) {
      copy.data = range.apply(copy.data);
    }
    return copy;
  }

  /**
   * `counter` is computed from `data`.
   *
   * @throws {@link index!InvalidValueError | InvalidValueError} if `data` is not on offer or the
   *   component is not `counter`.
   */
  static override selectResponsibleComponent(
    derivedComponent: string,
    fromComponents: ReadonlySet<string | null>,
  ): string {
    if (derivedComponent === 'counter' && fromComponents.has('data')) return 'data';
    throw new InvalidValueError(
      `Can not calculate derived component ${derivedComponent} from ${[...fromComponents].filter((c) => c !== null).join(', ')}`,
      derivedComponent,
    );
  }
}
