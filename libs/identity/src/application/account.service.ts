import { Injectable } from '@nestjs/common';
import { Actor, Clock } from '@taskflow/platform';
import { AccountNotFound, AccountState, assertPasswordPolicy } from '../domain/account';
import { AccountLookup } from '../ports/account-lookup';
import { AccountRepository } from '../ports/account.repository';
import { PasswordHasher } from '../ports/password-hasher';

export interface Registration {
  readonly id: string;
  readonly name: string;
  readonly role: 'human' | 'agent';
  readonly password: string;
  readonly email?: string | null;
}

@Injectable()
export class AccountService extends AccountLookup {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly hasher: PasswordHasher,
    private readonly clock: Clock,
  ) {
    super();
  }

  async register(registration: Registration): Promise<AccountState> {
    assertPasswordPolicy(registration.password);
    const account: AccountState = {
      id: registration.id,
      name: registration.name,
      role: registration.role,
      email: registration.email ?? null,
      status: 'active',
      passwordHash: await this.hasher.hash(registration.password),
      createdAt: this.clock.now(),
      sessionsValidAfter: null,
    };
    await this.accounts.create(account);
    return account;
  }

  async me(actor: Actor): Promise<AccountState> {
    const account = await this.accounts.findById(actor.id);
    if (!account) throw new AccountNotFound(actor.id);
    return account;
  }

  async findActive(id: string): Promise<Actor | null> {
    const account = await this.accounts.findById(id);
    return account?.status === 'active' ? { id: account.id, role: account.role } : null;
  }
}
