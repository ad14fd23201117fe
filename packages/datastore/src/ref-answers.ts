import { DatasetRef } from '@butler-ts/core';
import type { DatasetType } from '@butler-ts/core';

/**
 * Answers about dataset refs kept per dataset type and instrument value: everything a ref's
 * lookup keys (`DatasetRef.lookupNames()`) are made of. A configuration lookup (constraints,
 * formatters, templates) asks once per dataset type and instrument instead of building the
 * keys on every call. Only plain `DatasetRef`s are kept; anything else is computed every time.
 *
 * @example
 * ```ts
 * const answers = new RefAnswers<boolean>();
 * answers.get(ref, (entity) => judge(entity)); // judged once per dataset type and instrument
 * ```
 */
export class RefAnswers<T> {
  readonly #answers = new WeakMap<DatasetType, Map<unknown, { readonly value: T }>>();

  /**
   * The answer for `entity`: `compute(entity)`, kept for later refs of the same dataset type
   * (the same instance) and instrument when `entity` is a `DatasetRef`.
   */
  get<E>(entity: E, compute: (entity: E) => T): T {
    if (!(entity instanceof DatasetRef) || Object.getPrototypeOf(entity) !== DatasetRef.prototype) {
      return compute(entity);
    }
    let answers = this.#answers.get(entity.datasetType);
    if (answers === undefined) {
      answers = new Map();
      this.#answers.set(entity.datasetType, answers);
    }
    const instrument = entity.dataId.get('instrument');
    let answer = answers.get(instrument);
    if (answer === undefined) {
      answer = { value: compute(entity) };
      answers.set(instrument, answer);
    }
    return answer.value;
  }
}
