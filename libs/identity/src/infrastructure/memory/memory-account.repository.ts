import { randomUUID } from 'node:crypto';
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
      apply: () =>
        this.accounts.set(account.id, {
          ...account,
          revokedFamilies: { ...account.revokedFamilies },
        }),
    });
  }

  async findById(id: string): Promise<AccountState | null> {
    const account = this.accounts.get(id);
    return account ? { ...account, revokedFamilies: { ...account.revokedFamilies } } : null;
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

  async markFamilyRevoked(
    id: string,
    familyId: string,
    at: Date,
    forget: readonly string[],
  ): Promise<void> {
    this.write(id, (account) => {
      const revokedFamilies = { ...account.revokedFamilies };
      for (const key of forget) delete revokedFamilies[key];
      revokedFamilies[familyId] = at;
      return { ...account, revokedFamilies };
    });
  }

  /** A revocation: `change`, and a new epoch. */
  private update(id: string, change: (account: AccountState) => AccountState): void {
    this.write(id, (account) => ({ ...change(account), sessionEpoch: randomUUID() }));
  }

  /** Applies `change` to the account as it is at commit time, like a field update would. */
  private write(id: string, change: (account: AccountState) => AccountState): void {
    this.unitOfWork.write({
      check: () => {
        if (!this.accounts.has(id)) throw new AccountNotFound(id);
      },
      apply: () => this.accounts.set(id, change(this.accounts.get(id) as AccountState)),
    });
  }
}
