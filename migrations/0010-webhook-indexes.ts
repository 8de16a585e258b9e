import type { Migration } from '@taskflow/platform';

/**
 * Webhooks (DESIGN §10, docs/WEBHOOKS.md). Endpoints are listed by owner in id order and the
 * dispatcher reads the enabled ones; deliveries are found when due (status, due time) and removed
 * with their endpoint; the delivery log pages an endpoint's attempts newest first; a cursor is
 * the latest of an endpoint's claimed moves. The claims themselves are `_id` inserts.
 */
export const migration: Migration = {
  id: '0010-webhook-indexes',
  description: 'Webhook endpoints, deliveries due, the delivery log and the cursors',
  steps: [
    {
      createIndex: {
        collection: 'webhooks',
        name: 'owner_id_1__id_1',
        keys: { owner_id: 1, _id: 1 },
      },
    },
    { createIndex: { collection: 'webhooks', name: 'enabled_1', keys: { enabled: 1 } } },
    {
      createIndex: {
        collection: 'webhook_deliveries',
        name: 'status_1_due_at_1__id_1',
        keys: { status: 1, due_at: 1, _id: 1 },
      },
    },
    {
      createIndex: {
        collection: 'webhook_deliveries',
        name: 'endpoint_id_1',
        keys: { endpoint_id: 1 },
      },
    },
    {
      createIndex: {
        collection: 'webhook_attempts',
        name: 'endpoint_id_1_at_-1__id_1',
        keys: { endpoint_id: 1, at: -1, _id: 1 },
      },
    },
    {
      createIndex: {
        collection: 'webhook_cursors',
        name: 'endpoint_id_1_n_-1',
        keys: { endpoint_id: 1, n: -1 },
      },
    },
  ],
};
