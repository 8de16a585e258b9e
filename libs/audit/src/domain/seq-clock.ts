/**
 * An instance's stamps for the event log (docs/EVENTS.md): a hybrid logical clock, microseconds
 * since the epoch, never below the last stamp issued nor below a floor other instances published,
 * plus the stamps still in flight (issued, not yet known to be stored or refused).
 */
export class SeqClock {
  private last = 0;
  /** Issued in increasing order, so the first one left is the smallest. */
  private readonly inFlight = new Set<number>();

  constructor(private readonly wallMs: () => number = Date.now) {}

  /** A new stamp, in flight until `finish`. */
  issue(): number {
    const stamp = Math.max(this.last + 1, Math.floor(this.wallMs()) * 1000);
    this.last = stamp;
    this.inFlight.add(stamp);
    return stamp;
  }

  finish(stamp: number): void {
    this.inFlight.delete(stamp);
  }

  /** Later stamps are at least `floor` (another instance's published safe point). */
  lift(floor: number): void {
    if (floor - 1 > this.last) this.last = floor - 1;
  }

  /**
   * No stamp of this instance in flight now or issued later is below this: the smallest in
   * flight, or else the next stamp (which the clock is then held to, so it never goes back).
   */
  safePoint(): number {
    const oldest = this.inFlight.values().next();
    if (!oldest.done) return oldest.value;
    const next = Math.max(this.last + 1, Math.floor(this.wallMs()) * 1000);
    this.last = next - 1;
    return next;
  }

  get pending(): number {
    return this.inFlight.size;
  }
}
