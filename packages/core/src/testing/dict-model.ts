import { deepEqual } from '../deep-equal.ts';
import { TypeMismatchError } from '../errors.ts';
import { isPlainObject, typeName } from '../format.ts';

/** The content of a {@link DictModel}: strings to strings or numbers. */
export type DictModelContent = Record<string, string | number>;

/**
 * The F2 *DictModel* (Python `DictConvertibleModel`): `content` plus an `extra` string. It
 * converts to a plain map that is a copy of `content` only.
 */
export class DictModel {
  /** The model's map (a copy of the one given; default empty). */
  readonly content: DictModelContent;
  /** A string kept beside `content` and left out of {@link DictModel.toDict}; default `''`. */
  readonly extra: string;

  /**
   * @throws {@link index!TypeMismatchError | TypeMismatchError} for content that is not a map of
   *   strings/numbers.
   */
  constructor(init: { readonly content?: DictModelContent; readonly extra?: string } = {}) {
    const content = init.content ?? {};
    if (
      !isPlainObject(content) ||
      !Object.values(content).every((v) => typeof v === 'string' || typeof v === 'number')
    ) {
      throw new TypeMismatchError('DictModel content must map strings to strings or numbers', {
        expected: 'dict',
        actual: typeName(content),
      });
    }
    const extra = init.extra ?? '';
    if (typeof extra !== 'string') {
      throw new TypeMismatchError('DictModel extra must be a string', {
        expected: 'str',
        actual: typeName(extra),
      });
    }
    this.content = { ...content };
    this.extra = extra;
  }

  /** A model of `content`, with `extra` defaulting to `'from_dict'`. */
  static fromDict(content: DictModelContent, extra = 'from_dict'): DictModel {
    return new DictModel({ content, extra });
  }

  /** A copy of `content` (so `extra` is dropped). */
  toDict(): DictModelContent {
    return { ...this.content };
  }

  /** Same class, equal content and extra. */
  equals(other: unknown): boolean {
    return (
      other instanceof DictModel &&
      other.extra === this.extra &&
      deepEqual(other.content, this.content)
    );
  }
}
