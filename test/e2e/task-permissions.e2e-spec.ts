import {
  ADMIN,
  AGENT,
  ALICE,
  as,
  BOB,
  expectProblem,
  registerAccount,
  useTestApp,
} from '../support/api';
import {
  act,
  allPages,
  auditLogOf,
  createTask,
  driveTo,
  getTask,
  TaskAction,
  TaskBody,
  TaskStatus,
} from '../support/tasks';
import { TEST_DRIVERS } from '../support/test-app';

describe.each(TEST_DRIVERS)('task permissions (%s driver)', (driver) => {
  const app = useTestApp(driver);

  async function expectForbidden(
    task: TaskBody,
    by: string,
    action: TaskAction,
    body: Record<string, unknown> = {},
  ): Promise<void> {
    const t = app();
    const problem = expectProblem(await act(t, by, task.id, action, body), 403, 'forbidden');
    expect(problem.action).toBe(action);
    expect((await getTask(t, task.id, ADMIN)).version).toBe(task.version);
    expect(await auditLogOf(t, task.id, ADMIN)).toHaveLength(task.version);
  }

  describe('403 for someone who sees the task but may not act', () => {
    it('rejects approval by the assignee', async () => {
      await expectForbidden(await driveTo(app(), 'submitted'), BOB, 'approve');
    });

    it('rejects rejection by the assignee', async () => {
      await expectForbidden(await driveTo(app(), 'submitted'), BOB, 'reject', { reason: 'meh' });
    });

    it('rejects approval by an agent assignee', async () => {
      await expectForbidden(
        await driveTo(app(), 'submitted', { assignee: AGENT }),
        AGENT,
        'approve',
      );
    });

    it('rejects approval by an admin who is the assignee', async () => {
      const task = await driveTo(app(), 'submitted', { assignee: ADMIN });

      await expectForbidden(task, ADMIN, 'approve');
      expect((await act(app(), ALICE, task.id, 'approve')).status).toBe(200);
    });

    it('rejects approval by the creator when someone else reviews', async () => {
      await expectForbidden(
        await driveTo(app(), 'submitted', { reviewer: ADMIN }),
        ALICE,
        'approve',
      );
    });

    it('rejects start and submit by anyone but the assignee', async () => {
      await expectForbidden(await driveTo(app(), 'assigned'), ALICE, 'start');
      await expectForbidden(await driveTo(app(), 'in_progress'), ADMIN, 'submit');
    });

    it('rejects cancel, reactivate and reassignment by the assignee', async () => {
      const t = app();
      await expectForbidden(await driveTo(t, 'in_progress'), BOB, 'cancel');
      await expectForbidden(await driveTo(t, 'assigned'), BOB, 'assign', { assignee_id: BOB });
      const task = await driveTo(t, 'assigned');
      const cancelled = await act(t, ALICE, task.id, 'cancel');
      await expectForbidden(cancelled.body as TaskBody, BOB, 'reactivate');
    });

    it('rejects cancel by the explicit reviewer, who may still close', async () => {
      const t = app();
      const reviewer = await registerAccount(t);
      const task = await driveTo(t, 'approved', { reviewer });

      await expectForbidden(task, reviewer, 'cancel');
      expect((await act(t, reviewer, task.id, 'close')).body.status).toBe('closed');
    });

    it('rejects edits and deletion by the assignee', async () => {
      const t = app();
      const task = await driveTo(t, 'assigned');
      const before = await getTask(t, task.id, BOB);

      const patch = await t.http().patch(`/tasks/${task.id}`).set(as(BOB)).send({ title: 'Mine' });
      expectProblem(patch, 403, 'forbidden');
      expect(patch.body.allowed_actions).toEqual(['start', 'release']);
      const del = await t.http().delete(`/tasks/${task.id}`).set(as(BOB));
      expectProblem(del, 403, 'forbidden');
      expect(await getTask(t, task.id, BOB)).toEqual(before);
      expect(before).toEqual({ ...task, allowed_actions: ['start', 'release'] });
    });

    it('lets an admin who is nobody on the task assign, cancel, reactivate and edit it', async () => {
      const t = app();
      const task = await driveTo(t, 'pending');

      expect((await act(t, ADMIN, task.id, 'assign', { assignee_id: BOB })).status).toBe(200);
      expect((await act(t, ADMIN, task.id, 'cancel')).status).toBe(200);
      expect((await act(t, ADMIN, task.id, 'reactivate')).status).toBe(200);
      const patch = await t.http().patch(`/tasks/${task.id}`).set(as(ADMIN)).send({ title: 'Ok' });
      expect(patch.status).toBe(200);
    });
  });

  describe('404 for a task the actor may not see', () => {
    let stranger: string;
    let task: TaskBody;

    beforeAll(async () => {
      stranger = await registerAccount(app());
      task = await driveTo(app(), 'submitted');
    });

    it('hides the task from a stranger on GET', async () => {
      expectProblem(
        await app().http().get(`/tasks/${task.id}`).set(as(stranger)),
        404,
        'not-found',
      );
    });

    it('answers an unknown task id the same way', async () => {
      const unknown = await app().http().get('/tasks/t_00000000000000000000000000').set(as(ADMIN));
      const hidden = await app().http().get(`/tasks/${task.id}`).set(as(stranger));

      expectProblem(unknown, 404, 'not-found');
      expect(hidden.body.title).toBe(unknown.body.title);
    });

    it.each([
      ['assign', { assignee_id: 'u_bob' }],
      ['start', {}],
      ['submit', {}],
      ['approve', {}],
      ['reject', { reason: 'no' }],
      ['close', {}],
      ['cancel', {}],
      ['reactivate', {}],
    ] as [TaskAction, Record<string, unknown>][])(
      'answers 404 to a stranger who tries to %s',
      async (action, body) => {
        expectProblem(await act(app(), stranger, task.id, action, body), 404, 'not-found');
      },
    );

    it('answers 404 to a stranger who edits, deletes or reads the history', async () => {
      const t = app();
      const paths = [`/tasks/${task.id}/audit_logs`, `/tasks/${task.id}/records`];
      for (const path of paths) {
        expectProblem(await t.http().get(path).set(as(stranger)), 404, 'not-found');
      }
      const patch = await t
        .http()
        .patch(`/tasks/${task.id}`)
        .set(as(stranger))
        .send({ title: 'x' });
      expectProblem(patch, 404, 'not-found');
      expectProblem(await t.http().delete(`/tasks/${task.id}`).set(as(stranger)), 404, 'not-found');
      expect((await getTask(t, task.id)).version).toBe(task.version);
    });

    it('leaves the task out of the stranger’s list, even when filtered for it', async () => {
      const mine = await createTask(app(), stranger);

      const items = await allPages<TaskBody>(app(), `/tasks?creator_id=${ALICE}`, stranger);
      expect(items).toEqual([]);
      const all = await allPages<TaskBody>(app(), '/tasks', stranger);
      expect(all.map((item) => item.id)).toEqual([mine.id]);
    });

    it.each(['assignee', 'reviewer'] as const)('shows the task to its %s', async (relation) => {
      const t = app();
      const someone = await registerAccount(t);
      const status: TaskStatus = relation === 'assignee' ? 'assigned' : 'pending';
      const shown = await driveTo(t, status, { [relation]: someone });

      expect((await getTask(t, shown.id, someone)).id).toBe(shown.id);
    });
  });

  describe('422 for an account that cannot be used', () => {
    it.each([
      ['an unknown account', 'u_nobody'],
      ['a malformed id', 'not an id at all'],
    ])('refuses to assign %s and writes nothing', async (_, assigneeId) => {
      const t = app();
      const task = await driveTo(t, 'pending');

      const res = await act(t, ALICE, task.id, 'assign', {
        assignee_id: assigneeId,
        comment: 'Yours',
      });

      const problem = expectProblem(res, 422, 'unprocessable');
      expect(problem.errors).toEqual([{ field: 'assignee_id', message: expect.any(String) }]);
      expect(await getTask(t, task.id)).toEqual(task);
      expect(await auditLogOf(t, task.id, ALICE)).toHaveLength(1);
      expect(await allPages(t, `/tasks/${task.id}/records`, ALICE)).toEqual([]);
    });

    it('refuses an agent or an unknown account as reviewer', async () => {
      const t = app();
      for (const reviewer of [AGENT, 'u_nobody']) {
        const res = await t
          .http()
          .post('/tasks')
          .set(as(ALICE))
          .send({ title: 'Reviewed', reviewer_id: reviewer });
        const problem = expectProblem(res, 422, 'unprocessable');
        expect(problem.errors).toEqual([{ field: 'reviewer_id', message: expect.any(String) }]);
      }
      const task = await createTask(t);
      const patch = await t
        .http()
        .patch(`/tasks/${task.id}`)
        .set(as(ALICE))
        .send({ reviewer_id: AGENT });
      expectProblem(patch, 422, 'unprocessable');
      expect((await getTask(t, task.id)).reviewer_id).toBeNull();
    });
  });

  describe('401 without a usable identity', () => {
    it.each([
      ['no credentials', {}],
      ['an unknown X-User-ID', as('u_nobody')],
    ])('refuses a request with %s', async (_, headers) => {
      const res = await app().http().get('/tasks').set(headers);

      expectProblem(res, 401, 'unauthenticated');
    });

    it('refuses a write with an unknown X-User-ID and writes nothing', async () => {
      const res = await app().http().post('/tasks').set(as('u_nobody')).send({ title: 'x' });

      expectProblem(res, 401, 'unauthenticated');
      expect(await allPages(app(), '/tasks?creator_id=u_nobody', ADMIN)).toEqual([]);
    });
  });
});
