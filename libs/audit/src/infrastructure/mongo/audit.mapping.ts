import { DEFAULT_VIA, DomainError } from '@taskflow/platform';
import type { AuditEntry } from '../../domain/audit-entry';
import type { LoggedEntry } from '../../domain/event';
import { CollaborationRecord, RECORD_KINDS, RecordKind } from '../../domain/collaboration-record';
import type { AuditEntryDocument, RecordDocument } from './audit.schema';

function parseRecordKind(value: unknown): RecordKind {
  if ((RECORD_KINDS as readonly unknown[]).includes(value)) return value as RecordKind;
  throw new DomainError('AUDIT.CORRUPT', `Unknown record kind ${JSON.stringify(value)}`);
}

export function toRecordDocument(record: CollaborationRecord): RecordDocument {
  return {
    _id: record.id,
    task_id: record.taskId,
    actor_id: record.actorId,
    kind: record.kind,
    body: record.body,
    version: record.version,
    at: record.at,
  };
}

export function fromRecordDocument(doc: RecordDocument): CollaborationRecord {
  return {
    id: doc._id,
    taskId: doc.task_id,
    actorId: doc.actor_id,
    kind: parseRecordKind(doc.kind),
    body: doc.body ?? null,
    version: doc.version,
    at: doc.at,
  };
}

export function toAuditEntryDocument(entry: AuditEntry, seq: number): AuditEntryDocument {
  return {
    _id: entry.id,
    task_id: entry.taskId,
    actor_id: entry.actorId,
    action: entry.action,
    from_status: entry.fromStatus,
    to_status: entry.toStatus,
    changes: { ...entry.changes },
    version: entry.version,
    request_id: entry.requestId,
    via: entry.via,
    at: entry.at,
    state: { ...entry.state },
    records: entry.records.map(toRecordDocument),
    seq,
  };
}

/** An entry as read; `seq` is absent only on entries an older version wrote after 0008 ran. */
export function fromAuditEntryDocument(doc: AuditEntryDocument): AuditEntry | LoggedEntry {
  return {
    id: doc._id,
    taskId: doc.task_id,
    actorId: doc.actor_id,
    action: doc.action,
    fromStatus: doc.from_status ?? null,
    toStatus: doc.to_status,
    changes: doc.changes,
    version: doc.version,
    requestId: doc.request_id ?? null,
    via: doc.via ?? DEFAULT_VIA,
    at: doc.at,
    state: doc.state,
    records: (doc.records ?? []).map(fromRecordDocument),
    ...(doc.seq !== undefined ? { seq: doc.seq } : {}),
  };
}
