import type { ThrottlerStorage } from '@nestjs/throttler';

/** What the throttler needs from a counter store: one call per hit. */
export interface RateLimitHit {
  totalHits: number;
  /** Seconds until the window resets. */
  timeToExpire: number;
  isBlocked: boolean;
  /** Seconds until a blocked key may send again. */
  timeToBlockExpire: number;
}

/**
 * Where rate-limit counters live: in the process (memory driver) or in MongoDB, shared by every
 * instance. Fixed windows aligned to the clock (`floor(now / ttl)`), so every instance and every
 * adapter agrees on which window a hit belongs to without reading first.
 */
export abstract class RateLimitStorage implements ThrottlerStorage {
  /** Counts one hit of `key`; `ttl` is the window in milliseconds. */
  abstract increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<RateLimitHit>;
}

/** The window a hit at `now` falls in, and what the throttler is told about it. */
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
