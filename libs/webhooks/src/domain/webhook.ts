import { randomBytes } from 'node:crypto';
import { DomainError } from '@taskflow/platform/domain';

/** The event types of DESIGN §9 that an endpoint may subscribe to. */
export const WEBHOOK_EVENT_TYPES = [
  'task.created',
  'task.assigned',
  'task.started',
  'task.submitted',
  'task.approved',
  'task.rejected',
  'task.closed',
  'task.cancelled',
  'task.reactivated',
  'task.updated',
  'task.deleted',
  'task.claimed',
  'task.released',
  'task.lease_expired',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const SECRET_PREFIX = 'whsec_';
/** How long the previous secret still signs after a rotation, so receivers can switch over. */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;
/** Failures for this long, with no success between them, disable an endpoint. */
export const DISABLE_AFTER_MS = 3 * 24 * 60 * 60 * 1000;

export interface SigningSecret {
  /** `whsec_` + base64 of 32 random bytes, as the Standard Webhooks specification has it. */
  readonly secret: string;
  /** null for the current secret; the end of the overlap for a rotated-out one. */
  readonly expiresAt: Date | null;
}

export interface WebhookEndpoint {
  readonly id: string;
  readonly ownerId: string;
  readonly url: string;
  /** null: every event type. */
  readonly types: readonly WebhookEventType[] | null;
  readonly description: string | null;
  readonly enabled: boolean;
  readonly disabledReason: string | null;
  /** The current secret first, then those still inside their overlap. */
  readonly secrets: readonly SigningSecret[];
  /** The first failed attempt since the last success; null while deliveries succeed. */
  readonly failingSince: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export const newSigningSecret = (): string => SECRET_PREFIX + randomBytes(32).toString('base64');

/** The secrets that sign at `now`: the current one and those whose overlap has not ended. */
export const signingSecrets = (endpoint: WebhookEndpoint, now: Date): string[] =>
  endpoint.secrets
    .filter((each) => each.expiresAt === null || each.expiresAt.getTime() > now.getTime())
    .map((each) => each.secret);

/** A new current secret; the old current one keeps signing for the overlap. */
export function rotateSecret(endpoint: WebhookEndpoint, now: Date): WebhookEndpoint {
  const overlapEnd = new Date(now.getTime() + ROTATION_OVERLAP_MS);
  const kept = endpoint.secrets
    .map((each) => (each.expiresAt === null ? { ...each, expiresAt: overlapEnd } : each))
    .filter((each) => (each.expiresAt?.getTime() ?? 0) > now.getTime());
  return {
    ...endpoint,
    secrets: [{ secret: newSigningSecret(), expiresAt: null }, ...kept],
    updatedAt: now,
  };
}

export const subscribes = (endpoint: WebhookEndpoint, type: string): boolean =>
  endpoint.types === null || (endpoint.types as readonly string[]).includes(type);

export const isWebhookEventType = (value: unknown): value is WebhookEventType =>
  (WEBHOOK_EVENT_TYPES as readonly unknown[]).includes(value);

export function parseEventTypes(value: unknown): WebhookEventType[] | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value) && value.every(isWebhookEventType)) return [...value];
  throw new DomainError('WEBHOOK.CORRUPT', `Unknown webhook event types ${JSON.stringify(value)}`);
}

export class WebhookNotFound extends DomainError {
  constructor(id: string) {
    super('WEBHOOK.NOT_FOUND', `Webhook ${id} does not exist`);
  }
}

/** A URL the SSRF rules refuse (DESIGN §10), at save time (422) or at delivery time. */
export class WebhookUrlRefused extends DomainError {
  constructor(readonly reason: string) {
    super('WEBHOOK.URL_REFUSED', reason, { errors: [{ field: 'url', message: reason }] });
  }
}
