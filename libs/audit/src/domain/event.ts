import { LOGGED_ACTIONS } from '@taskflow/tasks/domain';
import type { AuditEntry } from './audit-entry';

/** Past tenses the generic rule below would get wrong (doubled consonants, irregulars). */
const PAST_TENSE: Readonly<Record<string, string>> = {
  submit: 'submitted',
  cancel: 'cancelled',
};

/**
 * `task.` + the action in the past tense (DESIGN §9): `create` → `task.created`, `claim` →
 * `task.claimed`, `lease_expired` → `task.lease_expired`. Generic, so a new action needs no edit
 * unless its past tense is irregular.
 */
export function eventTypeOf(action: string): string {
  const past =
    PAST_TENSE[action] ??
    (action.endsWith('ed') ? action : action.endsWith('e') ? `${action}d` : `${action}ed`);
  return `task.${past}`;
}

/** The actions DESIGN §9 lists: those of a task that leave an audit entry. */
export const EVENT_ACTIONS: readonly string[] = LOGGED_ACTIONS;

/** The event types a consumer may ask for in `types`. */
export const EVENT_TYPES: readonly string[] = EVENT_ACTIONS.map(eventTypeOf);

/** The action an event type names (for filtering the log by `types`), or null if none. */
export function actionOfType(type: string): string | null {
  return EVENT_ACTIONS.find((action) => eventTypeOf(action) === type) ?? null;
}

/** An audit entry as stored, with its stamp in the one log (docs/EVENTS.md). */
export interface LoggedEntry extends AuditEntry {
  readonly seq: number;
}

/**
 * A place in the log: after every entry ordered before `(seq, id)`. `id` is empty for a bare
 * position (the log's start, or `after=now`), which precedes every entry stamped `seq`.
 */
export interface LogPosition {
  readonly seq: number;
  readonly id: string;
}

export const LOG_START: LogPosition = { seq: 0, id: '' };

/** What a reader filters the log by, besides its cursor. */
export interface LogFilter {
  readonly actions?: readonly string[];
  readonly taskId?: string;
}
