import type { Page, PageRequest } from '../domain/page';

/**
 * One page of `items` (sorted ascending by `key`) after the cursor key, found by binary search so
 * paging costs O(log n + limit) however long the list is.
 */
export function pageOf<T, K extends string | number>(
  items: readonly T[],
  key: (item: T) => K,
  page: PageRequest,
  parse: (cursor: string) => K,
): Page<T> {
  const start = page.after === null ? 0 : indexAfter(items, key, parse(page.after));
  const slice = items.slice(start, start + page.limit);
  const more = start + page.limit < items.length;
  return {
    items: slice,
    nextCursor: more && slice.length > 0 ? String(key(slice[slice.length - 1])) : null,
  };
}

/** The index of the first item whose key is greater than `after` (binary search). */
export function indexAfter<T, K extends string | number>(
  items: readonly T[],
  key: (item: T) => K,
  after: K,
): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (key(items[middle]) <= after) low = middle + 1;
    else high = middle;
  }
  return low;
}
