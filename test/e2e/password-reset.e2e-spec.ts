import type { ParsedMail } from 'mailparser';
import { bearer, controlClock, JWT_SECRET, login, sansRequestId } from '../support/auth';
import { SmtpPeer, startSmtpPeer } from '../support/smtp';
import { startTestApp, TestApp, TEST_DRIVERS } from '../support/test-app';

const OLD = 'the old passphrase';
const NEW = 'the new passphrase';
const ACCEPTED = {
  detail: 'If the account exists and has an email address, a reset token is on its way',
};

const tokenIn = (mail: ParsedMail): string => {
  const match = /Reset token: (\S+)/.exec(mail.text ?? '');
  if (!match) throw new Error(`no token in the mail: ${mail.text}`);
  return match[1];
};

describe.each(TEST_DRIVERS)('password reset through SMTP (%s)', (driver) => {
  let smtp: SmtpPeer;
  let t: TestApp;
  beforeAll(async () => {
    smtp = await startSmtpPeer();
    t = await startTestApp(driver, {
      JWT_SECRET,
      DEV_MODE: 'false',
      SMTP_URL: smtp.url,
      MAIL_FROM: 'TaskFlow <reset@taskflow.test>',
    });
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const register = (id: string) =>
    t
      .http()
      .post('/users')
      .send({ id, name: id, role: 'human', password: OLD, email: `${id}@example.test` })
      .expect(201);
  const requestReset = (id: string) => t.http().post('/auth/password-reset/request').send({ id });
  const confirm = (token: string, password = NEW) =>
    t.http().post('/auth/password-reset/confirm').send({ token, new_password: password });

  it('mails a token that sets the new password, after which only the new password logs in', async () => {
    await register('u_reset1');
    const session = await login(t, 'u_reset1', OLD);

    const requested = await requestReset('u_reset1');
    expect(requested.status).toBe(202);
    expect(requested.body).toEqual(ACCEPTED);

    const mail = await smtp.nextMail();
    expect(mail.to).toMatchObject({ text: 'u_reset1@example.test' });
    expect(mail.from?.value).toEqual([{ name: 'TaskFlow', address: 'reset@taskflow.test' }]);
    expect(mail.subject).toBe('Reset your TaskFlow password');

    expect((await confirm(tokenIn(mail))).status).toBe(204);
    expect(
      (await t.http().post('/auth/login').send({ id: 'u_reset1', password: OLD })).status,
    ).toBe(401);
    const fresh = await login(t, 'u_reset1', NEW);
    expect((await t.http().get('/me').set(bearer(fresh.access_token))).status).toBe(200);

    expect((await t.http().get('/me').set(bearer(session.access_token))).status).toBe(401);
    expect(
      (await t.http().post('/auth/refresh').send({ refresh_token: session.refresh_token })).status,
    ).toBe(401);
  });

  it('answers an unknown account exactly like a known one, and mails only the known one', async () => {
    await register('u_reset2');
    const unknown = await requestReset('u_nobody');
    const known = await requestReset('u_reset2');
    expect(unknown.status).toBe(202);
    expect(unknown.body).toEqual(known.body);
    const mail = await smtp.nextMail();
    expect(mail.to).toMatchObject({ text: 'u_reset2@example.test' });
  });

  it('takes a token once', async () => {
    await register('u_reset3');
    await requestReset('u_reset3').expect(202);
    const token = tokenIn(await smtp.nextMail());
    expect((await confirm(token)).status).toBe(204);
    const again = await confirm(token, 'a third passphrase');
    expect(again.status).toBe(400);
    expect(again.body.type).toBe('https://taskflow.dev/problems/invalid-reset-token');
    await login(t, 'u_reset3', NEW);
  });

  it('refuses a token after 30 minutes', async () => {
    await register('u_reset4');
    await requestReset('u_reset4').expect(202);
    const token = tokenIn(await smtp.nextMail());
    controlClock(t).advance(30 * 60 * 1000);
    const res = await confirm(token);
    expect(res.status).toBe(400);
    expect(sansRequestId(res.body)).toEqual(sansRequestId((await confirm('unknown-token')).body));
    await login(t, 'u_reset4', OLD);
  });

  it('refuses a new password over 72 bytes', async () => {
    await register('u_reset5');
    await requestReset('u_reset5').expect(202);
    const res = await confirm(tokenIn(await smtp.nextMail()), '€'.repeat(25));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { field: 'new_password', message: 'new_password must be at most 72 bytes in UTF-8' },
    ]);
  });
});

describe.each(TEST_DRIVERS)('password reset without SMTP_URL (%s)', (driver) => {
  /** Starts an app whose log lines land in `lines`, then requests a reset for a mailable account. */
  async function requestWith(env: Record<string, string>) {
    const lines: Array<{ level: string; message: string }> = [];
    const keep = (level: string) => (message: unknown) =>
      lines.push({ level, message: String(message) });
    const t = await startTestApp(driver, { JWT_SECRET, ...env });
    t.app.useLogger({ log: keep('log'), warn: keep('warn'), error: keep('error') });
    try {
      await t
        .http()
        .post('/users')
        .send({ id: 'u_nomail', name: 'N', role: 'human', password: OLD, email: 'n@example.test' })
        .expect(201);
      const res = await t.http().post('/auth/password-reset/request').send({ id: 'u_nomail' });
      return { res, lines };
    } finally {
      await t.close();
    }
  }

  it('outside dev mode answers 202 and logs an error for the mail it cannot send', async () => {
    const { res, lines } = await requestWith({ DEV_MODE: 'false' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual(ACCEPTED);
    expect(lines).toContainEqual({
      level: 'error',
      message:
        'Could not send the password reset mail for u_nomail: Error: SMTP_URL is not set; the mail "Reset your TaskFlow password" was not sent',
    });
  });

  it('in dev mode answers 202 and writes the mail, token included, to the log', async () => {
    const { res, lines } = await requestWith({ DEV_MODE: 'true' });
    expect(res.status).toBe(202);
    const mail = lines.find((line) => line.message.includes('To: n@example.test'));
    expect(mail?.level).toBe('warn');
    expect(mail?.message).toMatch(/Reset token: \S{43}/);
  });
});
