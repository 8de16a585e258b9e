import { ConsoleLogger, Logger, LoggerService } from '@nestjs/common';
import { InvalidPassword } from '../domain/account';
import { InvalidCredentials } from '../domain/credentials';
import { InvalidResetToken } from '../domain/password-reset';
import { InvalidRefreshToken } from '../domain/refresh-token';
import { hashSecretToken } from './secret-tokens';
import { identityHarness, IdentityHarness, PASSWORD } from './testing/identity-harness';

const NEW_PASSWORD = 'a brand new passphrase';
const MINUTE = 60 * 1000;

/** The token in a reset mail's text. */
const tokenIn = (text: string): string => {
  const match = /Reset token: (\S+)/.exec(text);
  if (!match) throw new Error(`no token in: ${text}`);
  return match[1];
};

describe('PasswordResetService', () => {
  let h: IdentityHarness;
  beforeEach(async () => {
    h = await identityHarness();
    await h.register('u_carol', 'carol@example.test');
  });

  /** Requests a reset for u_carol and returns the token from the mail. */
  async function requestToken(): Promise<string> {
    await h.passwordReset.request('u_carol');
    const mail = h.mailer.sent.at(-1);
    expect(mail?.to).toBe('carol@example.test');
    return tokenIn(mail!.text);
  }

  describe('request', () => {
    it('mails a token and stores only its hash', async () => {
      const token = await requestToken();
      expect(h.mailer.sent).toHaveLength(1);
      expect(h.mailer.sent[0].subject).toBe('Reset your TaskFlow password');
      const stored = await h.resetTokens.findByHash(hashSecretToken(token));
      expect(stored).toMatchObject({
        accountId: 'u_carol',
        expiresAt: new Date(h.clock.now().getTime() + 30 * MINUTE),
      });
      expect(JSON.stringify(stored)).not.toContain(token);
    });

    it('sends nothing for an unknown account, a disabled one or one without email', async () => {
      await h.register('u_dave');
      await h.accounts.disable('u_dave', h.clock.now());
      await h.register('u_erin', null);
      await h.passwordReset.request('u_nobody');
      await h.passwordReset.request('u_dave');
      await h.passwordReset.request('u_erin');
      expect(h.mailer.sent).toEqual([]);
    });

    it('still resolves, and logs an error, when the mail cannot be sent', async () => {
      const errors: string[] = [];
      const capture: LoggerService = {
        log: () => undefined,
        warn: () => undefined,
        error: (message: unknown) => errors.push(String(message)),
      };
      Logger.overrideLogger(capture);
      try {
        h.mailer.failWith = new Error('connection refused');
        await expect(h.passwordReset.request('u_carol')).resolves.toBeUndefined();
        await new Promise((resolve) => setImmediate(resolve));
        expect(errors).toEqual([
          'Could not send the password reset mail for u_carol: Error: connection refused',
        ]);
      } finally {
        Logger.overrideLogger(new ConsoleLogger());
      }
    });
  });

  describe('confirm', () => {
    it('sets the new password', async () => {
      const token = await requestToken();
      h.clock.advance(MINUTE);
      await h.passwordReset.confirm(token, NEW_PASSWORD);
      h.clock.advance(MINUTE);
      await expect(h.sessions.login('u_carol', PASSWORD)).rejects.toThrow(InvalidCredentials);
      await expect(h.sessions.login('u_carol', NEW_PASSWORD).then(h.sessionOf)).resolves.toEqual({
        accountId: 'u_carol',
        role: 'human',
        expiresInSeconds: 900,
        refresh: { accountId: 'u_carol', generation: 0 },
      });
    });

    it('revokes every session: access and refresh tokens issued before', async () => {
      const session = await h.sessions.login('u_carol', PASSWORD);
      const token = await requestToken();
      await h.passwordReset.confirm(token, NEW_PASSWORD);
      await expect(h.sessions.refresh(session.refreshToken)).rejects.toThrow(InvalidRefreshToken);
      await expect(h.resolver.resolveAccessToken(h.claimsIn(session.accessToken))).rejects.toThrow(
        /revoked/,
      );
    });

    it('works once', async () => {
      const token = await requestToken();
      await h.passwordReset.confirm(token, NEW_PASSWORD);
      await expect(h.passwordReset.confirm(token, 'yet another passphrase')).rejects.toThrow(
        InvalidResetToken,
      );
      await expect(h.sessions.login('u_carol', NEW_PASSWORD).then(h.sessionOf)).resolves.toEqual({
        accountId: 'u_carol',
        role: 'human',
        expiresInSeconds: 900,
        refresh: { accountId: 'u_carol', generation: 0 },
      });
    });

    it('lets exactly one of two racing confirmations through', async () => {
      const token = await requestToken();
      const outcomes = await Promise.allSettled([
        h.passwordReset.confirm(token, 'first passphrase wins'),
        h.passwordReset.confirm(token, 'second passphrase wins'),
      ]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
      const lost = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(InvalidResetToken);
    });

    it('expires after RESET_TOKEN_TTL (30 minutes by default)', async () => {
      const token = await requestToken();
      h.clock.advance(30 * MINUTE - 1);
      const stillValid = await requestToken();
      h.clock.advance(1);
      await expect(h.passwordReset.confirm(token, NEW_PASSWORD)).rejects.toThrow(InvalidResetToken);
      await expect(h.passwordReset.confirm(stillValid, NEW_PASSWORD)).resolves.toBeUndefined();
    });

    it('refuses older outstanding tokens once the password was reset', async () => {
      const older = await requestToken();
      h.clock.advance(MINUTE);
      const newer = await requestToken();
      await h.passwordReset.confirm(newer, NEW_PASSWORD);
      await expect(h.passwordReset.confirm(older, 'someone else wins')).rejects.toThrow(
        InvalidResetToken,
      );
    });

    it('refuses a token for an account disabled since', async () => {
      const token = await requestToken();
      await h.accountService.disable({ id: 'u_admin', role: 'admin' }, 'u_carol');
      await expect(h.passwordReset.confirm(token, NEW_PASSWORD)).rejects.toThrow(InvalidResetToken);
    });

    it('refuses an unknown token', async () => {
      await expect(h.passwordReset.confirm('made-up', NEW_PASSWORD)).rejects.toThrow(
        InvalidResetToken,
      );
    });

    it('refuses a password over 72 bytes and leaves the token usable', async () => {
      const token = await requestToken();
      await expect(h.passwordReset.confirm(token, 'é'.repeat(37))).rejects.toThrow(InvalidPassword);
      await expect(h.passwordReset.confirm(token, NEW_PASSWORD)).resolves.toBeUndefined();
    });
  });
});
