// @taskflow/client: a typed client of the TaskFlow API for people and agents (docs/CLIENT.md).
export { createClient, etagOf, newIdempotencyKey } from './client';
export type { ClientOptions, TaskflowClient } from './client';
export { apiKey, JwtSession } from './auth';
export type { Credentials, JwtSessionOptions, TokenPair } from './auth';
export { PROBLEM_TYPE_BASE, problemSlug, TaskflowError } from './problem';
export type { Problem } from './problem';
export { isProblem, runWorker, TaskAbandoned } from './worker';
export type {
  AbandonReason,
  HandlerContext,
  HandlerResult,
  Task,
  WorkerEvent,
  WorkerOptions,
  WorkerSummary,
} from './worker';
export { followEvents } from './events';
export type {
  FollowEventsOptions,
  FollowStatus,
  FollowSummary,
  TaskEvent,
  TaskEventType,
} from './events';
export { verifyWebhook, WebhookVerificationError } from './webhooks';
export type { VerifyWebhookOptions, WebhookHeaders, WebhookRefusal } from './webhooks';
export type { components, operations, paths } from './generated/openapi';
