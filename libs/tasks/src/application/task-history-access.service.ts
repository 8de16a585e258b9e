import { Injectable } from '@nestjs/common';
import { TaskHistoryAccess } from '@taskflow/audit';
import { Actor } from '@taskflow/platform';
import { TaskNotFound } from '../domain/task-errors';
import { TaskRepository } from '../ports/task.repository';

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
}
