import { claimsOf, payloadOf } from './access-token.payload';

const ISSUED = new Date('2030-06-01T10:20:30.456Z');

describe('access token payload', () => {
  const BARE = { sessionEpoch: null, familyId: null };

  it('carries iat in seconds and iat_ms in milliseconds', () => {
    expect(payloadOf({ accountId: 'u_carol', role: 'agent', issuedAt: ISSUED, ...BARE })).toEqual({
      sub: 'u_carol',
      role: 'agent',
      iat: Math.floor(ISSUED.getTime() / 1000),
      iat_ms: ISSUED.getTime(),
    });
  });

  it.each([
    ['without epoch and family', BARE],
    ['with its session epoch and family', { sessionEpoch: 'e-1', familyId: 'rf_1' }],
  ])('reads back what it wrote %s, once exp was added by signing', (_, extra) => {
    const claims = { accountId: 'u_carol', role: 'human' as const, issuedAt: ISSUED, ...extra };
    expect(claimsOf({ ...payloadOf(claims), exp: 1 })).toEqual(claims);
  });

  it.each([
    ['no sub', { role: 'human', iat_ms: 1, exp: 2 }],
    ['no iat_ms', { sub: 'u_carol', role: 'human', exp: 2 }],
    ['a fractional iat_ms', { sub: 'u_carol', role: 'human', iat_ms: 1.5, exp: 2 }],
    ['no exp', { sub: 'u_carol', role: 'human', iat_ms: 1 }],
    ['an unknown role', { sub: 'u_carol', role: 'root', iat_ms: 1, exp: 2 }],
    [
      'a session epoch that is not a string',
      { sub: 'u_carol', role: 'human', iat_ms: 1, exp: 2, sep: 1 },
    ],
    [
      'a family that is not a string',
      { sub: 'u_carol', role: 'human', iat_ms: 1, exp: 2, fam: {} },
    ],
    ['not an object', 'u_carol'],
  ])('refuses a payload with %s', (_, payload) => {
    expect(claimsOf(payload)).toBeNull();
  });
});
