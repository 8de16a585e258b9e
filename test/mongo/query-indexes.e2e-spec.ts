import { LeaseSweeper, TaskRepository, TaskRollForwardSweep } from '@taskflow/tasks';
import { controlClock } from '../support/auth';
import { WebhookReceiver } from '../support/webhook-receiver';
import { WriteFaults } from '../support/faults';
import { CommandLog, withDatabase } from '../support/mongo';
import { describeShape, IndexKeys, serves, shapesOf } from '../support/query-shapes';
import { mongoConnectionOf, startTestApp, TestApp } from '../support/test-app';
import { allPages, anAssignedTask, as, expectStatus } from '../support/workflow';

/**
 * The migration runner's own bookkeeping, and the event horizon's records (one per running
 * instance): a few documents, read whole on purpose.
 */
const BOOKKEEPING = ['migrations', 'migration_lock', 'event_horizon'];
/** Soft-delete marker: null on nearly every task, so it is checked on fetch, not indexed. */
const FLAGS = ['deleted_at'];

/** Drives every endpoint and background path the Mongo adapters have. */
/** A list's first page of one task, and its second when there is one (the keyset query). */
async function firstTwoPages(t: TestApp, user: string, query: object): Promise<void> {
  const page = (cursor?: string) =>
    t
      .http()
      .get('/tasks')
      .query({ ...query, limit: 1, ...(cursor ? { cursor } : {}) })
      .set(as(user));
  const first = expectStatus(await page(), 200);
  if (first.body.next_cursor) expectStatus(await page(first.body.next_cursor), 200);
}

async function representativeWorkload(t: TestApp): Promise<void> {
  const http = () => t.http();
  expectStatus(
    await http()
      .post('/users')
      .send({ id: 'u_carol', name: 'Carol', role: 'human', password: 'a-long-enough-password' }),
    201,
  );
  expectStatus(await http().get('/me').set(as('u_carol')), 200);
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) ids.push(await anAssignedTask(t, `task ${i}`));
  const [id] = ids;
  expectStatus(
    await http().post(`/tasks/${id}/start`).set(as('u_bob')).send({ comment: 'go' }),
    200,
  );
  expectStatus(await http().post(`/tasks/${id}/submit`).set(as('u_bob')).send({}), 200);
  expectStatus(
    await http().post(`/tasks/${id}/reject`).set(as('u_alice')).send({ reason: 'Totals' }),
    200,
  );
  expectStatus(
    await http().patch(`/tasks/${id}`).set(as('u_alice')).send({ reviewer_id: 'u_carol' }),
    200,
  );
  expectStatus(await http().delete(`/tasks/${ids[2]}`).set(as('u_alice')), 204);
  for (const user of ['u_alice', 'u_bob', 'u_admin']) {
    for (const query of [
      {},
      { status: 'assigned' },
      { assignee_id: 'u_bob' },
      { creator_id: 'u_alice' },
      { status: 'rejected', assignee_id: 'u_bob', creator_id: 'u_alice' },
    ]) {
      await firstTwoPages(t, user, query);
    }
  }
  await allPages(t, `/tasks/${id}/audit_logs`);
  await allPages(t, `/tasks/${id}/records`);
  for (const path of [`/tasks/${id}/audit_logs`, `/tasks/${id}/records`]) {
    const first = expectStatus(await http().get(path).query({ limit: 1 }).set(as('u_admin')), 200);
    expectStatus(
      await http().get(path).query({ limit: 1, cursor: first.body.next_cursor }).set(as('u_admin')),
      200,
    );
  }

  // The event feed: from the oldest, after a cursor (the tie branch of the keyset too), from the
  // end, by type, by task, and a long-poll woken by a write (the shared poll's probe).
  const events = expectStatus(
    await http().get('/events').query({ limit: 2 }).set(as('u_bob')),
    200,
  );
  for (const query of [
    { after: events.body.next_cursor, limit: 2 },
    { after: 'now' },
    { types: 'task.assigned,task.started', limit: 2 },
    { task_id: id, after: events.body.next_cursor },
  ]) {
    expectStatus(await http().get('/events').query(query).set(as('u_bob')), 200);
  }
  const now = expectStatus(
    await http().get('/events').query({ after: 'now' }).set(as('u_alice')),
    200,
  );
  const woken = http()
    .get('/events')
    .query({ after: now.body.next_cursor, wait: 5 })
    .set(as('u_alice'))
    .then((res) => expectStatus(res, 200).body.items as unknown[]);
  await new Promise((resolve) => setTimeout(resolve, 200));
  await anAssignedTask(t, 'woken');
  expect(await woken).not.toEqual([]);
  // An instance just counted gone (its record 4 s old): a moving horizon probes the log for
  // the entries it may have landed after its last publish.
  await mongoConnectionOf(t)
    .collection<{ _id: string; safe: number; landed: number; heartbeat_at: Date }>('event_horizon')
    .insertOne({ _id: 'in_gone', safe: 0, landed: 0, heartbeat_at: new Date(Date.now() - 4_000) });
  const probing = http()
    .get('/events')
    .query({ after: 'now', wait: 1 })
    .set(as('u_alice'))
    .then((res) => expectStatus(res, 200));
  await new Promise((resolve) => setTimeout(resolve, 500));
  await probing;

  // A race and a write cut short: the roll-forward's reads and the fallback of a late task write.
  await Promise.all(
    [0, 1, 2].map(() => http().post(`/tasks/${ids[1]}/start`).set(as('u_bob')).send({})),
  );
  const faults = new WriteFaults(t);
  faults.arm(3);
  await http().patch(`/tasks/${ids[1]}`).set(as('u_alice')).send({ title: 'cut short' });
  faults.arm(null);
  expectStatus(
    await http().patch(`/tasks/${ids[1]}`).set(as('u_alice')).send({ title: 'next' }),
    200,
  );
  await t.app.get(TaskRollForwardSweep, { strict: false }).sweep();

  // Agents (issue 18): open tasks seen and listed by an agent, the claim queue, a claim by id,
  // a heartbeat, a release, the shared claim poll and the lease sweeper.
  const open: string[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await http()
      .post('/tasks')
      .set(as('u_alice'))
      .send({ title: `open ${i}`, open: true, open_to: 'agent' });
    open.push(expectStatus(res, 201).body.id);
  }
  expectStatus(await http().get(`/tasks/${open[0]}`).set(as('a_builder')), 200);
  expectStatus(await http().get('/tasks').query({ limit: 2 }).set(as('a_builder')), 200);
  expectStatus(
    await http().post(`/tasks/${open[0]}/claim`).set(as('a_builder')).send({ lease_seconds: 30 }),
    200,
  );
  expectStatus(await http().post(`/tasks/${open[0]}/heartbeat`).set(as('a_builder')).send({}), 200);
  expectStatus(
    await http()
      .post('/tasks/claim')
      .set(as('a_builder'))
      .send({ priority: ['normal'] }),
    200,
  );
  expectStatus(await http().post(`/tasks/${open[0]}/release`).set(as('a_builder')).send({}), 200);
  await t.app.get(TaskRepository, { strict: false }).claimableNow(10);

  // Sorted, filtered lists (issue 18), two pages each so the keyset query runs too.
  for (const user of ['u_alice', 'a_builder', 'u_admin']) {
    for (const query of [
      { sort: '-updated_at' },
      { sort: 'due_at' },
      { sort: '-due_at' },
      { sort: '-priority', status: 'pending,assigned' },
      { sort: 'priority', priority: 'normal,high' },
      { sort: '-created_at', open: 'true' },
      { sort: 'updated_at', assignee_id: 'me', updated_since: '2020-01-01T00:00:00Z' },
      { sort: 'due_at', creator_id: 'me', due_before: '2100-01-01T00:00:00Z' },
      { reviewer_id: 'me' },
    ] as Record<string, string>[]) {
      await firstTwoPages(t, user, query);
    }
  }
  await t.app.get(LeaseSweeper, { strict: false }).sweep();
}

/** Login, refresh, a replayed refresh, revoke-sessions, a password reset and a disable. */
async function identityWorkload(t: TestApp): Promise<void> {
  const http = () => t.http();
  const warnings: string[] = [];
  // Dev mode's log mailer is where the reset token arrives.
  t.app.useLogger({
    log: () => undefined,
    error: () => undefined,
    warn: (message: unknown) => warnings.push(String(message)),
  });
  const password = 'a-long-enough-password';
  expectStatus(
    await http()
      .post('/users')
      .send({ id: 'u_dora', name: 'Dora', role: 'human', password, email: 'd@example.test' }),
    201,
  );
  const login = expectStatus(
    await http().post('/auth/login').send({ id: 'u_dora', password }),
    200,
  );
  const bearer = { authorization: `Bearer ${login.body.access_token}` };
  expectStatus(await http().get('/me').set(bearer), 200);
  // API keys: create, use (the key read and its last_used_at), list, revoke.
  const key = expectStatus(
    await http()
      .post('/api-keys')
      .set(bearer)
      .send({ name: 'agent', scopes: ['tasks:read'], expires_in_days: 1 }),
    201,
  ).body as { id: string; key: string };
  expectStatus(
    await http()
      .get('/me')
      .set({ authorization: `Bearer ${key.key}` }),
    200,
  );
  expectStatus(await http().get('/api-keys').set(bearer), 200);
  expectStatus(await http().get('/users/u_dora/api-keys').set(as('u_admin')), 200);
  expectStatus(await http().delete(`/api-keys/${key.id}`).set(bearer), 204);
  const refresh = (token: string) => http().post('/auth/refresh').send({ refresh_token: token });
  expectStatus(await refresh(login.body.refresh_token), 200);
  // The app runs with REFRESH_GRACE_SECONDS=0: a replay is reuse and revokes the family.
  expectStatus(await refresh(login.body.refresh_token), 401);
  expectStatus(await http().post('/users/u_dora/revoke-sessions').set(as('u_dora')), 204);
  expectStatus(await http().post('/auth/password-reset/request').send({ id: 'u_dora' }), 202);
  const token = /Reset token: (\S+)/.exec(warnings.join('\n'))?.[1] ?? 'no-token-in-the-log';
  expectStatus(
    await http()
      .post('/auth/password-reset/confirm')
      .send({ token, new_password: 'another-long-password' }),
    204,
  );
  expectStatus(await http().post('/users/u_dora/disable').set(as('u_admin')), 200);
}

/**
 * Webhooks: endpoints made, listed (own and all, two pages), changed, rotated; a delivery that
 * fails once and is retried; the delivery log's two pages; a replay; a delete.
 */
async function webhookWorkload(t: TestApp): Promise<void> {
  const http = () => t.http();
  const receiver = await new WebhookReceiver([500]).start();
  try {
    const clock = controlClock(t);
    const hook = expectStatus(
      await http().post('/webhooks').set(as('u_alice')).send({ url: receiver.url }),
      201,
    ).body as { id: string };
    expectStatus(
      await http().post('/webhooks').set(as('u_alice')).send({ url: receiver.url, types: [] }),
      201,
    );
    for (const user of ['u_alice', 'u_admin']) {
      const first = expectStatus(
        await http().get('/webhooks').query({ limit: 1 }).set(as(user)),
        200,
      );
      expectStatus(
        await http()
          .get('/webhooks')
          .query({ limit: 1, cursor: first.body.next_cursor })
          .set(as(user)),
        200,
      );
    }
    const cursor = expectStatus(
      await http().get('/events').query({ after: 'now' }).set(as('u_alice')),
      200,
    ).body.next_cursor;
    await anAssignedTask(t, 'hooked');
    await receiver.waitFor(2);
    clock.advance(7_000);
    await receiver.waitFor(4);
    const log = expectStatus(
      await http().get(`/webhooks/${hook.id}/deliveries`).query({ limit: 1 }).set(as('u_alice')),
      200,
    );
    expectStatus(
      await http()
        .get(`/webhooks/${hook.id}/deliveries`)
        .query({ limit: 1, cursor: log.body.next_cursor })
        .set(as('u_alice')),
      200,
    );
    expectStatus(
      await http().patch(`/webhooks/${hook.id}`).set(as('u_alice')).send({ description: 'x' }),
      200,
    );
    expectStatus(await http().post(`/webhooks/${hook.id}/rotate-secret`).set(as('u_alice')), 200);
    expectStatus(
      await http().post(`/webhooks/${hook.id}/replay`).set(as('u_alice')).send({ after: cursor }),
      202,
    );
    await receiver.waitFor(6);
    expectStatus(await http().delete(`/webhooks/${hook.id}`).set(as('u_alice')), 204);
  } finally {
    jest.restoreAllMocks();
    await receiver.close();
  }
}

describe('indexes behind every query the Mongo adapters issue', () => {
  let t: TestApp;
  let log: CommandLog;

  beforeAll(async () => {
    t = await startTestApp('mongo', { REFRESH_GRACE_SECONDS: '0' });
    log = new CommandLog(mongoConnectionOf(t).getClient());
    await representativeWorkload(t);
    await identityWorkload(t);
    await webhookWorkload(t);
    log.stop();
  });
  afterAll(() => t.close());

  it('serves each query shape with an index a migration created', async () => {
    const shapes = log.commands
      .filter((c) => c.collection !== null && !BOOKKEEPING.includes(c.collection))
      .flatMap(shapesOf);
    const collections = [...new Set(shapes.map((shape) => shape.collection))];
    expect(collections.sort()).toEqual(
      [
        'accounts',
        'api_keys',
        'audit_entries',
        'checkpoints',
        'collaboration_records',
        'password_reset_tokens',
        'refresh_families',
        'refresh_tokens',
        'tasks',
        'webhook_attempts',
        'webhook_cursors',
        'webhook_deliveries',
        'webhook_replays',
        'webhooks',
      ].sort(),
    );
    const indexes = new Map<string, IndexKeys[]>();
    await withDatabase(t.mongoUri as string, async (db) => {
      for (const collection of collections) {
        const list = await db.collection(collection).listIndexes().toArray();
        indexes.set(
          collection,
          list.map((index) => Object.entries(index.key as Record<string, number>)),
        );
      }
    });
    const unserved = [...new Set(shapes.map(describeShape))].filter((described) => {
      const shape = shapes.find((s) => describeShape(s) === described)!;
      return !(indexes.get(shape.collection) ?? []).some((index) => serves(index, shape, FLAGS));
    });
    expect(unserved).toEqual([]);
    // The check can fail: without the migrations' indexes, list and log queries are unserved.
    const onlyIds = shapes.filter((shape) => !serves([['_id', 1]], shape, FLAGS));
    expect(onlyIds.map((shape) => shape.collection)).toEqual(
      expect.arrayContaining(['tasks', 'audit_entries', 'collaboration_records']),
    );
    // The workload did exercise the list, log and sweep queries, not only `_id` lookups.
    const described = shapes.map(describeShape);
    expect(described).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^tasks eq\(visible_to,deleted_at\)/),
        expect.stringMatching(/^tasks eq\(deleted_at,status\)/),
        expect.stringMatching(/^audit_entries eq\(task_id\) range\(version\) sort\(version:1\)/),
        expect.stringMatching(/^audit_entries eq\(\) range\(at\)/),
        expect.stringMatching(/^collaboration_records eq\(task_id\) range\(_id\) sort\(_id:1\)/),
        'audit_entries eq() range(seq,seq) sort(seq:1,_id:1)',
        'audit_entries eq() range(_id,seq) sort(seq:1,_id:1)',
        expect.stringMatching(/^audit_entries eq\(task_id\) range\(seq,seq\) sort\(seq:1,_id:1\)/),
        expect.stringMatching(/^audit_entries eq\(action\) range\(seq,seq\) sort\(seq:1,_id:1\)/),
        'audit_entries eq(seq) range() sort()',
        'audit_entries eq() range(seq) sort()',
        'refresh_tokens eq(token_hash) range() sort()',
        'refresh_families eq(account_id,revoked_at) range() sort()',
        expect.stringMatching(
          /^tasks eq\(open,assignee_id,open_to,deleted_at\) range\(\) sort\(_id:1\)/,
        ),
        expect.stringMatching(
          /^tasks eq\(open,status,assignee_id,deleted_at,open_to(,priority)?\) range\(\) sort\(priority_rank:1,_id:1\)/,
        ),
        'tasks eq() range(lease_expires_at) sort(lease_expires_at:1)',
        'webhooks eq(owner_id) range(_id) sort(_id:1)',
        'webhooks eq(enabled) range() sort()',
        'webhook_deliveries eq(status) range(due_at) sort(due_at:1,_id:1)',
        'webhook_cursors eq(endpoint_id) range() sort(n:-1)',
        'webhook_attempts eq(endpoint_id) range(at) sort(at:-1,_id:1)',
        'webhook_replays eq(finished_at) range() sort()',
        'webhook_attempts eq(at,endpoint_id) range(_id) sort(at:-1,_id:1)',
      ]),
    );
  });
});
