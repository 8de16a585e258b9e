import { startTestApp, TEST_DRIVERS, TestApp } from '../support/test-app';

// Windows are an hour long so a test never straddles a window boundary.
const LIMITS = { RATE_LIMIT_GLOBAL: '3/3600s', RATE_LIMIT_AUTH: '2/3600s' };

describe.each(TEST_DRIVERS)('rate limits (%s driver)', (driver) => {
  let t: TestApp;

  beforeEach(async () => {
    t = await startTestApp(driver, LIMITS);
  });
  afterEach(() => t.close());

  it('announces the policy on every limited response and refuses the hit past the limit', async () => {
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await t.http().get('/me').set('x-user-id', 'u_alice'));

    expect(answers.slice(0, 3).map((res) => res.status)).toEqual([200, 200, 200]);
    expect(answers[0].headers['ratelimit-policy']).toBe('"global";q=3;w=3600');
    expect(
      answers.map((res) => /^"global";r=(\d+);t=\d+$/.exec(res.headers.ratelimit)?.[1]),
    ).toEqual(['2', '1', '0', '0']);

    const limited = answers[3];
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({
      type: 'https://taskflow.dev/problems/rate-limited',
      status: 429,
      policy: 'global',
      retry_after: Number(limited.headers['retry-after']),
    });
  });

  it('counts an authenticated client by account, not by address', async () => {
    for (let i = 0; i < 3; i++) await t.http().get('/me').set('x-user-id', 'u_alice').expect(200);
    await t.http().get('/me').set('x-user-id', 'u_alice').expect(429);
    await t.http().get('/me').set('x-user-id', 'u_bob').expect(200);
  });

  it('counts anonymous clients by address', async () => {
    const register = (i: number) =>
      t
        .http()
        .post('/users')
        .send({
          id: `u_anon${i}`,
          name: 'Anon',
          role: 'human',
          password: 'a-long-enough-password',
        });
    for (let i = 0; i < 3; i++) await register(i).expect(201);
    const limited = await register(3);
    expect(limited.status).toBe(429);
    // Nothing was written for the refused request.
    await t.http().get('/me').set('x-user-id', 'u_anon3').expect(401);
  });

  it('never limits the probes', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await t.http().get('/livez');
      expect(res.status).toBe(200);
      expect(res.headers.ratelimit).toBeUndefined();
    }
  });

  it('is off when configured off', async () => {
    const open = await startTestApp(driver, { RATE_LIMIT_GLOBAL: 'off', RATE_LIMIT_AUTH: 'off' });
    try {
      for (let i = 0; i < 5; i++) {
        const res = await open.http().get('/me').set('x-user-id', 'u_alice');
        expect(res.status).toBe(200);
        expect(res.headers.ratelimit).toBeUndefined();
      }
    } finally {
      await open.close();
    }
  });
});

describe.each(TEST_DRIVERS)('login limits behind a proxy (%s driver)', (driver) => {
  let t: TestApp;

  beforeEach(async () => {
    t = await startTestApp(driver, { RATE_LIMIT_AUTH: '3/3600s', TRUST_PROXY: '1' });
  });
  afterEach(() => t.close());

  // Documentation addresses (RFC 5737), sent only as header values.
  const login = (id: string, from: string) =>
    t
      .http()
      .post('/auth/login')
      .set('x-forwarded-for', from)
      .send({ id, password: 'not the password!' });

  it('holds the per-account limit across client addresses', async () => {
    const statuses = [];
    for (let i = 1; i <= 4; i++) statuses.push((await login('u_alice', `203.0.113.${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const limited = await login('u_alice', '203.0.113.99');
    expect(limited.body.policy).toBe('auth-account');
    // Another account is not locked out by it.
    expect((await login('u_bob', '203.0.113.50')).status).toBe(401);
  });

  it('holds the per-address limit across accounts', async () => {
    const statuses = [];
    for (const id of ['u_alice', 'u_bob', 'a_builder', 'u_admin']) {
      statuses.push((await login(id, '198.51.100.7')).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect((await login('u_admin', '198.51.100.7')).body.policy).toBe('auth-client');
  });
});
