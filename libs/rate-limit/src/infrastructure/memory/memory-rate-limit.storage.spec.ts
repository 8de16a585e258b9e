import { Clock } from '@taskflow/platform';
import { MemoryRateLimitStorage } from './memory-rate-limit.storage';

class SteppingClock extends Clock {
  constructor(public ms: number) {
    super();
  }
  now(): Date {
    return new Date(this.ms);
  }
}

describe('MemoryRateLimitStorage', () => {
  const minute = 60_000;

  it('counts hits in a window aligned to the clock and blocks past the limit', async () => {
    const clock = new SteppingClock(10 * minute + 15_000);
    const storage = new MemoryRateLimitStorage(clock);
    const hits = [];
    for (let i = 0; i < 4; i++) hits.push(await storage.increment('k', minute, 3));
    expect(hits.map((h) => [h.totalHits, h.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, true],
    ]);
    expect(hits[3].timeToExpire).toBe(45);
    expect(hits[3].timeToBlockExpire).toBe(45);
  });

  it('starts a new count when the window turns', async () => {
    const clock = new SteppingClock(10 * minute + 59_000);
    const storage = new MemoryRateLimitStorage(clock);
    await storage.increment('k', minute, 1);
    expect((await storage.increment('k', minute, 1)).isBlocked).toBe(true);
    clock.ms += 1_000;
    const fresh = await storage.increment('k', minute, 1);
    expect(fresh).toEqual({
      totalHits: 1,
      timeToExpire: 60,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
  });

  it('keeps keys apart', async () => {
    const storage = new MemoryRateLimitStorage(new SteppingClock(0));
    await storage.increment('a', minute, 1);
    expect((await storage.increment('b', minute, 1)).totalHits).toBe(1);
  });

  it('forgets expired counters, so memory is bounded by the clients of the current window', async () => {
    const clock = new SteppingClock(0);
    const storage = new MemoryRateLimitStorage(clock);
    for (let i = 0; i < 5_000; i++) await storage.increment(`old-${i}`, minute, 10);
    clock.ms += 2 * minute;
    for (let i = 0; i < 5_000; i++) await storage.increment(`new-${i}`, minute, 10);
    expect(storage.size).toBe(5_000);
  });
});
