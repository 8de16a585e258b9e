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
  readonly status?: TaskStatus;
  readonly assigneeId?: string;
  readonly creatorId?: string;
}

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
  /** A task the actor may see (not deleted; creator, assignee, reviewer or admin), else null. */
  abstract findVisibleTo(actor: Actor, id: string): Promise<Task | null>;
  /** Visible tasks matching the filter, oldest first; the cursor is the last task id seen. */
  abstract listForActor(actor: Actor, filter: TaskFilter, page: PageRequest): Promise<Page<Task>>;
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
