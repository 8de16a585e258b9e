import { Actor, isAdmin } from '@taskflow/platform/domain';
import { DomainError } from '@taskflow/platform/domain';
import {
  AlreadyClaimed,
  InvalidTransition,
  LeaseLost,
  ReasonRequired,
  TaskActionForbidden,
} from './task-errors';
import type { FieldChanges, TaskChanged, TaskEventAction, TaskState } from './task-events';
import type { OpenTo } from './task-status';
import {
  Relation,
  RuledAction,
  TASK_ACTIONS,
  TaskAction,
  TransitionRule,
  TRANSITIONS,
} from './task-rules';
import type { TaskPriority, TaskStatus } from './task-status';

export interface NewTask {
  readonly id: string;
  readonly title: string;
  readonly description?: string;
  readonly priority?: TaskPriority;
  readonly dueAt?: Date | null;
  readonly reviewerId?: string | null;
  readonly open?: boolean;
  readonly openTo?: OpenTo;
}

export interface TaskEdits {
  readonly title?: string;
  readonly description?: string;
  readonly priority?: TaskPriority;
  readonly dueAt?: Date | null;
  readonly reviewerId?: string | null;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The application itself, the one actor of `lease_expired`; no account can be it. */
export const SYSTEM_ACTOR: Actor = Object.freeze({
  id: 'system',
  role: 'admin' as const,
  via: 'system',
});

export const LEASE_SECONDS = { min: 30, max: 86_400 } as const;

const RELATION_NAMES: Record<Relation, string> = {
  creator: 'the creator',
  assignee: 'the assignee',
  reviewer: 'the reviewer',
  admin: 'an admin',
  claimant: 'an account the open task admits',
  system: 'the system',
};

const HELD_STATUSES: readonly TaskStatus[] = ['assigned', 'in_progress'];

/** Does `open_to` admit this actor (admins always)? */
export const admits = (openTo: OpenTo, actor: Actor): boolean =>
  isAdmin(actor) || openTo === 'any' || openTo === actor.role;

/** Why a rule refuses an actor: the error `authorize` throws, built once the caller is known. */
type Refusal =
  | { readonly kind: 'status' }
  | { readonly kind: 'claimed' }
  | { readonly kind: 'lease'; readonly why: string }
  | { readonly kind: 'forbidden'; readonly why: string };

const describeRelations = (relations: readonly Relation[]): string => {
  const names = relations.map((relation) => RELATION_NAMES[relation]);
  return names.length > 1
    ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`
    : names[0];
};

/** "only the assignee or an admin may", per rule: allowedActions asks every rule on every read. */
const onlyWho = new WeakMap<readonly Relation[], string>();
const whoMay = (relations: readonly Relation[]): string => {
  let why = onlyWho.get(relations);
  if (why === undefined) onlyWho.set(relations, (why = `only ${describeRelations(relations)} may`));
  return why;
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

/** What a release and a lease expiry do: back to the queue. */
const RETURNED = {
  status: 'pending',
  assigneeId: null,
  leaseExpiresAt: null,
  leaseSeconds: null,
} as const;

function lease(
  now: Date,
  seconds: number | null,
): Pick<TaskState, 'leaseExpiresAt' | 'leaseSeconds'> {
  return seconds === null
    ? { leaseExpiresAt: null, leaseSeconds: null }
    : { leaseExpiresAt: new Date(now.getTime() + seconds * 1000), leaseSeconds: seconds };
}

const sameValue = (a: unknown, b: unknown): boolean =>
  a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b;

/**
 * The task aggregate. Every change goes through a verb, the transition table and one private
 * `apply`, which bumps the version and records exactly one event.
 */
export class Task {
  private readonly events: TaskChanged[] = [];
  /** What the caller this task is answered to may do, fixed by `showTo`. */
  private shownActions: TaskAction[] = [];

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
      open: input.open ?? false,
      openTo: input.openTo ?? 'any',
      leaseExpiresAt: null,
      leaseSeconds: null,
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

  /** An open task whose `open_to` admits the actor, whoever holds it now. */
  wasOpenTo(actor: Actor): boolean {
    return !this.isDeleted && this.state.open && admits(this.state.openTo, actor);
  }

  /** Open, unassigned and pending: in the claim queue of whomever `open_to` admits. */
  get isClaimable(): boolean {
    const s = this.state;
    return !this.isDeleted && s.open && s.assigneeId === null && s.status === 'pending';
  }

  get leaseExpiresAt(): Date | null {
    return this.state.leaseExpiresAt;
  }

  /**
   * Creator, assignee, reviewer and admins see a task, until it is deleted; an open task without
   * an assignee also every account its `open_to` admits.
   */
  isVisibleTo(actor: Actor): boolean {
    if (this.isDeleted) return false;
    if (isAdmin(actor) || taskViewers(this.state).includes(actor.id)) return true;
    return this.state.open && this.state.assigneeId === null && admits(this.state.openTo, actor);
  }

  /** The audit log and records outlive deletion, for admins. */
  isHistoryVisibleTo(actor: Actor): boolean {
    return this.isVisibleTo(actor) || (this.isDeleted && isAdmin(actor));
  }

  /**
   * What this actor may do now: every action the rules that decide a request would let through,
   * so a listed action never answers 403 or 409 (DESIGN §8).
   */
  allowedActions(actor: Actor, now: Date): TaskAction[] {
    const relations = this.relationsOf(actor);
    return TASK_ACTIONS.filter((action) => this.refusal(action, actor, now, relations) === null);
  }

  /** Fixes `actionsShown` for the caller the task is answered to, as of now. */
  showTo(actor: Actor, now: Date): this {
    this.shownActions = this.allowedActions(actor, now);
    return this;
  }

  /** The caller's allowed actions as `showTo` computed them (none before it ran). */
  get actionsShown(): readonly TaskAction[] {
    return this.shownActions;
  }

  /** Has the holder's lease run out (the task still shows them until `expireLease`)? */
  leaseRunOut(now: Date): boolean {
    return this.refusal('lease_expired', SYSTEM_ACTOR, now) === null;
  }

  /**
   * Applies a run-out lease as `lease_expired` by the system: pending, no assignee. Reads call
   * it too, so a task shows unassigned from the instant its lease ends, before anyone stores it.
   * The change is dated at the expiry, so every reader derives the very same state.
   */
  expireLease(now: Date): boolean {
    if (!this.leaseRunOut(now)) return false;
    const at = this.state.leaseExpiresAt as Date;
    this.apply('lease_expired', SYSTEM_ACTOR, at, RETURNED, { comment: null });
    return true;
  }

  /** Takes an open, unassigned, pending task for the actor, leased when `leaseSeconds` is set. */
  claim(actor: Actor, now: Date, leaseSeconds: number | null = null): void {
    this.authorize('claim', actor, now);
    this.apply(
      'claim',
      actor,
      now,
      { status: 'assigned', assigneeId: actor.id, ...lease(now, leaseSeconds) },
      { comment: null },
    );
  }

  release(actor: Actor, now: Date, comment: string | null = null): void {
    this.authorize('release', actor, now);
    this.apply('release', actor, now, RETURNED, { comment });
  }

  /** Extends the holder's lease; no event and no new version (DESIGN §8). */
  heartbeat(actor: Actor, now: Date, leaseSeconds: number | null = null): void {
    this.authorize('heartbeat', actor, now);
    const length = leaseSeconds ?? this.state.leaseSeconds ?? LEASE_SECONDS.min;
    this.state = { ...this.state, ...lease(now, length) };
  }

  assign(actor: Actor, assigneeId: string, now: Date, comment: string | null = null): void {
    this.authorize('assign', actor, now);
    this.apply('assign', actor, now, { status: 'assigned', assigneeId }, { comment });
  }

  start(actor: Actor, now: Date, comment: string | null = null): void {
    this.authorize('start', actor, now);
    this.apply('start', actor, now, { status: 'in_progress' }, { comment });
  }

  submit(actor: Actor, now: Date, comment: string | null = null): void {
    this.authorize('submit', actor, now);
    this.apply('submit', actor, now, { status: 'submitted' }, { comment });
  }

  approve(actor: Actor, now: Date, comment: string | null = null): void {
    this.authorize('approve', actor, now);
    this.apply('approve', actor, now, { status: 'approved' }, { comment });
  }

  reject(actor: Actor, reason: string, now: Date, comment: string | null = null): void {
    this.authorize('reject', actor, now);
    if (reason.trim() === '') throw new ReasonRequired();
    this.apply('reject', actor, now, { status: 'rejected' }, { comment, reason });
  }

  close(actor: Actor, now: Date, comment: string | null = null): void {
    this.authorize('close', actor, now);
    this.apply('close', actor, now, { status: 'closed' }, { comment });
  }

  cancel(actor: Actor, now: Date, comment: string | null = null): void {
    this.authorize('cancel', actor, now);
    this.apply('cancel', actor, now, { status: 'cancelled' }, { comment });
  }

  reactivate(actor: Actor, now: Date, comment: string | null = null): void {
    this.authorize('reactivate', actor, now);
    const status = this.state.assigneeId ? 'assigned' : 'pending';
    this.apply('reactivate', actor, now, { status }, { comment });
  }

  /** Changes the editable fields; an edit that changes nothing records nothing. */
  update(actor: Actor, edits: TaskEdits, now: Date): boolean {
    this.authorize('update', actor, now);
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
    this.authorize('delete', actor, now);
    this.apply('delete', actor, now, { deletedAt: now }, { comment: null });
  }

  /** Events recorded since the task was loaded or last pulled. */
  pullEvents(): TaskChanged[] {
    return this.events.splice(0, this.events.length);
  }

  private relationsOf(actor: Actor): Relation[] {
    if (actor === SYSTEM_ACTOR) return ['system'];
    const relations: Relation[] = [];
    if (actor.id === this.state.creatorId) relations.push('creator');
    if (actor.id === this.state.assigneeId) relations.push('assignee');
    if (actor.id === (this.state.reviewerId ?? this.state.creatorId)) relations.push('reviewer');
    if (isAdmin(actor)) relations.push('admin');
    if (this.state.open && this.state.assigneeId === null && admits(this.state.openTo, actor)) {
      relations.push('claimant');
    }
    return relations;
  }

  private leaseLive(now: Date): boolean {
    const expires = this.state.leaseExpiresAt;
    return expires !== null && expires.getTime() > now.getTime();
  }

  /**
   * The one decision behind every request and `allowedActions`: null when the actor may take
   * the action now. Status first (409 names what is allowed), then the actor's right (403).
   */
  private refusal(
    action: RuledAction,
    actor: Actor,
    now: Date,
    relations: readonly Relation[] = this.relationsOf(actor),
  ): Refusal | null {
    const rule: TransitionRule = TRANSITIONS[action];
    // A heartbeat tells a worker only one thing: keep going, or stop.
    if (rule.liveLease) {
      if (this.isDeleted || !rule.from.includes(this.state.status)) {
        return { kind: 'lease', why: `it is ${this.isDeleted ? 'deleted' : this.state.status}` };
      }
      if (!relations.includes('assignee'))
        return { kind: 'lease', why: 'it is not assigned to you' };
      if (!this.leaseLive(now)) return { kind: 'lease', why: 'its lease has run out' };
      return null;
    }
    // A deleted task takes no further action, a second delete included.
    if (this.isDeleted || !rule.from.includes(this.state.status)) {
      return action === 'claim' && !this.isDeleted && this.state.assigneeId !== null
        ? { kind: 'claimed' }
        : { kind: 'status' };
    }
    if (rule.expiredLease) {
      const expires = this.state.leaseExpiresAt;
      if (this.state.assigneeId === null || expires === null || this.leaseLive(now)) {
        return { kind: 'status' };
      }
    }
    if (!rule.who.some((relation) => relations.includes(relation))) {
      return { kind: 'forbidden', why: whoMay(rule.who) };
    }
    if (rule.humansOnly && actor.role === 'agent')
      return { kind: 'forbidden', why: 'agents may not' };
    if (rule.notByAssignee && relations.includes('assignee')) {
      return { kind: 'forbidden', why: 'the assignee may not review their own work' };
    }
    return null;
  }

  private authorize(action: TaskAction, actor: Actor, now: Date): void {
    const refusal = this.refusal(action, actor, now);
    if (refusal === null) return;
    throw this.refusalError(action, refusal, this.allowedActions(actor, now));
  }

  private refusalError(action: TaskAction, refusal: Refusal, allowed: TaskAction[]): DomainError {
    switch (refusal.kind) {
      case 'status':
        return new InvalidTransition(action, this.state.status, allowed);
      case 'claimed':
        return new AlreadyClaimed(this.state.id, allowed);
      case 'lease':
        return new LeaseLost(this.state.id, refusal.why, allowed);
      case 'forbidden':
        return new TaskActionForbidden(action, refusal.why, allowed);
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
    let after: Mutable<TaskState> = {
      ...before,
      ...patch,
      version: before.version + 1,
      updatedAt: now,
    };
    // A lease is the claimant's hold on assigned or in_progress work: anything else ends it.
    const held = HELD_STATUSES.includes(after.status) && after.assigneeId !== null;
    if ((!held || action === 'assign') && after.leaseExpiresAt !== null) {
      after = { ...after, leaseExpiresAt: null, leaseSeconds: null };
      changes.leaseExpiresAt = { from: before.leaseExpiresAt, to: null };
    }
    this.state = after;
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
