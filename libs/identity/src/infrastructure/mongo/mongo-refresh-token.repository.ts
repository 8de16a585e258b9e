import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { ConcurrencyConflict } from '@taskflow/platform';
import { insertClaim, MongoUnitOfWork } from '@taskflow/platform/mongo';
import type { Model } from 'mongoose';
import {
  RefreshFamily,
  RefreshToken,
  RefreshTokenAlreadyRotated,
  refreshTokenKey,
} from '../../domain/refresh-token';
import { RefreshTokenRepository } from '../../ports/refresh-token.repository';
import { RefreshFamilyDocument, RefreshTokenDocument } from './refresh-token.schema';

const toTokenDocument = (token: RefreshToken): RefreshTokenDocument => ({
  _id: refreshTokenKey(token.familyId, token.generation),
  family_id: token.familyId,
  generation: token.generation,
  account_id: token.accountId,
  token_hash: token.tokenHash,
  issued_at: token.issuedAt,
  expires_at: token.expiresAt,
});

const fromTokenDocument = (doc: RefreshTokenDocument): RefreshToken => ({
  familyId: doc.family_id,
  generation: doc.generation,
  accountId: doc.account_id,
  tokenHash: doc.token_hash,
  issuedAt: doc.issued_at,
  expiresAt: doc.expires_at,
});

@Injectable()
export class MongoRefreshTokenRepository extends RefreshTokenRepository {
  constructor(
    @InjectModel(RefreshFamilyDocument.name)
    private readonly families: Model<RefreshFamilyDocument>,
    @InjectModel(RefreshTokenDocument.name)
    private readonly tokens: Model<RefreshTokenDocument>,
    private readonly unitOfWork: MongoUnitOfWork,
  ) {
    super();
  }

  async startFamily(family: RefreshFamily, first: RefreshToken): Promise<void> {
    await insertClaim(
      this.families,
      {
        _id: family.id,
        account_id: family.accountId,
        created_at: family.createdAt,
        revoked_at: family.revokedAt,
        session_epoch: family.sessionEpoch,
      },
      this.unitOfWork.session(),
      () => new ConcurrencyConflict('Refresh family', family.id),
    );
    await this.insertSuccessor(first);
  }

  async findByHash(tokenHash: string): Promise<RefreshToken | null> {
    const doc = await this.tokens
      .findOne({ token_hash: tokenHash }, null, { session: this.unitOfWork.session() })
      .lean<RefreshTokenDocument>()
      .exec();
    return doc ? fromTokenDocument(doc) : null;
  }

  async findGeneration(familyId: string, generation: number): Promise<RefreshToken | null> {
    const doc = await this.tokens
      .findById(refreshTokenKey(familyId, generation), null, {
        session: this.unitOfWork.session(),
      })
      .lean<RefreshTokenDocument>()
      .exec();
    return doc ? fromTokenDocument(doc) : null;
  }

  async findFamily(id: string): Promise<RefreshFamily | null> {
    const doc = await this.families
      .findById(id, null, { session: this.unitOfWork.session() })
      .lean<RefreshFamilyDocument>()
      .exec();
    return doc
      ? {
          id: doc._id,
          accountId: doc.account_id,
          createdAt: doc.created_at,
          revokedAt: doc.revoked_at ?? null,
          sessionEpoch: doc.session_epoch ?? null,
        }
      : null;
  }

  /**
   * Either unique key may be the one that refuses a racing loser: successors are derived from
   * the token they replace, so two refreshes of one token insert the same `_id` and the same hash.
   */
  async insertSuccessor(token: RefreshToken): Promise<void> {
    await insertClaim(
      this.tokens,
      toTokenDocument(token),
      this.unitOfWork.session(),
      () => new RefreshTokenAlreadyRotated(token.familyId, token.generation),
    );
  }

  async revokeFamily(id: string, at: Date): Promise<void> {
    await this.families.updateOne(
      { _id: id, revoked_at: null },
      { $set: { revoked_at: at } },
      { session: this.unitOfWork.session() },
    );
  }

  async revokeFamiliesOf(accountId: string, at: Date): Promise<void> {
    await this.families.updateMany(
      { account_id: accountId, revoked_at: null },
      { $set: { revoked_at: at } },
      { session: this.unitOfWork.session() },
    );
  }
}
