import { ADMIN, AGENT, ALICE, as, BOB, expectProblem, useTestApp } from '../support/api';
import {
  act,
  auditLogOf,
  createTask,
  driveTo,
  getTask,
  recordsOf,
  TaskAction,
  TaskBody,
  TaskStatus,
} from '../support/tasks';
import { TEST_DRIVERS } from '../support/test-app';

describe.each(TEST_DRIVERS)('task lifecycle (%s driver)', (driver) => {
  const app = useTestApp(driver);

  it('creates a pending task owned by its creator, with Location and ETag', async () => {
    const res = await app().http().post('/tasks').set(as(ALICE)).send({
      title: 'Write the release notes',
      description: 'Everything since 1.2',
      priority: 'high',
      due_at: '2030-01-31T17:00:00.000Z',
    });

    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const task = res.body as TaskBody;
    expect(Object.keys(task).sort()).toEqual(
      [
        'id',
        'title',
        'description',
        'status',
        'priority',
        'due_at',
        'creator_id',
        'assignee_id',
        'reviewer_id',
        'open',
        'open_to',
        'lease_expires_at',
        'version',
        'created_at',
        'updated_at',
        'allowed_actions',
      ].sort(),
    );
    expect(task).toMatchObject({
      title: 'Write the release notes',
      description: 'Everything since 1.2',
      status: 'pending',
      priority: 'high',
      due_at: '2030-01-31T17:00:00.000Z',
      creator_id: ALICE,
      assignee_id: null,
      reviewer_id: null,
      open: false,
      open_to: 'any',
      lease_expires_at: null,
      version: 1,
    });
    expect([...task.allowed_actions].sort()).toEqual(
      ['assign', 'cancel', 'update', 'delete'].sort(),
    );
    expect(task.id).toMatch(/^t_[0-9a-z]{26}$/);
    expect(task.created_at).toBe(task.updated_at);
    expect(new Date(task.created_at).toISOString()).toBe(task.created_at);
    expect(res.headers.location).toBe(`/tasks/${task.id}`);
    expect(res.headers.etag).toBe('"1"');
    expect(await getTask(app(), task.id)).toEqual(task);
  });

  it('defaults description to empty and priority to normal', async () => {
    const task = await createTask(app(), ALICE, { title: 'Bare' });

    expect(task).toMatchObject({ description: '', priority: 'normal', due_at: null });
  });

  it('carries a task through assign, start, submit, approve and close, auditing each step', async () => {
    const t = app();
    const { id } = await createTask(t, ALICE, { title: 'Ship 1.3' });
    const steps: [string, TaskAction, Record<string, unknown>, TaskStatus][] = [
      [ALICE, 'assign', { assignee_id: BOB }, 'assigned'],
      [BOB, 'start', {}, 'in_progress'],
      [BOB, 'submit', { comment: 'Done, see the changelog' }, 'submitted'],
      [ALICE, 'approve', {}, 'approved'],
      [ALICE, 'close', {}, 'closed'],
    ];

    let version = 1;
    for (const [by, action, body, status] of steps) {
      const res = await t
        .http()
        .post(`/tasks/${id}/${action}`)
        .set(as(by))
        .set('x-request-id', `lifecycle-${action}`)
        .send(body);
      version += 1;
      expect({ action, status: res.status }).toEqual({ action, status: 200 });
      expect(res.body).toMatchObject({ id, status, version });
      expect(res.headers.etag).toBe(`"${version}"`);
    }

    const task = await getTask(t, id);
    expect(task).toMatchObject({ status: 'closed', assignee_id: BOB, version: 6 });
    const audit = await auditLogOf(t, id, ALICE);
    expect(audit.map((e) => [e.action, e.from_status, e.to_status, e.actor_id, e.version])).toEqual(
      [
        ['create', null, 'pending', ALICE, 1],
        ['assign', 'pending', 'assigned', ALICE, 2],
        ['start', 'assigned', 'in_progress', BOB, 3],
        ['submit', 'in_progress', 'submitted', BOB, 4],
        ['approve', 'submitted', 'approved', ALICE, 5],
        ['close', 'approved', 'closed', ALICE, 6],
      ],
    );
    expect(audit.slice(1).map((e) => e.request_id)).toEqual(
      steps.map(([, action]) => `lifecycle-${action}`),
    );
    expect(audit[0].id).toBe(`${id}:1`);
    expect(audit[1].changes).toEqual({
      status: { from: 'pending', to: 'assigned' },
      assignee_id: { from: null, to: BOB },
    });
    const records = await recordsOf(t, id, BOB);
    expect(records).toEqual([
      expect.objectContaining({
        task_id: id,
        actor_id: BOB,
        kind: 'submission',
        body: 'Done, see the changelog',
        version: 4,
      }),
    ]);
  });

  it('takes actions sent with no body at all, as curl -X POST sends them', async () => {
    const t = app();
    const task = await driveTo(t, 'assigned');

    for (const [by, action] of [
      [BOB, 'start'],
      [BOB, 'submit'],
      [ALICE, 'approve'],
      [ALICE, 'close'],
    ]) {
      const res = await t.http().post(`/tasks/${task.id}/${action}`).set(as(by));
      expect({ action, status: res.status }).toEqual({ action, status: 200 });
    }
    expect((await getTask(t, task.id)).status).toBe('closed');
  });

  it('sends a rejected task back for rework and accepts the resubmission', async () => {
    const t = app();
    const task = await driveTo(t, 'submitted');

    const rejected = await act(t, ALICE, task.id, 'reject', {
      reason: 'The totals do not add up',
      comment: 'Happy to pair on it',
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', assignee_id: BOB });

    expect((await act(t, BOB, task.id, 'start')).body.status).toBe('in_progress');
    expect((await act(t, BOB, task.id, 'submit', { comment: 'Fixed' })).body.status).toBe(
      'submitted',
    );
    const approved = await act(t, ALICE, task.id, 'approve', { comment: 'Thanks' });
    expect(approved.body).toMatchObject({ status: 'approved', version: 8 });

    const records = await recordsOf(t, task.id, ALICE);
    expect(records.map((r) => [r.kind, r.body, r.actor_id])).toEqual([
      ['submission', null, BOB],
      ['rejection', 'The totals do not add up', ALICE],
      ['comment', 'Happy to pair on it', ALICE],
      ['submission', 'Fixed', BOB],
      ['comment', 'Thanks', ALICE],
    ]);
  });

  it('lets the reviewer reassign a rejected task; the former assignee loses sight of it', async () => {
    const t = app();
    const task = await driveTo(t, 'rejected');

    const res = await act(t, ALICE, task.id, 'assign', { assignee_id: AGENT });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'assigned', assignee_id: AGENT });
    expect((await act(t, AGENT, task.id, 'start')).status).toBe(200);
    expectProblem(await act(t, BOB, task.id, 'submit'), 404, 'not-found');
  });

  it('lets an agent assignee start and submit its work', async () => {
    const t = app();
    const task = await driveTo(t, 'submitted', { assignee: AGENT });

    expect(task).toMatchObject({ status: 'submitted', assignee_id: AGENT });
  });

  it('lets an explicit reviewer approve instead of the creator', async () => {
    const t = app();
    const task = await driveTo(t, 'submitted', { reviewer: ADMIN });

    expectProblem(await act(t, ALICE, task.id, 'approve'), 403, 'forbidden');
    const res = await act(t, ADMIN, task.id, 'approve');
    expect(res.body).toMatchObject({ status: 'approved', reviewer_id: ADMIN });
  });

  it.each(['pending', 'assigned', 'in_progress', 'submitted', 'rejected', 'approved'] as const)(
    'cancels a %s task',
    async (status) => {
      const t = app();
      const task = await driveTo(t, status);

      const res = await act(t, ALICE, task.id, 'cancel', { comment: 'No longer needed' });

      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'cancelled', version: task.version + 1 });
    },
  );

  it('reactivates a cancelled task without an assignee as pending', async () => {
    const t = app();
    const task = await driveTo(t, 'cancelled');

    const res = await act(t, ALICE, task.id, 'reactivate');

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'pending', assignee_id: null, version: 3 });
  });

  it('reactivates a cancelled task that has an assignee as assigned', async () => {
    const t = app();
    const task = await driveTo(t, 'in_progress');
    expect((await act(t, ADMIN, task.id, 'cancel')).status).toBe(200);

    const res = await act(t, ADMIN, task.id, 'reactivate');

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'assigned', assignee_id: BOB, version: 5 });
    expect((await act(t, BOB, task.id, 'start')).status).toBe(200);
  });

  it('updates the editable fields with PATCH and audits what changed', async () => {
    const t = app();
    const task = await driveTo(t, 'assigned');

    const res = await t
      .http()
      .patch(`/tasks/${task.id}`)
      .set(as(ALICE))
      .send({ title: 'Renamed', priority: 'urgent', due_at: '2031-01-01T00:00:00.000Z' });

    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe('"3"');
    expect(res.body).toMatchObject({
      title: 'Renamed',
      priority: 'urgent',
      due_at: '2031-01-01T00:00:00.000Z',
      status: 'assigned',
      version: 3,
    });
    const audit = await auditLogOf(t, task.id, ALICE);
    expect(audit[2]).toMatchObject({
      action: 'update',
      from_status: 'assigned',
      to_status: 'assigned',
      changes: {
        title: { from: task.title, to: 'Renamed' },
        priority: { from: 'normal', to: 'urgent' },
        due_at: { from: null, to: '2031-01-01T00:00:00.000Z' },
      },
    });
  });

  it('clears the due date and the reviewer with null', async () => {
    const t = app();
    const task = await createTask(t, ALICE, {
      due_at: '2030-01-01T00:00:00.000Z',
      reviewer_id: BOB,
    });

    const res = await t
      .http()
      .patch(`/tasks/${task.id}`)
      .set(as(ALICE))
      .send({ due_at: null, reviewer_id: null });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ due_at: null, reviewer_id: null, version: 2 });
  });

  it('records nothing for a PATCH that changes nothing', async () => {
    const t = app();
    const task = await createTask(t, ALICE, { title: 'Same', priority: 'low' });

    const res = await t
      .http()
      .patch(`/tasks/${task.id}`)
      .set(as(ALICE))
      .send({ title: 'Same', priority: 'low' });

    expect(res.status).toBe(200);
    expect(res.body.version).toBe(1);
    expect(res.headers.etag).toBe('"1"');
    expect(await auditLogOf(t, task.id, ALICE)).toHaveLength(1);
  });

  it('keeps version equal to the number of audit entries through a whole history', async () => {
    const t = app();
    const task = await driveTo(t, 'rejected');
    const { id } = task;
    await act(t, ALICE, id, 'assign', { assignee_id: AGENT, comment: 'Over to you' });
    await t.http().patch(`/tasks/${id}`).set(as(ALICE)).send({ description: 'More detail' });
    await act(t, ALICE, id, 'cancel');
    await act(t, ALICE, id, 'reactivate');
    // Refused attempts write nothing.
    await act(t, BOB, id, 'start');
    await act(t, ALICE, id, 'close');
    await t.http().delete(`/tasks/${id}`).set(as(ALICE));

    const audit = await auditLogOf(t, id, ADMIN);
    expect(audit.map((e) => e.action)).toEqual([
      'create',
      'assign',
      'start',
      'submit',
      'reject',
      'assign',
      'update',
      'cancel',
      'reactivate',
      'delete',
    ]);
    expect(audit.map((e) => e.version)).toEqual(audit.map((_, index) => index + 1));
  });
});
