import { Injectable } from '@nestjs/common';
import { Actor, Clock, UnitOfWork } from '@taskflow/platform';
import {
  AccountForbidden,
  AccountNotFound,
  AccountState,
  assertMayCreatePasswordless,
  assertMayDisable,
  assertMayRevokeSessions,
  assertPasswordPolicy,
  newAccount,
  SELF_SERVICE_ROLES,
} from '../domain/account';
import { AccountLookup } from '../ports/account-lookup';
import { AccountRepository } from '../ports/account.repository';
import { PasswordHasher } from '../ports/password-hasher';
import { RefreshTokenRepository } from '../ports/refresh-token.repository';

export interface Registration {
  readonly id: string;
  readonly name: string;
  readonly role: 'human' | 'agent';
  /** Absent only for an agent account an admin creates: it works through API keys only. */
  readonly password?: string;
  readonly email?: string | null;
}

@Injectable()
export class AccountService extends AccountLookup {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly hasher: PasswordHasher,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
  ) {
    super();
  }

  async register(registration: Registration, actor: Actor | null = null): Promise<AccountState> {
    // The DTO already limits the role; this holds for every other caller too.
    if (!(SELF_SERVICE_ROLES as readonly string[]).includes(registration.role)) {
      throw new AccountForbidden('Registration may only create human or agent accounts');
    }
    if (registration.password === undefined) assertMayCreatePasswordless(actor, registration);
    else assertPasswordPolicy(registration.password);
    const account = newAccount(
      registration,
      registration.password === undefined ? null : await this.hasher.hash(registration.password),
      this.clock.now(),
    );
    await this.accounts.create(account);
    return account;
  }

  async me(actor: Actor): Promise<AccountState> {
    return this.get(actor.id);
  }

  async findActive(id: string): Promise<Actor | null> {
    const account = await this.accounts.findById(id);
    return account?.status === 'active' ? { id: account.id, role: account.role } : null;
  }

  /** Disables the account and ends its sessions: its tokens stop working on their next use. */
  async disable(actor: Actor, id: string): Promise<AccountState> {
    assertMayDisable(actor, id);
    await this.get(id);
    const at = this.clock.now();
    await this.unitOfWork.run(async () => {
      await this.accounts.disable(id, at);
      await this.refreshTokens.revokeFamiliesOf(id, at);
    });
    return this.get(id);
  }

  /** Ends every session of the account: access and refresh tokens issued so far stop working. */
  async revokeSessions(actor: Actor, id: string): Promise<void> {
    assertMayRevokeSessions(actor, id);
    await this.get(id);
    const at = this.clock.now();
    await this.unitOfWork.run(async () => {
      await this.accounts.revokeSessions(id, at);
      await this.refreshTokens.revokeFamiliesOf(id, at);
    });
  }

  private async get(id: string): Promise<AccountState> {
    const account = await this.accounts.findById(id);
    if (!account) throw new AccountNotFound(id);
    return account;
  }
}
