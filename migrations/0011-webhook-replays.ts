import type { Migration } from '@taskflow/platform';

/**
 * Resumable webhook replays (issue 21, docs/WEBHOOKS.md): the dispatcher reads the unfinished
 * ones on every pass that follows the log, and an endpoint's go with it. A replay's progress is
 * its cursor in webhook_cursors, served by that collection's index.
 */
export const migration: Migration = {
  id: '0011-webhook-replays',
  description: 'Webhook replays: the unfinished ones, and by endpoint',
  steps: [
    {
      createIndex: {
        collection: 'webhook_replays',
        name: 'finished_at_1',
        keys: { finished_at: 1 },
      },
    },
    {
      createIndex: {
        collection: 'webhook_replays',
        name: 'endpoint_id_1',
        keys: { endpoint_id: 1 },
      },
    },
  ],
};
