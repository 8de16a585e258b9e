import {
  AccountForbidden,
  assertMayDisable,
  assertMayRevokeSessions,
  assertPasswordPolicy,
  exceedsBcryptLimit,
  InvalidPassword,
  issuedAfterRevocation,
  laterRevocation,
  newAccount,
  sessionStart,
} from './account';
import { anAccount } from './testing/an-account';

const ADMIN = { id: 'u_admin', role: 'admin' as const };
const CAROL = { id: 'u_carol', role: 'human' as const };
const at = (iso: string): Date => new Date(iso);

describe('newAccount', () => {
  const now = new Date('2030-01-01T09:00:00.000Z');

  it('is active, created now, with no revocation and no email unless given', () => {
    expect(newAccount({ id: 'u_dan', name: 'Dan', role: 'agent' }, 'hash', now)).toEqual({
      id: 'u_dan',
      name: 'Dan',
      role: 'agent',
      email: null,
      status: 'active',
      passwordHash: 'hash',
      createdAt: now,
      sessionsValidAfter: null,
      sessionEpoch: null,
      revokedFamilies: {},
    });
    expect(
      newAccount({ id: 'u_dan', name: 'Dan', role: 'human', email: 'dan@example.test' }, 'h', now)
        .email,
    ).toBe('dan@example.test');
  });
});

describe('assertPasswordPolicy', () => {
  it('accepts 12 characters', () => {
    expect(() => assertPasswordPolicy('a'.repeat(12))).not.toThrow();
  });

  it('refuses 11 characters', () => {
    expect(() => assertPasswordPolicy('a'.repeat(11))).toThrow(InvalidPassword);
  });

  it('accepts exactly 72 bytes', () => {
    expect(() => assertPasswordPolicy('a'.repeat(72))).not.toThrow();
  });

  it('refuses 73 bytes', () => {
    expect(() => assertPasswordPolicy('a'.repeat(73))).toThrow(InvalidPassword);
  });

  it('counts bytes, not characters: 19 four-byte emoji are 76 bytes', () => {
    const password = '🔑'.repeat(19);
    expect(password.length).toBeLessThan(72);
    expect(exceedsBcryptLimit(password)).toBe(true);
    expect(() => assertPasswordPolicy(password)).toThrow(/at most 72 bytes/);
  });

  it('names the password field in its errors', () => {
    try {
      assertPasswordPolicy('short');
      throw new Error('expected a refusal');
    } catch (error) {
      expect((error as InvalidPassword).details).toEqual({
        errors: [{ field: 'password', message: 'password must be at least 12 characters' }],
      });
    }
  });
});

describe('issuedAfterRevocation', () => {
  it('holds for anything when the account was never revoked', () => {
    expect(issuedAfterRevocation(anAccount(), at('2000-01-01T00:00:00.000Z'))).toBe(true);
  });

  it('refuses what was issued before the revocation in the same second', () => {
    const account = anAccount({ sessionsValidAfter: at('2030-02-01T10:00:00.900Z') });
    expect(issuedAfterRevocation(account, at('2030-02-01T10:00:00.100Z'))).toBe(false);
  });

  it('refuses what was issued at the very instant of the revocation', () => {
    const account = anAccount({ sessionsValidAfter: at('2030-02-01T10:00:00.500Z') });
    expect(issuedAfterRevocation(account, at('2030-02-01T10:00:00.500Z'))).toBe(false);
  });

  it('accepts what was issued a millisecond later', () => {
    const account = anAccount({ sessionsValidAfter: at('2030-02-01T10:00:00.500Z') });
    expect(issuedAfterRevocation(account, at('2030-02-01T10:00:00.501Z'))).toBe(true);
  });
});

describe('sessionStart', () => {
  it('is now for an account never revoked', () => {
    const now = at('2030-02-01T10:00:00.500Z');
    expect(sessionStart(anAccount(), now)).toEqual(now);
  });

  it('moves past a revocation in the same millisecond, so the new session is valid', () => {
    const revokedAt = at('2030-02-01T10:00:00.500Z');
    const account = anAccount({ sessionsValidAfter: revokedAt });
    const start = sessionStart(account, revokedAt);
    expect(start).toEqual(at('2030-02-01T10:00:00.501Z'));
    expect(issuedAfterRevocation(account, start)).toBe(true);
  });
});

describe('laterRevocation', () => {
  it('takes the new instant when there was none', () => {
    expect(laterRevocation(null, at('2030-01-01T00:00:00.000Z'))).toEqual(
      at('2030-01-01T00:00:00.000Z'),
    );
  });

  it('never moves back', () => {
    expect(laterRevocation(at('2030-01-02T00:00:00.000Z'), at('2030-01-01T00:00:00.000Z'))).toEqual(
      at('2030-01-02T00:00:00.000Z'),
    );
  });
});

describe('assertMayRevokeSessions', () => {
  it('lets an account revoke its own sessions', () => {
    expect(() => assertMayRevokeSessions(CAROL, 'u_carol')).not.toThrow();
  });

  it("lets an admin revoke anyone's sessions", () => {
    expect(() => assertMayRevokeSessions(ADMIN, 'u_carol')).not.toThrow();
  });

  it("refuses a non-admin another account's sessions", () => {
    expect(() => assertMayRevokeSessions(CAROL, 'u_dave')).toThrow(AccountForbidden);
  });
});

describe('assertMayDisable', () => {
  it('lets an admin disable another account', () => {
    expect(() => assertMayDisable(ADMIN, 'u_carol')).not.toThrow();
  });

  it('refuses a non-admin, even for their own account', () => {
    expect(() => assertMayDisable(CAROL, 'u_carol')).toThrow(AccountForbidden);
  });

  it('refuses an admin disabling themselves', () => {
    expect(() => assertMayDisable(ADMIN, 'u_admin')).toThrow(/may not disable themselves/);
  });
});
