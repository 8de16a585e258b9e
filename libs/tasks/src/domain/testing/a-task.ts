import type { Actor } from '@taskflow/platform/domain';
import type { TaskState } from '../task-events';
import { Task } from '../task.entity';

/** The people the domain and service specs act as; ids match the dev accounts where they exist. */
export const CREATOR: Actor = { id: 'u_alice', role: 'human' };
export const ASSIGNEE: Actor = { id: 'u_bob', role: 'human' };
export const REVIEWER: Actor = { id: 'u_carol', role: 'human' };
export const ADMIN: Actor = { id: 'u_admin', role: 'admin' };
export const STRANGER: Actor = { id: 'u_mallory', role: 'human' };
export const AGENT: Actor = { id: 'a_builder', role: 'agent' };

export const CREATED_AT = new Date('2030-01-01T09:00:00.000Z');
export const LATER = new Date('2030-01-02T10:30:00.000Z');

/**
 * A stored task in any state, built the way a repository restores one. Every status past
 * `pending` gets an assignee (u_bob) unless the overrides say otherwise.
 */
export function aTask(overrides: Partial<TaskState> = {}): Task {
  const status = overrides.status ?? 'pending';
  return Task.restore({
    id: 't_01jd3k8w9x2m4n6p8r0t2v4x6z',
    title: 'Write the release notes',
    description: 'Cover every change since 1.2',
    status,
    priority: 'normal',
    dueAt: null,
    creatorId: CREATOR.id,
    assigneeId: status === 'pending' ? null : ASSIGNEE.id,
    reviewerId: null,
    version: 3,
    createdAt: CREATED_AT,
    updatedAt: CREATED_AT,
    deletedAt: null,
    ...overrides,
  });
}
