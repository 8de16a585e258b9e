import { Injectable } from '@nestjs/common';
import {
  Actor,
  ConcurrencyConflict,
  indexAfter,
  MemoryUnitOfWork,
  Page,
  PageRequest,
} from '@taskflow/platform';
import { Task } from '../../domain/task.entity';
import { TaskState } from '../../domain/task-events';
import { TaskFilter, TaskRepository } from '../../ports/task.repository';

const matches = (task: TaskState, filter: TaskFilter): boolean =>
  (filter.status === undefined || task.status === filter.status) &&
  (filter.assigneeId === undefined || task.assigneeId === filter.assigneeId) &&
  (filter.creatorId === undefined || task.creatorId === filter.creatorId);

/** Tasks in a Map plus the ids in creation order (ids are ULIDs, so appends keep it sorted). */
@Injectable()
export class MemoryTaskRepository extends TaskRepository {
  private readonly tasks = new Map<string, TaskState>();
  private readonly order: string[] = [];

  constructor(private readonly unitOfWork: MemoryUnitOfWork) {
    super();
  }

  async insert(task: TaskState): Promise<void> {
    this.unitOfWork.write({
      check: () => {
        if (this.tasks.has(task.id)) throw new ConcurrencyConflict('Task', task.id);
      },
      apply: () => {
        this.tasks.set(task.id, task);
        this.order.push(task.id);
      },
    });
  }

  async save(task: TaskState, expectedVersion: number): Promise<void> {
    this.unitOfWork.write({
      check: () => {
        const stored = this.tasks.get(task.id)?.version;
        if (stored === undefined || (stored !== expectedVersion && stored < task.version)) {
          throw new ConcurrencyConflict('Task', task.id);
        }
      },
      apply: () => {
        if (this.tasks.get(task.id)?.version === expectedVersion) this.tasks.set(task.id, task);
      },
    });
  }

  async findById(id: string): Promise<Task | null> {
    const state = this.tasks.get(id);
    return state ? Task.restore(state) : null;
  }

  async findVisibleTo(actor: Actor, id: string): Promise<Task | null> {
    const task = await this.findById(id);
    return task?.isVisibleTo(actor) ? task : null;
  }

  async listForActor(actor: Actor, filter: TaskFilter, page: PageRequest): Promise<Page<Task>> {
    const items: Task[] = [];
    let index = page.after === null ? 0 : indexAfter(this.order, (id) => id, page.after);
    for (; index < this.order.length && items.length <= page.limit; index++) {
      const state = this.tasks.get(this.order[index]) as TaskState;
      if (!matches(state, filter)) continue;
      const task = Task.restore(state);
      if (task.isVisibleTo(actor)) items.push(task);
    }
    const more = items.length > page.limit;
    const pageItems = items.slice(0, page.limit);
    return { items: pageItems, nextCursor: more ? pageItems[pageItems.length - 1].id : null };
  }

  async versionsOf(ids: readonly string[]): Promise<Map<string, number>> {
    const versions = new Map<string, number>();
    for (const id of ids) {
      const state = this.tasks.get(id);
      if (state) versions.set(id, state.version);
    }
    return versions;
  }
}
