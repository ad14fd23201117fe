import { describe, expect, it } from 'vitest';
import { timestampedName, uniqueTimestamp } from './timestamped-name.ts';

describe('timestampedName', () => {
  it('is the prefix, @ and the Unix time with microseconds', () => {
    const name = timestampedName('InMemoryDatastore');
    expect(name).toMatch(/^InMemoryDatastore@\d{10}\.\d{6}$/);
    expect(Math.abs(Number(name.split('@')[1]) - Date.now() / 1000)).toBeLessThan(5);
  });

  it('never repeats a timestamp, even when called faster than the clock moves', () => {
    const stamps = Array.from({ length: 1000 }, () => uniqueTimestamp());
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]).toBeGreaterThan(stamps[i - 1]!);
    const names = new Set(Array.from({ length: 1000 }, () => timestampedName('X')));
    expect(names.size).toBe(1000);
  });
});
