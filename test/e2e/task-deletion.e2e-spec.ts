import { ADMIN, ALICE, as, BOB, expectProblem, useTestApp } from '../support/api';
import {
  act,
  allPages,
  auditLogOf,
  driveTo,
  recordsOf,
  TaskAction,
  TaskBody,
} from '../support/tasks';
import { TEST_DRIVERS } from '../support/test-app';

describe.each(TEST_DRIVERS)('soft delete (%s driver)', (driver) => {
  const app = useTestApp(driver);

  describe('a deleted task', () => {
    let task: TaskBody;

    beforeAll(async () => {
      const t = app();
      task = await driveTo(t, 'submitted');
      expect(
        (await act(t, ALICE, task.id, 'reject', { reason: 'Redo', comment: 'c' })).status,
      ).toBe(200);
      const res = await t.http().delete(`/tasks/${task.id}`).set(as(ALICE));
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(res.headers.etag).toBe('"6"');
    });

    it.each([ALICE, BOB, ADMIN])('answers 404 on GET, for %s too', async (user) => {
      expectProblem(await app().http().get(`/tasks/${task.id}`).set(as(user)), 404, 'not-found');
    });

    it('is left out of every list, the admin’s included', async () => {
      for (const user of [ALICE, BOB, ADMIN]) {
        const items = await allPages<TaskBody>(app(), '/tasks', user);
        expect(items.map((item) => item.id)).not.toContain(task.id);
      }
    });

    it.each([
      ['assign', ALICE, { assignee_id: BOB }],
      ['start', BOB, {}],
      ['cancel', ALICE, {}],
      ['cancel', ADMIN, {}],
    ] as [TaskAction, string, Record<string, unknown>][])(
      'answers 404 to %s by %s',
      async (action, by, body) => {
        expectProblem(await act(app(), by, task.id, action, body), 404, 'not-found');
      },
    );

    it('answers 404 to PATCH and to a second DELETE', async () => {
      const t = app();
      const patch = await t.http().patch(`/tasks/${task.id}`).set(as(ALICE)).send({ title: 'x' });
      expectProblem(patch, 404, 'not-found');
      expectProblem(await t.http().delete(`/tasks/${task.id}`).set(as(ADMIN)), 404, 'not-found');
    });

    it('keeps its audit log readable by an admin, ending with the audited delete', async () => {
      const audit = await auditLogOf(app(), task.id, ADMIN);

      expect(audit.map((e) => e.action)).toEqual([
        'create',
        'assign',
        'start',
        'submit',
        'reject',
        'delete',
      ]);
      expect(audit[5]).toMatchObject({
        actor_id: ALICE,
        from_status: 'rejected',
        to_status: 'rejected',
        version: 6,
      });
      expect(audit[5].changes).toHaveProperty('deleted_at');
    });

    it('keeps its records readable by an admin', async () => {
      const records = await recordsOf(app(), task.id, ADMIN);

      expect(records.map((r) => r.kind)).toEqual(['submission', 'rejection', 'comment']);
    });

    it.each([ALICE, BOB])('hides its audit log and records from %s', async (user) => {
      for (const path of ['audit_logs', 'records']) {
        const res = await app().http().get(`/tasks/${task.id}/${path}`).set(as(user));
        expectProblem(res, 404, 'not-found');
      }
    });
  });

  it('lets an admin delete a task they have no part in', async () => {
    const t = app();
    const task = await driveTo(t, 'closed');

    const res = await t.http().delete(`/tasks/${task.id}`).set(as(ADMIN));

    expect(res.status).toBe(204);
    expectProblem(await t.http().get(`/tasks/${task.id}`).set(as(ALICE)), 404, 'not-found');
  });
});
