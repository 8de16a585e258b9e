export const RECORD_KINDS = ['comment', 'submission', 'rejection'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/** What people said along the way: submissions, rejections with their reason, comments. */
export interface CollaborationRecord {
  readonly id: string;
  readonly taskId: string;
  readonly actorId: string;
  readonly kind: RecordKind;
  readonly body: string | null;
  /** The task version whose change this record belongs to. */
  readonly version: number;
  readonly at: Date;
}
