import type { ApiKey } from '../domain/api-key';

export abstract class ApiKeyRepository {
  /** Fails with ConcurrencyConflict when the id is taken. */
  abstract insert(key: ApiKey): Promise<void>;
  abstract findById(id: string): Promise<ApiKey | null>;
  /** The account's keys, revoked and expired ones included, oldest first. */
  abstract listForAccount(accountId: string): Promise<ApiKey[]>;
  /** Marks the key revoked at `at` unless it already is; false when there is no such key. */
  abstract revoke(id: string, at: Date): Promise<boolean>;
  /** Sets `last_used_at` to `at` unless a use within the last `resolutionMs` already did. */
  abstract touch(id: string, at: Date, resolutionMs: number): Promise<void>;
}
