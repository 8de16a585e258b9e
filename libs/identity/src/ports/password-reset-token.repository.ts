import type { PasswordResetToken } from '../domain/password-reset';

export abstract class PasswordResetTokenRepository {
  abstract insert(token: PasswordResetToken): Promise<void>;
  abstract findByHash(tokenHash: string): Promise<PasswordResetToken | null>;
  /**
   * Claims the token's single use by inserting a marker keyed by its hash. Fails with
   * InvalidResetToken when it was claimed already.
   */
  abstract markUsed(tokenHash: string, at: Date): Promise<void>;
}
