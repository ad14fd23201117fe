import { DatasetRef, DatasetType } from '@butler-ts/core';
import { testStorageClassFactory, testUniverse } from '@butler-ts/core/testing';
import { describe, expect, it } from 'vitest';
import { RefAnswers } from './ref-answers.ts';

const universe = testUniverse();
const factory = testStorageClassFactory();
const type = () =>
  new DatasetType('pvi', ['instrument', 'visit'], 'StructuredData', { universe, factory });

describe('RefAnswers', () => {
  it('computes once per dataset type and instrument, and every time for anything else', () => {
    const answers = new RefAnswers<string>();
    const calls: string[] = [];
    const compute = (entity: unknown): string => {
      const text =
        entity instanceof DatasetRef ? String(entity.dataId.get('instrument')) : String(entity);
      calls.push(text);
      return `${text}!`;
    };
    const [t1, t2] = [type(), type()];
    const got = [
      answers.get(new DatasetRef(t1, { instrument: 'A', visit: 1 }, 'run'), compute),
      answers.get(new DatasetRef(t1, { instrument: 'A', visit: 2 }, 'run'), compute),
      answers.get(new DatasetRef(t1, { instrument: 'B', visit: 1 }, 'run'), compute),
      answers.get(new DatasetRef(t2, { instrument: 'A', visit: 1 }, 'run'), compute),
      answers.get('x', compute),
      answers.get('x', compute),
    ];
    expect(got).toEqual(['A!', 'A!', 'B!', 'A!', 'x!', 'x!']);
    expect(calls).toEqual(['A', 'B', 'A', 'x', 'x']);
  });

  it('keeps an answer that is null or false', () => {
    const ref = new DatasetRef(type(), { instrument: 'A', visit: 1 }, 'run');
    for (const value of [false, null]) {
      const answers = new RefAnswers<boolean | null>();
      let calls = 0;
      const compute = (): boolean | null => {
        calls += 1;
        return calls === 1 ? value : true;
      };
      expect(answers.get(ref, compute)).toBe(value);
      expect(answers.get(ref, compute)).toBe(value);
      expect(calls).toBe(1);
    }
  });
});
