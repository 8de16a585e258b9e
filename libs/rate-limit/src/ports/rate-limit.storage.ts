import type { RateLimitHit } from '../domain/rate-limit';

/**
 * Where rate-limit counters live: in the process (memory driver) or in MongoDB, shared by every
 * instance. Counters use fixed windows aligned to the clock (domain `windowOf`); marks are keys
 * remembered until a given instant (a login's known client).
 */
export abstract class RateLimitStorage {
  /** Counts one hit of `key`; `ttl` is the window in milliseconds. */
  abstract increment(key: string, ttl: number, limit: number): Promise<RateLimitHit>;
  /** The hits of `key` in the current window, without counting one. */
  abstract peek(key: string, ttl: number): Promise<number>;
  /** Remembers `key` until `until` (a later call moves it). */
  abstract mark(key: string, until: Date): Promise<void>;
  /** Whether `key` is remembered now. */
  abstract isMarked(key: string): Promise<boolean>;
}
