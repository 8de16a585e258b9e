import { DomainError } from '@taskflow/platform/domain';

export const TASK_STATUSES = [
  'pending',
  'assigned',
  'in_progress',
  'submitted',
  'rejected',
  'approved',
  'closed',
  'cancelled',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TASK_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

/** Queue order: urgent first. */
export const PRIORITY_RANK: Readonly<Record<TaskPriority, number>> = {
  urgent: 0,
  high: 1,
  normal: 2,
  low: 3,
};

/** Stored data that is not a known status is corruption: fail loudly instead of passing it on. */
export class UnknownTaskStatus extends DomainError {
  constructor(value: unknown) {
    super('TASK.CORRUPT', `Unknown task status ${JSON.stringify(value)}`);
  }
}

export function parseTaskStatus(value: unknown): TaskStatus {
  if (typeof value === 'string' && (TASK_STATUSES as readonly string[]).includes(value)) {
    return value as TaskStatus;
  }
  throw new UnknownTaskStatus(value);
}

export function parseTaskPriority(value: unknown): TaskPriority {
  if (typeof value === 'string' && (TASK_PRIORITIES as readonly string[]).includes(value)) {
    return value as TaskPriority;
  }
  throw new DomainError('TASK.CORRUPT', `Unknown task priority ${JSON.stringify(value)}`);
}

/** Whom an open task admits: an account role, or anyone. */
export const OPEN_TO = ['agent', 'human', 'any'] as const;
export type OpenTo = (typeof OPEN_TO)[number];

export function parseOpenTo(value: unknown): OpenTo {
  if (typeof value === 'string' && (OPEN_TO as readonly string[]).includes(value)) {
    return value as OpenTo;
  }
  throw new DomainError('TASK.CORRUPT', `Unknown open_to ${JSON.stringify(value)}`);
}
