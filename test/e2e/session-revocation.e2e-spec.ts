import { AccountRepository } from '@taskflow/identity';
import { bearer, controlClock, JWT_SECRET, login, TokenPairBody } from '../support/auth';
import { SmtpPeer, startSmtpPeer } from '../support/smtp';
import { startTestApp, TestApp, TEST_DRIVERS } from '../support/test-app';

const PASSWORD = 'a long enough password';
/** Tries of the free-running race: several hundred, within the timeout on FerretDB too. */
const TRIES = 300;

describe.each(TEST_DRIVERS)('revocation is at once, races included (%s)', (driver) => {
  let t: TestApp;
  let smtp: SmtpPeer;
  let accounts = 0;
  beforeAll(async () => {
    smtp = await startSmtpPeer();
    t = await startTestApp(driver, { JWT_SECRET, SMTP_URL: smtp.url });
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const register = async (): Promise<{ id: string; session: TokenPairBody }> => {
    accounts += 1;
    const id = `u_rev${accounts}_${Date.now().toString(36)}`;
    const res = await t
      .http()
      .post('/users')
      .send({ id, name: id, role: 'human', password: PASSWORD, email: `${id}@example.test` });
    expect(res.status).toBe(201);
    return { id, session: await login(t, id, PASSWORD) };
  };
  const me = (token: string) => t.http().get('/me').set(bearer(token));
  const refresh = (token: string) => t.http().post('/auth/refresh').send({ refresh_token: token });
  const revoke = (id: string, token: string) =>
    t.http().post(`/users/${id}/revoke-sessions`).set(bearer(token));

  /**
   * Holds the account write of a revocation until `release` is called: the revocation has
   * taken its instant, and a refresh that runs meanwhile reads the account as it was.
   */
  const holdAccountWrite = (method: 'revokeSessions' | 'changePassword') => {
    const repository = t.app.get(AccountRepository);
    const original = repository[method].bind(repository) as (...args: unknown[]) => Promise<void>;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let reached!: () => void;
    const held = new Promise<void>((resolve) => (reached = resolve));
    jest.spyOn(repository, method).mockImplementation((async (...args: unknown[]) => {
      reached();
      await released;
      return original(...args);
    }) as never);
    return { held, release };
  };

  it('refuses an access token refreshed while a revoke-sessions was being written', async () => {
    const { id, session } = await register();
    const write = holdAccountWrite('revokeSessions');

    const revoking = revoke(id, session.access_token).then((res) => res);
    await write.held;
    const refreshed = await refresh(session.refresh_token);
    write.release();
    expect((await revoking).status).toBe(204);

    expect(refreshed.status).toBe(200);
    expect((await me(refreshed.body.access_token)).status).toBe(401);
    expect((await refresh(refreshed.body.refresh_token)).status).toBe(401);
  });

  it('refuses an access token refreshed while a password reset was being written', async () => {
    const { id, session } = await register();
    expect((await t.http().post('/auth/password-reset/request').send({ id })).status).toBe(202);
    const token = /Reset token: (\S+)/.exec((await smtp.nextMail()).text ?? '')?.[1] ?? '';
    const write = holdAccountWrite('changePassword');

    const confirming = t
      .http()
      .post('/auth/password-reset/confirm')
      .send({ token, new_password: 'a brand new passphrase' })
      .then((res) => res);
    await write.held;
    const refreshed = await refresh(session.refresh_token);
    write.release();
    expect((await confirming).status).toBe(204);

    expect(refreshed.status).toBe(200);
    expect((await me(refreshed.body.access_token)).status).toBe(401);
  });

  it(`refuses every token refreshed around a revoke-sessions that answered 204 (${TRIES} races)`, async () => {
    const leaks: number[] = [];
    for (let i = 0; i < TRIES; i += 1) {
      const { id, session } = await register();
      const [refreshed, revoked] = await Promise.all([
        refresh(session.refresh_token),
        revoke(id, session.access_token),
      ]);
      expect(revoked.status).toBe(204);
      if (refreshed.status === 200 && (await me(refreshed.body.access_token)).status !== 401) {
        leaks.push(i);
      }
    }
    expect(leaks).toEqual([]);
  }, 240_000);

  it('refuses at once the access tokens of a family whose refresh token was reused', async () => {
    const clock = controlClock(t);
    const { id, session } = await register();
    const other = await login(t, id, PASSWORD);
    const first = await refresh(session.refresh_token);
    expect(first.status).toBe(200);
    expect((await me(first.body.access_token)).status).toBe(200);

    // Past the grace window, the spent token again: reuse, and the family is revoked.
    clock.advance(60_000);
    const replay = await refresh(session.refresh_token);
    expect(replay.status).toBe(401);

    expect((await me(session.access_token)).status).toBe(401);
    expect((await me(first.body.access_token)).status).toBe(401);
    // Another login of the same account is another family, and keeps working.
    expect((await me(other.access_token)).status).toBe(200);
    expect((await refresh(other.refresh_token)).status).toBe(200);
  });
});
