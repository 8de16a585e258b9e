/** A slice of a list ordered by a key; `nextCursor` is null on the last page. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

export interface PageRequest {
  readonly limit: number;
  /** The sort key of the last item already seen; items after it are returned. */
  readonly after: string | null;
}
