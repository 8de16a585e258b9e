import { HostResolver } from '@taskflow/webhooks';
import { Webhook } from 'standardwebhooks';
import { controlClock } from '../support/auth';
import { expectProblem, registerAccount } from '../support/api';
import { startTestApp, TestApp, TEST_DRIVERS } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';
import { as, assignAs, expectStatus } from '../support/workflow';

interface CreatedWebhook {
  id: string;
  secret: string;
}

async function createWebhook(t: TestApp, user: string, body: object): Promise<CreatedWebhook> {
  return expectStatus(await t.http().post('/webhooks').set(as(user)).send(body), 201).body;
}

async function createTask(t: TestApp, title = 'Hook me'): Promise<string> {
  return expectStatus(await t.http().post('/tasks').set(as('u_alice')).send({ title }), 201).body
    .id;
}

async function attemptsOf(t: TestApp, id: string, user = 'u_alice') {
  return expectStatus(
    await t.http().get(`/webhooks/${id}/deliveries`).query({ limit: 100 }).set(as(user)),
    200,
  ).body.items as {
    id: string;
    event_id: string;
    attempt: number;
    status: string;
    response_status: number | null;
    error: string | null;
    duration_ms: number | null;
    at: string;
    next_attempt_at: string | null;
  }[];
}

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, ms = 10_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const verify = (secret: string, received: { headers: Record<string, unknown>; body: string }) =>
  new Webhook(secret).verify(received.body, received.headers as Record<string, string>);

describe.each(TEST_DRIVERS)('webhooks (%s driver)', (driver) => {
  let t: TestApp;
  const receivers: WebhookReceiver[] = [];
  const receiver = async (replies: (number | 'hang')[] = [], fallback: number | 'hang' = 204) => {
    const started = await new WebhookReceiver(replies, fallback).start();
    receivers.push(started);
    return started;
  };

  beforeAll(async () => {
    t = await startTestApp(driver);
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    // Each test's endpoints go, so later tests' receivers count only their own deliveries.
    const all = expectStatus(
      await t.http().get('/webhooks').query({ limit: 100 }).set(as('u_admin')),
      200,
    );
    for (const hook of all.body.items as { id: string }[]) {
      await t.http().delete(`/webhooks/${hook.id}`).set(as('u_admin'));
    }
    await Promise.all(receivers.splice(0).map((each) => each.close()));
  });
  afterAll(() => t.close());

  describe('endpoints', () => {
    it('creates an endpoint with a whsec_ secret shown once, and lists it without the secret', async () => {
      const res = await t
        .http()
        .post('/webhooks')
        .set(as('u_alice'))
        .send({ url: 'http://127.0.0.1:9/hook', types: ['task.created'], description: 'CI' });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^wh_[0-9a-z]{26}$/),
        owner_id: 'u_alice',
        url: 'http://127.0.0.1:9/hook',
        types: ['task.created'],
        description: 'CI',
        enabled: true,
        disabled_reason: null,
        created_at: expect.any(String),
        updated_at: expect.any(String),
        secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
      });
      expect(Buffer.from(res.body.secret.slice(6), 'base64')).toHaveLength(32);
      const { secret, ...shown } = res.body;
      const listed = expectStatus(await t.http().get('/webhooks').set(as('u_alice')), 200);
      expect(listed.body.items).toEqual([shown]);
      expect(listed.text).not.toContain(secret);
      const one = expectStatus(await t.http().get(`/webhooks/${shown.id}`).set(as('u_alice')), 200);
      expect(one.body).toEqual(shown);
    });

    it('hides an endpoint from others (404) and shows every endpoint to admins', async () => {
      const hook = await createWebhook(t, 'u_alice', { url: 'http://127.0.0.1:9/' });
      for (const [method, path] of [
        ['get', `/webhooks/${hook.id}`],
        ['patch', `/webhooks/${hook.id}`],
        ['delete', `/webhooks/${hook.id}`],
        ['post', `/webhooks/${hook.id}/rotate-secret`],
        ['get', `/webhooks/${hook.id}/deliveries`],
        ['post', `/webhooks/${hook.id}/replay`],
      ] as const) {
        const res = await t
          .http()
          [method](path)
          .set(as('u_bob'))
          .send(method === 'post' && path.endsWith('replay') ? { after: 'now' } : {});
        expectProblem(res, 404, 'not-found');
      }
      expect(
        expectStatus(await t.http().get('/webhooks').set(as('u_bob')), 200).body.items,
      ).toEqual([]);
      const admin = expectStatus(await t.http().get('/webhooks').set(as('u_admin')), 200);
      expect(admin.body.items.map((each: { id: string }) => each.id)).toEqual([hook.id]);
      expectStatus(await t.http().get(`/webhooks/${hook.id}`).set(as('u_admin')), 200);
    });

    it('updates url, types, description and enabled, and deletes', async () => {
      const hook = await createWebhook(t, 'u_alice', { url: 'http://127.0.0.1:9/' });
      const res = await t
        .http()
        .patch(`/webhooks/${hook.id}`)
        .set(as('u_alice'))
        .send({
          url: 'http://127.0.0.1:10/x',
          types: ['task.closed'],
          enabled: false,
          description: null,
        });
      expect(expectStatus(res, 200).body).toMatchObject({
        url: 'http://127.0.0.1:10/x',
        types: ['task.closed'],
        enabled: false,
        description: null,
      });
      expectStatus(await t.http().delete(`/webhooks/${hook.id}`).set(as('u_alice')), 204);
      expectProblem(
        await t.http().get(`/webhooks/${hook.id}`).set(as('u_alice')),
        404,
        'not-found',
      );
    });

    it.each([
      [{}, 400],
      [{ url: 'http://127.0.0.1/', types: ['task.exploded'] }, 400],
      [{ url: 'http://127.0.0.1/', extra: 1 }, 400],
      [{ url: 'not a url' }, 422],
      [{ url: 'ftp://127.0.0.1/' }, 422],
      [{ url: 'file:///etc/passwd' }, 422],
    ])('refuses %j with %i problem+json', async (body, status) => {
      const res = await t.http().post('/webhooks').set(as('u_alice')).send(body);
      const problem = expectProblem(res, status, status === 400 ? 'validation' : 'unprocessable');
      expect(problem.detail.length).toBeGreaterThan(0);
    });

    it('pages the list with a cursor and refuses a forged one (400)', async () => {
      for (let i = 0; i < 3; i++) await createWebhook(t, 'u_alice', { url: 'http://127.0.0.1:9/' });
      const first = expectStatus(
        await t.http().get('/webhooks').query({ limit: 2 }).set(as('u_alice')),
        200,
      );
      expect(first.body.items).toHaveLength(2);
      const second = expectStatus(
        await t
          .http()
          .get('/webhooks')
          .query({ limit: 2, cursor: first.body.next_cursor })
          .set(as('u_alice')),
        200,
      );
      expect(second.body).toMatchObject({ next_cursor: null });
      expect(second.body.items).toHaveLength(1);
      expectProblem(
        await t.http().get('/webhooks').query({ cursor: 'bm9wZQ' }).set(as('u_alice')),
        400,
        'validation',
      );
    });
  });

  describe('delivery', () => {
    it('signs per Standard Webhooks: the reference verifier accepts it, the timestamp is now', async () => {
      const rx = await receiver();
      const hook = await createWebhook(t, 'u_alice', { url: rx.url });
      const taskId = await createTask(t);
      const [got] = await rx.waitFor(1);
      expect(got.headers['content-type']).toBe('application/json');
      expect(got.headers['webhook-id']).toBe(`${taskId}:1`);
      expect(Math.abs(Number(got.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(
        10,
      );
      expect(got.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
      expect(verify(hook.secret, got)).toMatchObject({
        id: `${taskId}:1`,
        type: 'task.created',
        task_id: taskId,
        version: 1,
        task: expect.objectContaining({ id: taskId, status: 'pending' }),
      });
      expect(() => verify(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, got)).toThrow();
      const attempts = await until(
        () => attemptsOf(t, hook.id),
        (items) => items[0]?.status === 'succeeded',
      );
      expect(attempts).toEqual([
        expect.objectContaining({
          event_id: `${taskId}:1`,
          attempt: 1,
          status: 'succeeded',
          response_status: 204,
          error: null,
          next_attempt_at: null,
        }),
      ]);
    });

    it('sends only the subscribed types, and only events the owner may see', async () => {
      const rx = await receiver();
      await createWebhook(t, 'u_bob', { url: rx.url, types: ['task.assigned'] });
      const mine = await createTask(t, 'assigned to bob');
      await assignAs(t, 'u_alice', mine, 'u_bob');
      const hidden = await createTask(t, 'not for bob');
      await assignAs(t, 'u_alice', hidden, 'a_builder');
      await rx.waitFor(1);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(rx.events().map((event) => event.id)).toEqual([`${mine}:2`]);
    });

    it('retries a failing receiver with the same webhook-id: fail, fail, succeed is three attempts', async () => {
      const clock = controlClock(t);
      const rx = await receiver([500, 503]);
      const hook = await createWebhook(t, 'u_alice', { url: rx.url });
      const taskId = await createTask(t);
      await rx.waitFor(1);
      const first = await until(
        () => attemptsOf(t, hook.id),
        (items) => items[0]?.status === 'failed',
      );
      // The first retry after about 5 s (with jitter), the second after about a minute.
      const retryIn = Date.parse(first[0].next_attempt_at as string) - Date.parse(first[0].at);
      expect(retryIn).toBeGreaterThan(3_000);
      expect(retryIn).toBeLessThan(7_000);
      clock.advance(7_000);
      await rx.waitFor(2);
      const second = await until(
        () => attemptsOf(t, hook.id),
        (items) => items.length === 2 && items[0].status === 'failed',
      );
      const secondDelay =
        Date.parse(second[0].next_attempt_at as string) - Date.parse(second[0].at);
      expect(secondDelay).toBeGreaterThan(40_000);
      clock.advance(80_000);
      await rx.waitFor(3);
      const attempts = await until(
        () => attemptsOf(t, hook.id),
        (items) => items.length === 3 && items[0].status === 'succeeded',
      );
      expect(attempts.map((each) => [each.attempt, each.status, each.response_status])).toEqual([
        [3, 'succeeded', 204],
        [2, 'failed', 503],
        [1, 'failed', 500],
      ]);
      expect(new Set(rx.received.map((each) => each.headers['webhook-id']))).toEqual(
        new Set([`${taskId}:1`]),
      );
      for (const each of rx.received) expect(verify(hook.secret, each)).toBeTruthy();
    });

    it('counts a receiver that hangs as failed at 10 s while another keeps receiving', async () => {
      const slow = await receiver([], 'hang');
      const fast = await receiver();
      const stuck = await createWebhook(t, 'u_alice', { url: slow.url });
      await createWebhook(t, 'u_alice', { url: fast.url });
      const started = Date.now();
      for (let i = 0; i < 6; i++) await createTask(t, `busy ${i}`);
      await fast.waitFor(6, 5_000);
      expect(Date.now() - started).toBeLessThan(5_000);
      const attempts = await until(
        () => attemptsOf(t, stuck.id),
        (items) => items.some((each) => each.status === 'failed'),
        15_000,
      );
      const failed = attempts.find((each) => each.status === 'failed');
      expect(failed).toMatchObject({ response_status: null, error: 'timed out after 10 s' });
      expect(failed?.duration_ms).toBeGreaterThanOrEqual(9_900);
      expect(failed?.duration_ms).toBeLessThan(11_000);
    }, 30_000);

    it('signs with both secrets for the overlap after a rotation', async () => {
      const rx = await receiver();
      const hook = await createWebhook(t, 'u_alice', { url: rx.url });
      const rotated = expectStatus(
        await t.http().post(`/webhooks/${hook.id}/rotate-secret`).set(as('u_alice')),
        200,
      ).body;
      expect(rotated.secret).toMatch(/^whsec_/);
      expect(rotated.secret).not.toBe(hook.secret);
      await createTask(t);
      const [got] = await rx.waitFor(1);
      expect(String(got.headers['webhook-signature']).split(' ')).toHaveLength(2);
      expect(verify(hook.secret, got)).toBeTruthy();
      expect(verify(rotated.secret, got)).toBeTruthy();
    });

    it('after the overlap, signs with the new secret alone', async () => {
      const clock = controlClock(t);
      const rx = await receiver();
      const hook = await createWebhook(t, 'u_alice', { url: rx.url });
      const rotated = expectStatus(
        await t.http().post(`/webhooks/${hook.id}/rotate-secret`).set(as('u_alice')),
        200,
      ).body;
      clock.advance(24 * 3_600_000 + 1_000);
      await createTask(t);
      const [got] = await rx.waitFor(1);
      expect(String(got.headers['webhook-signature']).split(' ')).toHaveLength(1);
      // The signed timestamp is a day ahead (the app's clock was moved); verify as of then.
      jest.spyOn(Date, 'now').mockReturnValue(Number(got.headers['webhook-timestamp']) * 1000);
      expect(verify(rotated.secret, got)).toBeTruthy();
      expect(() => verify(hook.secret, got)).toThrow(/signature/i);
    });

    it('replays exactly the subscribed events since a cursor', async () => {
      const rx = await receiver();
      const hook = await createWebhook(t, 'u_alice', { url: rx.url, types: ['task.created'] });
      await createTask(t, 'before the cursor');
      await rx.waitFor(1);
      const cursor = expectStatus(
        await t.http().get('/events').query({ after: 'now' }).set(as('u_alice')),
        200,
      ).body.next_cursor;
      const later: string[] = [];
      for (let i = 0; i < 3; i++) {
        const id = await createTask(t, `after ${i}`);
        await assignAs(t, 'u_alice', id, 'u_bob');
        later.push(id);
      }
      await rx.waitFor(4);
      const replay = await t
        .http()
        .post(`/webhooks/${hook.id}/replay`)
        .set(as('u_alice'))
        .send({ after: cursor });
      expect(expectStatus(replay, 202).body).toEqual({
        replay_id: expect.stringMatching(/^rp_/),
        status: 'running',
      });
      await rx.waitFor(7);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const ids = rx.events().map((event) => event.id);
      expect(ids.slice(4).sort()).toEqual(later.map((id) => `${id}:1`).sort());
      expect(ids).toHaveLength(7);
      expectProblem(
        await t
          .http()
          .post(`/webhooks/${hook.id}/replay`)
          .set(as('u_alice'))
          .send({ after: 'garbage!' }),
        400,
        'validation',
      );
    });

    it("stops a disabled owner's webhooks", async () => {
      const rx = await receiver();
      const owner = await registerAccount(t);
      await createWebhook(t, owner, { url: rx.url });
      const task = expectStatus(
        await t.http().post('/tasks').set(as(owner)).send({ title: 'mine' }),
        201,
      ).body.id as string;
      await rx.waitFor(1);
      expectStatus(await t.http().post(`/users/${owner}/disable`).set(as('u_admin')), 200);
      expectStatus(
        await t.http().patch(`/tasks/${task}`).set(as('u_admin')).send({ title: 'changed' }),
        200,
      );
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(rx.events().map((event) => event.id)).toEqual([`${task}:1`]);
    });

    it('disables an endpoint whose deliveries fail for 3 days, saying why', async () => {
      const clock = controlClock(t);
      const rx = await receiver([], 500);
      const hook = await createWebhook(t, 'u_alice', { url: rx.url });
      await createTask(t);
      await rx.waitFor(1);
      await until(
        () => attemptsOf(t, hook.id),
        (items) => items[0]?.status === 'failed',
      );
      clock.advance(3 * 24 * 3_600_000);
      await createTask(t);
      const shown = await until(
        async () =>
          expectStatus(await t.http().get(`/webhooks/${hook.id}`).set(as('u_alice')), 200).body,
        (body) => body.enabled === false,
      );
      expect(shown.disabled_reason).toMatch(/^every delivery since .* failed$/);
      const reenabled = expectStatus(
        await t.http().patch(`/webhooks/${hook.id}`).set(as('u_alice')).send({ enabled: true }),
        200,
      );
      expect(reenabled.body).toMatchObject({ enabled: true, disabled_reason: null });
    });

    it('counts deliveries, their duration and the backlog in /metrics', async () => {
      const rx = await receiver();
      await createWebhook(t, 'u_alice', { url: rx.url });
      await createTask(t);
      await rx.waitFor(1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const metrics = expectStatus(await t.http().get('/metrics'), 200).text;
      expect(metrics).toMatch(/^webhook_deliveries_total\{result="succeeded"\} [1-9]/m);
      expect(metrics).toMatch(/^webhook_delivery_duration_seconds_count [1-9]/m);
      expect(metrics).toMatch(/^webhook_backlog \d+/m);
    });

    it('connects to the address it checked, under the URL host name', async () => {
      const rx = await receiver();
      jest
        .spyOn(t.app.get(HostResolver, { strict: false }), 'resolve')
        .mockImplementation(async (host) =>
          host === 'receiver.example.test' ? ['127.0.0.1'] : [],
        );
      await createWebhook(t, 'u_alice', { url: `http://receiver.example.test:${rx.port}/h` });
      await createTask(t);
      const [got] = await rx.waitFor(1);
      expect(got.headers.host).toBe(`receiver.example.test:${rx.port}`);
    });
  });
});

describe.each(TEST_DRIVERS)('WEBHOOK_DISPATCH=off (%s driver)', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(driver, { WEBHOOK_DISPATCH: 'off' });
  });
  afterAll(() => t.close());

  it('keeps endpoints manageable but sends nothing from this instance', async () => {
    const rx = await new WebhookReceiver().start();
    try {
      const hook = await createWebhook(t, 'u_alice', { url: rx.url });
      await createTask(t);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(rx.received).toEqual([]);
      expect(await attemptsOf(t, hook.id)).toEqual([]);
    } finally {
      await rx.close();
    }
  });
});

describe.each(TEST_DRIVERS)('webhook SSRF guard (%s driver)', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(driver, { WEBHOOK_ALLOW_PRIVATE: 'false' });
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => t.close());

  it.each([
    'http://127.0.0.1/',
    'http://127.1.2.3:8080/',
    'http://localhost/',
    'http://[::1]/',
    'http://10.0.0.1/',
    'http://172.16.5.4/',
    'http://192.168.1.1/',
    'http://169.254.169.254/latest/meta-data',
    'http://[fe80::1]/',
    'http://[fc00::1]/',
    'http://[fd12:3456::1]/',
    'http://0.0.0.0/',
    'http://[::]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:10.0.0.1]/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://2130706433/',
    'http://0x7f.1/',
  ])('refuses %s at save time (422)', async (url) => {
    const res = await t.http().post('/webhooks').set(as('u_alice')).send({ url });
    const problem = expectProblem(res, 422, 'unprocessable');
    expect(problem.detail).toMatch(/may not reach/);
  });

  it('accepts a public address', async () => {
    await createWebhook(t, 'u_alice', { url: 'https://93.184.215.14/hook' });
  });

  it('refuses at delivery time a host that resolves to a private address later', async () => {
    const rx = await new WebhookReceiver().start();
    try {
      let answer = ['93.184.215.14'];
      jest
        .spyOn(t.app.get(HostResolver, { strict: false }), 'resolve')
        .mockImplementation(async () => answer);
      const hook = await createWebhook(t, 'u_alice', {
        url: `http://rebind.example.test:${rx.port}/h`,
      });
      answer = ['127.0.0.1'];
      await createTask(t);
      const attempts = await until(
        () => attemptsOf(t, hook.id),
        (items) => items.length > 0 && items[0].status === 'failed',
      );
      expect(attempts[0].error).toMatch(/^refused: .*127\.0\.0\.1 \(loopback\)/);
      expect(rx.received).toEqual([]);
    } finally {
      await rx.close();
    }
  });
});
