/**
 * The contract every adapter of Identity's repository ports keeps, run against each driver in
 * TEST_DRIVERS. Races are decided by unique keys only (DESIGN §2), so the concurrent cases here
 * must hold on FerretDB as on the memory store.
 */
import {
  AccountAlreadyExists,
  AccountNotFound,
  InvalidResetToken,
  RefreshToken,
  RefreshTokenAlreadyRotated,
} from '@taskflow/identity/domain';
import { anAccount } from '@taskflow/identity/domain/testing/an-account';
import { MemoryAccountRepository } from '@taskflow/identity/infrastructure/memory/memory-account.repository';
import { MemoryPasswordResetTokenRepository } from '@taskflow/identity/infrastructure/memory/memory-password-reset-token.repository';
import { MemoryRefreshTokenRepository } from '@taskflow/identity/infrastructure/memory/memory-refresh-token.repository';
import type { AccountRepository } from '@taskflow/identity/ports/account.repository';
import type { PasswordResetTokenRepository } from '@taskflow/identity/ports/password-reset-token.repository';
import type { RefreshTokenRepository } from '@taskflow/identity/ports/refresh-token.repository';
import { MemoryUnitOfWork } from '@taskflow/platform';
import { DriverName, TEST_DRIVERS } from '../support/test-app';

interface Adapters {
  readonly accounts: AccountRepository;
  readonly refreshTokens: RefreshTokenRepository;
  readonly resetTokens: PasswordResetTokenRepository;
}

const ADAPTERS: Record<DriverName, (() => Promise<Adapters>) | null> = {
  memory: async () => {
    const unitOfWork = new MemoryUnitOfWork();
    return {
      accounts: new MemoryAccountRepository(unitOfWork),
      refreshTokens: new MemoryRefreshTokenRepository(unitOfWork),
      resetTokens: new MemoryPasswordResetTokenRepository(unitOfWork),
    };
  },
  // Identity has no Mongo adapters yet; the suite fails for `mongo` until they exist.
  mongo: null,
};

const T0 = new Date('2030-07-01T00:00:00.000Z');
const later = (ms: number): Date => new Date(T0.getTime() + ms);

const aToken = (overrides: Partial<RefreshToken> = {}): RefreshToken => ({
  familyId: 'rf_a',
  generation: 0,
  accountId: 'u_carol',
  tokenHash: 'hash-0',
  issuedAt: T0,
  expiresAt: later(60_000),
  ...overrides,
});

const settle = async (attempts: Promise<void>[]) => {
  const outcomes = await Promise.allSettled(attempts);
  return {
    won: outcomes.filter((o) => o.status === 'fulfilled').length,
    errors: outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : [])),
  };
};

describe.each(TEST_DRIVERS)('Identity repositories (%s)', (driver) => {
  let a: Adapters;
  beforeEach(async () => {
    const make = ADAPTERS[driver];
    if (!make) throw new Error(`No ${driver} adapters for Identity's repository ports`);
    a = await make();
  });

  describe('AccountRepository', () => {
    it('refuses a second account with the same id', async () => {
      await a.accounts.create(anAccount());
      await expect(a.accounts.create(anAccount({ name: 'Other' }))).rejects.toThrow(
        AccountAlreadyExists,
      );
      expect((await a.accounts.findById('u_carol'))?.name).toBe('Carol');
    });

    it('lets exactly one of many racing creations of one id win', async () => {
      const { won, errors } = await settle(
        Array.from({ length: 20 }, (_, i) => a.accounts.create(anAccount({ name: `n${i}` }))),
      );
      expect(won).toBe(1);
      for (const error of errors) expect(error).toBeInstanceOf(AccountAlreadyExists);
    });

    it('changes the password and moves the revocation', async () => {
      await a.accounts.create(anAccount());
      await a.accounts.changePassword('u_carol', 'new-hash', T0);
      expect(await a.accounts.findById('u_carol')).toMatchObject({
        passwordHash: 'new-hash',
        sessionsValidAfter: T0,
        status: 'active',
      });
    });

    it('disables and moves the revocation', async () => {
      await a.accounts.create(anAccount());
      await a.accounts.disable('u_carol', T0);
      expect(await a.accounts.findById('u_carol')).toMatchObject({
        status: 'disabled',
        sessionsValidAfter: T0,
      });
    });

    it('never moves the revocation back', async () => {
      await a.accounts.create(anAccount());
      await a.accounts.revokeSessions('u_carol', later(5000));
      await a.accounts.revokeSessions('u_carol', T0);
      expect((await a.accounts.findById('u_carol'))?.sessionsValidAfter).toEqual(later(5000));
    });

    it('keeps both of a password change and a disable made at the same time', async () => {
      await a.accounts.create(anAccount());
      await Promise.all([
        a.accounts.changePassword('u_carol', 'new-hash', T0),
        a.accounts.disable('u_carol', T0),
      ]);
      expect(await a.accounts.findById('u_carol')).toMatchObject({
        passwordHash: 'new-hash',
        status: 'disabled',
      });
    });

    it('answers not found when changing an unknown account', async () => {
      await expect(a.accounts.changePassword('u_nobody', 'h', T0)).rejects.toThrow(AccountNotFound);
      await expect(a.accounts.disable('u_nobody', T0)).rejects.toThrow(AccountNotFound);
      await expect(a.accounts.revokeSessions('u_nobody', T0)).rejects.toThrow(AccountNotFound);
      expect(await a.accounts.findById('u_nobody')).toBeNull();
    });
  });

  describe('RefreshTokenRepository', () => {
    const family = { id: 'rf_a', accountId: 'u_carol', createdAt: T0, revokedAt: null };

    it('finds a family and its first token by hash and by generation', async () => {
      await a.refreshTokens.startFamily(family, aToken());
      expect(await a.refreshTokens.findFamily('rf_a')).toEqual(family);
      expect(await a.refreshTokens.findByHash('hash-0')).toEqual(aToken());
      expect(await a.refreshTokens.findGeneration('rf_a', 0)).toEqual(aToken());
      expect(await a.refreshTokens.findByHash('hash-x')).toBeNull();
      expect(await a.refreshTokens.findGeneration('rf_a', 1)).toBeNull();
    });

    it('stores a successor under the next generation', async () => {
      await a.refreshTokens.startFamily(family, aToken());
      const successor = aToken({ generation: 1, tokenHash: 'hash-1', issuedAt: later(1) });
      await a.refreshTokens.insertSuccessor(successor);
      expect(await a.refreshTokens.findByHash('hash-1')).toEqual(successor);
    });

    it('refuses a second successor for the same generation', async () => {
      await a.refreshTokens.startFamily(family, aToken());
      await a.refreshTokens.insertSuccessor(aToken({ generation: 1, tokenHash: 'hash-1' }));
      await expect(
        a.refreshTokens.insertSuccessor(aToken({ generation: 1, tokenHash: 'hash-1b' })),
      ).rejects.toThrow(RefreshTokenAlreadyRotated);
      expect(await a.refreshTokens.findByHash('hash-1b')).toBeNull();
    });

    it('lets exactly one of many racing rotations of one token win', async () => {
      await a.refreshTokens.startFamily(family, aToken());
      const { won, errors } = await settle(
        Array.from({ length: 20 }, (_, i) =>
          a.refreshTokens.insertSuccessor(aToken({ generation: 1, tokenHash: `race-${i}` })),
        ),
      );
      expect(won).toBe(1);
      for (const error of errors) expect(error).toBeInstanceOf(RefreshTokenAlreadyRotated);
      const winner = await a.refreshTokens.findGeneration('rf_a', 1);
      expect(await a.refreshTokens.findByHash(winner!.tokenHash)).toEqual(winner);
    });

    it('keeps the first revocation of a family', async () => {
      await a.refreshTokens.startFamily(family, aToken());
      await a.refreshTokens.revokeFamily('rf_a', later(1000));
      await a.refreshTokens.revokeFamily('rf_a', later(2000));
      expect((await a.refreshTokens.findFamily('rf_a'))?.revokedAt).toEqual(later(1000));
    });

    it("revokes every family of an account and no one else's", async () => {
      await a.refreshTokens.startFamily(family, aToken());
      await a.refreshTokens.startFamily(
        { ...family, id: 'rf_b' },
        aToken({ familyId: 'rf_b', tokenHash: 'hash-b' }),
      );
      await a.refreshTokens.startFamily(
        { ...family, id: 'rf_d', accountId: 'u_dave' },
        aToken({ familyId: 'rf_d', accountId: 'u_dave', tokenHash: 'hash-d' }),
      );
      await a.refreshTokens.revokeFamiliesOf('u_carol', later(1000));
      expect((await a.refreshTokens.findFamily('rf_a'))?.revokedAt).toEqual(later(1000));
      expect((await a.refreshTokens.findFamily('rf_b'))?.revokedAt).toEqual(later(1000));
      expect((await a.refreshTokens.findFamily('rf_d'))?.revokedAt).toBeNull();
    });
  });

  describe('PasswordResetTokenRepository', () => {
    const reset = {
      tokenHash: 'reset-hash',
      accountId: 'u_carol',
      issuedAt: T0,
      expiresAt: later(1),
    };

    it('finds a token by its hash', async () => {
      await a.resetTokens.insert(reset);
      expect(await a.resetTokens.findByHash('reset-hash')).toEqual(reset);
      expect(await a.resetTokens.findByHash('other')).toBeNull();
    });

    it('marks a token used once', async () => {
      await a.resetTokens.insert(reset);
      await a.resetTokens.markUsed('reset-hash', T0);
      await expect(a.resetTokens.markUsed('reset-hash', later(1))).rejects.toThrow(
        InvalidResetToken,
      );
    });

    it('lets exactly one of many racing uses win', async () => {
      await a.resetTokens.insert(reset);
      const { won, errors } = await settle(
        Array.from({ length: 20 }, () => a.resetTokens.markUsed('reset-hash', T0)),
      );
      expect(won).toBe(1);
      for (const error of errors) expect(error).toBeInstanceOf(InvalidResetToken);
    });
  });
});
