import { ApiKey, LAST_USED_RESOLUTION_MS } from '@taskflow/identity/domain';
import { ApiKeyRepository } from '@taskflow/identity/ports/api-key.repository';
import { ConcurrencyConflict, newId } from '@taskflow/platform';
import { testDrivers } from '../support/drivers';
import { Persistence, startPersistence } from '../support/persistence';

const T0 = new Date('2030-07-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

const aKey = (overrides: Partial<ApiKey> = {}): ApiKey => ({
  id: newId('ak'),
  accountId: 'a_builder',
  name: 'ci runner',
  scopes: ['tasks:read', 'tasks:act'],
  secretHash: `hash-${Math.random().toString(36).slice(2)}`,
  createdAt: T0,
  expiresAt: at(30 * 86_400_000),
  lastUsedAt: null,
  revokedAt: null,
  ...overrides,
});

describe.each(testDrivers())('ApiKeyRepository contract (%s)', (driver) => {
  let p: Persistence;
  let keys: ApiKeyRepository;

  beforeAll(async () => {
    p = await startPersistence(driver);
    keys = p.get(ApiKeyRepository);
  });
  afterAll(() => p.close());

  it('finds a key by its id, with every field as stored', async () => {
    const key = aKey();
    await keys.insert(key);
    expect(await keys.findById(key.id)).toEqual(key);
    expect(await keys.findById(newId('ak'))).toBeNull();
  });

  it('refuses a second key under the same id', async () => {
    const key = aKey();
    await keys.insert(key);
    await expect(keys.insert(aKey({ id: key.id }))).rejects.toBeInstanceOf(ConcurrencyConflict);
  });

  it("lists an account's keys oldest first, and no one else's", async () => {
    const account = `u_${Math.random().toString(36).slice(2, 10)}`;
    const later = aKey({ accountId: account, createdAt: at(2000) });
    const earlier = aKey({ accountId: account, createdAt: at(1000) });
    await keys.insert(later);
    await keys.insert(earlier);
    await keys.insert(aKey({ accountId: 'u_someone_else' }));
    expect(await keys.listForAccount(account)).toEqual([earlier, later]);
  });

  it('revokes once: the first instant stays, and an unknown key says so', async () => {
    const key = aKey();
    await keys.insert(key);
    expect(await keys.revoke(key.id, at(1000))).toBe(true);
    expect(await keys.revoke(key.id, at(5000))).toBe(true);
    expect((await keys.findById(key.id))?.revokedAt).toEqual(at(1000));
    expect(await keys.revoke(newId('ak'), at(1000))).toBe(false);
  });

  it('moves last_used_at at most once per resolution', async () => {
    const key = aKey();
    await keys.insert(key);
    await keys.touch(key.id, at(1000), LAST_USED_RESOLUTION_MS);
    await keys.touch(key.id, at(1000 + LAST_USED_RESOLUTION_MS - 1), LAST_USED_RESOLUTION_MS);
    expect((await keys.findById(key.id))?.lastUsedAt).toEqual(at(1000));
    await keys.touch(key.id, at(1000 + LAST_USED_RESOLUTION_MS), LAST_USED_RESOLUTION_MS);
    expect((await keys.findById(key.id))?.lastUsedAt).toEqual(at(1000 + LAST_USED_RESOLUTION_MS));
  });
});
