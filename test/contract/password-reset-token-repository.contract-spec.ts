import { InvalidResetToken, PasswordResetToken } from '@taskflow/identity/domain';
import { PasswordResetTokenRepository } from '@taskflow/identity/ports/password-reset-token.repository';
import { testDrivers } from '../support/drivers';
import { Persistence, startPersistence } from '../support/persistence';

const T0 = new Date('2030-07-01T00:00:00.000Z');

const aResetToken = (): PasswordResetToken => ({
  tokenHash: `reset-${Math.random().toString(36).slice(2, 10)}`,
  accountId: 'u_carol',
  issuedAt: T0,
  expiresAt: new Date(T0.getTime() + 30 * 60_000),
});

describe.each(testDrivers())('PasswordResetTokenRepository contract (%s)', (driver) => {
  let p: Persistence;
  let resets: PasswordResetTokenRepository;

  beforeAll(async () => {
    p = await startPersistence(driver);
    resets = p.get(PasswordResetTokenRepository);
  });
  afterAll(() => p.close());

  it('finds a token by its hash', async () => {
    const token = aResetToken();
    await resets.insert(token);
    expect(await resets.findByHash(token.tokenHash)).toEqual(token);
    expect(await resets.findByHash('reset-unknown')).toBeNull();
  });

  it('marks a token used once', async () => {
    const token = aResetToken();
    await resets.insert(token);
    await resets.markUsed(token.tokenHash, T0);
    await expect(resets.markUsed(token.tokenHash, T0)).rejects.toBeInstanceOf(InvalidResetToken);
  });

  it('lets exactly one of many racing uses win', async () => {
    const token = aResetToken();
    await resets.insert(token);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () => resets.markUsed(token.tokenHash, T0)),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(InvalidResetToken);
    }
  });
});
