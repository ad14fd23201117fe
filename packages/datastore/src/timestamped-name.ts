let last = 0;

/**
 * The current Unix time in seconds with microsecond digits, strictly increasing within the
 * process, so names made from it are unique per instance.
 */
export function uniqueTimestamp(): number {
  const now = Math.round((performance.timeOrigin + performance.now()) * 1000) / 1e6;
  last = now > last ? now : Math.round((last + 1e-6) * 1e6) / 1e6;
  return last;
}

/**
 * `<prefix>@<unix time>` as daf_butler names datastores that have no root, e.g.
 * `InMemoryDatastore@1717171717.123456`; unique within the process.
 *
 * @example
 * ```ts
 * timestampedName('InMemoryDatastore'); // 'InMemoryDatastore@1732262400.123456'
 * ```
 */
export function timestampedName(prefix: string): string {
  return `${prefix}@${uniqueTimestamp().toFixed(6)}`;
}
