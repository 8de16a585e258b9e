import type { Migration } from '@taskflow/platform';
import { migration as taskListIndexes } from './0001-task-list-indexes';
import { migration as auditLogIndexes } from './0002-audit-log-indexes';
import { migration as recordIndexes } from './0003-record-indexes';
import { migration as expiryIndexes } from './0004-idempotency-and-rate-limit-expiry';
import { migration as identityTokenIndexes } from './0005-identity-token-indexes';
import { migration as apiKeyIndexes } from './0006-api-key-indexes';
import { migration as agentIndexes } from './0007-agent-indexes';
import { migration as eventLog } from './0008-event-log';
import { migration as priorityRankBackfill } from './0009-priority-rank-backfill';
import { migration as webhookIndexes } from './0010-webhook-indexes';
import { migration as webhookReplays } from './0011-webhook-replays';

/**
 * Every migration, in order. Accounts need none: the account id is the document `_id`, unique by
 * MongoDB's own `_id` index.
 */
export const MIGRATIONS: readonly Migration[] = [
  taskListIndexes,
  auditLogIndexes,
  recordIndexes,
  expiryIndexes,
  identityTokenIndexes,
  apiKeyIndexes,
  agentIndexes,
  eventLog,
  priorityRankBackfill,
  webhookIndexes,
  webhookReplays,
];
