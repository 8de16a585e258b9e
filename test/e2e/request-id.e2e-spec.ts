import { ALICE, as, BOB, expectProblem, useTestApp } from '../support/api';
import { auditLogOf, createTask } from '../support/tasks';
import { TEST_DRIVERS } from '../support/test-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.each(TEST_DRIVERS)('X-Request-ID (%s driver)', (driver) => {
  const app = useTestApp(driver);

  it.each(['abc-123', 'req_01J:trace.7', 'x'.repeat(128)])(
    'echoes the sane request id %s',
    async (id) => {
      const res = await app().http().get('/livez').set('x-request-id', id);

      expect(res.headers['x-request-id']).toBe(id);
    },
  );

  it('echoes it on an error and puts it in the problem body', async () => {
    const res = await app()
      .http()
      .get('/tasks/t_00000000000000000000000000')
      .set(as(ALICE))
      .set('x-request-id', 'trace-404');

    expect(expectProblem(res, 404, 'not-found').request_id).toBe('trace-404');
  });

  it.each([
    ['spaces and punctuation', 'not sane!'],
    ['more than 128 characters', 'x'.repeat(129)],
    ['a slash', 'a/b'],
    ['quotes', '"quoted"'],
  ])('replaces a request id with %s by a generated one', async (_, id) => {
    const res = await app().http().get('/tasks').set('x-request-id', id).set(as('u_nobody'));

    const generated = res.headers['x-request-id'];
    expect(generated).toMatch(UUID);
    expect(expectProblem(res, 401, 'unauthenticated').request_id).toBe(generated);
  });

  it('generates a fresh id for every request that brings none', async () => {
    const ids = new Set<string>();
    for (let n = 0; n < 5; n++) {
      const res = await app().http().get('/livez');
      expect(res.headers['x-request-id']).toMatch(UUID);
      ids.add(res.headers['x-request-id']);
    }

    expect(ids.size).toBe(5);
  });

  it('records the request id in the audit entry of the change it made', async () => {
    const t = app();
    const task = await createTask(t);
    const res = await t
      .http()
      .post(`/tasks/${task.id}/assign`)
      .set(as(ALICE))
      .send({ assignee_id: BOB });

    const audit = await auditLogOf(t, task.id, ALICE);
    expect(audit[1].request_id).toBe(res.headers['x-request-id']);
    expect(audit[1].request_id).toMatch(UUID);
  });
});
