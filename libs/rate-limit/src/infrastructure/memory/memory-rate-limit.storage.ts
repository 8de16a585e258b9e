import { Injectable } from '@nestjs/common';
import { Clock } from '@taskflow/platform';
import { hitResult, RateLimitHit, windowOf } from '../../domain/rate-limit';
import { RateLimitStorage } from '../../ports/rate-limit.storage';

interface Counter {
  window: number;
  hits: number;
  endsAt: number;
}

/** Sweep expired counters once this many hits have been counted since the last sweep. */
const SWEEP_EVERY = 10_000;

/**
 * One counter per key and window: O(1) per hit whatever the limit (the throttler's default
 * storage keeps every hit and filters them on each request). Expired counters and marks are
 * swept in batches so memory stays bounded by the number of active clients.
 */
@Injectable()
export class MemoryRateLimitStorage extends RateLimitStorage {
  private readonly counters = new Map<string, Counter>();
  private readonly marks = new Map<string, number>();
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

  async peek(key: string, ttl: number): Promise<number> {
    const counter = this.counters.get(key);
    const { index } = windowOf(this.clock.now().getTime(), ttl);
    return counter?.window === index ? counter.hits : 0;
  }

  async mark(key: string, until: Date): Promise<void> {
    this.marks.set(key, until.getTime());
    if (++this.sinceSweep >= SWEEP_EVERY) this.sweep(this.clock.now().getTime());
  }

  async isMarked(key: string): Promise<boolean> {
    return (this.marks.get(key) ?? 0) > this.clock.now().getTime();
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
    for (const [key, until] of this.marks) {
      if (until <= now) this.marks.delete(key);
    }
  }
}
