import { ADMIN, ALICE, as, BOB, expectProblem, useTestApp } from '../support/api';
import { act, auditLogOf, driveTo, getTask, TaskAction, TaskStatus } from '../support/tasks';
import { TEST_DRIVERS } from '../support/test-app';

/** What the state machine offers from each status to someone (DESIGN §3; these tasks are not open). */
const ALLOWED: Record<TaskStatus, string[]> = {
  pending: ['assign', 'cancel', 'update', 'delete'],
  assigned: ['assign', 'start', 'cancel', 'update', 'delete', 'release'],
  in_progress: ['submit', 'cancel', 'update', 'delete', 'release'],
  submitted: ['approve', 'reject', 'cancel', 'update', 'delete'],
  rejected: ['assign', 'start', 'cancel', 'update', 'delete'],
  approved: ['close', 'cancel', 'update', 'delete'],
  closed: ['delete'],
  cancelled: ['reactivate', 'delete'],
};

/** Illegal (status, action) pairs, each tried by someone who sees the task (u_bob only once assigned). */
const ILLEGAL: [TaskStatus, TaskAction, string][] = [
  ['pending', 'start', ADMIN],
  ['pending', 'submit', ADMIN],
  ['pending', 'approve', ADMIN],
  ['pending', 'reactivate', ALICE],
  ['assigned', 'submit', BOB],
  ['assigned', 'close', ALICE],
  ['in_progress', 'start', BOB],
  ['in_progress', 'assign', ALICE],
  ['in_progress', 'approve', ALICE],
  ['submitted', 'submit', BOB],
  ['submitted', 'close', ALICE],
  ['rejected', 'reject', ALICE],
  ['rejected', 'submit', BOB],
  ['approved', 'approve', ALICE],
  ['approved', 'reject', ALICE],
  ['approved', 'start', BOB],
  ['closed', 'cancel', ALICE],
  ['closed', 'assign', ALICE],
  ['closed', 'reactivate', ADMIN],
  ['cancelled', 'cancel', ALICE],
  ['cancelled', 'assign', ADMIN],
  ['cancelled', 'start', ADMIN],
];

const BODIES: Partial<Record<TaskAction, Record<string, unknown>>> = {
  assign: { assignee_id: BOB },
  reject: { reason: 'Not good enough' },
};

describe.each(TEST_DRIVERS)('invalid transitions (%s driver)', (driver) => {
  const app = useTestApp(driver);

  it.each(ILLEGAL)(
    "refuses to leave %s by %s with 409, naming the status and the caller's allowed actions",
    async (status, action, by) => {
      const t = app();
      const task = await driveTo(t, status);

      const res = await act(t, by, task.id, action, BODIES[action] ?? {});

      const problem = expectProblem(res, 409, 'invalid-transition');
      expect(problem.current_status).toBe(status);
      const seen = await getTask(t, task.id, by);
      expect(problem.allowed_actions).toEqual(seen.allowed_actions);
      for (const allowed of seen.allowed_actions) expect(ALLOWED[status]).toContain(allowed);
      expect(problem.detail).toContain(status);
      expect((await getTask(t, task.id, ADMIN)).version).toBe(task.version);
      expect(await auditLogOf(t, task.id, ADMIN)).toHaveLength(task.version);
    },
  );

  it.each(['closed', 'cancelled'] as const)('refuses to edit a %s task', async (status) => {
    const t = app();
    const task = await driveTo(t, status);

    const res = await t.http().patch(`/tasks/${task.id}`).set(as(ALICE)).send({ title: 'Late' });

    const problem = expectProblem(res, 409, 'invalid-transition');
    expect(problem.current_status).toBe(status);
    expect((await getTask(t, task.id)).title).toBe(task.title);
  });

  it("answers 409 before 403: the status is checked before the actor's right", async () => {
    const t = app();
    const task = await driveTo(t, 'pending');

    // The creator may never start a task, but the status answers first.
    expectProblem(await act(t, ALICE, task.id, 'start'), 409, 'invalid-transition');
  });
});
