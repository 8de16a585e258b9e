import type { Page, PageRequest } from '@taskflow/platform/domain';
import type { CollaborationRecord } from '../domain/collaboration-record';

export abstract class CollaborationRecordRepository {
  /** Adding a record whose id is already stored does nothing (a roll-forward may repeat it). */
  abstract add(record: CollaborationRecord): Promise<void>;
  /** Oldest first; the cursor is the last record id seen. */
  abstract listForTask(taskId: string, page: PageRequest): Promise<Page<CollaborationRecord>>;
}
