import {
  ApiKey,
  isApiKeyLive,
  lastUseIsStale,
  LAST_USED_RESOLUTION_MS,
  parseApiKey,
} from './api-key';

const ID = 'ak_01j9zq3v6w8x0y1z2a3b4c5d6e';
const SECRET = 'Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmE'; // 43 characters
const T0 = new Date('2030-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

const aKey = (overrides: Partial<ApiKey> = {}): ApiKey => ({
  id: ID,
  accountId: 'a_builder',
  name: 'k',
  scopes: ['tasks:read'],
  secretHash: 'h',
  createdAt: T0,
  expiresAt: at(86_400_000),
  lastUsedAt: null,
  revokedAt: null,
  ...overrides,
});

describe('parseApiKey', () => {
  it('splits tfk_<id>_<secret>, a secret with _ and - included', () => {
    expect(parseApiKey(`tfk_${ID}_${SECRET}`)).toEqual({ id: ID, secret: SECRET });
    const withSeparators = `a_b-${SECRET.slice(4)}`;
    expect(parseApiKey(`tfk_${ID}_${withSeparators}`)).toEqual({ id: ID, secret: withSeparators });
  });

  it.each([
    ['no prefix', `${ID}_${SECRET}`],
    ['another prefix', `tfx_${ID}_${SECRET}`],
    ['a short secret', `tfk_${ID}_${SECRET.slice(1)}`],
    ['a secret outside base64url', `tfk_${ID}_${SECRET.slice(1)}+`],
    ['an id of the wrong length', `tfk_${ID}0_${SECRET}`],
    ['an upper-case id', `tfk_${ID.toUpperCase()}_${SECRET}`],
    ['a JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln'],
  ])('refuses %s', (_, text) => {
    expect(parseApiKey(text)).toBeNull();
  });
});

describe('isApiKeyLive', () => {
  it('holds until the expiry, which itself has passed', () => {
    expect(isApiKeyLive(aKey(), at(86_400_000 - 1))).toBe(true);
    expect(isApiKeyLive(aKey(), at(86_400_000))).toBe(false);
  });

  it('ends with a revocation', () => {
    expect(isApiKeyLive(aKey({ revokedAt: at(5) }), at(10))).toBe(false);
  });
});

describe('lastUseIsStale', () => {
  it('asks for a write on the first use and then once per resolution', () => {
    expect(lastUseIsStale(aKey(), T0)).toBe(true);
    const used = aKey({ lastUsedAt: T0 });
    expect(lastUseIsStale(used, at(LAST_USED_RESOLUTION_MS - 1))).toBe(false);
    expect(lastUseIsStale(used, at(LAST_USED_RESOLUTION_MS))).toBe(true);
  });
});
