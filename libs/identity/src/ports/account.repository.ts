import type { AccountState } from '../domain/account';

/**
 * Accounts. Changes are field updates rather than whole-document saves, so a password reset and
 * a concurrent disable cannot undo each other. Each `at` moves `sessionsValidAfter` forward, never
 * back, and sets a new random `sessionEpoch`; each change fails with AccountNotFound when the
 * account does not exist.
 */
export abstract class AccountRepository {
  /** Fails with AccountAlreadyExists when the id is taken. */
  abstract create(account: AccountState): Promise<void>;
  abstract findById(id: string): Promise<AccountState | null>;
  abstract changePassword(id: string, passwordHash: string, at: Date): Promise<void>;
  abstract disable(id: string, at: Date): Promise<void>;
  abstract revokeSessions(id: string, at: Date): Promise<void>;
  /**
   * Marks one refresh family revoked on the account (its access tokens are refused at once), and
   * drops the marks named in `forget`; the session epoch and other families are untouched.
   */
  abstract markFamilyRevoked(
    id: string,
    familyId: string,
    at: Date,
    forget: readonly string[],
  ): Promise<void>;
}
