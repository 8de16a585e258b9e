import type { Migration } from '@taskflow/platform';

/**
 * Agents at work (DESIGN §8): the claim queue (open, pending, unassigned; urgent first, then
 * oldest), the open tasks a non-admin sees beside their own, and run-out leases for the sweeper.
 */
export const migration: Migration = {
  id: '0006-agent-indexes',
  description: 'Indexes for the claim queue, open-task visibility and lease expiry',
  steps: [
    {
      createIndex: {
        collection: 'tasks',
        name: 'open_1_status_1_assignee_id_1_open_to_1_priority_rank_1__id_1',
        keys: { open: 1, status: 1, assignee_id: 1, open_to: 1, priority_rank: 1, _id: 1 },
      },
    },
    {
      createIndex: {
        collection: 'tasks',
        name: 'open_1_assignee_id_1_open_to_1__id_1',
        keys: { open: 1, assignee_id: 1, open_to: 1, _id: 1 },
      },
    },
    {
      createIndex: {
        collection: 'tasks',
        name: 'lease_expires_at_1',
        keys: { lease_expires_at: 1 },
      },
    },
  ],
};
