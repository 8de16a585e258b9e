import { bearer, controlClock, expectPairFor, JWT_SECRET, login } from '../support/auth';
import { startTestApp, TestApp, TEST_DRIVERS } from '../support/test-app';

describe.each(TEST_DRIVERS)('disable and revoke-sessions (%s)', (driver) => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startTestApp(driver, { JWT_SECRET });
    admin = (await login(t, 'u_admin')).access_token;
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => t.close());

  const register = async (id: string) => {
    const res = await t
      .http()
      .post('/users')
      .send({ id, name: id, role: 'human', password: 'a long enough password' });
    expect(res.status).toBe(201);
    return login(t, id, 'a long enough password');
  };
  const me = (token: string) => t.http().get('/me').set(bearer(token));
  const refresh = (token: string) => t.http().post('/auth/refresh').send({ refresh_token: token });

  describe('POST /users/:id/disable', () => {
    it("refuses the account's existing access and refresh tokens at once, and its logins", async () => {
      const session = await register('u_dis1');
      expect((await me(session.access_token)).status).toBe(200);

      const res = await t.http().post('/users/u_dis1/disable').set(bearer(admin));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: 'u_dis1', status: 'disabled' });

      const denied = await me(session.access_token);
      expect(denied.status).toBe(401);
      expect(denied.body.detail).toBe('The account is disabled or no longer exists');
      expect((await refresh(session.refresh_token)).status).toBe(401);
      expect(
        (
          await t
            .http()
            .post('/auth/login')
            .send({ id: 'u_dis1', password: 'a long enough password' })
        ).status,
      ).toBe(401);
    });

    it('is for admins only', async () => {
      const carol = await register('u_dis2');
      const res = await t.http().post('/users/u_alice/disable').set(bearer(carol.access_token));
      expect(res.status).toBe(403);
      expect(res.body.type).toBe('https://taskflow.dev/problems/forbidden');
    });

    it('refuses an admin disabling themselves', async () => {
      expect((await t.http().post('/users/u_admin/disable').set(bearer(admin))).status).toBe(403);
    });

    it('answers 404 for an unknown account', async () => {
      expect((await t.http().post('/users/u_nobody/disable').set(bearer(admin))).status).toBe(404);
    });

    it('needs authentication', async () => {
      expect((await t.http().post('/users/u_alice/disable')).status).toBe(401);
    });
  });

  describe('POST /users/:id/revoke-sessions', () => {
    it('lets an account end its own sessions: access and refresh tokens stop working', async () => {
      const phone = await register('u_rev1');
      const laptop = await login(t, 'u_rev1', 'a long enough password');
      const res = await t
        .http()
        .post('/users/u_rev1/revoke-sessions')
        .set(bearer(phone.access_token));
      expect(res.status).toBe(204);
      for (const session of [phone, laptop]) {
        const denied = await me(session.access_token);
        expect(denied.status).toBe(401);
        expect(denied.body.detail).toBe('The session has been revoked; log in again');
        expect((await refresh(session.refresh_token)).status).toBe(401);
      }
    });

    it('lets the account log in again at once', async () => {
      await register('u_rev2');
      const old = await login(t, 'u_rev2', 'a long enough password');
      await t
        .http()
        .post('/users/u_rev2/revoke-sessions')
        .set(bearer(old.access_token))
        .expect(204);
      const fresh = await login(t, 'u_rev2', 'a long enough password');
      expect((await me(fresh.access_token)).status).toBe(200);
      expectPairFor(await refresh(fresh.refresh_token), 'u_rev2');
    });

    it("lets an admin end another account's sessions", async () => {
      const session = await register('u_rev3');
      await t.http().post('/users/u_rev3/revoke-sessions').set(bearer(admin)).expect(204);
      expect((await me(session.access_token)).status).toBe(401);
    });

    it("refuses a non-admin another account's sessions", async () => {
      const mallory = await register('u_rev4');
      const res = await t
        .http()
        .post('/users/u_alice/revoke-sessions')
        .set(bearer(mallory.access_token));
      expect(res.status).toBe(403);
    });

    it('refuses a token issued earlier in the same second as the revocation', async () => {
      const clock = controlClock(t);
      const start = new Date(Math.floor(Date.now() / 1000) * 1000 + 100);
      clock.freeze(start);
      const session = await register('u_rev5');
      clock.advance(800);
      await t.http().post('/users/u_rev5/revoke-sessions').set(bearer(admin)).expect(204);
      expect((await me(session.access_token)).status).toBe(401);
    });

    it('refuses a token issued in the same millisecond as the revocation, and not the next login', async () => {
      const clock = controlClock(t);
      clock.freeze();
      const session = await register('u_rev6');
      await t.http().post('/users/u_rev6/revoke-sessions').set(bearer(admin)).expect(204);
      expect((await me(session.access_token)).status).toBe(401);
      const fresh = await login(t, 'u_rev6', 'a long enough password');
      expect((await me(fresh.access_token)).status).toBe(200);
    });
  });
});
