import { newId, pooledRandom } from './ids';

describe('newId', () => {
  it('is the prefix and a lower-case ULID', () => {
    expect(newId('t')).toMatch(/^t_[0-9a-hjkmnp-tv-z]{26}$/);
  });

  it('sorts in creation order and never repeats, within one millisecond too', () => {
    const ids = Array.from({ length: 10_000 }, () => newId('t'));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });
});

describe('pooledRandom', () => {
  it('gives fractions in [0, 1) spread over every one of the 32 ULID characters', () => {
    const counts = new Array<number>(32).fill(0);
    const draws = 64_000; // over 15 refills of the pool
    for (let i = 0; i < draws; i++) {
      const value = pooledRandom();
      expect(value >= 0 && value < 1).toBe(true);
      counts[Math.floor(value * 32)] += 1;
    }
    // Uniform: 2000 per character; 6 standard deviations (about 264) either side.
    for (const count of counts) expect(Math.abs(count - draws / 32)).toBeLessThan(270);
  });
});
