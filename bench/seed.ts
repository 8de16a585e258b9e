import type { TaskState } from '../libs/tasks/src/domain/task-events';

/**
 * Seeded tasks spread over this many assignees; u_bob is one of them, so 1 task in 100 is his:
 * 100 at 10 thousand tasks, enough that his first page (`limit=50`) is full at every size and
 * the scale pair compares the same work, not a 10-task page with a 50-task one.
 */
export const SEED_ASSIGNEES = 100;
export const SEED_ACTOR = 'u_bob';
const BATCH = 10_000;
const STATUSES = ['assigned', 'in_progress', 'submitted', 'rejected', 'approved'] as const;

/**
 * `count` tasks in id (creation) order, created by u_alice, assigned round-robin over
 * SEED_ASSIGNEES accounts; ids are time-ordered like ULIDs so appends keep the order.
 */
export async function seedTaskStates(
  count: number,
  insert: (states: TaskState[]) => Promise<unknown>,
): Promise<void> {
  const at = new Date('2026-01-01T00:00:00Z');
  for (let start = 0; start < count; start += BATCH) {
    const states: TaskState[] = [];
    for (let i = start; i < Math.min(count, start + BATCH); i++) {
      const slot = i % SEED_ASSIGNEES;
      const assigneeId = slot === 0 ? SEED_ACTOR : `u_seed${slot}`;
      states.push({
        // A fixed-width base-36 counter sorts like the ULIDs the API mints (all before them).
        id: `t_00${i.toString(36).padStart(24, '0')}`,
        title: `Seeded task ${i}`,
        description: 'Seeded for the scale benchmark',
        status: STATUSES[(i >> 10) % STATUSES.length],
        priority: 'normal',
        dueAt: null,
        creatorId: 'u_alice',
        assigneeId,
        reviewerId: 'u_alice',
        open: false,
        openTo: 'any',
        leaseExpiresAt: null,
        leaseSeconds: null,
        version: 2,
        createdAt: at,
        updatedAt: at,
        deletedAt: null,
      });
    }
    await insert(states);
  }
}
