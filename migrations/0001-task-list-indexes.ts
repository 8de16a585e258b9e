import type { Migration } from '@taskflow/platform';

/**
 * Task lists page by `_id` (a ULID, so creation order). Non-admins list through `visible_to`;
 * admins filter by status, assignee or creator.
 */
export const migration: Migration = {
  id: '0001-task-list-indexes',
  description: 'Indexes for task lists: visibility, status, assignee and creator, sorted by _id',
  steps: [
    {
      createIndex: {
        collection: 'tasks',
        name: 'visible_to_1__id_1',
        keys: { visible_to: 1, _id: 1 },
      },
    },
    { createIndex: { collection: 'tasks', name: 'status_1__id_1', keys: { status: 1, _id: 1 } } },
    {
      createIndex: {
        collection: 'tasks',
        name: 'assignee_id_1__id_1',
        keys: { assignee_id: 1, _id: 1 },
      },
    },
    {
      createIndex: {
        collection: 'tasks',
        name: 'creator_id_1__id_1',
        keys: { creator_id: 1, _id: 1 },
      },
    },
  ],
};
