import { DomainError } from '@taskflow/platform/domain';
import type { TaskState } from './task-events';
import { parseOpenTo, parseTaskPriority, parseTaskStatus } from './task-status';

/** A task state as plain JSON (times as ISO strings), the form an audit entry carries. */
export function taskStateToRecord(state: TaskState): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(state)) {
    record[field] = value instanceof Date ? value.toISOString() : value;
  }
  return record;
}

function corrupt(field: string, value: unknown): DomainError {
  return new DomainError(
    'TASK.CORRUPT',
    `Stored task field ${field} is invalid: ${JSON.stringify(value)}`,
  );
}

/** Parses what `taskStateToRecord` wrote; anything malformed is corruption and fails. */
export function taskStateFromRecord(record: Readonly<Record<string, unknown>>): TaskState {
  const text = (field: string): string => {
    const value = record[field];
    if (typeof value !== 'string') throw corrupt(field, value);
    return value;
  };
  const optionalText = (field: string): string | null =>
    record[field] === null || record[field] === undefined ? null : text(field);
  const time = (field: string): Date => {
    const value = new Date(text(field));
    if (Number.isNaN(value.getTime())) throw corrupt(field, record[field]);
    return value;
  };
  const optionalTime = (field: string): Date | null =>
    record[field] === null || record[field] === undefined ? null : time(field);
  // Entries written before open tasks and leases (issue 18) carry none of their fields.
  const open = record.open ?? false;
  if (typeof open !== 'boolean') throw corrupt('open', open);
  const leaseSeconds = record.leaseSeconds ?? null;
  if (leaseSeconds !== null && !Number.isInteger(leaseSeconds)) {
    throw corrupt('leaseSeconds', leaseSeconds);
  }
  const version = record.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw corrupt('version', version);
  }
  return {
    id: text('id'),
    title: text('title'),
    description: text('description'),
    status: parseTaskStatus(record.status),
    priority: parseTaskPriority(record.priority),
    dueAt: optionalTime('dueAt'),
    creatorId: text('creatorId'),
    assigneeId: optionalText('assigneeId'),
    reviewerId: optionalText('reviewerId'),
    open,
    openTo: parseOpenTo(record.openTo ?? 'any'),
    leaseExpiresAt: optionalTime('leaseExpiresAt'),
    leaseSeconds: leaseSeconds as number | null,
    version,
    createdAt: time('createdAt'),
    updatedAt: time('updatedAt'),
    deletedAt: optionalTime('deletedAt'),
  };
}
