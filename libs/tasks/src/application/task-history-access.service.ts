import { Injectable } from '@nestjs/common';
import { LoggedState, TaskHistoryAccess } from '@taskflow/audit';
import { Actor } from '@taskflow/platform';
import { TaskNotFound } from '../domain/task-errors';
import { taskStateFromRecord } from '../domain/task-state-record';
import { Task } from '../domain/task.entity';
import { TaskRepository } from '../ports/task.repository';
import { taskFields } from './task-fields';

/** Audit logs and records: whoever sees the task, and admins even after it is deleted. */
@Injectable()
export class TaskHistoryAccessService extends TaskHistoryAccess {
  constructor(private readonly tasks: TaskRepository) {
    super();
  }

  async assertCanReadHistory(actor: Actor, taskId: string): Promise<void> {
    const task = await this.tasks.findById(taskId);
    if (!task?.isHistoryVisibleTo(actor)) throw new TaskNotFound(taskId);
  }

  async readableTasks(actor: Actor, entries: readonly LoggedState[]): Promise<Set<string>> {
    const newest = new Map<string, LoggedState>();
    for (const entry of entries) {
      if ((newest.get(entry.taskId)?.version ?? 0) < entry.version) newest.set(entry.taskId, entry);
    }
    const stored = new Map(
      (await this.tasks.findByIds([...newest.keys()])).map((task) => [task.id, task]),
    );
    const readable = new Set<string>();
    for (const [id, entry] of newest) {
      const task = stored.get(id);
      const current =
        task && task.version >= entry.version
          ? task
          : Task.restore(taskStateFromRecord(entry.state));
      if (current.isHistoryVisibleTo(actor)) readable.add(id);
    }
    return readable;
  }

  taskView(state: Readonly<Record<string, unknown>>): Record<string, unknown> {
    // The fields of TaskDto, as the task stood after the change.
    return taskFields(taskStateFromRecord(state));
  }
}
