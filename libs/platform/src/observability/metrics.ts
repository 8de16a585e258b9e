import type { Provider } from '@nestjs/common';
import { makeCounterProvider } from '@willsoto/nestjs-prometheus';

/**
 * The rate limiter's and idempotency's metrics, still here while both live in the platform lib.
 * Every other metric is defined and registered beside the code that records it, in its module
 * (`task_transitions_total` in Tasks, `logins_total` in Identity, the HTTP histogram in Health).
 */
export const METRIC = {
  /** Counter; label `policy`: global, auth-client or auth-account (the limit that answered 429). */
  rateLimitedRequests: 'rate_limited_requests_total',
  /** Counter; no labels: a stored idempotent response was replayed. */
  idempotentReplays: 'idempotent_replays_total',
} as const;

export const METRIC_PROVIDERS: Provider[] = [
  makeCounterProvider({
    name: METRIC.rateLimitedRequests,
    help: 'Requests refused with 429, by rate-limit policy',
    labelNames: ['policy'],
  }),
  makeCounterProvider({
    name: METRIC.idempotentReplays,
    help: 'Requests answered from a stored idempotent response',
  }),
];
