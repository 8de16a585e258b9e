import { AccountRepository } from '@taskflow/identity';
import { sign } from 'jsonwebtoken';
import { DEV_PASSWORD } from '../support/auth';
import { startTestApp, TEST_DRIVERS, TestApp } from '../support/test-app';

/** A well-formed token the API did not issue: it is verified, then refused. */
const FORGED = sign({ sub: 'u_alice' }, 'another secret of at least thirty-two bytes', {
  expiresIn: 60,
});

/** The value of one series in Prometheus text format, 0 when it is absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((pair) => line.includes(pair))) return Number(line.split(' ').pop());
  }
  return 0;
}

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

  it('limits registration per client address like /auth/*', async () => {
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
    for (let i = 0; i < 2; i++) await register(i).expect(201);
    const limited = await register(2);
    expect(limited.status).toBe(429);
    expect(limited.body.policy).toBe('auth-client');
    // Nothing was written for the refused request.
    const accounts = t.app.get(AccountRepository, { strict: false });
    expect(await accounts.findById('u_anon1')).not.toBeNull();
    expect(await accounts.findById('u_anon2')).toBeNull();
  });

  it.each([
    ['no token', {}],
    ['a malformed token', { authorization: 'Bearer not-a-token' }],
    ['a token of another issuer', { authorization: `Bearer ${FORGED}` }],
    ['an unknown dev user', { 'x-user-id': 'u_nobody' }],
  ])(
    'counts requests refused for %s by address and answers 429 past the limit',
    async (_what, headers: Record<string, string>) => {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await t.http().get('/tasks').set(headers)).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
      const limited = await t.http().get('/tasks').set(headers);
      expect(limited.body).toMatchObject({ status: 429, policy: 'global' });
      expect(limited.headers['ratelimit-policy']).toBe('"global";q=3;w=3600');
    },
  );

  it('counts refused requests against the address they came from, whatever they claim', async () => {
    for (let i = 0; i < 3; i++) await t.http().get('/tasks').expect(401);
    await t.http().get('/tasks').set('authorization', 'Bearer not-a-token').expect(429);
    // The limit is the address's: an account it is not is still refused 429 from there.
    await t.http().get('/me').set('x-user-id', 'u_nobody').expect(429);
  });

  it('counts requests with the token of a disabled account by address', async () => {
    const res = await t.http().post('/auth/login').send({ id: 'u_bob', password: DEV_PASSWORD });
    expect(res.status).toBe(200);
    await t.http().post('/users/u_bob/disable').set('x-user-id', 'u_admin').expect(200);
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      statuses.push(
        (await t.http().get('/tasks').set('authorization', `Bearer ${res.body.access_token}`))
          .status,
      );
    }
    // The login was the address's first request.
    expect(statuses).toEqual([401, 401, 429]);
  });

  it('refuses an address past its limit before authentication, whatever it sends', async () => {
    for (let i = 0; i < 3; i++) await t.http().get('/tasks').expect(401);
    await t.http().get('/tasks').expect(429);
    const limited = await t.http().get('/me').set('x-user-id', 'u_alice');
    expect(limited.status).toBe(429);
    expect(limited.body.policy).toBe('global');
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

  const loginWith = (id: string, password: string, from: string) =>
    t.http().post('/auth/login').set('x-forwarded-for', from).send({ id, password });
  const wrongEvaluations = async () =>
    sample((await t.http().get('/metrics').expect(200)).text, 'logins_total', {
      result: 'invalid_credentials',
    });

  // RATE_LIMIT_AUTH=3/3600s: the account's budget is 10 × 3 = 30 attempts an hour from
  // addresses it has not logged in from (docs/DECISIONS.md, "Login limits").
  const BUDGET = 30;

  it("lets the owner in from a known address while strangers spend the account's budget", async () => {
    await loginWith('u_alice', DEV_PASSWORD, '192.0.2.10').expect(200);
    const before = await wrongEvaluations();

    const statuses = [];
    for (let i = 1; i <= BUDGET + 10; i++) {
      statuses.push((await login('u_alice', `203.0.113.${i}`)).status);
    }
    // The owner's own first login spent one attempt of the budget.
    expect(statuses.filter((status) => status === 401)).toHaveLength(BUDGET - 1);
    expect(statuses.slice(BUDGET - 1)).toEqual(Array(11).fill(429));
    const refused = await login('u_alice', '203.0.113.200');
    expect(refused.body.policy).toBe('auth-account');
    // Each wrong password evaluated is counted; none past the budget.
    expect((await wrongEvaluations()) - before).toBe(BUDGET - 1);

    // The owner, from the address it logged in from and that is not failing, still gets in.
    await loginWith('u_alice', DEV_PASSWORD, '192.0.2.10').expect(200);
    // A stranger with the right password does not: the budget is spent for this hour.
    expect((await loginWith('u_alice', DEV_PASSWORD, '198.51.100.20')).status).toBe(429);
    // Another account is not locked out by it.
    expect((await login('u_bob', '203.0.113.50')).status).toBe(401);
  });

  it('refuses a known address once it fails, so forging it does not reopen the account', async () => {
    await loginWith('u_alice', DEV_PASSWORD, '192.0.2.10').expect(200);
    for (let i = 1; i < BUDGET; i++) await login('u_alice', `203.0.113.${i}`).expect(401);
    await login('u_alice', '203.0.113.100').expect(429);
    // From the known address: one wrong guess, then it is failing and is a stranger again.
    await login('u_alice', '192.0.2.10').expect(401);
    expect((await loginWith('u_alice', DEV_PASSWORD, '192.0.2.10')).status).toBe(429);
  });

  it('never locks an account out of password reset', async () => {
    for (let i = 1; i <= BUDGET + 5; i++) await login('u_alice', `203.0.113.${i}`);
    for (let i = 1; i <= BUDGET + 5; i++) {
      await t
        .http()
        .post('/auth/password-reset/request')
        .set('x-forwarded-for', `198.51.100.${i}`)
        .send({ id: 'u_alice' })
        .expect(202);
    }
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
