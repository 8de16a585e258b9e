import { Injectable } from '@nestjs/common';
import { MemoryUnitOfWork } from '@taskflow/platform';
import {
  AccountAlreadyExists,
  AccountNotFound,
  AccountState,
  laterRevocation,
} from '../../domain/account';
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

  async changePassword(id: string, passwordHash: string, at: Date): Promise<void> {
    this.update(id, (account) => ({
      ...account,
      passwordHash,
      sessionsValidAfter: laterRevocation(account.sessionsValidAfter, at),
    }));
  }

  async disable(id: string, at: Date): Promise<void> {
    this.update(id, (account) => ({
      ...account,
      status: 'disabled',
      sessionsValidAfter: laterRevocation(account.sessionsValidAfter, at),
    }));
  }

  async revokeSessions(id: string, at: Date): Promise<void> {
    this.update(id, (account) => ({
      ...account,
      sessionsValidAfter: laterRevocation(account.sessionsValidAfter, at),
    }));
  }

  /** Applies `change` to the account as it is at commit time, like a field update would. */
  private update(id: string, change: (account: AccountState) => AccountState): void {
    this.unitOfWork.write({
      check: () => {
        if (!this.accounts.has(id)) throw new AccountNotFound(id);
      },
      apply: () => this.accounts.set(id, change(this.accounts.get(id) as AccountState)),
    });
  }
}
