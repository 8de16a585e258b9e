import type { Migration } from '@taskflow/platform';

/**
 * Refresh and reset tokens are claimed by their `_id` (`<family>:<generation>`, and the reset
 * token's hash for its use marker). Refresh tokens are also looked up, and unique, by hash;
 * families are revoked by account. Expired tokens are dropped by TTL indexes where the server has
 * them; expiry is checked on read either way. Use markers have no TTL: they must outlive their
 * token whatever RESET_TOKEN_TTL is.
 */
export const migration: Migration = {
  id: '0005-identity-token-indexes',
  description:
    'Refresh tokens by hash (unique) and expiry, families by account, reset tokens by expiry',
  steps: [
    {
      createIndex: {
        collection: 'refresh_tokens',
        name: 'token_hash_1',
        keys: { token_hash: 1 },
        unique: true,
      },
    },
    {
      createIndex: {
        collection: 'refresh_tokens',
        name: 'expires_at_1',
        keys: { expires_at: 1 },
        expireAfterSeconds: 0,
      },
    },
    {
      createIndex: {
        collection: 'refresh_families',
        name: 'account_id_1',
        keys: { account_id: 1 },
      },
    },
    {
      createIndex: {
        collection: 'password_reset_tokens',
        name: 'expires_at_1',
        keys: { expires_at: 1 },
        expireAfterSeconds: 0,
      },
    },
  ],
};
