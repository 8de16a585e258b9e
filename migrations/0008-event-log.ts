import type { Migration } from '@taskflow/platform';

/**
 * The event log (docs/EVENTS.md). Entries written before it get their `seq` from `at` (all in the
 * past, below any horizon), each task's in version order; the feed reads in `(seq, _id)` order,
 * alone, by task or by type; the shared poll probes a range of `seq`. `event_horizon` holds one
 * record per running instance; stale ones are removed by `heartbeat_at`.
 */
export const migration: Migration = {
  id: '0008-event-log',
  description: 'Audit entries stamped for the event feed, its indexes, and the horizon records',
  steps: [
    {
      stampDocuments: {
        collection: 'audit_entries',
        field: 'seq',
        from: 'at',
        group: { by: 'task_id', order: 'version' },
      },
    },
    {
      createIndex: { collection: 'audit_entries', name: 'seq_1__id_1', keys: { seq: 1, _id: 1 } },
    },
    {
      createIndex: {
        collection: 'audit_entries',
        name: 'task_id_1_seq_1__id_1',
        keys: { task_id: 1, seq: 1, _id: 1 },
      },
    },
    {
      createIndex: {
        collection: 'audit_entries',
        name: 'action_1_seq_1__id_1',
        keys: { action: 1, seq: 1, _id: 1 },
      },
    },
    {
      createIndex: {
        collection: 'event_horizon',
        name: 'heartbeat_at_1',
        keys: { heartbeat_at: 1 },
      },
    },
  ],
};
