import { Injectable, Logger } from '@nestjs/common';
import { InjectMetric, makeCounterProvider } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { Rate, RateLimited, RateLimitHit, RateLimitPolicy } from '../domain/rate-limit';
import { RateLimitStorage } from '../ports/rate-limit.storage';

const RATE_LIMITED_REQUESTS = 'rate_limited_requests_total';

/** `rate_limited_requests_total{policy}`: requests refused with 429, by the policy that refused. */
export const rateLimitedRequestsMetric = makeCounterProvider({
  name: RATE_LIMITED_REQUESTS,
  help: 'Requests refused with 429, by rate-limit policy',
  labelNames: ['policy'],
});

/** A counted hit and the policy it was counted under, for the RateLimit headers. */
export interface CountedHit {
  readonly policy: RateLimitPolicy;
  readonly rate: Rate;
  readonly hit: RateLimitHit;
}

/** Counts hits under a policy and refuses the ones past its limit. */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger('RateLimit');

  constructor(
    private readonly storage: RateLimitStorage,
    @InjectMetric(RATE_LIMITED_REQUESTS) private readonly rejections: Counter<'policy'>,
  ) {}

  /**
   * Counts one hit of `tracker` (an address or an account); keys span every route, as a policy
   * limits a client, not one endpoint. Null when the store is down: the hit is let through.
   */
  async count(policy: RateLimitPolicy, rate: Rate, tracker: string): Promise<CountedHit | null> {
    try {
      const hit = await this.storage.increment(
        `${policy}:${tracker}`,
        rate.windowSeconds * 1000,
        rate.limit,
      );
      return { policy, rate, hit };
    } catch (error) {
      // Fail open: with the counter store down the database is down too, and every request
      // that needs it fails on its own; refusing the rest (probes, docs) would help no one.
      this.logger.warn(`Rate limit store unavailable, request not counted: ${String(error)}`);
      return null;
    }
  }

  /** The refusal of a hit past its limit, counted in the rejection metric. */
  refuse(policy: RateLimitPolicy, retryAfterSeconds: number): RateLimited {
    this.rejections.inc({ policy });
    return new RateLimited(policy, retryAfterSeconds);
  }
}
