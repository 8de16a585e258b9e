import { RefreshFamily, RefreshToken, RefreshTokenAlreadyRotated } from '@taskflow/identity/domain';
import { RefreshTokenRepository } from '@taskflow/identity/ports/refresh-token.repository';
import { testDrivers } from '../support/drivers';
import { Persistence, startPersistence } from '../support/persistence';

const T0 = new Date('2030-07-01T00:00:00.000Z');
const later = (ms: number): Date => new Date(T0.getTime() + ms);
const unique = (): string => Math.random().toString(36).slice(2, 10);

/** A family of its own per test: the suite shares one database. */
function aFamily(accountId = `u_${unique()}`): RefreshFamily {
  return { id: `rf_${unique()}`, accountId, createdAt: T0, revokedAt: null, sessionEpoch: null };
}

const aToken = (family: RefreshFamily, overrides: Partial<RefreshToken> = {}): RefreshToken => ({
  familyId: family.id,
  generation: 0,
  accountId: family.accountId,
  tokenHash: `hash-${unique()}`,
  issuedAt: T0,
  expiresAt: later(60_000),
  ...overrides,
});

describe.each(testDrivers())('RefreshTokenRepository contract (%s)', (driver) => {
  let p: Persistence;
  let tokens: RefreshTokenRepository;

  beforeAll(async () => {
    p = await startPersistence(driver);
    tokens = p.get(RefreshTokenRepository);
  });
  afterAll(() => p.close());

  it('finds a family and its first token by hash and by generation', async () => {
    const family = aFamily();
    const first = aToken(family);
    await tokens.startFamily(family, first);
    expect(await tokens.findFamily(family.id)).toEqual(family);
    expect(await tokens.findByHash(first.tokenHash)).toEqual(first);
    expect(await tokens.findGeneration(family.id, 0)).toEqual(first);
    expect(await tokens.findByHash('hash-unknown')).toBeNull();
    expect(await tokens.findGeneration(family.id, 1)).toBeNull();
    expect(await tokens.findFamily('rf_unknown')).toBeNull();
  });

  it('keeps the session epoch a family began under', async () => {
    const family = { ...aFamily(), sessionEpoch: 'epoch-7' };
    await tokens.startFamily(family, aToken(family));
    expect(await tokens.findFamily(family.id)).toEqual(family);
  });

  it('stores a successor under the next generation', async () => {
    const family = aFamily();
    await tokens.startFamily(family, aToken(family));
    const successor = aToken(family, { generation: 1, issuedAt: later(1) });
    await tokens.insertSuccessor(successor);
    expect(await tokens.findByHash(successor.tokenHash)).toEqual(successor);
  });

  it('refuses a second successor for the same generation', async () => {
    const family = aFamily();
    await tokens.startFamily(family, aToken(family));
    await tokens.insertSuccessor(aToken(family, { generation: 1 }));
    const second = aToken(family, { generation: 1 });
    await expect(tokens.insertSuccessor(second)).rejects.toBeInstanceOf(RefreshTokenAlreadyRotated);
    expect(await tokens.findByHash(second.tokenHash)).toBeNull();
  });

  it('refuses the same successor twice (two refreshes derive the same token)', async () => {
    const family = aFamily();
    await tokens.startFamily(family, aToken(family));
    const successor = aToken(family, { generation: 1 });
    await tokens.insertSuccessor(successor);
    await expect(
      tokens.insertSuccessor({ ...successor, issuedAt: later(5) }),
    ).rejects.toBeInstanceOf(RefreshTokenAlreadyRotated);
    expect(await tokens.findGeneration(family.id, 1)).toEqual(successor);
  });

  it('lets exactly one of many racing rotations of one token win', async () => {
    const family = aFamily();
    await tokens.startFamily(family, aToken(family));
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () => tokens.insertSuccessor(aToken(family, { generation: 1 }))),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        expect(outcome.reason).toBeInstanceOf(RefreshTokenAlreadyRotated);
      }
    }
    const winner = await tokens.findGeneration(family.id, 1);
    expect(await tokens.findByHash(winner!.tokenHash)).toEqual(winner);
  });

  it('keeps the first revocation of a family', async () => {
    const family = aFamily();
    await tokens.startFamily(family, aToken(family));
    await tokens.revokeFamily(family.id, later(1000));
    await tokens.revokeFamily(family.id, later(2000));
    expect((await tokens.findFamily(family.id))?.revokedAt).toEqual(later(1000));
  });

  it("revokes every family of an account and no one else's", async () => {
    const mine = aFamily();
    const alsoMine = aFamily(mine.accountId);
    const theirs = aFamily();
    for (const family of [mine, alsoMine, theirs]) await tokens.startFamily(family, aToken(family));
    await tokens.revokeFamily(alsoMine.id, later(500));
    await tokens.revokeFamiliesOf(mine.accountId, later(1000));
    expect((await tokens.findFamily(mine.id))?.revokedAt).toEqual(later(1000));
    expect((await tokens.findFamily(alsoMine.id))?.revokedAt).toEqual(later(500));
    expect((await tokens.findFamily(theirs.id))?.revokedAt).toBeNull();
  });
});
