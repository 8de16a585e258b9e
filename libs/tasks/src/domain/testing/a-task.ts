import type { Actor } from '@taskflow/platform/domain';
import { monotonicFactory } from 'ulid';
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

/** When a fixture task was stored: before every instant the specs act at. */
const STORED_AT = new Date('2026-01-01T09:00:00.000Z');

const nextUlid = monotonicFactory();

/**
 * The state of a stored task, as a repository holds it: pending, no assignee, version 1. Each
 * call has a new id, in creation order, so one store can hold many and list them oldest first.
 */
export function aTaskState(overrides: Partial<TaskState> = {}): TaskState {
  return {
    id: `t_${nextUlid().toLowerCase()}`,
    title: 'Write the release notes',
    description: 'Cover every change since 1.2',
    status: 'pending',
    priority: 'normal',
    dueAt: null,
    creatorId: CREATOR.id,
    assigneeId: null,
    reviewerId: null,
    open: false,
    openTo: 'any',
    leaseExpiresAt: null,
    leaseSeconds: null,
    version: 1,
    createdAt: STORED_AT,
    updatedAt: STORED_AT,
    deletedAt: null,
    ...overrides,
  };
}

/**
 * A stored task in any state, built the way a repository restores one, with some history
 * (version 3). Every status past `pending` gets an assignee (u_bob) unless the overrides say
 * otherwise.
 */
export function aTask(overrides: Partial<TaskState> = {}): Task {
  const status = overrides.status ?? 'pending';
  return Task.restore(
    aTaskState({
      assigneeId: status === 'pending' ? null : ASSIGNEE.id,
      version: 3,
      ...overrides,
    }),
  );
}
