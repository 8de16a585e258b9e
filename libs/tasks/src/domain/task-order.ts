import type { TaskState } from './task-events';
import { PRIORITY_RANK } from './task-status';

export type SortableField = 'updated_at' | 'due_at' | 'priority';

/**
 * The value a task sorts by: epoch milliseconds, or the priority in queue order (urgent 0 …
 * low 3), so `sort=priority` lists tasks as `POST /tasks/claim` hands them out.
 */
export function sortValue(task: TaskState, key: SortableField): number | null {
  if (key === 'updated_at') return task.updatedAt.getTime();
  if (key === 'due_at') return task.dueAt?.getTime() ?? null;
  return PRIORITY_RANK[task.priority];
}

/** A keyset position: the sort value and the id of the last task seen. */
export interface TaskPosition {
  readonly value: number | null;
  readonly id: string;
}

export const positionKey = (position: TaskPosition): string =>
  JSON.stringify([position.value, position.id]);

export function parsePosition(key: string): TaskPosition | null {
  try {
    const parsed: unknown = JSON.parse(key);
    if (!Array.isArray(parsed) || parsed.length !== 2) return null;
    const [value, id] = parsed as unknown[];
    if (typeof id !== 'string' || !/^t_[0-9a-z]{26}$/.test(id)) return null;
    if (value !== null && !(typeof value === 'number' && Number.isSafeInteger(value))) return null;
    return { value: value as number | null, id };
  } catch {
    return null;
  }
}

/** Ascending order of (value, id), nulls first, as MongoDB sorts. */
export function comparePositions(a: TaskPosition, b: TaskPosition): number {
  if (a.value !== b.value) {
    if (a.value === null) return -1;
    if (b.value === null) return 1;
    return a.value - b.value;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
