import { DomainError } from '@taskflow/platform/domain';
import type { RuledAction, TaskAction } from './task-rules';
import type { TaskStatus } from './task-status';

export class TaskNotFound extends DomainError {
  constructor(id: string) {
    super('TASK.NOT_FOUND', `Task ${id} does not exist or is not visible to you`);
  }
}

export class InvalidTransition extends DomainError {
  constructor(action: RuledAction, current: TaskStatus, allowed: readonly TaskAction[]) {
    super('TASK.INVALID_TRANSITION', `Cannot ${action} a task that is ${current}`, {
      currentStatus: current,
      allowedActions: allowed,
    });
  }
}

export class TaskActionForbidden extends DomainError {
  /** `allowed` is what the caller may do instead; left out where no caller is meant. */
  constructor(action: RuledAction, why: string, allowed?: readonly TaskAction[]) {
    super(
      'TASK.FORBIDDEN',
      `You may not ${action} this task: ${why}`,
      allowed === undefined ? { action } : { action, allowedActions: allowed },
    );
  }
}

/** A claim of a task someone already holds (DESIGN §8). */
export class AlreadyClaimed extends DomainError {
  constructor(id: string, allowed: readonly TaskAction[]) {
    super('TASK.ALREADY_CLAIMED', `Task ${id} is already assigned`, { allowedActions: allowed });
  }
}

/** A heartbeat on a task that is no longer the caller's, or whose lease has run out: stop work. */
export class LeaseLost extends DomainError {
  constructor(id: string, why: string, allowed: readonly TaskAction[]) {
    super('TASK.LEASE_LOST', `You no longer hold task ${id}: ${why}`, {
      allowedActions: allowed,
    });
  }
}

export class ReasonRequired extends DomainError {
  constructor() {
    super('TASK.REASON_REQUIRED', 'A rejection needs a non-empty reason');
  }
}

/** An account a task names (assignee, reviewer) does not exist or is not active. */
export class AccountUnavailable extends DomainError {
  constructor(field: string, id: string, why: string) {
    super('TASK.ACCOUNT_UNAVAILABLE', `${field} ${id} ${why}`, {
      errors: [{ field, message: why }],
    });
  }
}

export class TaskPreconditionFailed extends DomainError {
  /** `current` is known when the check ran before the write, not after a lost race. */
  constructor(id: string, current?: number) {
    super(
      'TASK.PRECONDITION_FAILED',
      current === undefined
        ? `Task ${id} was changed by another request since the version in If-Match`
        : `Task ${id} is at version ${current}, not the one in If-Match`,
      current === undefined ? {} : { currentVersion: current },
    );
  }
}
