import type { Page, PageRequest } from '../../domain/page';

/**
 * How many documents a page query asks for, as its limit and its batch size: one more than the
 * page, so the extra one tells whether another page follows, in one batch, so one command.
 */
export const pageProbe = (page: PageRequest): number => page.limit + 1;

/** The page out of documents found, in cursor order, with a limit of `pageProbe(page)`. */
export function pageFrom<D, T>(
  docs: readonly D[],
  page: PageRequest,
  toItem: (doc: D) => T,
  cursorOf: (item: T) => string,
): Page<T> {
  const items = docs.slice(0, page.limit).map(toItem);
  return {
    items,
    nextCursor: docs.length > page.limit ? cursorOf(items[items.length - 1]) : null,
  };
}
