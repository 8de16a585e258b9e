import { DomainError } from '@taskflow/platform/domain';

/** A password reset token as stored: its SHA-256 hash only, never the token. */
export interface PasswordResetToken {
  readonly tokenHash: string;
  readonly accountId: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

export class InvalidResetToken extends DomainError {
  constructor() {
    super(
      'AUTH.INVALID_RESET_TOKEN',
      'The reset token is not valid, was already used or has expired; request a new one',
    );
  }
}

export function isResetTokenExpired(token: PasswordResetToken, now: Date): boolean {
  return now.getTime() >= token.expiresAt.getTime();
}
