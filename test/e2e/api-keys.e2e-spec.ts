import { bearer, controlClock, login, sansRequestId } from '../support/auth';
import { startTestApp, TestApp, TEST_DRIVERS } from '../support/test-app';

const PASSWORD = 'a long enough password';
let ids = 0;
const freshId = (prefix: string): string => `${prefix}${++ids}_${Date.now().toString(36)}`;

describe.each(TEST_DRIVERS)('API keys (%s driver)', (driver) => {
  let t: TestApp;
  let admin: string;
  let alice: string;

  beforeAll(async () => {
    t = await startTestApp(driver);
    admin = (await login(t, 'u_admin')).access_token;
    alice = (await login(t, 'u_alice')).access_token;
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => t.close());

  const createKey = async (
    token: string,
    body: object = { name: 'agent', scopes: ['tasks:read'], expires_in_days: 30 },
    path = '/api-keys',
  ) => {
    const res = await t.http().post(path).set(bearer(token)).send(body);
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 201 });
    return res.body as { id: string; key: string; last_used_at: string | null };
  };
  const newAgent = async (): Promise<string> => {
    const id = freshId('a_agent');
    await t
      .http()
      .post('/users')
      .set(bearer(admin))
      .send({ id, name: id, role: 'agent' })
      .expect(201);
    return id;
  };
  const badTokenAnswer = async () => {
    const res = await t.http().get('/tasks').set(bearer('not-a-token'));
    expect(res.status).toBe(401);
    return sansRequestId(res.body);
  };

  it('creates a key shown once, in the tfk_<id>_<secret> format, and lists it without the key', async () => {
    const res = await t
      .http()
      .post('/api-keys')
      .set(bearer(alice))
      .send({ name: 'laptop agent', scopes: ['tasks:read', 'tasks:act'], expires_in_days: 7 });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^ak_[0-9a-z]{26}$/),
      account_id: 'u_alice',
      name: 'laptop agent',
      scopes: ['tasks:read', 'tasks:act'],
      expires_at: expect.any(String),
      created_at: expect.any(String),
      last_used_at: null,
      revoked_at: null,
      key: expect.stringMatching(/^tfk_ak_[0-9a-z]{26}_[A-Za-z0-9_-]{43}$/),
    });
    expect(res.body.key.startsWith(`tfk_${res.body.id}_`)).toBe(true);
    expect(Date.parse(res.body.expires_at) - Date.parse(res.body.created_at)).toBe(7 * 86_400_000);

    const listed = await t.http().get('/api-keys').set(bearer(alice)).expect(200);
    const { key, ...shown } = res.body;
    expect(listed.body.items).toContainEqual(shown);
    expect(listed.text).not.toContain(key.slice(-43));
  });

  it.each([
    [{ name: 'x', scopes: ['tasks:read'], expires_in_days: 0 }, 'expires_in_days'],
    [{ name: 'x', scopes: ['tasks:read'], expires_in_days: 366 }, 'expires_in_days'],
    [{ name: 'x', scopes: ['tasks:everything'], expires_in_days: 1 }, 'scopes'],
    [{ name: 'x', scopes: [], expires_in_days: 1 }, 'scopes'],
    [{ name: '', scopes: ['tasks:read'], expires_in_days: 1 }, 'name'],
  ])('refuses %j naming %s (400)', async (body, field) => {
    const res = await t.http().post('/api-keys').set(bearer(alice)).send(body);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('authenticates a request as the key’s account, with the rights of that account', async () => {
    const { key } = await createKey(alice, {
      name: 'reader',
      scopes: ['tasks:read'],
      expires_in_days: 1,
    });
    const me = await t.http().get('/me').set(bearer(key)).expect(200);
    expect(me.body.id).toBe('u_alice');
    await t.http().get('/tasks').set(bearer(key)).expect(200);
  });

  it('answers an unknown, tampered, expired or revoked key, or one of a disabled account, as a bad token', async () => {
    const expected = await badTokenAnswer();
    const agent = await newAgent();
    const live = await createKey(admin, undefined, `/users/${agent}/api-keys`);
    const revoked = await createKey(admin, undefined, `/users/${agent}/api-keys`);
    await t.http().delete(`/api-keys/${revoked.id}`).set(bearer(admin)).expect(204);
    const expiring = await createKey(
      admin,
      { name: 'short', scopes: ['tasks:read'], expires_in_days: 1 },
      `/users/${agent}/api-keys`,
    );
    const disabledAgent = await newAgent();
    const ofDisabled = await createKey(admin, undefined, `/users/${disabledAgent}/api-keys`);
    await t.http().post(`/users/${disabledAgent}/disable`).set(bearer(admin)).expect(200);

    const last = live.key.at(-1) === 'A' ? 'B' : 'A';
    const refused: Record<string, string> = {
      unknown: live.key.replace(live.id, 'ak_00000000000000000000000000'),
      tampered: live.key.slice(0, -1) + last,
      truncated: live.key.slice(0, -5),
      revoked: revoked.key,
      'of a disabled account': ofDisabled.key,
      'not even a key': 'tfk_nonsense',
    };
    for (const [what, key] of Object.entries(refused)) {
      const res = await t.http().get('/tasks').set(bearer(key));
      expect({ what, status: res.status, body: sansRequestId(res.body) }).toEqual({
        what,
        status: 401,
        body: { ...expected, instance: '/tasks' },
      });
    }
    await t.http().get('/tasks').set(bearer(expiring.key)).expect(200);
    controlClock(t).advance(86_400_000);
    const expired = await t.http().get('/tasks').set(bearer(expiring.key));
    expect({ status: expired.status, body: sansRequestId(expired.body) }).toEqual({
      status: 401,
      body: expected,
    });
    await t.http().get('/tasks').set(bearer(live.key)).expect(200);
  });

  it('lets an admin create a password-less agent that works through keys only', async () => {
    const agent = await newAgent();
    const login = await t
      .http()
      .post('/auth/login')
      .send({ id: agent, password: 'a'.repeat(12) });
    expect(login.status).toBe(401);
    expect(login.body.type).toBe('https://taskflow.dev/problems/invalid-credentials');
    const { key } = await createKey(
      admin,
      { name: 'ci', scopes: ['tasks:write'], expires_in_days: 1 },
      `/users/${agent}/api-keys`,
    );
    const created = await t.http().post('/tasks').set(bearer(key)).send({ title: 'From a key' });
    expect(created.status).toBe(201);
    expect(created.body.creator_id).toBe(agent);
  });

  it('still requires a password for public registration, and for a human even from an admin', async () => {
    const open = await t
      .http()
      .post('/users')
      .send({ id: freshId('a_open'), name: 'x', role: 'agent' });
    expect(open.status).toBe(400);
    expect(open.body.errors).toEqual([{ field: 'password', message: expect.any(String) }]);
    // Found by Schemathesis: a null password was let through as if absent, and answered 500.
    const nullPassword = await t
      .http()
      .post('/users')
      .set(bearer(admin))
      .send({ id: freshId('u_n'), name: 'x', role: 'human', password: null });
    expect(nullPassword.status).toBe(400);
    expect(nullPassword.body.errors[0].field).toBe('password');
    const human = await t
      .http()
      .post('/users')
      .set(bearer(admin))
      .send({ id: freshId('u_h'), name: 'x', role: 'human' });
    expect(human.status).toBe(400);
    const byAlice = await t
      .http()
      .post('/users')
      .set(bearer(alice))
      .send({ id: freshId('a_x'), name: 'x', role: 'agent' });
    expect(byAlice.status).toBe(400);
    const badToken = await t
      .http()
      .post('/users')
      .set(bearer('not-a-token'))
      .send({ id: freshId('a_y'), name: 'x', role: 'agent' });
    expect(badToken.status).toBe(400);
    const withPassword = await t
      .http()
      .post('/users')
      .set(bearer('not-a-token'))
      .send({ id: freshId('a_z'), name: 'x', role: 'agent', password: PASSWORD });
    expect(withPassword.status).toBe(201);
  });

  it('lets only an admin create or list keys of another account', async () => {
    const agent = await newAgent();
    const create = await t
      .http()
      .post(`/users/${agent}/api-keys`)
      .set(bearer(alice))
      .send({ name: 'x', scopes: ['tasks:read'], expires_in_days: 1 });
    expect(create.status).toBe(403);
    await t.http().get(`/users/${agent}/api-keys`).set(bearer(alice)).expect(403);
    const made = await createKey(admin, undefined, `/users/${agent}/api-keys`);
    const listed = await t.http().get(`/users/${agent}/api-keys`).set(bearer(admin)).expect(200);
    expect(listed.body.items.map((k: { id: string }) => k.id)).toEqual([made.id]);
    await t.http().get('/users/u_nobody_here/api-keys').set(bearer(admin)).expect(404);
  });

  it('revokes a key for its owner or an admin; to anyone else it does not exist', async () => {
    const mine = await createKey(alice);
    const bob = (await login(t, 'u_bob')).access_token;
    await t.http().delete(`/api-keys/${mine.id}`).set(bearer(bob)).expect(404);
    await t.http().get('/me').set(bearer(mine.key)).expect(200);
    await t.http().delete(`/api-keys/${mine.id}`).set(bearer(alice)).expect(204);
    await t.http().get('/me').set(bearer(mine.key)).expect(401);
    const listed = await t.http().get('/api-keys').set(bearer(alice)).expect(200);
    expect(listed.body.items.find((k: { id: string }) => k.id === mine.id).revoked_at).toEqual(
      expect.any(String),
    );
  });

  it('never lets a key manage keys, passwords or sessions', async () => {
    const { key } = await createKey(admin, {
      name: 'everything',
      scopes: ['tasks:read', 'tasks:write', 'tasks:act', 'events:read', 'webhooks:manage'],
      expires_in_days: 1,
    });
    const tries = [
      t
        .http()
        .post('/api-keys')
        .send({ name: 'x', scopes: ['tasks:read'], expires_in_days: 1 }),
      t.http().get('/api-keys'),
      t.http().delete('/api-keys/ak_00000000000000000000000000'),
      t.http().post('/users/u_bob/disable'),
      t.http().post('/users/u_admin/revoke-sessions'),
    ];
    for (const attempt of tries) {
      const res = await attempt.set(bearer(key));
      expect({ status: res.status, type: res.body.type }).toEqual({
        status: 403,
        type: 'https://taskflow.dev/problems/session-required',
      });
    }
    // Nothing went through: u_bob is still active and can log in.
    await login(t, 'u_bob');
  });

  it('refuses a request outside the key’s scopes with 403 insufficient-scope naming the scope', async () => {
    const { key } = await createKey(alice);
    const res = await t.http().post('/tasks').set(bearer(key)).send({ title: 'nope' });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({
      type: 'https://taskflow.dev/problems/insufficient-scope',
      required_scope: 'tasks:write',
    });
    expect(res.body.detail).toContain('tasks:write');
  });

  it('records on each audit entry how the actor came in', async () => {
    const { id, key } = await createKey(alice, {
      name: 'writer',
      scopes: ['tasks:write', 'tasks:act', 'tasks:read'],
      expires_in_days: 1,
    });
    const task = (await t.http().post('/tasks').set(bearer(key)).send({ title: 'Via' }).expect(201))
      .body.id as string;
    await t
      .http()
      .patch(`/tasks/${task}`)
      .set(bearer(alice))
      .send({ priority: 'high' })
      .expect(200);
    await t
      .http()
      .post(`/tasks/${task}/assign`)
      .set('x-user-id', 'u_alice')
      .send({ assignee_id: 'u_bob' })
      .expect(200);
    const log = await t.http().get(`/tasks/${task}/audit_logs`).set(bearer(key)).expect(200);
    expect(log.body.items.map((e: { action: string; via: string }) => [e.action, e.via])).toEqual([
      ['create', `api_key:${id}`],
      ['update', 'session'],
      ['assign', 'dev_header'],
    ]);
  });

  it('writes last_used_at at most once a minute', async () => {
    const clock = controlClock(t);
    const start = clock.freeze();
    const { id, key } = await createKey(alice);
    const lastUsed = async () =>
      (
        (await t.http().get('/api-keys').set(bearer(alice))).body.items as {
          id: string;
          last_used_at: string | null;
        }[]
      ).find((k) => k.id === id)?.last_used_at;
    await t.http().get('/me').set(bearer(key)).expect(200);
    expect(await lastUsed()).toBe(start.toISOString());
    clock.advance(59_000);
    await t.http().get('/me').set(bearer(key)).expect(200);
    expect(await lastUsed()).toBe(start.toISOString());
    clock.advance(1_000);
    await t.http().get('/me').set(bearer(key)).expect(200);
    expect(await lastUsed()).toBe(new Date(start.getTime() + 60_000).toISOString());
  });
});

describe.each(TEST_DRIVERS)('API keys and rate limits (%s driver)', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    // An hour-long window, so the test never straddles a window boundary.
    t = await startTestApp(driver, { RATE_LIMIT_GLOBAL: '4/3600s' });
  });
  afterAll(() => t.close());

  it("counts a key's requests against its account, whichever key and address", async () => {
    const create = async () =>
      (
        await t
          .http()
          .post('/api-keys')
          .set('x-user-id', 'u_alice')
          .send({ name: 'k', scopes: ['tasks:read'], expires_in_days: 1 })
          .expect(201)
      ).body.key as string;
    const [one, two] = [await create(), await create()];
    await t.http().get('/tasks').set(bearer(one)).expect(200);
    await t.http().get('/tasks').set(bearer(two)).expect(200);
    const limited = await t.http().get('/tasks').set(bearer(one));
    expect(limited.status).toBe(429);
    expect(limited.body.policy).toBe('global');
    // The same address with another account is not limited: the count is the account's.
    await t.http().get('/me').set('x-user-id', 'u_bob').expect(200);
  });
});
