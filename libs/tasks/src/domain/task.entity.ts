import { Actor, isAdmin } from '@taskflow/platform/domain';
import { InvalidTransition, ReasonRequired, TaskActionForbidden } from './task-errors';
import type { FieldChanges, TaskChanged, TaskEventAction, TaskState } from './task-events';
import { Relation, TASK_ACTIONS, TaskAction, TRANSITIONS } from './task-rules';
import type { TaskPriority, TaskStatus } from './task-status';

export interface NewTask {
  readonly id: string;
  readonly title: string;
  readonly description?: string;
  readonly priority?: TaskPriority;
  readonly dueAt?: Date | null;
  readonly reviewerId?: string | null;
}

export interface TaskEdits {
  readonly title?: string;
  readonly description?: string;
  readonly priority?: TaskPriority;
  readonly dueAt?: Date | null;
  readonly reviewerId?: string | null;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const RELATION_NAMES: Record<Relation, string> = {
  creator: 'the creator',
  assignee: 'the assignee',
  reviewer: 'the reviewer',
  admin: 'an admin',
};

const describeRelations = (relations: readonly Relation[]): string => {
  const names = relations.map((relation) => RELATION_NAMES[relation]);
  return names.length > 1
    ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`
    : names[0];
};

/**
 * Who sees a task besides admins: its creator, assignee and reviewer (the creator by default),
 * until it is deleted. Adapters index these ids so that a query can scope by them.
 */
export function taskViewers(
  task: Pick<TaskState, 'creatorId' | 'assigneeId' | 'reviewerId'>,
): string[] {
  return [
    ...new Set([task.creatorId, task.assigneeId, task.reviewerId].filter((id) => id !== null)),
  ];
}

const sameValue = (a: unknown, b: unknown): boolean =>
  a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b;

/**
 * The task aggregate. Every change goes through a verb, the transition table and one private
 * `apply`, which bumps the version and records exactly one event.
 */
export class Task {
  private readonly events: TaskChanged[] = [];

  private constructor(private state: Mutable<TaskState>) {}

  static create(input: NewTask, actor: Actor, now: Date): Task {
    const task = new Task({
      id: input.id,
      title: input.title,
      description: input.description ?? '',
      status: 'pending',
      priority: input.priority ?? 'normal',
      dueAt: input.dueAt ?? null,
      creatorId: actor.id,
      assigneeId: null,
      reviewerId: input.reviewerId ?? null,
      version: 0,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    });
    task.apply('create', actor, now, {}, { comment: null });
    return task;
  }

  /** Rebuilds a task from stored state; the caller has parsed status and priority. */
  static restore(state: TaskState): Task {
    return new Task({ ...state });
  }

  get id(): string {
    return this.state.id;
  }
  get status(): TaskStatus {
    return this.state.status;
  }
  get version(): number {
    return this.state.version;
  }
  get isDeleted(): boolean {
    return this.state.deletedAt !== null;
  }
  get assigneeId(): string | null {
    return this.state.assigneeId;
  }
  get reviewerId(): string | null {
    return this.state.reviewerId;
  }

  snapshot(): TaskState {
    return { ...this.state };
  }

  /** Creator, assignee, reviewer and admins see a task, until it is deleted. */
  isVisibleTo(actor: Actor): boolean {
    return !this.isDeleted && (isAdmin(actor) || taskViewers(this.state).includes(actor.id));
  }

  /** The audit log and records outlive deletion, for admins. */
  isHistoryVisibleTo(actor: Actor): boolean {
    return this.isVisibleTo(actor) || (this.isDeleted && isAdmin(actor));
  }

  /** The actions the state machine allows from the current status. */
  allowedActions(): TaskAction[] {
    if (this.isDeleted) return [];
    return TASK_ACTIONS.filter((action) => TRANSITIONS[action].from.includes(this.state.status));
  }

  assign(actor: Actor, assigneeId: string, now: Date, comment: string | null = null): void {
    this.authorize('assign', actor);
    this.apply('assign', actor, now, { status: 'assigned', assigneeId }, { comment });
  }

  start(actor: Actor, now: Date, comment: string | null = null): void {
    this.authorize('start', actor);
    this.apply('start', actor, now, { status: 'in_progress' }, { comment });
  }

  submit(actor: Actor, now: Date, comment: string | null = null): void {
    this.authorize('submit', actor);
    this.apply('submit', actor, now, { status: 'submitted' }, { comment });
  }

  approve(actor: Actor, now: Date, comment: string | null = null): void {
    this.authorize('approve', actor);
    this.apply('approve', actor, now, { status: 'approved' }, { comment });
  }

  reject(actor: Actor, reason: string, now: Date, comment: string | null = null): void {
    this.authorize('reject', actor);
    if (reason.trim() === '') throw new ReasonRequired();
    this.apply('reject', actor, now, { status: 'rejected' }, { comment, reason });
  }

  close(actor: Actor, now: Date, comment: string | null = null): void {
    this.authorize('close', actor);
    this.apply('close', actor, now, { status: 'closed' }, { comment });
  }

  cancel(actor: Actor, now: Date, comment: string | null = null): void {
    this.authorize('cancel', actor);
    this.apply('cancel', actor, now, { status: 'cancelled' }, { comment });
  }

  reactivate(actor: Actor, now: Date, comment: string | null = null): void {
    this.authorize('reactivate', actor);
    const status = this.state.assigneeId ? 'assigned' : 'pending';
    this.apply('reactivate', actor, now, { status }, { comment });
  }

  /** Changes the editable fields; an edit that changes nothing records nothing. */
  update(actor: Actor, edits: TaskEdits, now: Date): boolean {
    this.authorize('update', actor);
    const patch: Partial<Mutable<TaskState>> = {};
    for (const [key, value] of Object.entries(edits) as [keyof TaskEdits, unknown][]) {
      if (value !== undefined && !sameValue(this.state[key], value)) {
        (patch as Record<string, unknown>)[key] = value;
      }
    }
    if (Object.keys(patch).length === 0) return false;
    this.apply('update', actor, now, patch, { comment: null });
    return true;
  }

  markDeleted(actor: Actor, now: Date): void {
    this.authorize('delete', actor);
    this.apply('delete', actor, now, { deletedAt: now }, { comment: null });
  }

  /** Events recorded since the task was loaded or last pulled. */
  pullEvents(): TaskChanged[] {
    return this.events.splice(0, this.events.length);
  }

  private relationsOf(actor: Actor): Relation[] {
    const relations: Relation[] = [];
    if (actor.id === this.state.creatorId) relations.push('creator');
    if (actor.id === this.state.assigneeId) relations.push('assignee');
    if (actor.id === (this.state.reviewerId ?? this.state.creatorId)) relations.push('reviewer');
    if (isAdmin(actor)) relations.push('admin');
    return relations;
  }

  /** Status first (409 names what is allowed), then the actor's right (403). */
  private authorize(action: TaskAction, actor: Actor): void {
    const rule = TRANSITIONS[action];
    // A deleted task takes no further action, a second delete included (allowedActions is []).
    if (this.isDeleted || !rule.from.includes(this.state.status)) {
      throw new InvalidTransition(action, this.state.status, this.allowedActions());
    }
    const relations = this.relationsOf(actor);
    if (!rule.who.some((relation) => relations.includes(relation))) {
      throw new TaskActionForbidden(action, `only ${describeRelations(rule.who)} may`);
    }
    if (rule.humansOnly && actor.role === 'agent') {
      throw new TaskActionForbidden(action, 'agents may not');
    }
    if (rule.notByAssignee && relations.includes('assignee')) {
      throw new TaskActionForbidden(action, 'the assignee may not review their own work');
    }
  }

  private apply(
    action: TaskEventAction,
    actor: Actor,
    now: Date,
    patch: Partial<Mutable<TaskState>>,
    extra: { comment: string | null; reason?: string },
  ): void {
    const before = this.state;
    const changes: Mutable<FieldChanges> = {};
    for (const [key, to] of Object.entries(patch)) {
      const from = before[key as keyof TaskState];
      if (!sameValue(from, to)) changes[key] = { from, to };
    }
    this.state = { ...before, ...patch, version: before.version + 1, updatedAt: now };
    this.events.push({
      action,
      taskId: this.state.id,
      actorId: actor.id,
      fromStatus: action === 'create' ? null : before.status,
      toStatus: this.state.status,
      changes,
      version: this.state.version,
      comment: extra.comment,
      reason: extra.reason ?? null,
      at: now,
      state: this.snapshot(),
    });
  }
}
