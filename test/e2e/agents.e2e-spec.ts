import {
  ADMIN,
  AGENT,
  ALICE,
  as,
  ensureStatus,
  expectProblem,
  expectValidationErrors,
  registerAccount,
  useTestApp,
} from '../support/api';
import { ClaimSignal } from '@taskflow/tasks';
import { auditLogOf, TaskBody } from '../support/tasks';
import { TEST_DRIVERS, TestApp } from '../support/test-app';

async function openTask(t: TestApp, body: Record<string, unknown> = {}): Promise<TaskBody> {
  const res = await t
    .http()
    .post('/tasks')
    .set(as(ALICE))
    .send({ title: 'Crunch the numbers', open: true, ...body });
  return ensureStatus(res, 201).body as TaskBody;
}

/** Polls `ready` every 20 ms, for at most 5 s. */
async function until(ready: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const agents = (t: TestApp, n: number): Promise<string[]> =>
  Promise.all(Array.from({ length: n }, () => registerAccount(t, 'agent', 'a_worker')));

describe.each(TEST_DRIVERS)('agents at work (%s driver)', (driver) => {
  const app = useTestApp(driver);

  it('lets exactly one of 50 concurrent claims of a task win; one claim audit entry', async () => {
    const t = app();
    const task = await openTask(t);
    const workers = await agents(t, 50);

    const answers = await Promise.all(
      workers.map((w) => t.http().post(`/tasks/${task.id}/claim`).set(as(w)).send({})),
    );

    const won = answers.filter((res) => res.status === 200);
    expect(won).toHaveLength(1);
    for (const res of answers.filter((r) => r.status !== 200)) {
      expectProblem(res, 409, 'already-claimed');
      expect(res.body.allowed_actions).toEqual([]);
    }
    expect(won[0].body).toMatchObject({ status: 'assigned', version: 2 });
    expect(workers).toContain(won[0].body.assignee_id);
    const log = await auditLogOf(t, task.id, ADMIN);
    expect(log.map((entry) => entry.action)).toEqual(['create', 'claim']);
  });

  it('hands 10 open tasks to 20 agents claiming at once: 10 distinct tasks, 10 × 204', async () => {
    const t = app();
    const queue = await registerAccount(t, 'human');
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await t
        .http()
        .post('/tasks')
        .set(as(queue))
        .send({ title: `Job ${i}`, open: true, open_to: 'agent', priority: 'low' });
      ids.push(ensureStatus(res, 201).body.id);
    }
    const workers = await agents(t, 20);

    const answers = await Promise.all(
      workers.map((w) =>
        t
          .http()
          .post('/tasks/claim')
          .set(as(w))
          .send({ open_to: 'agent', priority: ['low'] }),
      ),
    );

    const handed = answers.filter((res) => res.status === 200).map((res) => res.body.id);
    expect(handed.sort()).toEqual([...ids].sort());
    const empty = answers.filter((res) => res.status === 204);
    expect(empty).toHaveLength(10);
    for (const res of empty) expect(res.text).toBe('');
  });

  it('answers a waiting claim with a task created during the wait', async () => {
    const t = app();
    const worker = (await agents(t, 1))[0];
    const started = Date.now();
    const waiting = t.http().post('/tasks/claim').set(as(worker)).send({ wait: 10 });
    await new Promise((resolve) => setTimeout(resolve, 300));

    const task = await openTask(t, { open_to: 'agent' });

    const res = ensureStatus(await waiting, 200);
    expect(res.body).toMatchObject({ id: task.id, assignee_id: worker, status: 'assigned' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('claims nothing for a waiting caller that hung up', async () => {
    const t = app();
    const worker = (await agents(t, 1))[0];
    const signal = t.app.get(ClaimSignal, { strict: false });
    const hangUp = new AbortController();
    const waiting = fetch(`${await t.app.getUrl()}/tasks/claim`, {
      method: 'POST',
      headers: { ...as(worker), 'content-type': 'application/json' },
      body: JSON.stringify({ wait: 10, priority: ['urgent'], open_to: 'agent' }),
      signal: hangUp.signal,
    }).catch((error: Error) => error.name);
    await until(() => signal.waiting === 1);
    hangUp.abort();
    expect(await waiting).toBe('AbortError');
    await until(() => signal.waiting === 0);

    const task = await openTask(t, { open_to: 'agent', priority: 'urgent' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const now = ensureStatus(await t.http().get(`/tasks/${task.id}`).set(as(ADMIN)), 200);
    expect(now.body).toMatchObject({ status: 'pending', assignee_id: null, version: 1 });
  });

  it('answers 204 when nothing arrives within the wait', async () => {
    const t = app();
    const worker = (await agents(t, 1))[0];
    const started = Date.now();
    const res = await t
      .http()
      .post('/tasks/claim')
      .set(as(worker))
      .send({ wait: 1, priority: ['urgent'], open_to: 'human' });
    expect(res.status).toBe(204);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('hands out urgent first, then the oldest', async () => {
    const t = app();
    const queue = await registerAccount(t, 'human');
    const make = async (priority: string) =>
      ensureStatus(
        await t
          .http()
          .post('/tasks')
          .set(as(queue))
          .send({ title: priority, open: true, open_to: 'human', priority }),
        201,
      ).body.id as string;
    const normal = await make('normal');
    const urgent = await make('urgent');
    const high = await make('high');
    const urgent2 = await make('urgent');
    const worker = await registerAccount(t, 'human');

    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await t.http().post('/tasks/claim').set(as(worker)).send({ open_to: 'human' });
      order.push(ensureStatus(res, 200).body.id);
    }

    expect(order).toEqual([urgent, urgent2, high, normal]);
  });

  it('releases a task back to the queue, audited as release', async () => {
    const t = app();
    const task = await openTask(t);
    ensureStatus(await t.http().post(`/tasks/${task.id}/claim`).set(as(AGENT)).send({}), 200);

    const res = await t.http().post(`/tasks/${task.id}/release`).set(as(AGENT)).send({});

    expect(ensureStatus(res, 200).body).toMatchObject({
      status: 'pending',
      assignee_id: null,
      lease_expires_at: null,
      version: 3,
    });
    expect(res.body.allowed_actions).toEqual(['claim']);
    const log = await auditLogOf(t, task.id, ADMIN);
    expect(log.map((entry) => [entry.action, entry.actor_id])).toEqual([
      ['create', ALICE],
      ['claim', AGENT],
      ['release', AGENT],
    ]);
  });

  it('fences a worker with If-Match: after a change by someone else, 412', async () => {
    const t = app();
    const task = await openTask(t);
    const claim = ensureStatus(
      await t.http().post(`/tasks/${task.id}/claim`).set(as(AGENT)).send({ lease_seconds: 300 }),
      200,
    );
    const etag = claim.headers.etag;
    expect(etag).toBe('"2"');
    ensureStatus(
      await t.http().patch(`/tasks/${task.id}`).set(as(ALICE)).send({ title: 'Renamed' }),
      200,
    );

    const start = await t
      .http()
      .post(`/tasks/${task.id}/start`)
      .set(as(AGENT))
      .set('if-match', etag)
      .send({});

    expectProblem(start, 412, 'precondition-failed');
  });

  it('leases: heartbeat extends without a new version; a non-holder is refused', async () => {
    const t = app();
    const task = await openTask(t);
    const claim = ensureStatus(
      await t.http().post(`/tasks/${task.id}/claim`).set(as(AGENT)).send({ lease_seconds: 60 }),
      200,
    );
    expect(claim.body.allowed_actions).toEqual(['start', 'release', 'heartbeat']);
    const expires = Date.parse(claim.body.lease_expires_at);
    expect(expires - Date.parse(claim.body.updated_at)).toBe(60_000);

    const beat = await t
      .http()
      .post(`/tasks/${task.id}/heartbeat`)
      .set(as(AGENT))
      .send({ lease_seconds: 600 });

    expect(ensureStatus(beat, 200).body.version).toBe(2);
    expect(Date.parse(beat.body.lease_expires_at)).toBeGreaterThan(expires + 500_000);
    expect((await auditLogOf(t, task.id, ADMIN)).map((e) => e.action)).toEqual(['create', 'claim']);
    const stranger = await t.http().post(`/tasks/${task.id}/heartbeat`).set(as(ALICE)).send({});
    expectProblem(stranger, 409, 'lease-lost');
    expect(stranger.body.allowed_actions).toEqual(
      expect.arrayContaining(['assign', 'cancel', 'update', 'delete', 'release']),
    );
  });

  it('shows open tasks to the accounts open_to admits, with claim among their actions', async () => {
    const t = app();
    const task = await openTask(t, { open_to: 'agent' });
    const human = await registerAccount(t, 'human');

    const seen = ensureStatus(await t.http().get(`/tasks/${task.id}`).set(as(AGENT)), 200);
    expect(seen.body).toMatchObject({ open: true, open_to: 'agent', allowed_actions: ['claim'] });
    expect((await t.http().get(`/tasks/${task.id}`).set(as(human))).status).toBe(404);
    const listed = ensureStatus(
      await t.http().get('/tasks').set(as(AGENT)).query({ limit: 100 }),
      200,
    );
    expect(listed.body.items.map((item: TaskBody) => item.id)).toContain(task.id);
  });

  it.each([
    ['lease_seconds', '/claim', { lease_seconds: 29 }],
    ['lease_seconds', '/claim', { lease_seconds: 86_401 }],
    ['wait', '/claim', { wait: 31 }],
    ['priority', '/claim', { priority: ['soon'] }],
    ['open_to', '/claim', { open_to: 'robots' }],
  ])('refuses a bad %s in POST /tasks%s with a 400 naming it', async (field, path, body) => {
    const t = app();
    const res = await t.http().post(`/tasks${path}`).set(as(AGENT)).send(body);
    expectValidationErrors(res, [field]);
  });

  it('refuses open_to on a task that is not open, writing nothing', async () => {
    const t = app();
    const before = await t.http().get('/tasks').set(as(ALICE)).query({ limit: 100 });
    const res = await t.http().post('/tasks').set(as(ALICE)).send({ title: 'x', open_to: 'agent' });
    expectValidationErrors(res, ['open_to']);
    const after = await t.http().get('/tasks').set(as(ALICE)).query({ limit: 100 });
    expect(after.body.items).toHaveLength(before.body.items.length);
  });
});
