import type { Provider } from '@nestjs/common';
import { makeCounterProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import { collectDefaultMetrics, register } from 'prom-client';

/**
 * The application's Prometheus metrics. Each is a provider of PlatformModule (global), so any
 * module injects one with `@InjectMetric(METRIC.logins) logins: Counter<'result'>`.
 */
export const METRIC = {
  /** Histogram; labels `method`, `route` (the route template, or `unmatched`), `status_code`. */
  httpRequestDuration: 'http_request_duration_seconds',
  /** Counter; label `action`: create, assign, start, … update, delete (one per audit entry). */
  taskTransitions: 'task_transitions_total',
  /** Counter; label `result`: success or invalid_credentials (login answers every refusal alike). */
  logins: 'logins_total',
  /** Counter; label `policy`: global, auth-client or auth-account (the limit that answered 429). */
  rateLimitedRequests: 'rate_limited_requests_total',
  /** Counter; no labels: a stored idempotent response was replayed. */
  idempotentReplays: 'idempotent_replays_total',
} as const;

export const METRIC_PROVIDERS: Provider[] = [
  makeHistogramProvider({
    name: METRIC.httpRequestDuration,
    help: 'HTTP request duration in seconds, by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  }),
  makeCounterProvider({
    name: METRIC.taskTransitions,
    help: 'Task changes committed, by action',
    labelNames: ['action'],
  }),
  makeCounterProvider({
    name: METRIC.logins,
    help: 'Login attempts, by result',
    labelNames: ['result'],
  }),
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

/**
 * Process and Node.js metrics (CPU, memory, event loop lag, GC) on the default registry, once
 * per process: prom-client refuses a second registration, and tests build several apps.
 */
export function collectProcessMetrics(): void {
  if (register.getSingleMetric('process_cpu_user_seconds_total') === undefined) {
    collectDefaultMetrics();
  }
}
