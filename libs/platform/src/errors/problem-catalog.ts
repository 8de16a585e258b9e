/**
 * Domain error codes and what they mean over HTTP. The only place a code meets a status; a code
 * missing here is a bug and answers 500.
 */
export interface ProblemType {
  readonly status: number;
  /** Last segment of the problem `type` URI. */
  readonly slug: string;
  readonly title: string;
}

export const PROBLEM_TYPE_BASE = 'https://taskflow.dev/problems/';

const p = (status: number, slug: string, title: string): ProblemType => ({ status, slug, title });

export const PROBLEM_CATALOG: Readonly<Record<string, ProblemType>> = {
  'REQUEST.VALIDATION': p(400, 'validation', 'The request is not valid'),
  'REQUEST.IDEMPOTENCY_KEY_INVALID': p(400, 'validation', 'The request is not valid'),
  'AUTH.UNAUTHENTICATED': p(401, 'unauthenticated', 'Authentication required'),
  'AUTH.INVALID_CREDENTIALS': p(401, 'invalid-credentials', 'Invalid credentials'),
  'AUTH.INVALID_REFRESH_TOKEN': p(401, 'invalid-token', 'Invalid or expired token'),
  'AUTH.INVALID_RESET_TOKEN': p(400, 'invalid-reset-token', 'Invalid or expired reset token'),
  'AUTH.FORBIDDEN': p(403, 'forbidden', 'Not allowed'),
  'AUTH.INSUFFICIENT_SCOPE': p(403, 'insufficient-scope', 'The API key lacks a scope'),
  'AUTH.SESSION_REQUIRED': p(403, 'session-required', 'A password session is required'),
  'API_KEY.NOT_FOUND': p(404, 'not-found', 'Not found'),
  'API_KEY.ACCOUNT_DISABLED': p(422, 'unprocessable', 'Unprocessable request'),
  'ACCOUNT.NOT_FOUND': p(404, 'not-found', 'Not found'),
  'ACCOUNT.ALREADY_EXISTS': p(409, 'conflict', 'Conflict'),
  'ACCOUNT.INVALID_PASSWORD': p(400, 'validation', 'The request is not valid'),
  'TASK.NOT_FOUND': p(404, 'not-found', 'Not found'),
  'TASK.FORBIDDEN': p(403, 'forbidden', 'Not allowed'),
  'TASK.INVALID_TRANSITION': p(409, 'invalid-transition', 'Action not allowed in this status'),
  'TASK.ALREADY_CLAIMED': p(409, 'already-claimed', 'Task already claimed'),
  'TASK.LEASE_LOST': p(409, 'lease-lost', 'Lease lost'),
  'TASK.REASON_REQUIRED': p(400, 'validation', 'The request is not valid'),
  'TASK.ACCOUNT_UNAVAILABLE': p(422, 'unprocessable', 'Unprocessable request'),
  'TASK.PRECONDITION_FAILED': p(412, 'precondition-failed', 'Precondition failed'),
  'WEBHOOK.NOT_FOUND': p(404, 'not-found', 'Not found'),
  'WEBHOOK.URL_REFUSED': p(422, 'unprocessable', 'Unprocessable request'),
  'STORAGE.CONCURRENT_UPDATE': p(409, 'conflict', 'Conflict'),
  'IDEMPOTENCY.KEY_REUSED': p(422, 'idempotency-key-reused', 'Idempotency key reused'),
  'IDEMPOTENCY.IN_FLIGHT': p(409, 'idempotency-in-flight', 'Request already in progress'),
  'RATE.LIMITED': p(429, 'rate-limited', 'Too many requests'),
  'EVENTS.TOO_MANY_STREAMS': p(429, 'rate-limited', 'Too many requests'),
  'SERVICE.UNAVAILABLE': p(503, 'unavailable', 'Service unavailable'),
  'HEALTH.NOT_READY': p(503, 'not-ready', 'Not ready'),
};

const BY_STATUS: Readonly<Record<number, ProblemType>> = {
  400: p(400, 'bad-request', 'Bad request'),
  401: p(401, 'unauthenticated', 'Authentication required'),
  403: p(403, 'forbidden', 'Not allowed'),
  404: p(404, 'not-found', 'Not found'),
  405: p(405, 'method-not-allowed', 'Method not allowed'),
  406: p(406, 'not-acceptable', 'Not acceptable'),
  408: p(408, 'request-timeout', 'Request timeout'),
  409: p(409, 'conflict', 'Conflict'),
  412: p(412, 'precondition-failed', 'Precondition failed'),
  413: p(413, 'payload-too-large', 'Payload too large'),
  414: p(414, 'uri-too-long', 'URI too long'),
  415: p(415, 'unsupported-media-type', 'Unsupported media type'),
  422: p(422, 'unprocessable', 'Unprocessable request'),
  429: p(429, 'rate-limited', 'Too many requests'),
  431: p(431, 'request-header-fields-too-large', 'Request header fields too large'),
  503: p(503, 'unavailable', 'Service unavailable'),
};

export const INTERNAL_PROBLEM = p(500, 'internal', 'Internal server error');

export function problemTypeForStatus(status: number): ProblemType {
  return (
    BY_STATUS[status] ??
    (status >= 500 ? INTERNAL_PROBLEM : p(status, 'bad-request', 'Bad request'))
  );
}
