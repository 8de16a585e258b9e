import { Injectable } from '@nestjs/common';
import {
  AuditEntry,
  auditEntryId,
  AuditLogRepository,
  CollaborationRecord,
  CollaborationRecordRepository,
} from '@taskflow/audit';
import { AccountLookup } from '@taskflow/identity';
import {
  Actor,
  Clock,
  ConcurrencyConflict,
  newId,
  snakeCase,
  Page,
  PageRequest,
  UnitOfWork,
  viaOf,
} from '@taskflow/platform';
import { AccountUnavailable, TaskNotFound, TaskPreconditionFailed } from '../domain/task-errors';
import type { TaskChanged, TaskState } from '../domain/task-events';
import { taskStateToRecord } from '../domain/task-state-record';
import { NewTask, Task, TaskEdits } from '../domain/task.entity';
import { TaskChangeObserver } from '../ports/task-change-observer';
import { TaskFilter, TaskRepository } from '../ports/task.repository';
import { TaskRollForward } from './task-roll-forward.service';

/** Who is asking, for which request, and (from If-Match) which version they expect. */
export interface CommandContext {
  readonly actor: Actor;
  readonly requestId: string | null;
  readonly expectedVersion?: number;
}

const serialize = (value: unknown): unknown =>
  value instanceof Date ? value.toISOString() : value;

function toAuditEntry(
  event: TaskChanged,
  { actor, requestId }: Pick<CommandContext, 'actor' | 'requestId'>,
  records: readonly CollaborationRecord[],
): AuditEntry {
  // Field names as the API spells them (assignee_id), since clients read the log as JSON.
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const [field, change] of Object.entries(event.changes)) {
    changes[snakeCase(field)] = { from: serialize(change.from), to: serialize(change.to) };
  }
  return {
    id: auditEntryId(event.taskId, event.version),
    taskId: event.taskId,
    actorId: event.actorId,
    action: event.action,
    fromStatus: event.fromStatus,
    toStatus: event.toStatus,
    changes,
    version: event.version,
    requestId,
    via: viaOf(actor),
    at: event.at,
    state: taskStateToRecord(event.state),
    records,
  };
}

/** Submissions, rejections and comments become collaboration records. */
function toRecords(event: TaskChanged): CollaborationRecord[] {
  const record = (kind: CollaborationRecord['kind'], body: string | null): CollaborationRecord => ({
    id: newId('r'),
    taskId: event.taskId,
    actorId: event.actorId,
    kind,
    body,
    version: event.version,
    at: event.at,
  });
  if (event.action === 'submit') return [record('submission', event.comment)];
  const records: CollaborationRecord[] = [];
  if (event.action === 'reject') records.push(record('rejection', event.reason));
  if (event.comment !== null) records.push(record('comment', event.comment));
  return records;
}

/** The task use cases: load, ask the aggregate, persist task + audit + records as one unit. */
@Injectable()
export class TaskService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly auditLog: AuditLogRepository,
    private readonly records: CollaborationRecordRepository,
    private readonly accounts: AccountLookup,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    private readonly rollForward: TaskRollForward,
    private readonly observer: TaskChangeObserver,
  ) {}

  async create(context: CommandContext, input: Omit<NewTask, 'id'>): Promise<Task> {
    if (input.reviewerId) await this.assertReviewer(input.reviewerId);
    const task = Task.create({ ...input, id: newId('t') }, context.actor, this.clock.now());
    await this.persist(task, null, context);
    return task;
  }

  async get(actor: Actor, id: string): Promise<Task> {
    const task = await this.tasks.findVisibleTo(actor, id);
    if (!task) throw new TaskNotFound(id);
    return task;
  }

  list(actor: Actor, filter: TaskFilter, page: PageRequest): Promise<Page<Task>> {
    return this.tasks.listForActor(actor, filter, page);
  }

  async update(context: CommandContext, id: string, edits: TaskEdits): Promise<Task> {
    if (edits.reviewerId) await this.assertReviewer(edits.reviewerId);
    return this.change(context, id, (task, now) => task.update(context.actor, edits, now));
  }

  delete(context: CommandContext, id: string): Promise<Task> {
    return this.change(context, id, (task, now) => task.markDeleted(context.actor, now));
  }

  async assign(
    context: CommandContext,
    id: string,
    assigneeId: string,
    comment: string | null,
  ): Promise<Task> {
    return this.change(context, id, async (task, now) => {
      task.assign(context.actor, assigneeId, now, comment);
      if (!(await this.accounts.findActive(assigneeId))) {
        throw new AccountUnavailable('assignee_id', assigneeId, 'is not an active account');
      }
    });
  }

  start(context: CommandContext, id: string, comment: string | null): Promise<Task> {
    return this.change(context, id, (task, now) => task.start(context.actor, now, comment));
  }

  submit(context: CommandContext, id: string, comment: string | null): Promise<Task> {
    return this.change(context, id, (task, now) => task.submit(context.actor, now, comment));
  }

  approve(context: CommandContext, id: string, comment: string | null): Promise<Task> {
    return this.change(context, id, (task, now) => task.approve(context.actor, now, comment));
  }

  reject(
    context: CommandContext,
    id: string,
    reason: string,
    comment: string | null,
  ): Promise<Task> {
    return this.change(context, id, (task, now) =>
      task.reject(context.actor, reason, now, comment),
    );
  }

  close(context: CommandContext, id: string, comment: string | null): Promise<Task> {
    return this.change(context, id, (task, now) => task.close(context.actor, now, comment));
  }

  cancel(context: CommandContext, id: string, comment: string | null): Promise<Task> {
    return this.change(context, id, (task, now) => task.cancel(context.actor, now, comment));
  }

  reactivate(context: CommandContext, id: string, comment: string | null): Promise<Task> {
    return this.change(context, id, (task, now) => task.reactivate(context.actor, now, comment));
  }

  /** A reviewer must be an active account that is allowed to approve: not an agent. */
  private async assertReviewer(reviewerId: string): Promise<void> {
    const reviewer = await this.accounts.findActive(reviewerId);
    if (!reviewer)
      throw new AccountUnavailable('reviewer_id', reviewerId, 'is not an active account');
    if (reviewer.role === 'agent') {
      throw new AccountUnavailable(
        'reviewer_id',
        reviewerId,
        'is an agent, and agents may not review',
      );
    }
  }

  private async change(
    context: CommandContext,
    id: string,
    act: (task: Task, now: Date) => void | boolean | Promise<void>,
  ): Promise<Task> {
    const task = await this.get(context.actor, id);
    if (context.expectedVersion !== undefined && context.expectedVersion !== task.version) {
      throw new TaskPreconditionFailed(id, task.version);
    }
    const loadedVersion = task.version;
    await act(task, this.clock.now());
    try {
      await this.persist(task, loadedVersion, context);
    } catch (error) {
      if (!(error instanceof ConcurrencyConflict)) throw error;
      // The claim was lost: another change owns the next version, so this one is a conflict
      // (DESIGN §2). If that change never reached the task (a crash between its claim and its
      // task write), bring the task up to its log now, so the client's retry starts from there.
      await this.rollForward.rollForward(id, loadedVersion);
      if (context.expectedVersion !== undefined) throw new TaskPreconditionFailed(id);
      throw error;
    }
    return task;
  }

  /** Write order matters without transactions: claim (audit entry), records, then the task. */
  private async persist(
    task: Task,
    loadedVersion: number | null,
    context: CommandContext,
  ): Promise<void> {
    const events = task.pullEvents();
    if (events.length === 0) return;
    const state: TaskState = task.snapshot();
    await this.unitOfWork.run(async () => {
      for (const event of events) {
        const records = toRecords(event);
        await this.auditLog.append(toAuditEntry(event, context, records));
        for (const record of records) await this.records.add(record);
      }
      if (loadedVersion === null) await this.tasks.insert(state);
      else await this.tasks.save(state, loadedVersion);
    });
    this.observer.committed(events);
  }
}
