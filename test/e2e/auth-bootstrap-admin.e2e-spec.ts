import { ConfigError } from '@taskflow/platform';
import { bearer, JWT_SECRET, login } from '../support/auth';
import { startTestApp, TestApp, TEST_DRIVERS } from '../support/test-app';

const BOOTSTRAP = { BOOTSTRAP_ADMIN_ID: 'root', BOOTSTRAP_ADMIN_PASSWORD: 'root passphrase 1' };

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
