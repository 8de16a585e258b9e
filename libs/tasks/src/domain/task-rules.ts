import { TASK_STATUSES, type TaskStatus } from './task-status';

export const TASK_ACTIONS = [
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
export type TaskAction = (typeof TASK_ACTIONS)[number];

/** How an actor relates to a task; an actor can hold several relations at once. */
export type Relation = 'creator' | 'assignee' | 'reviewer' | 'admin';

export interface TransitionRule {
  readonly from: readonly TaskStatus[];
  /** Who may act; anyone else gets `forbidden`. */
  readonly who: readonly Relation[];
  /** Agents may not take this action even when they hold a relation that would allow it. */
  readonly humansOnly?: boolean;
  /** The assignee may never take this action, whatever else they are. */
  readonly notByAssignee?: boolean;
}

const ALL: readonly TaskStatus[] = TASK_STATUSES;

/** The state machine of DESIGN §3: the one table every verb goes through. */
export const TRANSITIONS: Readonly<Record<TaskAction, TransitionRule>> = {
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
};
