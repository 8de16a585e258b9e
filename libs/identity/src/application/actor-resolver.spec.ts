import { identityHarness, IdentityHarness, PASSWORD } from './testing/identity-harness';

describe('ActorResolver', () => {
  let h: IdentityHarness;
  beforeEach(async () => {
    h = await identityHarness();
    await h.register('u_carol');
  });

  describe('resolveAccessToken', () => {
    it('answers the account as it is stored', async () => {
      const { accessToken } = await h.sessions.login('u_carol', PASSWORD);
      await expect(h.resolver.resolveAccessToken(h.claimsIn(accessToken))).resolves.toEqual({
        id: 'u_carol',
        role: 'human',
      });
    });

    it('refuses a token issued earlier in the same second as a revocation', async () => {
      h.clock.advance(100);
      const { accessToken } = await h.sessions.login('u_carol', PASSWORD);
      h.clock.advance(800);
      await h.accounts.revokeSessions('u_carol', h.clock.now());
      const claims = h.claimsIn(accessToken);
      expect(Math.floor(claims.issuedAt.getTime() / 1000)).toBe(
        Math.floor(h.clock.now().getTime() / 1000),
      );
      await expect(h.resolver.resolveAccessToken(claims)).rejects.toThrow(
        'The session has been revoked; log in again',
      );
    });

    it('refuses the token of a disabled account', async () => {
      const { accessToken } = await h.sessions.login('u_carol', PASSWORD);
      await h.accounts.disable('u_carol', h.clock.now());
      await expect(h.resolver.resolveAccessToken(h.claimsIn(accessToken))).rejects.toThrow(
        'The account is disabled or no longer exists',
      );
    });

    it('refuses a token whose role is no longer the account role', async () => {
      const { accessToken } = await h.sessions.login('u_carol', PASSWORD);
      const claims = { ...h.claimsIn(accessToken), role: 'admin' as const };
      await expect(h.resolver.resolveAccessToken(claims)).rejects.toThrow(/revoked/);
    });

    it('refuses a token minted under an earlier session epoch, whatever its clock says', async () => {
      const { accessToken } = await h.sessions.login('u_carol', PASSWORD);
      const claims = h.claimsIn(accessToken);
      await h.accounts.revokeSessions('u_carol', new Date(claims.issuedAt.getTime() - 60_000));
      await expect(h.resolver.resolveAccessToken(claims)).rejects.toThrow(/revoked/);
    });

    it('refuses a token of a family revoked for reuse, and not one of another family', async () => {
      const first = await h.sessions.login('u_carol', PASSWORD);
      const second = await h.sessions.login('u_carol', PASSWORD);
      const claims = h.claimsIn(first.accessToken);
      await h.accounts.markFamilyRevoked('u_carol', claims.familyId as string, h.clock.now(), []);
      await expect(h.resolver.resolveAccessToken(claims)).rejects.toThrow(/revoked/);
      await expect(
        h.resolver.resolveAccessToken(h.claimsIn(second.accessToken)),
      ).resolves.toMatchObject({ id: 'u_carol' });
    });

    it('refuses a token for an account that does not exist', async () => {
      const claims = {
        accountId: 'u_ghost',
        role: 'human' as const,
        issuedAt: h.clock.now(),
        sessionEpoch: null,
        familyId: null,
      };
      await expect(h.resolver.resolveAccessToken(claims)).rejects.toThrow(/no longer exists/);
    });
  });

  describe('resolveDevUser', () => {
    it('ignores X-User-ID outside dev mode', async () => {
      await expect(h.resolver.resolveDevUser('u_carol')).rejects.toThrow(
        'Send Authorization: Bearer <token>',
      );
    });

    it('accepts X-User-ID of an active account in dev mode', async () => {
      h = await identityHarness({ DEV_MODE: 'true' });
      await h.register('u_carol');
      await expect(h.resolver.resolveDevUser('u_carol')).resolves.toEqual({
        id: 'u_carol',
        role: 'human',
        via: 'dev_header',
      });
      await expect(h.resolver.resolveDevUser('u_nobody')).rejects.toThrow(/not name an active/);
    });
  });
});
