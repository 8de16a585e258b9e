import type { Migration } from '@taskflow/platform';

/**
 * `priority_rank` (queue order: urgent 0 … low 3) for tasks stored before issue 18. The Mongo
 * adapter writes it on every task write since, but a task not written since has none and sorted
 * before every other under `sort=priority` (a missing field sorts as null). The other fields
 * issue 18 added need no fill: a missing `open` reads as not open, and `open_to` and the lease
 * fields are only queried beside `open: true` or a date comparison (docs/DECISIONS.md).
 */
export const migration: Migration = {
  id: '0009-priority-rank-backfill',
  description: 'priority_rank for tasks stored before 0007, so they sort by priority',
  steps: [
    {
      backfill: {
        collection: 'tasks',
        field: 'priority_rank',
        from: 'priority',
        values: { urgent: 0, high: 1, normal: 2, low: 3 },
        batchSize: 500,
      },
    },
  ],
};
