import { ALICE, as, BOB, expectProblem, expectValidationErrors, useTestApp } from '../support/api';
import { act, allPages, createTask, driveTo, getTask, TaskBody } from '../support/tasks';
import { TEST_DRIVERS } from '../support/test-app';

describe.each(TEST_DRIVERS)('request validation (%s driver)', (driver) => {
  const app = useTestApp(driver);

  describe('task bodies', () => {
    it.each([
      ['no title', {}, ['title']],
      ['a blank title', { title: '   ' }, ['title']],
      ['a title over 200 characters', { title: 'x'.repeat(201) }, ['title']],
      ['a title that is not a string', { title: 42 }, ['title']],
      ['an unknown priority', { title: 'x', priority: 'asap' }, ['priority']],
      ['a due_at that is not ISO-8601', { title: 'x', due_at: 'next friday' }, ['due_at']],
      ['a due_at without a time separator', { title: 'x', due_at: '2030-01-01 10:00' }, ['due_at']],
      ['an empty reviewer_id', { title: 'x', reviewer_id: '' }, ['reviewer_id']],
      ['an unknown field', { title: 'x', owner: 'u_bob' }, ['owner']],
      [
        'a field the server sets',
        { title: 'x', status: 'closed', version: 9 },
        ['status', 'version'],
      ],
      [
        'several problems at once',
        { priority: 'asap', extra: true },
        ['title', 'priority', 'extra'],
      ],
    ])('refuses a new task with %s', async (_, body, fields) => {
      const res = await app().http().post('/tasks').set(as(ALICE)).send(body);

      expectValidationErrors(res, fields);
    });

    it('writes nothing for a refused task', async () => {
      const t = app();
      const before = await allPages<TaskBody>(t, '/tasks', ALICE);

      await t.http().post('/tasks').set(as(ALICE)).send({ title: 'x', owner: 'u_bob' });

      expect(await allPages<TaskBody>(t, '/tasks', ALICE)).toEqual(before);
    });

    it('refuses a PATCH without any field, and one with an unknown field', async () => {
      const t = app();
      const task = await createTask(t);

      const empty = await t.http().patch(`/tasks/${task.id}`).set(as(ALICE)).send({});
      expectValidationErrors(empty, ['body']);
      const unknown = await t
        .http()
        .patch(`/tasks/${task.id}`)
        .set(as(ALICE))
        .send({ title: 'ok', status: 'closed' });
      expectValidationErrors(unknown, ['status']);
      expect(await getTask(t, task.id)).toEqual(task);
    });

    it.each(['title', 'description', 'priority'])(
      'refuses null for %s, which cannot be cleared',
      async (field) => {
        const t = app();
        const task = await createTask(t);

        const patch = await t
          .http()
          .patch(`/tasks/${task.id}`)
          .set(as(ALICE))
          .send({ [field]: null });
        expectValidationErrors(patch, [field]);
        const create = await t
          .http()
          .post('/tasks')
          .set(as(ALICE))
          .send({ title: 'x', [field]: null });
        expectValidationErrors(create, [field]);
        expect(await getTask(t, task.id)).toEqual(task);
      },
    );

    it('refuses a reject without a reason, or with a blank one', async () => {
      const t = app();
      const task = await driveTo(t, 'submitted');

      expectValidationErrors(await act(t, ALICE, task.id, 'reject'), ['reason']);
      expectValidationErrors(await act(t, ALICE, task.id, 'reject', { reason: ' \n ' }), [
        'reason',
      ]);
      expect((await getTask(t, task.id)).status).toBe('submitted');
    });

    it('refuses an assign without assignee_id, and an action with unknown fields', async () => {
      const t = app();
      const task = await driveTo(t, 'assigned');

      expectValidationErrors(await act(t, ALICE, task.id, 'assign', {}), ['assignee_id']);
      expectValidationErrors(await act(t, BOB, task.id, 'start', { status: 'closed' }), ['status']);
      expectValidationErrors(await act(t, BOB, task.id, 'start', { comment: 7 }), ['comment']);
      expect((await getTask(t, task.id)).status).toBe('assigned');
    });
  });

  describe('list queries', () => {
    it.each([
      ['an operator smuggled into a filter', 'assignee_id[$ne]=x', 'assignee_id[$ne]'],
      ['a repeated status', 'status=pending&status=assigned', 'status'],
      ['a repeated assignee_id', 'assignee_id=u_bob&assignee_id=u_alice', 'assignee_id'],
      ['a repeated creator_id', 'creator_id=u_bob&creator_id=u_alice', 'creator_id'],
      ['a repeated limit', 'limit=1&limit=2', 'limit'],
      ['an unknown status', 'status=done', 'status'],
      ['an unknown parameter', 'sort=title', 'sort'],
      ['limit 0', 'limit=0', 'limit'],
      ['limit 101', 'limit=101', 'limit'],
      ['limit abc', 'limit=abc', 'limit'],
      ['a fractional limit', 'limit=1.5', 'limit'],
      ['a negative limit', 'limit=-1', 'limit'],
    ])('refuses %s with 400', async (_, query, field) => {
      const res = await app().http().get(`/tasks?${query}`).set(as(ALICE));

      expectValidationErrors(res, [field]);
    });

    it.each([
      ['not base64url', '!!!'],
      ['base64url of something that is not a task id', Buffer.from('hello').toString('base64url')],
      [
        'a task id with padding',
        `${Buffer.from('t_01jd3k8w9x2m4n6p8r0t2v4x6z').toString('base64')}=`,
      ],
      ['too long', 'A'.repeat(600)],
    ])('refuses a cursor that is %s', async (_, cursor) => {
      const res = await app().http().get('/tasks').query({ cursor }).set(as(ALICE));

      expectValidationErrors(res, ['cursor']);
    });

    it.each(['audit_logs', 'records'])('validates the paging of %s too', async (path) => {
      const t = app();
      const task = await createTask(t);

      for (const query of ['limit=0', 'limit=101', 'cursor=%21%21', 'extra=1']) {
        const res = await t.http().get(`/tasks/${task.id}/${path}?${query}`).set(as(ALICE));
        expectProblem(res, 400, 'validation');
      }
    });
  });

  describe('raw bodies', () => {
    it('answers malformed JSON with a 400 problem', async () => {
      const res = await app()
        .http()
        .post('/tasks')
        .set(as(ALICE))
        .set('content-type', 'application/json')
        .send('{"title": "unfinished');

      expectProblem(res, 400, 'bad-request');
    });

    it('answers an empty JSON body with a 400 problem', async () => {
      const res = await app()
        .http()
        .post('/tasks')
        .set(as(ALICE))
        .set('content-type', 'application/json')
        .send('');

      expectProblem(res, 400, 'bad-request');
    });

    it('answers a JSON array or null instead of an object with 400', async () => {
      for (const raw of ['[{"title":"x"}]', 'null', '"x"']) {
        const res = await app()
          .http()
          .post('/tasks')
          .set(as(ALICE))
          .set('content-type', 'application/json')
          .send(raw);
        expect({ raw, status: res.status }).toEqual({ raw, status: 400 });
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
    });

    it('refuses a __proto__ key instead of merging it', async () => {
      const res = await app()
        .http()
        .post('/tasks')
        .set(as(ALICE))
        .set('content-type', 'application/json')
        .send('{"title":"x","__proto__":{"admin":true}}');

      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    });

    it('answers a body over 1 MiB with a 413 problem', async () => {
      const res = await app()
        .http()
        .post('/tasks')
        .set(as(ALICE))
        .set('content-type', 'application/json')
        .send(JSON.stringify({ title: 'big', description: 'x'.repeat(1024 * 1024) }));

      expectProblem(res, 413, 'payload-too-large');
    });

    it('accepts title and description at their maximum length', async () => {
      const res = await app()
        .http()
        .post('/tasks')
        .set(as(ALICE))
        .send({ title: 't'.repeat(200), description: 'd'.repeat(10_000) });

      expect(res.status).toBe(201);
    });
  });
});
