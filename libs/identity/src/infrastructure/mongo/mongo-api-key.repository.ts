import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { ConcurrencyConflict } from '@taskflow/platform';
import { insertClaim, MongoUnitOfWork } from '@taskflow/platform/mongo';
import type { Model } from 'mongoose';
import { ApiKey, parseApiKeyScopes } from '../../domain/api-key';
import { ApiKeyRepository } from '../../ports/api-key.repository';
import { ApiKeyDocument } from './api-key.schema';

const toDomain = (doc: ApiKeyDocument): ApiKey => ({
  id: doc._id,
  accountId: doc.account_id,
  name: doc.name,
  scopes: parseApiKeyScopes(doc.scopes),
  secretHash: doc.secret_hash,
  createdAt: doc.created_at,
  expiresAt: doc.expires_at,
  lastUsedAt: doc.last_used_at ?? null,
  revokedAt: doc.revoked_at ?? null,
});

@Injectable()
export class MongoApiKeyRepository extends ApiKeyRepository {
  constructor(
    @InjectModel(ApiKeyDocument.name) private readonly keys: Model<ApiKeyDocument>,
    private readonly unitOfWork: MongoUnitOfWork,
  ) {
    super();
  }

  async insert(key: ApiKey): Promise<void> {
    await insertClaim(
      this.keys,
      {
        _id: key.id,
        account_id: key.accountId,
        name: key.name,
        scopes: [...key.scopes],
        secret_hash: key.secretHash,
        created_at: key.createdAt,
        expires_at: key.expiresAt,
        last_used_at: key.lastUsedAt,
        revoked_at: key.revokedAt,
      },
      this.unitOfWork.session(),
      () => new ConcurrencyConflict('API key', key.id),
    );
  }

  async findById(id: string): Promise<ApiKey | null> {
    const doc = await this.keys
      .findById(id, null, { session: this.unitOfWork.session() })
      .lean<ApiKeyDocument>()
      .exec();
    return doc ? toDomain(doc) : null;
  }

  async listForAccount(accountId: string): Promise<ApiKey[]> {
    const docs = await this.keys
      .find({ account_id: accountId }, null, { session: this.unitOfWork.session() })
      .sort({ created_at: 1, _id: 1 })
      .lean<ApiKeyDocument[]>()
      .exec();
    return docs.map(toDomain);
  }

  async revoke(id: string, at: Date): Promise<boolean> {
    const session = this.unitOfWork.session();
    await this.keys.updateOne(
      { _id: id, revoked_at: null },
      { $set: { revoked_at: at } },
      { session },
    );
    return (await this.keys.exists({ _id: id }).session(session ?? null)) !== null;
  }

  async touch(id: string, at: Date, resolutionMs: number): Promise<void> {
    // Two instances racing may both write; last_used_at is a hint, so that costs nothing.
    await this.keys.updateOne(
      {
        _id: id,
        $or: [
          { last_used_at: null },
          { last_used_at: { $lte: new Date(at.getTime() - resolutionMs) } },
        ],
      },
      { $set: { last_used_at: at } },
    );
  }
}
