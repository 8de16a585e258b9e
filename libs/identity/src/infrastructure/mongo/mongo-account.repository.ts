import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { isDuplicateKey, MongoUnitOfWork } from '@taskflow/platform';
import type { Model } from 'mongoose';
import {
  AccountAlreadyExists,
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
  };
}

function fromDocument(doc: AccountDocument): AccountState {
  return {
    id: doc._id,
    name: doc.name,
    role: parseRole(doc.role),
    email: doc.email ?? null,
    status: parseAccountStatus(doc.status),
    passwordHash: doc.password_hash,
    createdAt: doc.created_at,
    sessionsValidAfter: doc.sessions_valid_after ?? null,
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
    try {
      await this.model.create([toDocument(account)], { session: this.unitOfWork.session() });
    } catch (error) {
      if (isDuplicateKey(error)) throw new AccountAlreadyExists(account.id);
      throw error;
    }
  }

  async findById(id: string): Promise<AccountState | null> {
    const doc = await this.model
      .findById(id, null, { session: this.unitOfWork.session() })
      .lean<AccountDocument>()
      .exec();
    return doc ? fromDocument(doc) : null;
  }

  async save(account: AccountState): Promise<void> {
    const { _id, ...fields } = toDocument(account);
    await this.model.updateOne({ _id }, { $set: fields }, { session: this.unitOfWork.session() });
  }
}
