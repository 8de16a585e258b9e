import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { ConcurrencyConflict, isDuplicateKey, MongoUnitOfWork } from '@taskflow/platform';
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
    try {
      await this.tokens.create(
        [
          {
            _id: token.tokenHash,
            account_id: token.accountId,
            issued_at: token.issuedAt,
            expires_at: token.expiresAt,
          },
        ],
        { session: this.unitOfWork.session() },
      );
    } catch (error) {
      if (isDuplicateKey(error))
        throw new ConcurrencyConflict('Password reset token', token.tokenHash);
      throw error;
    }
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
    try {
      await this.uses.create([{ _id: tokenHash, used_at: at }], {
        session: this.unitOfWork.session(),
      });
    } catch (error) {
      if (isDuplicateKey(error)) throw new InvalidResetToken();
      throw error;
    }
  }
}
