import type { Actor, Page, PageRequest } from '@taskflow/platform/domain';
import type { Task } from '../domain/task.entity';
import type { TaskState } from '../domain/task-events';
import type { OpenTo, TaskPriority, TaskStatus } from '../domain/task-status';

/** What `POST /tasks/claim` narrows the queue to. */
export interface ClaimFilter {
  readonly openTo?: OpenTo;
  readonly priorities?: readonly TaskPriority[];
}

export interface TaskFilter {
  /** One status, or any of several. */
  readonly status?: TaskStatus | readonly TaskStatus[];
  readonly priority?: readonly TaskPriority[];
  /** Only open tasks. */
  readonly open?: true;
  readonly assigneeId?: string;
  readonly creatorId?: string;
  /** The stored reviewer (null means the creator reviews, and matches no reviewer_id). */
  readonly reviewerId?: string;
  /** Due strictly before this instant (tasks without a due date never match). */
  readonly dueBefore?: Date;
  /** Changed at or after this instant. */
  readonly updatedSince?: Date;
}

export const TASK_SORT_KEYS = ['created_at', 'updated_at', 'due_at', 'priority'] as const;
export type TaskSortKey = (typeof TASK_SORT_KEYS)[number];

/**
 * A list order; ties go by id in the same direction. `created_at` is the id order (ids are
 * time-ordered and minted at creation). Without a due date sorts before any date, ascending.
 * When the sort is not `created_at`, `PageRequest.after` is `positionKey` of the last task seen.
 */
export interface TaskSort {
  readonly key: TaskSortKey;
  readonly descending: boolean;
}

export const DEFAULT_TASK_SORT: TaskSort = { key: 'created_at', descending: false };

export abstract class TaskRepository {
  /** Fails with ConcurrencyConflict when a task with this id exists. */
  abstract insert(task: TaskState): Promise<void>;
  /**
   * Stores a claimed change: moves the task from `expectedVersion` to `task.version`. When the
   * stored task is already at `task.version` or later, a roll-forward stored this change first and
   * nothing is written; anything else (missing, or behind) is a ConcurrencyConflict.
   */
  abstract save(task: TaskState, expectedVersion: number): Promise<void>;
  /** Any task, deleted or not; for history access checks. */
  abstract findById(id: string): Promise<Task | null>;
  /** Those of these tasks that exist, deleted or not, in no particular order. */
  abstract findByIds(ids: readonly string[]): Promise<Task[]>;
  /** A task the actor may see (not deleted; creator, assignee, reviewer or admin), else null. */
  abstract findVisibleTo(actor: Actor, id: string): Promise<Task | null>;
  /** Visible tasks matching the filter in the sort's order, after the page's position. */
  abstract listForActor(
    actor: Actor,
    filter: TaskFilter,
    page: PageRequest,
    sort?: TaskSort,
  ): Promise<Page<Task>>;
  /**
   * Stores a heartbeat: the new lease of `task`, if the stored task is still at `version` and
   * held by `task.assigneeId`; false when it is not (the lease is lost).
   */
  abstract extendLease(task: TaskState, version: number): Promise<boolean>;
  /**
   * Open, unassigned, pending tasks the actor may claim and the filter admits: urgent first, then
   * oldest first; at most `limit`.
   */
  abstract findClaimable(actor: Actor, filter: ClaimFilter, limit: number): Promise<Task[]>;
  /** The first `limit` claimable tasks whoever may claim them, for the shared claim poll. */
  abstract claimableNow(limit: number): Promise<TaskState[]>;
  /** Tasks whose stored lease ran out by `now`, oldest expiry first; at most `limit`. */
  abstract findLeasesExpiredBy(now: Date, limit: number): Promise<Task[]>;
  /** The stored version of each of these tasks that exists. */
  abstract versionsOf(ids: readonly string[]): Promise<Map<string, number>>;
}
