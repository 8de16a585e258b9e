import type { Driver } from '../config/app-config';

/** What /health reports about the storage in use; each driver binds its own. */
export abstract class StorageInfo {
  abstract readonly driver: Driver;
  /**
   * Whether a use case's writes run in one database transaction (Mongo: detected from `hello`);
   * null where the question does not apply, as in the memory driver, whose unit of work is
   * all-or-nothing inside the process.
   */
  abstract transactionsSupported(): boolean | null;
}

export class MemoryStorageInfo extends StorageInfo {
  readonly driver = 'memory' as const;

  transactionsSupported(): null {
    return null;
  }
}
