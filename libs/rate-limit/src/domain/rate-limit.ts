import { DomainError } from '@taskflow/platform/domain';

/** The policies, as named in RateLimit-Policy, 429 bodies and the rejection metric. */
export const RATE_LIMIT_POLICIES = ['global', 'auth-client', 'auth-account'] as const;
export type RateLimitPolicy = (typeof RATE_LIMIT_POLICIES)[number];

/** A limit: `limit` hits per window of `windowSeconds` (RATE_LIMIT_GLOBAL, RATE_LIMIT_AUTH). */
export interface Rate {
  readonly limit: number;
  readonly windowSeconds: number;
}

/** One counted hit, as the storage reports it. */
export interface RateLimitHit {
  totalHits: number;
  /** Seconds until the window resets. */
  timeToExpire: number;
  isBlocked: boolean;
  /** Seconds until a blocked key may send again. */
  timeToBlockExpire: number;
}

/**
 * Fixed windows aligned to the clock (`floor(now / ttl)`), so every instance and every adapter
 * agrees on which window a hit belongs to without reading first.
 */
export function windowOf(now: number, ttl: number): { index: number; endsAt: number } {
  const index = Math.floor(now / ttl);
  return { index, endsAt: (index + 1) * ttl };
}

export function hitResult(hits: number, limit: number, now: number, endsAt: number): RateLimitHit {
  const seconds = Math.max(1, Math.ceil((endsAt - now) / 1000));
  const isBlocked = hits > limit;
  return {
    totalHits: hits,
    timeToExpire: seconds,
    isBlocked,
    timeToBlockExpire: isBlocked ? seconds : 0,
  };
}

export class RateLimited extends DomainError {
  constructor(
    policy: string,
    readonly retryAfterSeconds: number,
  ) {
    super(
      'RATE.LIMITED',
      `Too many requests under the "${policy}" policy; retry in ${retryAfterSeconds} s`,
      {
        policy,
        retryAfter: retryAfterSeconds,
      },
    );
  }
}
