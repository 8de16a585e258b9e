import { isRefreshTokenExpired, RefreshToken, withinGraceWindow } from './refresh-token';

const ISSUED = new Date('2030-03-01T12:00:00.000Z');
const token: RefreshToken = {
  familyId: 'rf_1',
  generation: 1,
  accountId: 'u_carol',
  tokenHash: 'hash',
  issuedAt: ISSUED,
  expiresAt: new Date(ISSUED.getTime() + 60_000),
};
const after = (ms: number): Date => new Date(ISSUED.getTime() + ms);

describe('withinGraceWindow', () => {
  it('shares a successor issued just now', () => {
    expect(withinGraceWindow(token, after(0), 10)).toBe(true);
  });

  it('shares it until just before the window ends', () => {
    expect(withinGraceWindow(token, after(9_999), 10)).toBe(true);
  });

  it('stops sharing when the window ends', () => {
    expect(withinGraceWindow(token, after(10_000), 10)).toBe(false);
  });

  it('never shares with a grace of 0', () => {
    expect(withinGraceWindow(token, after(0), 0)).toBe(false);
  });
});

describe('isRefreshTokenExpired', () => {
  it('is valid before expiresAt', () => {
    expect(isRefreshTokenExpired(token, after(59_999))).toBe(false);
  });

  it('is expired at expiresAt', () => {
    expect(isRefreshTokenExpired(token, after(60_000))).toBe(true);
  });
});
