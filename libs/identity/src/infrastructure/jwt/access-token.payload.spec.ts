import { claimsOf, payloadOf } from './access-token.payload';

const ISSUED = new Date('2030-06-01T10:20:30.456Z');

describe('access token payload', () => {
  it('carries iat in seconds and iat_ms in milliseconds', () => {
    expect(payloadOf({ accountId: 'u_carol', role: 'agent', issuedAt: ISSUED })).toEqual({
      sub: 'u_carol',
      role: 'agent',
      iat: Math.floor(ISSUED.getTime() / 1000),
      iat_ms: ISSUED.getTime(),
    });
  });

  it('reads back what it wrote, once exp was added by signing', () => {
    const payload = {
      ...payloadOf({ accountId: 'u_carol', role: 'human', issuedAt: ISSUED }),
      exp: 1,
    };
    expect(claimsOf(payload)).toEqual({ accountId: 'u_carol', role: 'human', issuedAt: ISSUED });
  });

  it.each([
    ['no sub', { role: 'human', iat_ms: 1, exp: 2 }],
    ['no iat_ms', { sub: 'u_carol', role: 'human', exp: 2 }],
    ['a fractional iat_ms', { sub: 'u_carol', role: 'human', iat_ms: 1.5, exp: 2 }],
    ['no exp', { sub: 'u_carol', role: 'human', iat_ms: 1 }],
    ['an unknown role', { sub: 'u_carol', role: 'root', iat_ms: 1, exp: 2 }],
    ['not an object', 'u_carol'],
  ])('refuses a payload with %s', (_, payload) => {
    expect(claimsOf(payload)).toBeNull();
  });
});
