import { TASK_STATUSES, type TaskStatus } from './task-status';

/** The workflow of DESIGN §3, each an endpoint. */
export const WORKFLOW_ACTIONS = [
  'assign',
  'start',
  'submit',
  'approve',
  'reject',
  'close',
  'cancel',
  'reactivate',
  'update',
  'delete',
] as const;

/** What agents do (DESIGN §8), each an endpoint too. */
export const AGENT_ACTIONS = ['claim', 'release', 'heartbeat'] as const;

/** Every action a caller can take, by its endpoint name: what `allowed_actions` lists. */
export const TASK_ACTIONS = [...WORKFLOW_ACTIONS, ...AGENT_ACTIONS] as const;
export type TaskAction = (typeof TASK_ACTIONS)[number];

/** An action only the system takes: no endpoint, never in `allowed_actions`. */
export type SystemAction = 'lease_expired';
export type RuledAction = TaskAction | SystemAction;

/**
 * How an actor relates to a task; an actor can hold several relations at once. `claimant`: the
 * task is open, unassigned and `open_to` admits the actor. `system`: the application itself.
 */
export type Relation = 'creator' | 'assignee' | 'reviewer' | 'admin' | 'claimant' | 'system';

export interface TransitionRule {
  readonly from: readonly TaskStatus[];
  /** Who may act; anyone else gets `forbidden`. */
  readonly who: readonly Relation[];
  /** Agents may not take this action even when they hold a relation that would allow it. */
  readonly humansOnly?: boolean;
  /** The assignee may never take this action, whatever else they are. */
  readonly notByAssignee?: boolean;
  /** Only while the task holds a lease that has not run out (else `lease-lost`). */
  readonly liveLease?: boolean;
  /** Only once the task's lease has run out. */
  readonly expiredLease?: boolean;
  /** Changes no status and writes no audit entry (a heartbeat). */
  readonly unaudited?: boolean;
}

const ALL: readonly TaskStatus[] = TASK_STATUSES;
const HELD: readonly TaskStatus[] = ['assigned', 'in_progress'];

/** The state machine of DESIGN §3 and §8: the one table every verb goes through. */
export const TRANSITIONS: Readonly<Record<RuledAction, TransitionRule>> = {
  assign: { from: ['pending', 'assigned', 'rejected'], who: ['creator', 'reviewer', 'admin'] },
  start: { from: ['assigned', 'rejected'], who: ['assignee'] },
  submit: { from: ['in_progress'], who: ['assignee'] },
  approve: {
    from: ['submitted'],
    who: ['reviewer', 'admin'],
    humansOnly: true,
    notByAssignee: true,
  },
  reject: {
    from: ['submitted'],
    who: ['reviewer', 'admin'],
    humansOnly: true,
    notByAssignee: true,
  },
  close: { from: ['approved'], who: ['creator', 'reviewer', 'admin'] },
  cancel: {
    from: ['pending', 'assigned', 'in_progress', 'submitted', 'rejected', 'approved'],
    who: ['creator', 'admin'],
  },
  reactivate: { from: ['cancelled'], who: ['creator', 'admin'] },
  update: {
    from: ALL.filter((s) => s !== 'closed' && s !== 'cancelled'),
    who: ['creator', 'admin'],
  },
  delete: { from: ALL, who: ['creator', 'admin'] },
  claim: { from: ['pending'], who: ['claimant'] },
  release: { from: HELD, who: ['assignee', 'creator', 'admin'] },
  heartbeat: { from: HELD, who: ['assignee'], liveLease: true, unaudited: true },
  lease_expired: { from: HELD, who: ['system'], expiredLease: true },
};
