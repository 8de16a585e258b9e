import type { Migration } from '@taskflow/platform';

/**
 * API keys are found by `_id` (the key id in the key's text) on every request, which MongoDB's
 * own `_id` index serves; an account's keys are listed oldest first. No TTL: an expired key is
 * still listed to its owner, and expiry is checked on every use.
 */
export const migration: Migration = {
  id: '0006-api-key-indexes',
  description: 'API keys by account, in creation order',
  steps: [
    {
      createIndex: {
        collection: 'api_keys',
        name: 'account_id_1_created_at_1__id_1',
        keys: { account_id: 1, created_at: 1, _id: 1 },
      },
    },
  ],
};
