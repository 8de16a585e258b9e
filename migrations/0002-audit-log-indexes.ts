import type { Migration } from '@taskflow/platform';

/**
 * An audit entry's `_id` (`<task id>:<version>`) is what claims a change; the unique
 * `(task_id, version)` index serves a task's log in order and guards the same invariant. `at`
 * serves the start-up roll-forward sweep.
 */
export const migration: Migration = {
  id: '0002-audit-log-indexes',
  description: 'Audit log by task and version (unique), and by time for the roll-forward sweep',
  steps: [
    {
      createIndex: {
        collection: 'audit_entries',
        name: 'task_id_1_version_1',
        keys: { task_id: 1, version: 1 },
        unique: true,
      },
    },
    { createIndex: { collection: 'audit_entries', name: 'at_1', keys: { at: 1 } } },
  ],
};
