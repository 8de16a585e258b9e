import { SeqClock } from './seq-clock';

describe('SeqClock', () => {
  let wall: number;
  let clock: SeqClock;
  beforeEach(() => {
    wall = 1_000;
    clock = new SeqClock(() => wall);
  });

  describe('issue', () => {
    it('stamps microseconds of the wall clock, and counts up within one millisecond', () => {
      expect([clock.issue(), clock.issue(), clock.issue()]).toEqual([
        1_000_000, 1_000_001, 1_000_002,
      ]);
      wall = 1_001;
      expect(clock.issue()).toBe(1_001_000);
    });

    it('never goes back when the wall clock does', () => {
      const first = clock.issue();
      wall = 900;
      expect(clock.issue()).toBe(first + 1);
    });

    it('stays above a lifted floor', () => {
      clock.lift(5_000_000);
      expect(clock.issue()).toBe(5_000_000);
      clock.lift(10);
      expect(clock.issue()).toBe(5_000_001);
    });
  });

  describe('safePoint', () => {
    it('is the oldest stamp in flight', () => {
      const a = clock.issue();
      const b = clock.issue();
      expect(clock.safePoint()).toBe(a);
      clock.finish(a);
      expect(clock.safePoint()).toBe(b);
    });

    it('is the next stamp when nothing is in flight, and later stamps keep to it', () => {
      const a = clock.issue();
      clock.finish(a);
      wall = 2_000;
      const safe = clock.safePoint();
      expect(safe).toBe(2_000_000);
      wall = 1_500;
      expect(clock.issue()).toBeGreaterThanOrEqual(safe);
    });

    it('never decreases, whatever is issued and finished', () => {
      let previous = 0;
      for (let i = 0; i < 500; i++) {
        wall += Math.floor(Math.random() * 3) - 1;
        const stamps = [clock.issue(), clock.issue()];
        if (i % 3 === 0) clock.lift(clock.safePoint() + 7);
        const safe = clock.safePoint();
        expect(safe).toBeGreaterThanOrEqual(previous);
        previous = safe;
        clock.finish(stamps[i % 2]);
        if (i % 2 === 0) clock.finish(stamps[1]);
        const later = clock.issue();
        expect(later).toBeGreaterThanOrEqual(clock.safePoint());
        clock.finish(later);
      }
    });
  });
});
