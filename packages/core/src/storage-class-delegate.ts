import { NotImplementedError } from '@butler-ts/versioning';
import type { DatasetProvenance } from './dataset-provenance.ts';
import type { DatasetRef } from './dataset-ref.ts';
import { deepCopy } from './deep-copy.ts';
import { InvalidValueError, MissingAttributeError, TypeMismatchError } from './errors.ts';
import { isPlainObject, typeName } from './format.ts';
import type { StorageClass } from './storage-class.ts';
import type { TypeDescriptor } from './type-descriptor.ts';

/** One component taken out of a composite by {@link StorageClassDelegate.disassemble}. */
export interface DatasetComponent {
  /** The component name. */
  readonly name: string;
  /** The storage class of the component. */
  readonly storageClass: StorageClass;
  /** The component value. */
  readonly component: unknown;
}

/** Read parameters as datastores pass them: parameter name → value. */
export type ReadParameters = Readonly<Record<string, unknown>>;

/**
 * The static side of a delegate class, as registered with
 * {@link TypeRegistry.registerDelegate} and returned by {@link StorageClass.delegateClass}.
 */
export interface StorageClassDelegateClass {
  new (storageClass: StorageClass): StorageClassDelegate;
  /** See {@link StorageClassDelegate.selectResponsibleComponent}. */
  selectResponsibleComponent(
    derivedComponent: string,
    fromComponents: ReadonlySet<string | null>,
  ): string;
}

// Properties found on these prototypes are language built-ins, not attributes of a composite:
// `length` of an array or `toString` of an object is never a component.
const BUILTIN_PROTOTYPES: ReadonlySet<unknown> = new Set([
  Object.prototype,
  Array.prototype,
  Map.prototype,
  Set.prototype,
  Function.prototype,
]);

function hasAttribute(target: object, name: string): boolean {
  // An array's own properties are its indices and length: built-ins too.
  const start = Array.isArray(target) ? (Object.getPrototypeOf(target) as object | null) : target;
  for (
    let level: object | null = start;
    level !== null && !BUILTIN_PROTOTYPES.has(level);
    level = Object.getPrototypeOf(level) as object | null
  ) {
    if (Object.hasOwn(level, name)) return true;
  }
  return false;
}

function capitalize(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

// Member comments name errors and helpers in code spans rather than {@link}: delegates in other
// modules and packages inherit these comments, and their typedoc cannot resolve such links.
/**
 * Knows how to take a storage class's values apart and put them together again: read a
 * component, apply read parameters, attach provenance, assemble and disassemble composites.
 *
 * This base class works for dict-like composites and classes exposing components as
 * properties or getters; register subclasses by name with
 * {@link TypeRegistry.registerDelegate} and name them in a storage class's `delegate`.
 *
 * @example
 * ```ts
 * class ImageDelegate extends StorageClassDelegate {
 *   override handleParameters(value: unknown, parameters?: ReadParameters | null) {
 *     const bbox = this.storageClass.filterParameters(parameters ?? null, ['bbox'])['bbox'];
 *     return bbox === undefined ? value : (value as Image).crop(bbox);
 *   }
 * }
 * registry.registerDelegate('my.pkg.ImageDelegate', ImageDelegate);
 * ```
 */
export class StorageClassDelegate {
  /** The storage class this delegate works for. */
  readonly storageClass: StorageClass;

  /** @throws `TypeMismatchError` if `storageClass` is missing. */
  constructor(storageClass: StorageClass) {
    if (storageClass === null || storageClass === undefined) {
      throw new TypeMismatchError('A StorageClassDelegate needs a storage class', {
        expected: 'StorageClass',
        actual: typeName(storageClass),
      });
    }
    this.storageClass = storageClass;
  }

  /**
   * Whether the delegate can store `value` as it is, without `coerceType`. The base answers
   * `false`, so datastores always coerce (a no-op for a value of the right type).
   */
  canAccept(_value: unknown): boolean {
    return false;
  }

  /**
   * Reads a component from a composite: a `Map` entry (a constructor check) or an own key of a
   * plain object (a type guard), standing in for Python's `in`; otherwise a property of that
   * name (built-in members of objects and arrays do not count), then a `get_<name>()` method,
   * then `get<Name>()`.
   *
   * @throws `MissingAttributeError` if none of these exists.
   */
  getComponent(composite: unknown, componentName: string): unknown {
    if (composite instanceof Map) {
      if (composite.has(componentName)) return composite.get(componentName) as unknown;
    } else if (isPlainObject(composite)) {
      if (Object.hasOwn(composite, componentName)) return composite[componentName];
    } else if (
      (typeof composite === 'object' || typeof composite === 'function') &&
      composite !== null
    ) {
      const target = composite as Record<string, unknown>;
      if (hasAttribute(target, componentName)) return target[componentName];
      for (const getter of [`get_${componentName}`, `get${capitalize(componentName)}`]) {
        const method = target[getter];
        if (typeof method === 'function' && hasAttribute(target, getter)) {
          return (method as () => unknown).call(composite);
        }
      }
    }
    throw new MissingAttributeError(
      `Unable to get component ${componentName} from a ${typeName(composite)}`,
      componentName,
    );
  }

  /**
   * Applies read parameters to a value and returns the (possibly new) result. The base
   * accepts none, so that parameters are never silently ignored.
   *
   * @throws `InvalidValueError` if any parameter is given.
   */
  handleParameters(value: unknown, parameters?: ReadParameters | null): unknown {
    if (parameters !== null && parameters !== undefined && Object.keys(parameters).length > 0) {
      throw new InvalidValueError(
        `Parameters (${Object.keys(parameters).join(', ')}) provided to default implementation.`,
        parameters,
      );
    }
    return value;
  }

  /** Attaches provenance to a value being stored. The base returns `value` unchanged. */
  addProvenance(value: unknown, _ref: DatasetRef, _provenance?: DatasetProvenance | null): unknown {
    return value;
  }

  /**
   * Builds a composite from its components: first `pytype.create(components)`; if that
   * throws or yields nothing, an empty instance with each non-null component set through its
   * property, a `set_<name>()` method or a `set<Name>()` method.
   *
   * @throws `InvalidValueError` for names that are not components of the storage class,
   *   or components that could not be set.
   * @throws `TypeMismatchError` if the type has no `create`.
   */
  assemble(components: Readonly<Record<string, unknown>>, pytype?: TypeDescriptor): unknown {
    const known = this.storageClass.components;
    const unknown = Object.keys(components).filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new InvalidValueError(
        `Unrecognized components (${unknown.join(', ')}) for StorageClass ${this.storageClass.name}`,
        unknown,
      );
    }
    const type = pytype ?? this.storageClass.pytype;
    const create = type.create;
    if (create === undefined) {
      throw new TypeMismatchError(`Type ${type.name} cannot be constructed from components`, {
        expected: type.name,
      });
    }
    let result: unknown;
    try {
      result = create(components);
    } catch {
      result = undefined;
    }
    if (result) return result;
    const target = create() as Record<string, unknown>;
    const failed: string[] = [];
    for (const [name, value] of Object.entries(components)) {
      if (value === null || value === undefined) continue;
      if (!setComponent(target, name, value)) failed.push(name);
    }
    if (failed.length > 0) {
      throw new InvalidValueError(
        `Unhandled components during assembly (${failed.join(', ')})`,
        failed,
      );
    }
    return target;
  }

  /**
   * Splits a composite into its read/write components (all of them, or `subset`), skipping
   * components whose value is null.
   *
   * @param override read the components from this object instead of `composite` (which is
   *   still type-checked).
   * @throws `TypeMismatchError` if the storage class is not a composite or `composite`
   *   is not an instance of its type (`StorageClass.validateInstance()`).
   * @throws `InvalidValueError` if `subset` names non-components or a component
   *   cannot be found.
   */
  disassemble(
    composite: unknown,
    subset?: Iterable<string> | null,
    override?: unknown,
  ): Record<string, DatasetComponent> {
    const storageClass = this.storageClass;
    if (!storageClass.isComposite()) {
      throw new TypeMismatchError(
        `Can not disassemble something that is not a composite (storage class=${storageClass.name})`,
      );
    }
    if (!storageClass.validateInstance(composite)) {
      throw new TypeMismatchError(
        `Unexpected type mismatch between parent and StorageClass (${typeName(composite)} != ${storageClass.pytypeName})`,
        { expected: storageClass.pytypeName, actual: typeName(composite) },
      );
    }
    const components = storageClass.components;
    let requested = new Set(components.keys());
    if (subset !== null && subset !== undefined) {
      const wanted = new Set(subset);
      const extra = [...wanted].filter((name) => !requested.has(name));
      if (extra.length > 0) {
        throw new InvalidValueError(
          `Requested subset is not a subset of supported components: ${extra.join(', ')}`,
          extra,
        );
      }
      requested = wanted;
    }
    const source = override ?? composite;
    const result: Record<string, DatasetComponent> = {};
    const missing: string[] = [];
    for (const name of requested) {
      let value: unknown;
      try {
        value = this.getComponent(source, name);
      } catch (error) {
        if (MissingAttributeError.is(error)) {
          missing.push(name);
          continue;
        }
        throw error;
      }
      if (value !== null && value !== undefined) {
        result[name] = Object.freeze({
          name,
          storageClass: components.get(name)!,
          component: value,
        });
      }
    }
    if (missing.length > 0) {
      throw new InvalidValueError(
        `Unhandled components during disassembly (${missing.join(', ')})`,
        missing,
      );
    }
    return result;
  }

  /**
   * Chooses, from the components on offer, the one from which a derived component is computed.
   *
   * @throws `NotImplementedError` in the base class, which supports no derived components.
   */
  static selectResponsibleComponent(
    _derivedComponent: string,
    _fromComponents: ReadonlySet<string | null>,
  ): string {
    throw new NotImplementedError('This delegate does not support derived components');
  }

  /**
   * A deep copy of `value` (see `deepCopy()`).
   *
   * @throws `NotImplementedError` if the value cannot be deep-copied.
   */
  copy(value: unknown): unknown {
    try {
      return deepCopy(value);
    } catch (error) {
      throw new NotImplementedError(
        `Unable to deep copy the supplied type (${typeName(value)}) using default methods (${
          error instanceof Error ? error.message : String(error)
        })`,
        { cause: error },
      );
    }
  }
}

function setComponent(target: Record<string, unknown>, name: string, value: unknown): boolean {
  try {
    if (hasAttribute(target, name)) {
      target[name] = value;
      return true;
    }
    for (const setter of [`set_${name}`, `set${capitalize(name)}`]) {
      const method = target[setter];
      if (typeof method === 'function' && hasAttribute(target, setter)) {
        (method as (v: unknown) => unknown).call(target, value);
        return true;
      }
    }
    if (Object.isExtensible(target)) {
      target[name] = value;
      return true;
    }
  } catch {
    return false;
  }
  return false;
}
