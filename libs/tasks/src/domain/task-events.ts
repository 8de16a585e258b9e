import { WORKFLOW_ACTIONS, type RuledAction } from './task-rules';
import type { OpenTo } from './task-status';
import type { TaskPriority, TaskStatus } from './task-status';

export type TaskEventAction = RuledAction | 'create';

/**
 * The actions that leave an audit entry, so an event in the one log (DESIGN §9): every change of
 * a task. A heartbeat only renews a lease and leaves none.
 */
export const LOGGED_ACTIONS = [
  'create',
  ...WORKFLOW_ACTIONS,
  'claim',
  'release',
  'lease_expired',
] as const satisfies readonly TaskEventAction[];

/** The state of a task as it is stored; audit entries carry it so a change can be replayed. */
export interface TaskState {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly status: TaskStatus;
  readonly priority: TaskPriority;
  readonly dueAt: Date | null;
  readonly creatorId: string;
  readonly assigneeId: string | null;
  readonly reviewerId: string | null;
  /** Claimable by the accounts `openTo` admits while it has no assignee (DESIGN §8). */
  readonly open: boolean;
  readonly openTo: OpenTo;
  /** When the holder's lease runs out; null when the task is not leased. */
  readonly leaseExpiresAt: Date | null;
  /** The length of the lease, which a heartbeat without one renews by. */
  readonly leaseSeconds: number | null;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly deletedAt: Date | null;
}

export type FieldChanges = Readonly<
  Record<string, { readonly from: unknown; readonly to: unknown }>
>;

/** One change to a task: the application turns it into an audit entry and records. */
export interface TaskChanged {
  readonly action: TaskEventAction;
  readonly taskId: string;
  readonly actorId: string;
  readonly fromStatus: TaskStatus | null;
  readonly toStatus: TaskStatus;
  readonly changes: FieldChanges;
  /** The task version this change produced. */
  readonly version: number;
  readonly comment: string | null;
  /** The rejection reason, for `reject`. */
  readonly reason: string | null;
  readonly at: Date;
  readonly state: TaskState;
}
