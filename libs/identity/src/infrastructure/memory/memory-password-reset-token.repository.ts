import { Injectable } from '@nestjs/common';
import { ConcurrencyConflict, MemoryUnitOfWork } from '@taskflow/platform';
import { InvalidResetToken, PasswordResetToken } from '../../domain/password-reset';
import { PasswordResetTokenRepository } from '../../ports/password-reset-token.repository';

/** Tokens by hash, and the "used" markers as a second keyed set, like a unique index would. */
@Injectable()
export class MemoryPasswordResetTokenRepository extends PasswordResetTokenRepository {
  private readonly tokens = new Map<string, PasswordResetToken>();
  private readonly used = new Map<string, Date>();

  constructor(private readonly unitOfWork: MemoryUnitOfWork) {
    super();
  }

  async insert(token: PasswordResetToken): Promise<void> {
    this.unitOfWork.write({
      check: () => {
        if (this.tokens.has(token.tokenHash)) {
          throw new ConcurrencyConflict('Password reset token', token.tokenHash);
        }
      },
      apply: () => this.tokens.set(token.tokenHash, { ...token }),
    });
  }

  async findByHash(tokenHash: string): Promise<PasswordResetToken | null> {
    const token = this.tokens.get(tokenHash);
    return token ? { ...token } : null;
  }

  async markUsed(tokenHash: string, at: Date): Promise<void> {
    this.unitOfWork.write({
      check: () => {
        if (this.used.has(tokenHash)) throw new InvalidResetToken();
      },
      apply: () => this.used.set(tokenHash, at),
    });
  }
}
