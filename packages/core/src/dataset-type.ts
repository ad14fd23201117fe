import { DimensionGroup, DimensionUniverse } from './dimensions.ts';
import {
  IncompatibleStorageClassError,
  InvalidValueError,
  RuntimeError,
  TypeMismatchError,
  UnknownComponentError,
} from './errors.ts';
import { typeName } from './format.ts';
import { LookupKey } from './lookup-key.ts';
import { StorageClassFactory } from './storage-class-factory.ts';
import { StorageClass } from './storage-class.ts';

/** Options of the {@link DatasetType} constructor. */
export interface DatasetTypeOptions {
  /**
   * The storage class of the parent composite; required for a component name (`a.b`) and
   * forbidden otherwise. A name is resolved lazily through `factory`.
   */
  readonly parentStorageClass?: StorageClass | string | null;
  /** Resolves dimension names given as strings. */
  readonly universe?: DimensionUniverse;
  /** Whether the dataset type is a calibration; default false. */
  readonly isCalibration?: boolean;
  /** Where storage class names are resolved; default {@link StorageClassFactory.shared}. */
  readonly factory?: StorageClassFactory;
}

const NAME = /^[a-zA-Z_][a-zA-Z0-9_]*(\.[a-zA-Z_][a-zA-Z0-9_]*)*$/;

// A storage class given by instance, or by name and resolved on first use.
class StorageClassSlot {
  readonly name: string;
  #value: StorageClass | null;

  constructor(value: StorageClass | string) {
    this.name = typeof value === 'string' ? value : value.name;
    this.#value = typeof value === 'string' ? null : value;
  }

  get resolved(): StorageClass | null {
    return this.#value;
  }

  get(factory: StorageClassFactory): StorageClass {
    this.#value ??= factory.getStorageClass(this.name);
    return this.#value;
  }

  // Instances if both are resolved, names otherwise (daf_butler's rule).
  equals(other: StorageClassSlot): boolean {
    if (this.#value !== null && other.#value !== null) return this.#value.equals(other.#value);
    return this.name === other.name;
  }

  // What was given, so a derived dataset type resolves the same way.
  get given(): StorageClass | string {
    return this.#value ?? this.name;
  }
}

function checkStorageClass(value: unknown, what: string): StorageClass | string {
  if (typeof value === 'string' || value instanceof StorageClass) return value;
  throw new InvalidValueError(
    `${what} must be a StorageClass or a storage class name, got ${typeName(value)}`,
    value,
  );
}

/**
 * A named kind of dataset: its dimensions, its storage class and, for a component
 * (`parent.component`), the storage class of the parent composite.
 *
 * Immutable. Storage classes given by name are resolved on first use through the
 * {@link StorageClassFactory} given in the options. Equality compares name, dimensions,
 * calibration flag and both storage classes (as instances when both are resolved, else by
 * name), so a type with an overridden storage class is not equal to the original.
 *
 * @example
 * ```ts
 * const calexp = new DatasetType('calexp', ['instrument', 'visit'], 'ExposureF', { universe, factory });
 * const wcs = calexp.makeComponentDatasetType('wcs'); // 'calexp.wcs'
 * wcs.makeCompositeDatasetType().equals(calexp); // true
 * ```
 */
export class DatasetType {
  /** The full name, including any component (`calexp.wcs`). */
  readonly name: string;
  /** The dimensions of the data IDs of its datasets. */
  readonly dimensions: DimensionGroup;
  /** Where storage class names are resolved. */
  readonly factory: StorageClassFactory;
  readonly #storageClass: StorageClassSlot;
  readonly #parentStorageClass: StorageClassSlot | null;
  readonly #isCalibration: boolean;

  /**
   * Python's `isinstance` checks are constructor checks here: `storageClass` and
   * `parentStorageClass` are {@link StorageClass} instances or strings, `dimensions` a
   * {@link DimensionGroup} instance or an iterable of names.
   *
   * @throws {@link InvalidValueError} for an invalid name (letters, digits and underscores,
   *   not starting with a digit, dot-separated), a name that is a governor dimension, no
   *   universe for dimension names, a storage class that is neither a StorageClass nor a
   *   name, a parent storage class for a non-component, or none for a component.
   * @throws {@link DimensionNameError} for an unknown dimension name.
   * @throws {@link TypeMismatchError} if `isCalibration` is not a boolean.
   */
  constructor(
    name: string,
    dimensions: DimensionGroup | Iterable<string>,
    storageClass: StorageClass | string,
    options: DatasetTypeOptions = {},
  ) {
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new InvalidValueError(`DatasetType name ${JSON.stringify(name)} is not valid`, name);
    }
    this.name = name;
    if (dimensions instanceof DimensionGroup) {
      this.dimensions = options.universe?.conform(dimensions) ?? dimensions;
    } else {
      const universe = options.universe;
      if (universe === undefined) {
        throw new InvalidValueError(
          `DatasetType ${name}: dimensions given as names need a universe`,
          dimensions,
        );
      }
      if (!(universe instanceof DimensionUniverse)) {
        throw new TypeMismatchError('universe must be a DimensionUniverse', {
          expected: 'DimensionUniverse',
          actual: typeName(universe),
        });
      }
      this.dimensions = universe.conform(dimensions);
    }
    if (this.dimensions.universe.isGovernor(name)) {
      throw new InvalidValueError(
        `Governor dimension name ${name} cannot be used as a dataset type name`,
        name,
      );
    }
    this.#storageClass = new StorageClassSlot(checkStorageClass(storageClass, 'storageClass'));
    const parent = options.parentStorageClass ?? null;
    const [, component] = DatasetType.splitDatasetTypeName(name);
    if (parent !== null && component === null) {
      throw new InvalidValueError(
        `Can not specify a parent storage class if this is not a component (${name})`,
        parent,
      );
    }
    if (parent === null && component !== null) {
      throw new InvalidValueError(
        `Component dataset type '${name}' constructed without parent storage class`,
        name,
      );
    }
    this.#parentStorageClass =
      parent === null
        ? null
        : new StorageClassSlot(checkStorageClass(parent, 'parentStorageClass'));
    const isCalibration = options.isCalibration ?? false;
    if (typeof isCalibration !== 'boolean') {
      throw new TypeMismatchError('isCalibration must be a boolean', {
        expected: 'bool',
        actual: typeName(isCalibration),
      });
    }
    this.#isCalibration = isCalibration;
    this.factory = options.factory ?? StorageClassFactory.shared;
  }

  /** Splits at the first dot: `'a.b.c'` → `['a', 'b.c']`; no dot → `[name, null]`. */
  static splitDatasetTypeName(name: string): [string, string | null] {
    const dot = name.indexOf('.');
    return dot < 0 ? [name, null] : [name.slice(0, dot), name.slice(dot + 1)];
  }

  /** `'<parent>.<component>'`, without validation. */
  static nameWithComponent(datasetTypeName: string, componentName: string): string {
    return `${datasetTypeName}.${componentName}`;
  }

  /**
   * The storage class, resolved on first use.
   *
   * @throws {@link LookupError} if a storage class given by name is not in the factory.
   */
  get storageClass(): StorageClass {
    return this.#storageClass.get(this.factory);
  }

  /** The storage class name (never resolves). */
  get storageClassName(): string {
    return this.#storageClass.name;
  }

  /**
   * The parent composite's storage class (components only), resolved on first use.
   *
   * @throws {@link LookupError} if a storage class given by name is not in the factory.
   */
  get parentStorageClass(): StorageClass | null {
    return this.#parentStorageClass?.get(this.factory) ?? null;
  }

  /** The parent storage class name (never resolves), or `null`. */
  get parentStorageClassName(): string | null {
    return this.#parentStorageClass?.name ?? null;
  }

  /** Whether datasets of this type are calibrations. */
  isCalibration(): boolean {
    return this.#isCalibration;
  }

  /** `[root name, component or null]`. */
  nameAndComponent(): [string, string | null] {
    return DatasetType.splitDatasetTypeName(this.name);
  }

  /** The component part of the name (after the first dot), or `null`. */
  component(): string | null {
    return this.nameAndComponent()[1];
  }

  /** Whether the name has a component part. */
  isComponent(): boolean {
    const component = this.component();
    return component !== null && component !== '';
  }

  /** Whether the storage class has read/write components (resolves the storage class). */
  isComposite(): boolean {
    return this.storageClass.isComposite();
  }

  /**
   * `'<name>.<component>'` for a component of the storage class (read/write or derived).
   *
   * @throws {@link UnknownComponentError} if the storage class does not define it.
   */
  componentTypeName(component: string): string {
    if (this.storageClass.allComponents().has(component)) {
      return DatasetType.nameWithComponent(this.name, component);
    }
    throw new UnknownComponentError(component, `dataset type ${this.name}`);
  }

  /**
   * The dataset type of one component: name `<name>.<component>`, the component's storage
   * class, this storage class as parent, same dimensions and calibration flag.
   *
   * @throws {@link UnknownComponentError} if the storage class does not define it.
   */
  makeComponentDatasetType(component: string): DatasetType {
    const name = this.componentTypeName(component);
    return new DatasetType(
      name,
      this.dimensions,
      this.storageClass.allComponents().get(component)!,
      {
        parentStorageClass: this.storageClass,
        isCalibration: this.#isCalibration,
        factory: this.factory,
      },
    );
  }

  /**
   * The composite dataset type of a component: the root name with the parent storage class.
   *
   * @throws {@link RuntimeError} if this is not a component.
   * @throws {@link InvalidValueError} if it has no parent storage class.
   */
  makeCompositeDatasetType(): DatasetType {
    if (!this.isComponent()) {
      throw new RuntimeError(`DatasetType ${this.name} must be a component to form the composite`);
    }
    if (this.#parentStorageClass === null) {
      throw new InvalidValueError(
        `Parent storage class is not set. Unable to create composite type from ${this.name}`,
        this.name,
      );
    }
    return new DatasetType(
      this.nameAndComponent()[0],
      this.dimensions,
      this.#parentStorageClass.given,
      {
        isCalibration: this.#isCalibration,
        factory: this.factory,
      },
    );
  }

  /** One component dataset type per entry of the storage class's `allComponents()`. */
  makeAllComponentDatasetTypes(): DatasetType[] {
    return [...this.storageClass.allComponents().keys()].map((c) =>
      this.makeComponentDatasetType(c),
    );
  }

  /**
   * This dataset type with another storage class (the parent storage class is kept). Returns
   * `this` for the current storage class (its name, or an equal resolved instance).
   *
   * @throws {@link IncompatibleStorageClassError} (an InvalidValue error) unless one of the
   *   two storage classes can convert the other's type.
   * @throws {@link LookupError} if a storage class name is not in the factory.
   */
  overrideStorageClass(storageClass: StorageClass | string): DatasetType {
    const given = checkStorageClass(storageClass, 'storageClass');
    if (
      typeof given === 'string'
        ? given === this.#storageClass.name
        : this.#storageClass.resolved?.equals(given)
    ) {
      return this;
    }
    const parent = this.#parentStorageClass?.given ?? null;
    const replacement = new DatasetType(this.name, this.dimensions, given, {
      parentStorageClass: parent,
      isCalibration: this.#isCalibration,
      factory: this.factory,
    });
    if (!replacement.isCompatibleWith(this) && !this.isCompatibleWith(replacement)) {
      throw new IncompatibleStorageClassError(replacement.storageClassName, this.storageClassName);
    }
    return replacement;
  }

  /**
   * Whether datasets of `other` can be read as this type: same name, dimensions and
   * calibration flag, and the same storage class name or one this storage class can convert.
   */
  isCompatibleWith(other: DatasetType): boolean {
    if (
      !(other instanceof DatasetType) ||
      other.name !== this.name ||
      !other.dimensions.equals(this.dimensions) ||
      other.#isCalibration !== this.#isCalibration
    ) {
      return false;
    }
    if (other.storageClassName === this.storageClassName) return true;
    return this.storageClass.canConvert(other.storageClass);
  }

  /**
   * Same name, dimensions, calibration flag, storage class and parent storage class; `other`
   * must be a DatasetType (a constructor check).
   */
  equals(other: unknown): boolean {
    if (other === this) return true;
    if (!(other instanceof DatasetType)) return false;
    if (
      other.name !== this.name ||
      other.#isCalibration !== this.#isCalibration ||
      !other.dimensions.equals(this.dimensions)
    ) {
      return false;
    }
    const mineParent = this.#parentStorageClass;
    const theirParent = other.#parentStorageClass;
    if ((mineParent === null) !== (theirParent === null)) return false;
    if (mineParent !== null && !mineParent.equals(theirParent!)) return false;
    return this.#storageClass.equals(other.#storageClass);
  }

  /** Orders dataset types by name. */
  compare(other: DatasetType): number {
    return this.name < other.name ? -1 : this.name > other.name ? 1 : 0;
  }

  /**
   * The configuration keys this dataset type matches, most specific first: its name, its
   * root name (components), its dimensions (if any), its storage class name and, for a
   * component, its parent storage class name.
   */
  lookupNames(): readonly LookupKey[] {
    const keys = [new LookupKey({ name: this.name })];
    const [root, component] = this.nameAndComponent();
    if (component !== null) keys.push(new LookupKey({ name: root }));
    if (!this.dimensions.isEmpty) keys.push(new LookupKey({ dimensions: this.dimensions }));
    keys.push(new LookupKey({ name: this.storageClassName }));
    if (component !== null && this.#parentStorageClass !== null) {
      keys.push(new LookupKey({ name: this.#parentStorageClass.name }));
    }
    return keys;
  }

  /** `DatasetType('name', {dims}, StorageClass[, parentStorageClass=P][, isCalibration=True])`. */
  toString(): string {
    let text = `DatasetType('${this.name}', ${this.dimensions.toString()}, ${this.storageClassName}`;
    if (this.#parentStorageClass !== null) {
      text += `, parentStorageClass=${this.#parentStorageClass.name}`;
    }
    if (this.#isCalibration) text += ', isCalibration=True';
    return `${text})`;
  }
}
