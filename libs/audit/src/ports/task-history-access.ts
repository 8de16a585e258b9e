import type { Actor } from '@taskflow/platform/domain';

/**
 * Who may read a task's history. The Tasks module provides it; Audit only asks, so the two
 * libraries depend one way (tasks → audit).
 */
export abstract class TaskHistoryAccess {
  /** Throws the domain's not-found error when the actor may not see this task's history. */
  abstract assertCanReadHistory(actor: Actor, taskId: string): Promise<void>;
}
