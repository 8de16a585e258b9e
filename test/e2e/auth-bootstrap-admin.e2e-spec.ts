import { ConfigError } from '@taskflow/platform';
import { bearer, JWT_SECRET, login } from '../support/auth';
import { startTestApp, TestApp, TEST_DRIVERS } from '../support/test-app';

const BOOTSTRAP = { BOOTSTRAP_ADMIN_ID: 'root', BOOTSTRAP_ADMIN_PASSWORD: 'root passphrase 1' };

describe.each(TEST_DRIVERS)('registration (%s)', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(driver, { JWT_SECRET });
  });
  afterAll(() => t.close());

  const register = (body: Record<string, unknown>) =>
    t
      .http()
      .post('/users')
      .send({ name: 'Someone', role: 'human', ...body });

  it('never creates an admin', async () => {
    const res = await register({ id: 'u_root', role: 'admin', password: 'a long enough password' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'role' })]);
    expect(
      (
        await t
          .http()
          .post('/auth/login')
          .send({ id: 'u_root', password: 'a long enough password' })
      ).status,
    ).toBe(401);
  });

  it('refuses a password under 12 characters', async () => {
    const res = await register({ id: 'u_short', password: 'elevenchars' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'password' })]);
  });

  it('refuses a password over 72 bytes, even when it is under 72 characters', async () => {
    const res = await register({ id: 'u_multi', password: 'ø'.repeat(37) });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      type: 'https://taskflow.dev/problems/validation',
      errors: [{ field: 'password', message: 'password must be at most 72 bytes in UTF-8' }],
    });
  });

  it('accepts exactly 72 bytes and 12 characters', async () => {
    expect((await register({ id: 'u_max', password: 'ø'.repeat(36) })).status).toBe(201);
    expect((await register({ id: 'u_min', password: 'twelve chars' })).status).toBe(201);
    await login(t, 'u_max', 'ø'.repeat(36));
  });
});

describe.each(TEST_DRIVERS)('bootstrap admin (%s)', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(driver, { JWT_SECRET, DEV_MODE: 'false', ...BOOTSTRAP });
  });
  afterAll(() => t.close());

  it('is created at start-up and can act as admin', async () => {
    const { access_token } = await login(t, 'root', 'root passphrase 1');
    const me = await t.http().get('/me').set(bearer(access_token));
    expect(me.body).toMatchObject({ id: 'root', role: 'admin', status: 'active' });
    await t
      .http()
      .post('/users')
      .send({ id: 'u_carol', name: 'Carol', role: 'human', password: 'carol passphrase' })
      .expect(201);
    await t.http().post('/users/u_carol/disable').set(bearer(access_token)).expect(200);
  });

  it('keeps the start from succeeding when its password breaks the policy', async () => {
    await expect(
      startTestApp(driver, {
        JWT_SECRET,
        DEV_MODE: 'false',
        BOOTSTRAP_ADMIN_ID: 'root',
        BOOTSTRAP_ADMIN_PASSWORD: 'short',
      }),
    ).rejects.toThrow(ConfigError);
  });
});
