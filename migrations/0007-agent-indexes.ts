import type { Migration, MigrationStep } from '@taskflow/platform';

const SORTED = ['updated_at', 'due_at', 'priority_rank'] as const;
/** The equality filters a list can lead with (visibility, or an admin's filter). */
const LEADING = [
  'visible_to',
  'status',
  'assignee_id',
  'creator_id',
  'reviewer_id',
  'open',
  'priority',
] as const;
/** Those 0001 gave no `_id` index. */
const FIRST_TIME: readonly string[] = ['reviewer_id', 'open', 'priority'];

/**
 * Agents at work (DESIGN §8): the claim queue (open, pending, unassigned; urgent first, then
 * oldest), the open tasks a non-admin sees beside their own, run-out leases for the sweeper, and
 * lists sorted by updated_at, due_at or priority (ties by _id) for non-admins (their own and open
 * tasks), admins, and admins filtering by one field. created_at is the _id order. Many indexes,
 * on purpose: each list shape has one, as the index-coverage test asserts (docs/DECISIONS.md).
 */
export const migration: Migration = {
  id: '0007-agent-indexes',
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
    ...SORTED.map((field): MigrationStep => ({
      createIndex: {
        collection: 'tasks',
        name: `open_1_assignee_id_1_open_to_1_${field}_1__id_1`,
        keys: { open: 1, assignee_id: 1, open_to: 1, [field]: 1, _id: 1 },
      },
    })),
    ...SORTED.map((field): MigrationStep => ({
      createIndex: { collection: 'tasks', name: `${field}_1__id_1`, keys: { [field]: 1, _id: 1 } },
    })),
    ...LEADING.flatMap((lead) =>
      [...(FIRST_TIME.includes(lead) ? ['_id'] : []), ...SORTED].map((field): MigrationStep => ({
        createIndex: {
          collection: 'tasks',
          name: field === '_id' ? `${lead}_1__id_1` : `${lead}_1_${field}_1__id_1`,
          keys: field === '_id' ? { [lead]: 1, _id: 1 } : { [lead]: 1, [field]: 1, _id: 1 },
        },
      })),
    ),
  ],
};
