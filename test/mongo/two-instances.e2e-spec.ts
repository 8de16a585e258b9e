import { bearer, login } from '../support/auth';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Two API instances on one database, as behind a load balancer: rate-limit counters and
 * idempotency keys live in MongoDB, so both instances see the same ones.
 */
async function twoInstances(env: Record<string, string>): Promise<[TestApp, TestApp]> {
  const first = await startTestApp('mongo', env);
  return [first, await startTestApp('mongo', { ...env, MONGODB_URI: first.mongoUri as string })];
}

describe('two instances on one database (mongo driver)', () => {
  let a: TestApp;
  let b: TestApp;

  beforeEach(async () => {
    // Hour-long windows, so no test straddles a window boundary; high enough for the bursts.
    [a, b] = await twoInstances({ RATE_LIMIT_GLOBAL: '1000/3600s' });
  });
  afterEach(async () => {
    await b?.close();
    await a?.close();
  });

  it('counts a client’s hits on both instances against one limit', async () => {
    const [c, d] = await twoInstances({ RATE_LIMIT_GLOBAL: '4/3600s' });
    try {
      // Sequential: FerretDB can undercount concurrent increments (docs/MONGODB.md).
      const statuses = [];
      for (const t of [c, d, c, d, c]) {
        statuses.push((await t.http().get('/me').set('x-user-id', 'u_bob')).status);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 429]);
    } finally {
      await d.close();
      await c.close();
    }
  });

  it('replays on one instance a key first used on the other', async () => {
    const send = (t: TestApp) =>
      t
        .http()
        .post('/tasks')
        .set('x-user-id', 'u_alice')
        .set('idempotency-key', 'across')
        .send({ title: 'Once' });
    const first = await send(a);
    const again = await send(b);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
  });

  it('creates one task from concurrent repeats spread over both instances', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b)
          .http()
          .post('/tasks')
          .set('x-user-id', 'a_builder')
          .set('idempotency-key', 'spread')
          .send({ title: 'Exactly once' }),
      ),
    );
    expect(answers.every((res) => res.status === 201 || res.status === 409)).toBe(true);
    const ids = new Set(answers.filter((res) => res.status === 201).map((res) => res.body.id));
    expect(ids.size).toBe(1);
    const listed = await a.http().get('/tasks').set('x-user-id', 'a_builder').expect(200);
    expect(
      listed.body.items.filter((task: { title: string }) => task.title === 'Exactly once'),
    ).toHaveLength(1);
  });

  it('refuses an API key on both instances as soon as it is revoked, or its account disabled', async () => {
    const admin = (await login(a, 'u_admin')).access_token;
    const create = async (account: string) =>
      (
        await a
          .http()
          .post(`/users/${account}/api-keys`)
          .set(bearer(admin))
          .send({ name: 'agent', scopes: ['tasks:read'], expires_in_days: 1 })
          .expect(201)
      ).body as { id: string; key: string };
    const revoked = await create('a_builder');
    const ofDisabled = await create('u_bob');
    for (const t of [a, b]) {
      await t.http().get('/tasks').set(bearer(revoked.key)).expect(200);
      await t.http().get('/tasks').set(bearer(ofDisabled.key)).expect(200);
    }
    await b.http().delete(`/api-keys/${revoked.id}`).set(bearer(admin)).expect(204);
    await b.http().post('/users/u_bob/disable').set(bearer(admin)).expect(200);
    for (const t of [a, b]) {
      await t.http().get('/tasks').set(bearer(revoked.key)).expect(401);
      await t.http().get('/tasks').set(bearer(ofDisabled.key)).expect(401);
    }
  });

  it('wakes a claim waiting on one instance with a task created on the other', async () => {
    const started = Date.now();
    const waiting = b
      .http()
      .post('/tasks/claim')
      .set('x-user-id', 'a_builder')
      .send({ open_to: 'agent', wait: 10 });
    await new Promise((resolve) => setTimeout(resolve, 300));

    const created = await a
      .http()
      .post('/tasks')
      .set('x-user-id', 'u_alice')
      .send({ title: 'Across', open: true, open_to: 'agent' })
      .expect(201);

    const res = await waiting;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: created.body.id, assignee_id: 'a_builder' });
    // The shared poll runs once a second: well before the 10 s wait runs out.
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('hands 10 open tasks to 20 claims spread over both instances: 10 distinct, 10 × 204', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await a
        .http()
        .post('/tasks')
        .set('x-user-id', 'u_alice')
        .send({ title: `Job ${i}`, open: true, open_to: 'human', priority: 'low' })
        .expect(201);
      ids.push(res.body.id);
    }
    const workers = ['u_alice', 'u_bob', 'u_admin'];
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b)
          .http()
          .post('/tasks/claim')
          .set('x-user-id', workers[i % workers.length])
          .send({ open_to: 'human', priority: ['low'] }),
      ),
    );
    const handed = answers.filter((res) => res.status === 200).map((res) => res.body.id);
    expect(handed.sort()).toEqual([...ids].sort());
    expect(answers.filter((res) => res.status === 204)).toHaveLength(10);
  });
});
