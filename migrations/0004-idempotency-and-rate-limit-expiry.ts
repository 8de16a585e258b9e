import type { Migration } from '@taskflow/platform';

/**
 * Idempotency keys and rate-limit counters are found by `_id`; these indexes only let the server
 * drop them once expired (TTL where the server has it). Expiry is checked on read either way.
 */
export const migration: Migration = {
  id: '0004-idempotency-and-rate-limit-expiry',
  description: 'Expiry of idempotency keys and rate-limit counters',
  steps: [
    {
      createIndex: {
        collection: 'idempotency_keys',
        name: 'expires_at_1',
        keys: { expires_at: 1 },
        expireAfterSeconds: 0,
      },
    },
    {
      createIndex: {
        collection: 'rate_limit_counters',
        name: 'expires_at_1',
        keys: { expires_at: 1 },
        expireAfterSeconds: 0,
      },
    },
  ],
};
