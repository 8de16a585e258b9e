import type { TaskState } from '../domain/task-events';

/**
 * A task's fields as the API shows them (snake_case, ISO dates): the body of TaskDto and the
 * `task` of an event (DESIGN §9), one mapping for both.
 */
export function taskFields(s: TaskState) {
  return {
    id: s.id,
    title: s.title,
    description: s.description,
    status: s.status,
    priority: s.priority,
    due_at: s.dueAt?.toISOString() ?? null,
    creator_id: s.creatorId,
    assignee_id: s.assigneeId,
    reviewer_id: s.reviewerId,
    open: s.open,
    open_to: s.openTo,
    lease_expires_at: s.leaseExpiresAt?.toISOString() ?? null,
    version: s.version,
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
  };
}
