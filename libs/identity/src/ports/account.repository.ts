import type { AccountState } from '../domain/account';

export abstract class AccountRepository {
  /** Fails with AccountAlreadyExists when the id is taken. */
  abstract create(account: AccountState): Promise<void>;
  abstract findById(id: string): Promise<AccountState | null>;
  abstract save(account: AccountState): Promise<void>;
}
