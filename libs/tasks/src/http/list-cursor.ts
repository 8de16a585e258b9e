import { createHash } from 'node:crypto';
import {
  PageQuery,
  PageRequest,
  pageRequestFrom,
  RequestValidationError,
} from '@taskflow/platform';
import { parsePosition } from '../domain/task-order';
import type { TaskFilter } from '../ports/task.repository';

const TASK_ID_KEY = /^t_[0-9a-z]{26}$/;

const refuse = (message: string): never => {
  throw new RequestValidationError([{ field: 'cursor', message }]);
};

/**
 * A list cursor carries the sort and a fingerprint of the filters it was made under, with the
 * keyset position (the sort value and id of the last task seen), so it cannot be replayed
 * against another sort or filter (400).
 */
export class ListCursor {
  private readonly fingerprint: string;

  constructor(
    private readonly sort: string,
    filter: TaskFilter,
  ) {
    const normal = Object.entries(filter)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, value instanceof Date ? value.toISOString() : value])
      .sort(([a], [b]) => String(a).localeCompare(String(b)));
    this.fingerprint = createHash('sha256')
      .update(JSON.stringify(normal))
      .digest('base64url')
      .slice(0, 16);
  }

  pageRequest(query: PageQuery): PageRequest {
    const page = pageRequestFrom(query, (key) => this.admits(key));
    if (page.after === null) return page;
    return { ...page, after: (JSON.parse(page.after) as string[])[2] };
  }

  private admits(key: string): boolean {
    let parsed: unknown;
    try {
      parsed = JSON.parse(key);
    } catch {
      return false;
    }
    if (!Array.isArray(parsed) || parsed.length !== 3) return false;
    const [sort, fingerprint, after] = parsed as unknown[];
    if (typeof after !== 'string') return false;
    if (sort !== this.sort)
      refuse(`this cursor was made for sort=${String(sort)}, not ${this.sort}`);
    if (fingerprint !== this.fingerprint) refuse('this cursor was made for other filters');
    return this.sort.replace(/^-/, '') === 'created_at'
      ? TASK_ID_KEY.test(after)
      : parsePosition(after) !== null;
  }

  encode(after: string | null): string | null {
    if (after === null) return null;
    return Buffer.from(JSON.stringify([this.sort, this.fingerprint, after]), 'utf8').toString(
      'base64url',
    );
  }
}
