import type { AuditEntry, CollaborationRecord } from '@taskflow/audit';
import { newId } from '@taskflow/platform';
import type { TaskState } from '@taskflow/tasks';
import { taskStateToRecord } from '@taskflow/tasks';

const at = (offsetSeconds = 0): Date => new Date(Date.UTC(2026, 0, 1, 9, 0, offsetSeconds));

export function aRecord(overrides: Partial<CollaborationRecord> = {}): CollaborationRecord {
  return {
    id: newId('r'),
    taskId: 't_01aaaaaaaaaaaaaaaaaaaaaaaa',
    actorId: 'u_bob',
    kind: 'comment',
    body: 'Looks good',
    version: 2,
    at: at(5),
    ...overrides,
  };
}

export function anAuditEntry(state: TaskState, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: `${state.id}:${state.version}`,
    taskId: state.id,
    actorId: state.creatorId,
    action: state.version === 1 ? 'create' : 'update',
    fromStatus: state.version === 1 ? null : state.status,
    toStatus: state.status,
    changes: state.version === 1 ? {} : { title: { from: 'before', to: state.title } },
    version: state.version,
    requestId: 'req-1',
    via: 'session',
    at: state.updatedAt,
    state: taskStateToRecord(state),
    records: [],
    ...overrides,
  };
}
