import type { Page, PageRequest } from '@taskflow/platform/domain';
import type { AuditEntry } from '../domain/audit-entry';

export abstract class AuditLogRepository {
  /** Claims the change: fails with ConcurrencyConflict when the entry's id already exists. */
  abstract append(entry: AuditEntry): Promise<void>;
  /** Oldest first; the cursor is the last version seen. */
  abstract listForTask(taskId: string, page: PageRequest): Promise<Page<AuditEntry>>;
}
