/**
 * Retry delays after each failed attempt, before jitter: the first retry after about 5 s, then
 * minutes, then hours; about 27.6 h from the first attempt to the last (the schedule Svix, the
 * Standard Webhooks reference service, uses). Nine attempts in all.
 */
export const RETRY_DELAYS_MS: readonly number[] = [
  5_000,
  60_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/** ±20 %, so receivers that failed together are not retried in one burst. */
const JITTER = 0.2;

/** When attempt `attempt + 1` is due after attempt `attempt` failed at `now`; null: no more. */
export function nextAttemptAt(attempt: number, now: Date, random = Math.random): Date | null {
  const base = RETRY_DELAYS_MS[attempt - 1];
  if (base === undefined) return null;
  const jittered = base * (1 - JITTER + 2 * JITTER * random());
  return new Date(now.getTime() + Math.round(jittered));
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';
export type AttemptStatus = 'pending' | 'succeeded' | 'failed';

/** The event JSON a delivery sends, as the feed answers it. */
export interface WebhookEvent {
  readonly id: string;
  readonly type: string;
  readonly taskId: string;
  readonly version: number;
  readonly body: Readonly<Record<string, unknown>>;
}

/** One event owed to one endpoint (a replay owes it again, under its own id). */
export interface Delivery {
  /** `<endpoint id>:<event id>`, or `…~<replay id>` for a replay: unique, so owed once. */
  readonly id: string;
  readonly endpointId: string;
  readonly event: WebhookEvent;
  /** The attempt to make next (1-based), or the last one made once finished. */
  readonly attempt: number;
  readonly status: DeliveryStatus;
  readonly dueAt: Date;
  readonly createdAt: Date;
}

/** One HTTP request to the receiver; its id `<delivery id>:<attempt>` is the claim to send it. */
export interface DeliveryAttempt {
  readonly id: string;
  readonly endpointId: string;
  readonly deliveryId: string;
  readonly eventId: string;
  readonly attempt: number;
  /** pending while the request is in flight (or cut off by a crash, until repaired). */
  readonly status: AttemptStatus;
  readonly responseStatus: number | null;
  readonly error: string | null;
  readonly durationMs: number | null;
  readonly at: Date;
  readonly nextAttemptAt: Date | null;
}

export const deliveryIdOf = (endpointId: string, eventId: string, replayId?: string): string =>
  replayId === undefined ? `${endpointId}:${eventId}` : `${endpointId}:${eventId}~${replayId}`;

export const attemptIdOf = (deliveryId: string, attempt: number): string =>
  `${deliveryId}:${attempt}`;

/** Where an endpoint has read the event log to: step `n` claims the move to `position`. */
export interface CursorStep {
  readonly endpointId: string;
  readonly n: number;
  /** Opaque to this module: the event source's position. */
  readonly position: string;
  readonly at: Date;
}

/**
 * A replay (`POST /webhooks/:id/replay`): the endpoint's subscribed events in the range
 * (after, until] owed again under the replay's id. The dispatcher works through the range with a
 * cursor of its own (`replayStreamOf`), as it follows the log for the endpoint, so a replay a
 * crash interrupts goes on where its cursor stands.
 */
export interface Replay {
  readonly id: string;
  readonly endpointId: string;
  /** The log's end when the replay was asked for: it owes nothing after this. */
  readonly until: string;
  readonly createdAt: Date;
  /** Set once its cursor reached `until`. */
  readonly finishedAt: Date | null;
}

/** The cursor a replay moves, kept beside the endpoints' own (its steps are claimed alike). */
export const replayStreamOf = (endpointId: string, replayId: string): string =>
  `${endpointId}~${replayId}`;

/** Delivery-log cursors (both adapters): newest first as `<16 digits>|<attempt id>`. */
export const isAttemptCursor = (cursor: string): boolean => /^\d{16}\|.+$/.test(cursor);
