import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, Clock, UnitOfWork } from '@taskflow/platform';
import { assertPasswordPolicy, issuedAfterRevocation } from '../domain/account';
import { InvalidResetToken, isResetTokenExpired } from '../domain/password-reset';
import { AccountRepository } from '../ports/account.repository';
import { Mailer } from '../ports/mailer';
import { PasswordHasher } from '../ports/password-hasher';
import { PasswordResetTokenRepository } from '../ports/password-reset-token.repository';
import { RefreshTokenRepository } from '../ports/refresh-token.repository';
import { hashSecretToken, newSecretToken } from './secret-tokens';

/** Password reset by a single-use token sent by mail; confirming it revokes every session. */
@Injectable()
export class PasswordResetService {
  private readonly logger = new Logger('PasswordReset');

  constructor(
    private readonly accounts: AccountRepository,
    private readonly resetTokens: PasswordResetTokenRepository,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly hasher: PasswordHasher,
    private readonly mailer: Mailer,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /**
   * Issues a token and mails it when the account exists, is active and has an email address.
   * The caller learns nothing either way, and the mail goes out after the answer so its latency
   * does not tell either.
   */
  async request(accountId: string): Promise<void> {
    const account = await this.accounts.findById(accountId);
    if (!account?.passwordHash || account.status !== 'active' || account.email === null) return;
    const now = this.clock.now();
    const token = newSecretToken();
    await this.unitOfWork.run(() =>
      this.resetTokens.insert({
        tokenHash: hashSecretToken(token),
        accountId: account.id,
        issuedAt: now,
        expiresAt: new Date(now.getTime() + this.config.resetTokenTtlSeconds * 1000),
      }),
    );
    const minutes = Math.round(this.config.resetTokenTtlSeconds / 60);
    this.mailer
      .send({
        to: account.email,
        subject: 'Reset your TaskFlow password',
        text:
          `Someone asked to reset the password of the TaskFlow account ${account.id}.\n\n` +
          `Reset token: ${token}\n\n` +
          `Send it with your new password to POST /auth/password-reset/confirm within ` +
          `${minutes} minutes. It works once. If you did not ask for this, ignore this mail.\n`,
      })
      .catch((error: unknown) =>
        this.logger.error(
          `Could not send the password reset mail for ${account.id}: ${String(error)}`,
        ),
      );
  }

  /**
   * Sets the new password once per token. The token's use is claimed first (a unique insert),
   * so two confirmations racing cannot both succeed; then the password changes and every
   * session, and every older reset token, stops working.
   */
  async confirm(token: string, newPassword: string): Promise<void> {
    const now = this.clock.now();
    const tokenHash = hashSecretToken(token);
    const reset = await this.resetTokens.findByHash(tokenHash);
    if (!reset || isResetTokenExpired(reset, now)) throw new InvalidResetToken();
    const account = await this.accounts.findById(reset.accountId);
    if (
      // An account made without a password never gets one: it signs in with API keys only.
      !account?.passwordHash ||
      account.status !== 'active' ||
      !issuedAfterRevocation(account, reset.issuedAt)
    ) {
      throw new InvalidResetToken();
    }
    assertPasswordPolicy(newPassword);
    const passwordHash = await this.hasher.hash(newPassword);
    // After bcrypt: a login with the old password that read the account before this commit is
    // stamped earlier than this instant, so the revocation covers it.
    const revokedAt = this.clock.now();
    await this.unitOfWork.run(async () => {
      await this.resetTokens.markUsed(tokenHash, revokedAt);
      await this.accounts.changePassword(account.id, passwordHash, revokedAt);
      await this.refreshTokens.revokeFamiliesOf(account.id, revokedAt);
    });
  }
}
