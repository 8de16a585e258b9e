import { DomainError } from '@taskflow/platform/domain';

/** What a key may do (DESIGN §11); a key never does more than its account may. */
export const API_KEY_SCOPES = [
  'tasks:read',
  'tasks:write',
  'tasks:act',
  'events:read',
  'webhooks:manage',
] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const API_KEY_PREFIX = 'tfk_';
export const API_KEY_MAX_DAYS = 365;
/** `last_used_at` moves at most this often, so a busy key does not cost a write per request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiKey {
  readonly id: string;
  readonly accountId: string;
  readonly name: string;
  readonly scopes: readonly ApiKeyScope[];
  /** SHA-256 of the secret part; the key itself is shown once and never stored. */
  readonly secretHash: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

/** `tfk_` + key id (`ak_` + a lowercase ULID) + `_` + the secret (base64url, 32+ bytes). */
const KEY_TEXT = /^tfk_(ak_[0-9a-z]{26})_([A-Za-z0-9_-]{43,128})$/;

/** `tfk_<key id>_<secret>` split into its parts, or null when it does not have that shape. */
export function parseApiKey(text: string): { id: string; secret: string } | null {
  const match = KEY_TEXT.exec(text);
  return match ? { id: match[1], secret: match[2] } : null;
}

export const isApiKeyScope = (value: unknown): value is ApiKeyScope =>
  (API_KEY_SCOPES as readonly unknown[]).includes(value);

/** A key stands until it is revoked or its expiry passes (an expiry at `now` has passed). */
export const isApiKeyLive = (key: ApiKey, now: Date): boolean =>
  key.revokedAt === null && key.expiresAt.getTime() > now.getTime();

/** Whether this use should move `last_used_at`: never written, or older than the resolution. */
export const lastUseIsStale = (key: ApiKey, now: Date): boolean =>
  key.lastUsedAt === null || now.getTime() - key.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS;

export class ApiKeyNotFound extends DomainError {
  constructor(id: string) {
    super('API_KEY.NOT_FOUND', `API key ${id} does not exist`);
  }
}

export function parseApiKeyScopes(value: unknown): ApiKeyScope[] {
  if (Array.isArray(value) && value.every(isApiKeyScope)) return [...value];
  throw new DomainError('API_KEY.CORRUPT', `Unknown API key scopes ${JSON.stringify(value)}`);
}
