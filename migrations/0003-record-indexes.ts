import type { Migration } from '@taskflow/platform';

/** A task's collaboration records, oldest first (record ids are ULIDs). */
export const migration: Migration = {
  id: '0003-record-indexes',
  description: 'Collaboration records by task, sorted by _id',
  steps: [
    {
      createIndex: {
        collection: 'collaboration_records',
        name: 'task_id_1__id_1',
        keys: { task_id: 1, _id: 1 },
      },
    },
  ],
};
