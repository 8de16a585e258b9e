import type { Page, PageRequest } from '@taskflow/platform/domain';
import type { AuditEntry } from '../domain/audit-entry';
import type { LogFilter, LoggedEntry, LogPosition } from '../domain/event';

export abstract class AuditLogRepository {
  /**
   * Claims the change: fails with ConcurrencyConflict when the entry's id already exists. The
   * entry is stamped with its `seq` in the one log as it is written (docs/EVENTS.md).
   */
  abstract append(entry: AuditEntry): Promise<void>;
  /** Oldest first; the cursor is the last version seen. */
  abstract listForTask(taskId: string, page: PageRequest): Promise<Page<AuditEntry>>;
  /** Tasks with an entry at or after `since`, each with the highest version in its log. */
  abstract latestVersionsSince(since: Date): Promise<Map<string, number>>;
  /**
   * The log after `position` in `(seq, id)` order, matching `filter`, at most `limit` entries,
   * and only below the horizon: no entry can still appear before the last one returned.
   */
  abstract readAfter(
    position: LogPosition,
    filter: LogFilter,
    limit: number,
  ): Promise<LoggedEntry[]>;
  /**
   * A bare position before every entry of a write that starts from now on (`after=now`); under
   * Mongo it may lie past the horizon, until the entries before it are readable.
   */
  abstract head(): Promise<LogPosition>;
  /** A bare position below which every entry is stored and readable (the horizon). */
  abstract readable(): Promise<LogPosition>;
  /** The ids of the entries stamped `seq` (a cursor names one of them by a digest). */
  abstract idsAt(seq: number): Promise<string[]>;
}
