import { RateLimitModule, RateLimitStorage } from '@taskflow/rate-limit';
import { testDrivers } from '../support/drivers';
import { startStores, Stores } from '../support/stores';

const MINUTE = 60_000;
const unique = (): string => Math.random().toString(36).slice(2, 10);

describe.each(testDrivers())('RateLimitStorage contract (%s)', (driver) => {
  let s: Stores;
  let storage: RateLimitStorage;

  beforeAll(async () => {
    // 15 s into a minute: the windows below are aligned to the clock.
    s = await startStores(
      driver,
      (d) => [RateLimitModule.register({ driver: d })],
      new Date('2030-07-01T00:10:15.000Z'),
    );
    storage = s.get(RateLimitStorage);
  });
  afterAll(() => s.close());

  it('counts hits in a window aligned to the clock and blocks past the limit', async () => {
    const key = `k-${unique()}`;
    const hits = [];
    for (let i = 0; i < 4; i++) hits.push(await storage.increment(key, MINUTE, 3));
    expect(hits.map((h) => [h.totalHits, h.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, true],
    ]);
    expect(hits[3].timeToExpire).toBe(45);
    expect(hits[3].timeToBlockExpire).toBe(45);
    expect(hits[0].timeToBlockExpire).toBe(0);
  });

  it('peeks at the current window without counting', async () => {
    const key = `k-${unique()}`;
    expect(await storage.peek(key, MINUTE)).toBe(0);
    await storage.increment(key, MINUTE, 5);
    await storage.increment(key, MINUTE, 5);
    expect(await storage.peek(key, MINUTE)).toBe(2);
    expect(await storage.peek(key, MINUTE)).toBe(2);
    expect((await storage.increment(key, MINUTE, 5)).totalHits).toBe(3);
  });

  it('starts a new count when the window turns', async () => {
    const key = `k-${unique()}`;
    await storage.increment(key, MINUTE, 1);
    expect((await storage.increment(key, MINUTE, 1)).isBlocked).toBe(true);
    s.clock.advance(MINUTE);
    expect(await storage.peek(key, MINUTE)).toBe(0);
    expect(await storage.increment(key, MINUTE, 1)).toEqual({
      totalHits: 1,
      timeToExpire: 45,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
  });

  it('keeps keys and window lengths apart', async () => {
    const key = `k-${unique()}`;
    await storage.increment(key, MINUTE, 1);
    expect((await storage.increment(`${key}-other`, MINUTE, 1)).totalHits).toBe(1);
    expect((await storage.increment(key, 60 * MINUTE, 1)).totalHits).toBe(1);
  });

  it('remembers a mark until its instant, and a later mark moves it', async () => {
    const key = `mark-${unique()}`;
    expect(await storage.isMarked(key)).toBe(false);
    await storage.mark(key, new Date(s.clock.now().getTime() + MINUTE));
    expect(await storage.isMarked(key)).toBe(true);
    s.clock.advance(MINUTE / 2);
    await storage.mark(key, new Date(s.clock.now().getTime() + MINUTE));
    s.clock.advance(MINUTE / 2 + 1);
    expect(await storage.isMarked(key)).toBe(true);
    s.clock.advance(MINUTE);
    expect(await storage.isMarked(key)).toBe(false);
  });

  it('keeps marks apart from counters of the same key', async () => {
    const key = `both-${unique()}`;
    await storage.mark(key, new Date(s.clock.now().getTime() + MINUTE));
    expect(await storage.peek(key, MINUTE)).toBe(0);
    expect((await storage.increment(key, MINUTE, 5)).totalHits).toBe(1);
    expect(await storage.isMarked(key)).toBe(true);
  });
});
