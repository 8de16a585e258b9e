import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

/** A new identifier that sorts by creation time (ULID), so lists can page by id. */
export function newId(prefix: string): string {
  return `${prefix}_${nextUlid().toLowerCase()}`;
}
