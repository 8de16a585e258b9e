import type { Actor } from '@taskflow/platform/domain';

/** What an entry says a task was after a change. */
export interface LoggedState {
  readonly taskId: string;
  readonly version: number;
  readonly state: Readonly<Record<string, unknown>>;
}

/**
 * Who may read a task's history, and how a task reads in an event. The Tasks module provides it;
 * Audit only asks, so the two libraries depend one way (tasks → audit).
 */
export abstract class TaskHistoryAccess {
  /** Throws the domain's not-found error when the actor may not see this task's history. */
  abstract assertCanReadHistory(actor: Actor, taskId: string): Promise<void>;
  /**
   * Those of these tasks whose history the actor may read now (one batched read). A task whose
   * document lags its log (a write in flight, or one a crash cut short) is judged by the newest
   * state its entries here carry, since the log is the truth.
   */
  abstract readableTasks(actor: Actor, entries: readonly LoggedState[]): Promise<Set<string>>;
  /** The task as the API shows it (without `allowed_actions`), from an audit entry's `state`. */
  abstract taskView(state: Readonly<Record<string, unknown>>): Record<string, unknown>;
}
