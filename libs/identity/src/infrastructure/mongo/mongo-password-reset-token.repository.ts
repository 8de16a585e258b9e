import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { ConcurrencyConflict } from '@taskflow/platform';
import { insertClaim, MongoUnitOfWork } from '@taskflow/platform/mongo';
import type { Model } from 'mongoose';
import { InvalidResetToken, PasswordResetToken } from '../../domain/password-reset';
import { PasswordResetTokenRepository } from '../../ports/password-reset-token.repository';
import {
  PasswordResetTokenDocument,
  PasswordResetUseDocument,
} from './password-reset-token.schema';

@Injectable()
export class MongoPasswordResetTokenRepository extends PasswordResetTokenRepository {
  constructor(
    @InjectModel(PasswordResetTokenDocument.name)
    private readonly tokens: Model<PasswordResetTokenDocument>,
    @InjectModel(PasswordResetUseDocument.name)
    private readonly uses: Model<PasswordResetUseDocument>,
    private readonly unitOfWork: MongoUnitOfWork,
  ) {
    super();
  }

  async insert(token: PasswordResetToken): Promise<void> {
    await insertClaim(
      this.tokens,
      {
        _id: token.tokenHash,
        account_id: token.accountId,
        issued_at: token.issuedAt,
        expires_at: token.expiresAt,
      },
      this.unitOfWork.session(),
      () => new ConcurrencyConflict('Password reset token', token.tokenHash),
    );
  }

  async findByHash(tokenHash: string): Promise<PasswordResetToken | null> {
    const doc = await this.tokens
      .findById(tokenHash, null, { session: this.unitOfWork.session() })
      .lean<PasswordResetTokenDocument>()
      .exec();
    return doc
      ? {
          tokenHash: doc._id,
          accountId: doc.account_id,
          issuedAt: doc.issued_at,
          expiresAt: doc.expires_at,
        }
      : null;
  }

  async markUsed(tokenHash: string, at: Date): Promise<void> {
    await insertClaim(
      this.uses,
      { _id: tokenHash, used_at: at },
      this.unitOfWork.session(),
      () => new InvalidResetToken(),
    );
  }
}
