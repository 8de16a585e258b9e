import { InvalidCredentials } from '../domain/credentials';
import { InvalidRefreshToken, RefreshTokenReused } from '../domain/refresh-token';
import { hashSecretToken } from './secret-tokens';
import { identityHarness, IdentityHarness, PASSWORD } from './testing/identity-harness';

const SECOND = 1000;
const DAY = 24 * 60 * 60 * SECOND;

/** A working session of a human account: access for 15 minutes, refresh at `generation`. */
const humanSession = (accountId: string, generation: number) => ({
  accountId,
  role: 'human',
  expiresInSeconds: 900,
  refresh: { accountId, generation },
});

describe('SessionService', () => {
  let h: IdentityHarness;
  beforeEach(async () => {
    h = await identityHarness();
    await h.register('u_carol');
  });

  describe('login', () => {
    it('answers an access token for the account and a refresh token stored only as a hash', async () => {
      const pair = await h.sessions.login('u_carol', PASSWORD);
      expect(pair.expiresInSeconds).toBe(900);
      const stored = await h.refreshTokens.findByHash(hashSecretToken(pair.refreshToken));
      expect(h.claimsIn(pair.accessToken)).toEqual({
        accountId: 'u_carol',
        role: 'human',
        issuedAt: h.clock.now(),
        sessionEpoch: null,
        familyId: stored?.familyId,
      });
      expect(stored).toMatchObject({ accountId: 'u_carol', generation: 0 });
      expect(JSON.stringify(stored)).not.toContain(pair.refreshToken);
    });

    it('refuses an unknown account, a wrong password and a disabled account with one error', async () => {
      await h.register('u_dave');
      await h.accounts.disable('u_dave', h.clock.now());
      const failures = await Promise.all([
        h.sessions.login('u_nobody', PASSWORD).catch((e: unknown) => e),
        h.sessions.login('u_carol', 'wrong password!').catch((e: unknown) => e),
        h.sessions.login('u_dave', PASSWORD).catch((e: unknown) => e),
      ]);
      for (const failure of failures) {
        expect(failure).toBeInstanceOf(InvalidCredentials);
        expect(failure).toEqual(new InvalidCredentials());
      }
    });

    it('tells the login observer each result, with one value for every refusal', async () => {
      await h.register('u_dave');
      await h.accounts.disable('u_dave', h.clock.now());
      await h.sessions.login('u_carol', PASSWORD);
      for (const [id, password] of [
        ['u_nobody', PASSWORD],
        ['u_carol', 'wrong password!'],
        ['u_dave', PASSWORD],
      ]) {
        await h.sessions.login(id, password).catch(() => undefined);
      }
      expect(h.logins.results).toEqual([
        'success',
        'invalid_credentials',
        'invalid_credentials',
        'invalid_credentials',
      ]);
    });

    it('refuses a password longer than 72 bytes even when bcrypt would match its first 72', async () => {
      const long = 'x'.repeat(72);
      await h.accountService.register({ id: 'u_long', name: 'L', role: 'human', password: long });
      await expect(h.sessions.login('u_long', long).then(h.sessionOf)).resolves.toEqual(
        humanSession('u_long', 0),
      );
      await expect(h.sessions.login('u_long', `${long}tail`)).rejects.toThrow(InvalidCredentials);
    });

    it('starts a session after a revocation made in the same millisecond', async () => {
      const before = await h.sessions.login('u_carol', PASSWORD);
      await h.accountService.revokeSessions({ id: 'u_carol', role: 'human' }, 'u_carol');
      const after = await h.sessions.login('u_carol', PASSWORD);
      await expect(h.resolver.resolveAccessToken(h.claimsIn(before.accessToken))).rejects.toThrow(
        /revoked/,
      );
      await expect(h.resolver.resolveAccessToken(h.claimsIn(after.accessToken))).resolves.toEqual({
        id: 'u_carol',
        role: 'human',
      });
      await expect(h.sessions.refresh(after.refreshToken).then(h.sessionOf)).resolves.toEqual(
        humanSession('u_carol', 1),
      );
    });
  });

  describe('refresh', () => {
    it('rotates: the successor is new and works, and stores generation 1', async () => {
      const first = await h.sessions.login('u_carol', PASSWORD);
      h.clock.advance(60 * SECOND);
      const second = await h.sessions.refresh(first.refreshToken);
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect(await h.refreshTokens.findByHash(hashSecretToken(second.refreshToken))).toMatchObject({
        generation: 1,
      });
      h.clock.advance(60 * SECOND);
      await expect(h.sessions.refresh(second.refreshToken).then(h.sessionOf)).resolves.toEqual(
        humanSession('u_carol', 2),
      );
    });

    it('gives two refreshes racing with one token the same successor', async () => {
      const first = await h.sessions.login('u_carol', PASSWORD);
      const [a, b] = await Promise.all([
        h.sessions.refresh(first.refreshToken),
        h.sessions.refresh(first.refreshToken),
      ]);
      expect(a.refreshToken).toBe(b.refreshToken);
      await expect(h.sessions.refresh(a.refreshToken).then(h.sessionOf)).resolves.toEqual(
        humanSession('u_carol', 2),
      );
    });

    it('decides a race by the successor insert: without grace, the loser is reuse', async () => {
      h = await identityHarness({ REFRESH_GRACE_SECONDS: '0' });
      await h.register('u_carol');
      const first = await h.sessions.login('u_carol', PASSWORD);
      const outcomes = await Promise.allSettled([
        h.sessions.refresh(first.refreshToken),
        h.sessions.refresh(first.refreshToken),
      ]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
      const lost = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(RefreshTokenReused);
    });

    it('answers a replay inside the grace window with the same successor', async () => {
      const first = await h.sessions.login('u_carol', PASSWORD);
      const a = await h.sessions.refresh(first.refreshToken);
      h.clock.advance(9 * SECOND);
      const b = await h.sessions.refresh(first.refreshToken);
      expect(b.refreshToken).toBe(a.refreshToken);
    });

    it('treats a replay after the grace window as reuse and revokes the family', async () => {
      const first = await h.sessions.login('u_carol', PASSWORD);
      const second = await h.sessions.refresh(first.refreshToken);
      h.clock.advance(10 * SECOND);
      await expect(h.sessions.refresh(first.refreshToken)).rejects.toThrow(RefreshTokenReused);
      await expect(h.sessions.refresh(second.refreshToken)).rejects.toThrow(InvalidRefreshToken);
      const family = await h.refreshTokens.findFamily(
        (await h.refreshTokens.findByHash(hashSecretToken(first.refreshToken)))!.familyId,
      );
      expect(family?.revokedAt).toEqual(h.clock.now());
    });

    it('treats a token two generations behind as reuse even inside the window', async () => {
      const first = await h.sessions.login('u_carol', PASSWORD);
      const second = await h.sessions.refresh(first.refreshToken);
      const third = await h.sessions.refresh(second.refreshToken);
      await expect(h.sessions.refresh(first.refreshToken)).rejects.toThrow(RefreshTokenReused);
      await expect(h.sessions.refresh(third.refreshToken)).rejects.toThrow(InvalidRefreshToken);
    });

    it('with REFRESH_GRACE_SECONDS=0 any second use is reuse', async () => {
      h = await identityHarness({ REFRESH_GRACE_SECONDS: '0' });
      await h.register('u_carol');
      const first = await h.sessions.login('u_carol', PASSWORD);
      await h.sessions.refresh(first.refreshToken);
      await expect(h.sessions.refresh(first.refreshToken)).rejects.toThrow(RefreshTokenReused);
    });

    it('leaves other families of the account alone when one is revoked for reuse', async () => {
      const phone = await h.sessions.login('u_carol', PASSWORD);
      const laptop = await h.sessions.login('u_carol', PASSWORD);
      await h.sessions.refresh(phone.refreshToken);
      h.clock.advance(11 * SECOND);
      await expect(h.sessions.refresh(phone.refreshToken)).rejects.toThrow(RefreshTokenReused);
      await expect(h.sessions.refresh(laptop.refreshToken).then(h.sessionOf)).resolves.toEqual(
        humanSession('u_carol', 1),
      );
    });

    it('refuses an unknown token', async () => {
      await expect(h.sessions.refresh('not-a-token')).rejects.toThrow(InvalidRefreshToken);
    });

    it('refuses a token past REFRESH_TOKEN_TTL', async () => {
      const first = await h.sessions.login('u_carol', PASSWORD);
      h.clock.advance(30 * DAY);
      await expect(h.sessions.refresh(first.refreshToken)).rejects.toThrow(InvalidRefreshToken);
    });

    it('refuses the tokens of a disabled account', async () => {
      const first = await h.sessions.login('u_carol', PASSWORD);
      await h.accountService.disable({ id: 'u_admin', role: 'admin' }, 'u_carol');
      await expect(h.sessions.refresh(first.refreshToken)).rejects.toThrow(InvalidRefreshToken);
    });

    it('refuses a family started before the account revoked its sessions', async () => {
      const first = await h.sessions.login('u_carol', PASSWORD);
      h.clock.advance(SECOND);
      // Only the account's mark, as if the families' own revocation had not been written.
      await h.accounts.revokeSessions('u_carol', h.clock.now());
      await expect(h.sessions.refresh(first.refreshToken)).rejects.toThrow(InvalidRefreshToken);
    });
  });
});
