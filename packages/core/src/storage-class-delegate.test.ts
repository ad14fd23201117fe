import { NotImplementedError } from '@butler-ts/versioning';
import { describe, expect, it } from 'vitest';
import { InvalidValueError, MissingAttributeError, TypeMismatchError } from './errors.ts';
import { StorageClass } from './storage-class.ts';
import { StorageClassDelegate } from './storage-class.ts';
import { makeExampleMetrics, MetricsRecord } from './testing/metrics.ts';
import { makeRef } from './testing/refs.ts';
import { makeTestTypeRegistry } from './testing/storage-classes.ts';
import { isTuple, tuple } from './tuple.ts';
import { classType, defineType } from './type-descriptor.ts';
import { TypeRegistry } from './storage-class.ts';

class Getters {
  readonly plain = 'attribute';
  get_snake(): string {
    return 'snake';
  }
  getCamel(): string {
    return 'camel';
  }
}

class Settable {
  a: unknown = null;
  received: unknown = null;
  set_b(value: unknown): void {
    this.received = value;
  }
}

const dict = new StorageClass('D', { pytype: 'dict' });

function delegateFor(options: ConstructorParameters<typeof StorageClass>[1] = {}) {
  return new StorageClassDelegate(new StorageClass('S', { components: {}, ...options }));
}

describe('StorageClassDelegate', () => {
  it('requires a storage class', () => {
    expect(() => new StorageClassDelegate(null as unknown as StorageClass)).toThrow(
      TypeMismatchError,
    );
  });

  it('never accepts a value without coercion', () => {
    expect(delegateFor().canAccept({})).toBe(false);
  });

  it('reads a component of a Map and of a plain object by key', () => {
    const delegate = delegateFor();
    expect(delegate.getComponent(new Map([['a', 1]]), 'a')).toBe(1);
    expect(delegate.getComponent({ a: 2, b: null }, 'a')).toBe(2);
    expect(delegate.getComponent({ a: 2, b: null }, 'b')).toBeNull();
  });

  it('reads a property, then get_<name>(), then get<Name>()', () => {
    const delegate = delegateFor();
    const composite = new Getters();
    expect(delegate.getComponent(composite, 'plain')).toBe('attribute');
    expect(delegate.getComponent(composite, 'snake')).toBe('snake');
    expect(delegate.getComponent(composite, 'camel')).toBe('camel');
  });

  it('reads a null field of a record as null', () => {
    expect(delegateFor().getComponent(makeExampleMetrics(true), 'data')).toBeNull();
  });

  it('fails for a missing component, ignoring built-in members', () => {
    const delegate = delegateFor();
    expect(() => delegate.getComponent(new Getters(), 'missing')).toThrow(MissingAttributeError);
    expect(() => delegate.getComponent({}, 'toString')).toThrow(MissingAttributeError);
    expect(() => delegate.getComponent([1, 2], 'length')).toThrow(MissingAttributeError);
    expect(() => delegate.getComponent([1, 2], '0')).toThrow(MissingAttributeError);
    expect(() => delegate.getComponent(5, 'x')).toThrow('Unable to get component x from a int');
  });

  it('rejects any parameter and passes a value through without them', () => {
    const delegate = delegateFor();
    const value = { a: 1 };
    expect(delegate.handleParameters(value)).toBe(value);
    expect(delegate.handleParameters(value, {})).toBe(value);
    expect(delegate.handleParameters(value, null)).toBe(value);
    expect(() => delegate.handleParameters(value, { slice: 1 })).toThrow(InvalidValueError);
    expect(() => delegate.handleParameters(value, { slice: 1 })).toThrow(
      'Parameters (slice) provided to default implementation.',
    );
  });

  it('returns the value unchanged when adding provenance', () => {
    const value = makeExampleMetrics();
    const ref = makeRef('metric', 'StructuredData', { instrument: 'dummy', visit: 1 });
    expect(delegateFor().addProvenance(value, ref, null)).toBe(value);
  });

  it('refuses to select a responsible component', () => {
    expect(() => StorageClassDelegate.selectResponsibleComponent('x', new Set(['a']))).toThrow(
      NotImplementedError,
    );
  });

  it('deep-copies values, keeping classes and tuples', () => {
    const delegate = delegateFor();
    const original = makeExampleMetrics();
    const copy = delegate.copy(original) as MetricsRecord;
    expect(copy).not.toBe(original);
    expect(copy).toBeInstanceOf(MetricsRecord);
    expect(copy.equals(original)).toBe(true);
    copy.data!.push(1);
    expect(original.data).toHaveLength(6);
    const t = delegate.copy(tuple(1, [2]));
    expect(isTuple(t)).toBe(true);
  });

  it('reports a value it cannot copy as not implemented', () => {
    expect(() => delegateFor().copy(new WeakMap())).toThrow(NotImplementedError);
    expect(() => delegateFor().copy({ inner: Promise.resolve(1) })).toThrow(/Unable to deep copy/);
  });
});

describe('StorageClassDelegate.assemble', () => {
  it('builds a dict from its components', () => {
    const delegate = new StorageClassDelegate(
      new StorageClass('C', { pytype: 'dict', components: { a: dict, b: dict } }),
    );
    expect(delegate.assemble({ a: { x: 1 }, b: { y: 2 } })).toEqual({ a: { x: 1 }, b: { y: 2 } });
  });

  it('rejects names that are not components', () => {
    const delegate = new StorageClassDelegate(
      new StorageClass('C', { pytype: 'dict', components: { a: dict, b: dict } }),
    );
    expect(() => delegate.assemble({ a: 1, z: 2 })).toThrow(/Unrecognized components \(z\)/);
  });

  it('falls back to an empty instance and sets each component', () => {
    const registry = new TypeRegistry();
    registry.registerType(
      classType('test.Settable', Settable, {
        create: (fields) => {
          if (fields !== undefined) throw new TypeError('no keyword arguments');
          return new Settable();
        },
      }),
    );
    const sc = new StorageClass('C', {
      pytype: 'test.Settable',
      components: { a: dict, b: dict, c: dict },
      registry,
    });
    const built = new StorageClassDelegate(sc).assemble({ a: 1, b: 2, c: 3 }) as Settable &
      Record<string, unknown>;
    expect(built).toBeInstanceOf(Settable);
    expect(built.a).toBe(1);
    expect(built.received).toBe(2);
    expect(built['c']).toBe(3);
  });

  it('fails for components that cannot be set', () => {
    const registry = new TypeRegistry();
    registry.registerType(
      defineType('test.Frozen', (v): v is object => typeof v === 'object', {
        create: (fields) => {
          if (fields !== undefined) return null as unknown as object;
          return Object.freeze({});
        },
      }),
    );
    const sc = new StorageClass('C', {
      pytype: 'test.Frozen',
      components: { a: dict, b: dict },
      registry,
    });
    expect(() => new StorageClassDelegate(sc).assemble({ a: 1, b: null })).toThrow(
      'Unhandled components during assembly (a)',
    );
  });

  it('cannot assemble a type without a constructor', () => {
    const sc = new StorageClass('C', { pytype: 'int', components: { a: dict, b: dict } });
    expect(() => new StorageClassDelegate(sc).assemble({ a: 1 })).toThrow(TypeMismatchError);
  });
});

describe('StorageClassDelegate.disassemble', () => {
  const registry = makeTestTypeRegistry();
  const list = new StorageClass('L', { pytype: 'list', registry });
  const map = new StorageClass('M', { pytype: 'dict', registry });
  const composite = new StorageClass('Metrics', {
    pytype: 'lsst.daf.butler.tests.MetricsExample',
    components: { summary: map, output: map, data: list },
    registry,
  });

  it('splits a composite into its non-null components', () => {
    const metrics = makeExampleMetrics(true);
    const parts = new StorageClassDelegate(composite).disassemble(metrics);
    expect(Object.keys(parts).sort()).toEqual(['output', 'summary']);
    expect(parts['summary']!.component).toBe(metrics.summary);
    expect(parts['summary']!.storageClass).toBe(map);
    expect(parts['summary']!.name).toBe('summary');
  });

  it('honours a subset and an override object', () => {
    const metrics = makeExampleMetrics();
    const other = new MetricsRecord({ other: 1 }, null, null);
    const parts = new StorageClassDelegate(composite).disassemble(metrics, ['summary'], other);
    expect(Object.keys(parts)).toEqual(['summary']);
    expect(parts['summary']!.component).toEqual({ other: 1 });
  });

  it('rejects a subset with unknown components', () => {
    expect(() =>
      new StorageClassDelegate(composite).disassemble(makeExampleMetrics(), ['nope']),
    ).toThrow(InvalidValueError);
  });

  it('rejects a non-composite storage class and a value of the wrong type', () => {
    expect(() => new StorageClassDelegate(map).disassemble({})).toThrow(/not a composite/);
    expect(() => new StorageClassDelegate(composite).disassemble({ summary: {} })).toThrow(
      TypeMismatchError,
    );
  });

  it('fails when a component cannot be found', () => {
    const partial = new StorageClass('P', {
      pytype: 'object',
      components: { summary: map, missing: map },
      registry,
    });
    expect(() => new StorageClassDelegate(partial).disassemble(makeExampleMetrics())).toThrow(
      'Unhandled components during disassembly (missing)',
    );
  });
});
