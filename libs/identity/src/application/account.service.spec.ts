import { AccountForbidden, AccountNotFound, InvalidPassword } from '../domain/account';
import { hashSecretToken } from './secret-tokens';
import { identityHarness, IdentityHarness, PASSWORD } from './testing/identity-harness';

const ADMIN = { id: 'u_admin', role: 'admin' as const };
const CAROL = { id: 'u_carol', role: 'human' as const };
const DAVE = { id: 'u_dave', role: 'human' as const };

describe('AccountService', () => {
  let h: IdentityHarness;
  beforeEach(async () => {
    h = await identityHarness();
    await h.register('u_carol');
    await h.register('u_dave');
  });

  describe('register', () => {
    it('never creates an admin, whatever the caller passes', async () => {
      await expect(
        h.accountService.register({
          id: 'u_mallory',
          name: 'Mallory',
          role: 'admin' as 'human',
          password: PASSWORD,
        }),
      ).rejects.toThrow(AccountForbidden);
      expect(await h.accounts.findById('u_mallory')).toBeNull();
    });

    it('refuses a password over 72 bytes', async () => {
      await expect(
        h.accountService.register({
          id: 'u_x',
          name: 'X',
          role: 'agent',
          password: 'ü'.repeat(37),
        }),
      ).rejects.toThrow(InvalidPassword);
    });
  });

  describe('disable', () => {
    it('marks the account disabled, moves its revocation to now and revokes its families', async () => {
      const session = await h.sessions.login('u_carol', PASSWORD);
      const account = await h.accountService.disable(ADMIN, 'u_carol');
      expect(account).toMatchObject({ status: 'disabled', sessionsValidAfter: h.clock.now() });
      const token = await h.refreshTokens.findByHash(hashSecretToken(session.refreshToken));
      const family = await h.refreshTokens.findFamily(token!.familyId);
      expect(family?.revokedAt).toEqual(h.clock.now());
    });

    it('is for admins only', async () => {
      await expect(h.accountService.disable(DAVE, 'u_carol')).rejects.toThrow(AccountForbidden);
      expect((await h.accounts.findById('u_carol'))?.status).toBe('active');
    });

    it('answers not found for an unknown account', async () => {
      await expect(h.accountService.disable(ADMIN, 'u_nobody')).rejects.toThrow(AccountNotFound);
    });
  });

  describe('revokeSessions', () => {
    it('lets an account end its own sessions', async () => {
      const session = await h.sessions.login('u_carol', PASSWORD);
      h.clock.advance(1000);
      await h.accountService.revokeSessions(CAROL, 'u_carol');
      expect((await h.accounts.findById('u_carol'))?.sessionsValidAfter).toEqual(h.clock.now());
      await expect(h.resolver.resolveAccessToken(h.claimsIn(session.accessToken))).rejects.toThrow(
        /revoked/,
      );
    });

    it("refuses a non-admin another account's sessions", async () => {
      await expect(h.accountService.revokeSessions(DAVE, 'u_carol')).rejects.toThrow(
        AccountForbidden,
      );
      expect((await h.accounts.findById('u_carol'))?.sessionsValidAfter).toBeNull();
    });

    it('keeps the later revocation when an earlier one arrives after it', async () => {
      const later = new Date(h.clock.now().getTime() + 5000);
      await h.accounts.revokeSessions('u_carol', later);
      await h.accountService.revokeSessions(ADMIN, 'u_carol');
      expect((await h.accounts.findById('u_carol'))?.sessionsValidAfter).toEqual(later);
    });
  });
});
