import type { CollaborationRecord } from './collaboration-record';

/**
 * One change to a task, appended exactly once. Its id `<task id>:<version>` is unique, which is
 * what decides a race between two writers of the same task. `state` is the task after the change
 * and `records` what the change said, so a change a crash cut short can be rolled forward.
 */
export interface AuditEntry {
  readonly id: string;
  readonly taskId: string;
  readonly actorId: string;
  readonly action: string;
  readonly fromStatus: string | null;
  readonly toStatus: string;
  readonly changes: Readonly<Record<string, { readonly from: unknown; readonly to: unknown }>>;
  readonly version: number;
  readonly requestId: string | null;
  /**
   * How the actor came in: `session`, `api_key:<key id>`, `dev_header` or `system`. Entries
   * written before it existed read as `session` (a default on read, not a migration).
   */
  readonly via: string;
  readonly at: Date;
  readonly state: Readonly<Record<string, unknown>>;
  readonly records: readonly CollaborationRecord[];
}

export const auditEntryId = (taskId: string, version: number): string => `${taskId}:${version}`;
