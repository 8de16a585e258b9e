import { Injectable } from '@nestjs/common';
import { MemoryUnitOfWork } from '@taskflow/platform';
import { AccountAlreadyExists, AccountState } from '../../domain/account';
import { AccountRepository } from '../../ports/account.repository';

@Injectable()
export class MemoryAccountRepository extends AccountRepository {
  private readonly accounts = new Map<string, AccountState>();

  constructor(private readonly unitOfWork: MemoryUnitOfWork) {
    super();
  }

  async create(account: AccountState): Promise<void> {
    this.unitOfWork.write({
      check: () => {
        if (this.accounts.has(account.id)) throw new AccountAlreadyExists(account.id);
      },
      apply: () => this.accounts.set(account.id, { ...account }),
    });
  }

  async findById(id: string): Promise<AccountState | null> {
    const account = this.accounts.get(id);
    return account ? { ...account } : null;
  }

  async save(account: AccountState): Promise<void> {
    this.unitOfWork.write({
      check: () => undefined,
      apply: () => this.accounts.set(account.id, { ...account }),
    });
  }
}
