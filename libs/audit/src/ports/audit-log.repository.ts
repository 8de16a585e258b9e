import type { Page, PageRequest } from '@taskflow/platform/domain';
import type { AuditEntry } from '../domain/audit-entry';

export abstract class AuditLogRepository {
  /** Claims the change: fails with ConcurrencyConflict when the entry's id already exists. */
  abstract append(entry: AuditEntry): Promise<void>;
  /** Oldest first; the cursor is the last version seen. */
  abstract listForTask(taskId: string, page: PageRequest): Promise<Page<AuditEntry>>;
  /** Tasks with an entry at or after `since`, each with the highest version in its log. */
  abstract latestVersionsSince(since: Date): Promise<Map<string, number>>;
}
