/** Splits `items` into consecutive slices of at most `size` items. */
export function chunked<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size)
    chunks.push(items.slice(start, start + size));
  return chunks;
}

/**
 * Every combination taking one item from each list, the last list varying fastest (Python's
 * `itertools.product`). Any empty list gives no combination; no lists give one empty one.
 */
export function* cartesianProduct<T>(lists: readonly (readonly T[])[]): Generator<T[]> {
  if (lists.some((list) => list.length === 0)) return;
  const indexes = lists.map(() => 0);
  for (;;) {
    yield indexes.map((index, i) => lists[i]![index]!);
    let position = lists.length - 1;
    while (position >= 0 && ++indexes[position]! === lists[position]!.length) {
      indexes[position] = 0;
      position--;
    }
    if (position < 0) return;
  }
}
