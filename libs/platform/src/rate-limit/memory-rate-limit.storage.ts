import { Injectable } from '@nestjs/common';
import { Clock } from '../domain/clock';
import { hitResult, RateLimitHit, RateLimitStorage, windowOf } from './rate-limit.storage';

interface Counter {
  window: number;
  hits: number;
  endsAt: number;
}

/** Sweep expired counters once this many hits have been counted since the last sweep. */
const SWEEP_EVERY = 10_000;

/**
 * One counter per key and window: O(1) per hit whatever the limit (the throttler's default
 * storage keeps every hit and filters them on each request). Expired counters are swept in
 * batches so memory stays bounded by the number of active clients.
 */
@Injectable()
export class MemoryRateLimitStorage extends RateLimitStorage {
  private readonly counters = new Map<string, Counter>();
  private sinceSweep = 0;

  constructor(private readonly clock: Clock) {
    super();
  }

  async increment(key: string, ttl: number, limit: number): Promise<RateLimitHit> {
    const now = this.clock.now().getTime();
    const { index, endsAt } = windowOf(now, ttl);
    let counter = this.counters.get(key);
    if (!counter || counter.window !== index) {
      counter = { window: index, hits: 0, endsAt };
      this.counters.set(key, counter);
    }
    counter.hits += 1;
    if (++this.sinceSweep >= SWEEP_EVERY) this.sweep(now);
    return hitResult(counter.hits, limit, now, counter.endsAt);
  }

  /** Number of live counters; for tests of the sweep. */
  get size(): number {
    return this.counters.size;
  }

  private sweep(now: number): void {
    this.sinceSweep = 0;
    for (const [key, counter] of this.counters) {
      if (counter.endsAt <= now) this.counters.delete(key);
    }
  }
}
