import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { insertClaim, MongoUnitOfWork } from '@taskflow/platform/mongo';
import type { Model, UpdateQuery } from 'mongoose';
import {
  AccountAlreadyExists,
  AccountNotFound,
  AccountState,
  parseAccountStatus,
  parseRole,
} from '../../domain/account';
import { AccountRepository } from '../../ports/account.repository';
import { AccountDocument } from './account.schema';

function toDocument(account: AccountState): AccountDocument {
  return {
    _id: account.id,
    name: account.name,
    role: account.role,
    email: account.email,
    status: account.status,
    password_hash: account.passwordHash,
    created_at: account.createdAt,
    sessions_valid_after: account.sessionsValidAfter,
    session_epoch: account.sessionEpoch,
    revoked_families: { ...account.revokedFamilies },
  };
}

function fromDocument(doc: AccountDocument): AccountState {
  return {
    id: doc._id,
    name: doc.name,
    role: parseRole(doc.role),
    email: doc.email ?? null,
    status: parseAccountStatus(doc.status),
    passwordHash: doc.password_hash ?? null,
    createdAt: doc.created_at,
    sessionsValidAfter: doc.sessions_valid_after ?? null,
    sessionEpoch: doc.session_epoch ?? null,
    revokedFamilies: { ...doc.revoked_families },
  };
}

@Injectable()
export class MongoAccountRepository extends AccountRepository {
  constructor(
    @InjectModel(AccountDocument.name) private readonly model: Model<AccountDocument>,
    private readonly unitOfWork: MongoUnitOfWork,
  ) {
    super();
  }

  async create(account: AccountState): Promise<void> {
    await insertClaim(
      this.model,
      toDocument(account),
      this.unitOfWork.session(),
      () => new AccountAlreadyExists(account.id),
    );
  }

  async findById(id: string): Promise<AccountState | null> {
    const doc = await this.model
      .findById(id, null, { session: this.unitOfWork.session() })
      .lean<AccountDocument>()
      .exec();
    return doc ? fromDocument(doc) : null;
  }

  async changePassword(id: string, passwordHash: string, at: Date): Promise<void> {
    await this.update(id, { $set: { password_hash: passwordHash } }, at);
  }

  async disable(id: string, at: Date): Promise<void> {
    await this.update(id, { $set: { status: 'disabled' } }, at);
  }

  async revokeSessions(id: string, at: Date): Promise<void> {
    await this.update(id, {}, at);
  }

  async markFamilyRevoked(
    id: string,
    familyId: string,
    at: Date,
    forget: readonly string[],
  ): Promise<void> {
    const stale = forget.filter((key) => key !== familyId);
    const result = await this.model.updateOne(
      { _id: id },
      {
        $set: { [`revoked_families.${familyId}`]: at },
        ...(stale.length > 0
          ? { $unset: Object.fromEntries(stale.map((key) => [`revoked_families.${key}`, ''])) }
          : {}),
      },
      { session: this.unitOfWork.session() },
    );
    if (result.matchedCount === 0) throw new AccountNotFound(id);
  }

  /**
   * A field update: the fields it names and nothing else, `$max` so that of two revocations
   * racing the later instant stays (null sorts below any date), and a new epoch.
   */
  private async update(id: string, change: UpdateQuery<AccountDocument>, at: Date): Promise<void> {
    const result = await this.model.updateOne(
      { _id: id },
      {
        ...change,
        $set: { ...(change.$set as object | undefined), session_epoch: randomUUID() },
        $max: { sessions_valid_after: at },
      },
      { session: this.unitOfWork.session() },
    );
    if (result.matchedCount === 0) throw new AccountNotFound(id);
  }
}
