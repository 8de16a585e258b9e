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
import {
  AccountUnavailable,
  AlreadyClaimed,
  InvalidTransition,
  LeaseLost,
  TaskActionForbidden,
  TaskNotFound,
  TaskPreconditionFailed,
} from '../domain/task-errors';
import type { TaskChanged, TaskState } from '../domain/task-events';
import { taskStateToRecord } from '../domain/task-state-record';
import { NewTask, SYSTEM_ACTOR, Task, TaskEdits } from '../domain/task.entity';
import { TaskChangeObserver } from '../ports/task-change-observer';
import {
  ClaimFilter,
  DEFAULT_TASK_SORT,
  TaskFilter,
  TaskRepository,
  TaskSort,
} from '../ports/task.repository';
import { positionKey, sortValue } from '../domain/task-order';
import { ClaimSignal } from './claim-signal';
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

/** Candidates per query, and queries per attempt, of `POST /tasks/claim`. */
const CLAIM_BATCH = 5;
const CLAIM_ROUNDS = 10;

const isLostClaim = (error: unknown): boolean =>
  error instanceof ConcurrencyConflict ||
  error instanceof AlreadyClaimed ||
  error instanceof InvalidTransition ||
  error instanceof TaskActionForbidden;

/** A task this waiting claim could take: the same rule a claim applies, plus its filter. */
function wanted(task: Task, actor: Actor, filter: ClaimFilter): boolean {
  const state = task.snapshot();
  return (
    task.allowedActions(actor, state.updatedAt).includes('claim') &&
    (filter.openTo === undefined || state.openTo === filter.openTo) &&
    (filter.priorities === undefined || filter.priorities.includes(state.priority))
  );
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
    private readonly claimSignal: ClaimSignal,
  ) {}

  async create(context: CommandContext, input: Omit<NewTask, 'id'>): Promise<Task> {
    if (input.reviewerId) await this.assertReviewer(input.reviewerId);
    const task = Task.create({ ...input, id: newId('t') }, context.actor, this.clock.now());
    await this.persist(task, null, context);
    return task.showTo(context.actor, this.clock.now());
  }

  async get(actor: Actor, id: string): Promise<Task> {
    return (await this.load(actor, id)).task.showTo(actor, this.clock.now());
  }

  /**
   * A page of visible tasks. The next cursor is the position of the last task the store
   * returned, in stored values (what the store sorts by), before leases are applied on read.
   */
  async list(
    actor: Actor,
    filter: TaskFilter,
    page: PageRequest,
    sort: TaskSort = DEFAULT_TASK_SORT,
  ): Promise<Page<Task>> {
    const now = this.clock.now();
    const result = await this.tasks.listForActor(actor, filter, page, sort);
    const last = result.items[result.items.length - 1];
    const nextCursor =
      result.nextCursor === null || last === undefined
        ? null
        : sort.key === 'created_at'
          ? last.id
          : positionKey({ value: sortValue(last.snapshot(), sort.key), id: last.id });
    for (const task of result.items) task.expireLease(now);
    const items = result.items.filter((task) => task.isVisibleTo(actor));
    return { items: items.map((task) => task.showTo(actor, now)), nextCursor };
  }

  /** Whom the clock says it is now: `allowed_actions` are computed for this instant. */
  now(): Date {
    return this.clock.now();
  }

  async claim(context: CommandContext, id: string, leaseSeconds: number | null): Promise<Task> {
    try {
      return await this.change(context, id, (task, now) =>
        task.claim(context.actor, now, leaseSeconds),
      );
    } catch (error) {
      if (!(error instanceof ConcurrencyConflict || error instanceof TaskNotFound)) throw error;
      // Lost to another claim, now or earlier: an open task this caller could have claimed
      // answers already-claimed, though it is no longer visible to them.
      const current = await this.tasks.findById(id);
      const now = this.clock.now();
      current?.expireLease(now);
      if (!current || current.isDeleted) throw error;
      if (current.isVisibleTo(context.actor)) {
        throw new AlreadyClaimed(id, current.allowedActions(context.actor, now));
      }
      if (current.wasOpenTo(context.actor)) throw new AlreadyClaimed(id, []);
      throw error instanceof TaskNotFound ? error : new TaskNotFound(id);
    }
  }

  release(context: CommandContext, id: string, comment: string | null): Promise<Task> {
    return this.change(context, id, (task, now) => task.release(context.actor, now, comment));
  }

  /**
   * Claims the first task in the caller's queue (urgent first, then oldest), waiting up to
   * `waitSeconds` for one to arrive; null when none did. Concurrent callers race through the
   * claim's unique key: a loser moves on to the next candidate. A caller that goes away
   * (`gone` aborts) stops waiting and claims nothing more: a task claimed for nobody would sit
   * leased until its lease ran out.
   */
  async claimNext(
    context: CommandContext,
    filter: ClaimFilter,
    leaseSeconds: number | null,
    waitSeconds: number,
    gone?: AbortSignal,
  ): Promise<Task | null> {
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      if (gone?.aborted) return null;
      // Subscribe before looking, so a task arriving in between still wakes this call.
      const wait =
        waitSeconds > 0
          ? this.claimSignal.wait((state) => wanted(Task.restore(state), context.actor, filter))
          : null;
      const stopWaiting = () => wait?.cancel();
      gone?.addEventListener('abort', stopWaiting);
      try {
        const task = await this.claimFirst(context, filter, leaseSeconds);
        const remaining = deadline - Date.now();
        if (task !== null || wait === null || remaining <= 0) return task;
        await wait.arrival(remaining);
        if (gone?.aborted) return null;
        if (Date.now() >= deadline) return this.claimFirst(context, filter, leaseSeconds);
      } finally {
        gone?.removeEventListener('abort', stopWaiting);
        wait?.cancel();
      }
    }
  }

  /**
   * Applies the run-out lease of one stored task as `lease_expired`; false when another
   * instance (or a write by someone) got there first, which the unique audit key decides.
   */
  async expireLease(task: Task): Promise<boolean> {
    const storedVersion = task.version;
    if (!task.expireLease(this.clock.now())) return false;
    try {
      await this.persist(task, storedVersion, { actor: SYSTEM_ACTOR, requestId: null });
      return true;
    } catch (error) {
      if (error instanceof ConcurrencyConflict) return false;
      throw error;
    }
  }

  private async claimFirst(
    context: CommandContext,
    filter: ClaimFilter,
    leaseSeconds: number | null,
  ): Promise<Task | null> {
    for (let round = 0; round < CLAIM_ROUNDS; round++) {
      const candidates = await this.tasks.findClaimable(context.actor, filter, CLAIM_BATCH);
      for (const task of candidates) {
        const loadedVersion = task.version;
        const now = this.clock.now();
        try {
          task.claim(context.actor, now, leaseSeconds);
          await this.persist(task, loadedVersion, context);
          return task.showTo(context.actor, now);
        } catch (error) {
          // Someone else took it since the query: try the next one.
          if (!isLostClaim(error)) throw error;
        }
      }
      if (candidates.length < CLAIM_BATCH) return null;
    }
    return null;
  }

  /** Extends the caller's lease: no audit entry, no new version (DESIGN §8). */
  async heartbeat(context: CommandContext, id: string, leaseSeconds: number | null): Promise<Task> {
    const { task, storedVersion } = await this.load(context.actor, id);
    if (context.expectedVersion !== undefined && context.expectedVersion !== task.version) {
      throw new TaskPreconditionFailed(id, task.version);
    }
    const now = this.clock.now();
    task.heartbeat(context.actor, now, leaseSeconds);
    if (!(await this.tasks.extendLease(task.snapshot(), storedVersion))) {
      throw new LeaseLost(id, 'it changed meanwhile', []);
    }
    return task.showTo(context.actor, now);
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

  /**
   * A visible task as it is now: a lease that has run out shows as expired (pending, no
   * assignee) before the sweeper stores that, so the former holder's writes are refused.
   */
  private async load(actor: Actor, id: string): Promise<{ task: Task; storedVersion: number }> {
    const task = await this.tasks.findVisibleTo(actor, id);
    if (!task) throw new TaskNotFound(id);
    const storedVersion = task.version;
    task.expireLease(this.clock.now());
    if (!task.isVisibleTo(actor)) throw new TaskNotFound(id);
    return { task, storedVersion };
  }

  private async change(
    context: CommandContext,
    id: string,
    act: (task: Task, now: Date) => void | boolean | Promise<void>,
  ): Promise<Task> {
    const { task, storedVersion: loadedVersion } = await this.load(context.actor, id);
    if (context.expectedVersion !== undefined && context.expectedVersion !== task.version) {
      throw new TaskPreconditionFailed(id, task.version);
    }
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
    return task.showTo(context.actor, this.clock.now());
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
    if (task.isClaimable) this.claimSignal.notify(state);
  }
}
