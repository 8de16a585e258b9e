import type { Actor, Page, PageRequest } from '@taskflow/platform/domain';
import type { Task } from '../domain/task.entity';
import type { TaskState } from '../domain/task-events';
import type { TaskStatus } from '../domain/task-status';

export interface TaskFilter {
  readonly status?: TaskStatus;
  readonly assigneeId?: string;
  readonly creatorId?: string;
}

export abstract class TaskRepository {
  abstract insert(task: TaskState): Promise<void>;
  /** Fails with ConcurrencyConflict unless the stored task is still at `expectedVersion`. */
  abstract save(task: TaskState, expectedVersion: number): Promise<void>;
  /** Any task, deleted or not; for history access checks. */
  abstract findById(id: string): Promise<Task | null>;
  /** A task the actor may see (not deleted; creator, assignee, reviewer or admin), else null. */
  abstract findVisibleTo(actor: Actor, id: string): Promise<Task | null>;
  /** Visible tasks matching the filter, oldest first; the cursor is the last task id seen. */
  abstract listForActor(actor: Actor, filter: TaskFilter, page: PageRequest): Promise<Page<Task>>;
}
