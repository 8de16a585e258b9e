import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { DomainError, newId } from '@taskflow/platform';
import type { Connection } from 'mongoose';
import { performance } from 'node:perf_hooks';
import { EventLogNotifier } from '../../application/event-log-notifier';
import { SeqClock } from '../../domain/seq-clock';

/** How often an instance publishes its safe point and reads the others' (docs/EVENTS.md). */
export const PUBLISH_PERIOD_MS = 150;
/** A record not refreshed for this long (by the database's clock) is an instance gone. */
export const GONE_AFTER_MS = 3_000;
/**
 * An instance stamps entries only this soon after the send of its last complete publish, so
 * every entry has at least GONE_AFTER_MS − STAMP_WINDOW_MS to land before anyone may pass it.
 */
export const STAMP_WINDOW_MS = 1_500;
/** A transaction commits only this long before its stamps' landing deadline. */
const COMMIT_MARGIN_MS = 500;
/**
 * For this long after an instance is counted gone, a tick whose horizon moves probes the log for
 * entries in the passed range: a crashed instance's last entries may have landed after its last
 * publish, so its record does not tell them (docs/EVENTS.md).
 */
const PROBE_AFTER_GONE_MS = 10_000;
/** Records of instances gone this long are removed. */
const FORGET_AFTER_MS = 10 * 60_000;
/** How long a write waits for a publish to complete when its instance has none recent. */
const STAMP_PATIENCE_MS = 1_000;

export const HORIZON_COLLECTION = 'event_horizon';

interface HorizonRecord {
  _id: string;
  safe: number;
  heartbeat_at: Date;
  /** The highest stamp of the instance's entries known landed when it published. */
  landed?: number;
  /** Shut down cleanly: no longer holds the horizon back, nothing of it in flight. */
  closed?: boolean;
}

/** The instance cannot order writes: its publish to the database is late. */
export class EventLogUnavailable extends DomainError {
  readonly retryAfterSeconds = 1;

  constructor() {
    super(
      'SERVICE.UNAVAILABLE',
      'The event log cannot order writes right now (this instance cannot reach the database); try again shortly',
    );
  }
}

/** One stamp issued to a write, in flight until the write is known stored or refused. */
export interface Stamp {
  readonly seq: number;
  /** Stored or refused for sure. */
  finish(): void;
  /** Unknown (an error mid-write): it may still land, but not after its deadline. */
  finishAtDeadline(): void;
  /** Throws unless there is still time to land (before a transaction commits). */
  assertLandable(): void;
}

/**
 * The Mongo driver's horizon (docs/EVENTS.md): this instance's clock and in-flight stamps, its
 * safe point published every PUBLISH_PERIOD_MS, the other live instances' safe points read back
 * in the same tick. Readers read only below the horizon, the least of them; the tick also wakes
 * long-polls when the horizon passes new entries: one poll per instance, whatever the waiters.
 */
@Injectable()
export class MongoEventHorizon implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly instanceId = newId('in');
  private readonly logger = new Logger('EventHorizon');
  private readonly clock = new SeqClock();
  private horizon = 0;
  /** When (performance.now) the publish of the last complete tick was sent. */
  private authoritySentAt = -Infinity;
  private highestLanded = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private failing = false;
  private tickWaiters: (() => void)[] = [];

  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly notifier: EventLogNotifier,
  ) {}

  private get records() {
    return this.connection.collection<HorizonRecord>(HORIZON_COLLECTION);
  }

  onApplicationBootstrap(): void {
    void this.loop();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    // Out of the horizon at once rather than after GONE_AFTER_MS, unless a write of ours may
    // still land; the record stays (until forgotten) to tell the others what we last landed.
    if (this.clock.pending === 0) {
      await this.records
        .updateOne({ _id: this.instanceId }, { $set: { closed: true, landed: this.highestLanded } })
        .catch(() => undefined);
    }
  }

  /** Entries stamped below this are all stored: readers read up to it. */
  current(): number {
    return this.horizon;
  }

  /** Where entries of writes that start from now on will be: `after=now`. */
  now(): number {
    return this.clock.safePoint();
  }

  /**
   * A stamp for a write about to be sent, above `floor` (the stamp of the task's previous
   * entry, so a task's entries keep version order whatever the clocks); 503 when this
   * instance's publish is late.
   */
  async stamp(floor = 0): Promise<Stamp> {
    if (!this.authorized()) await this.nextTick(STAMP_PATIENCE_MS);
    if (!this.authorized()) throw new EventLogUnavailable();
    this.clock.lift(floor);
    const seq = this.clock.issue();
    const landBy = this.authoritySentAt + GONE_AFTER_MS;
    let open = true;
    const finish = () => {
      if (!open) return;
      open = false;
      this.clock.finish(seq);
    };
    return {
      seq,
      finish: () => {
        if (open) this.highestLanded = Math.max(this.highestLanded, seq);
        finish();
      },
      finishAtDeadline: () => {
        if (open) this.highestLanded = Math.max(this.highestLanded, seq);
        setTimeout(finish, Math.max(0, landBy - performance.now())).unref();
      },
      assertLandable: () => {
        if (performance.now() > landBy - COMMIT_MARGIN_MS) throw new EventLogUnavailable();
      },
    };
  }

  private authorized(): boolean {
    return performance.now() - this.authoritySentAt < STAMP_WINDOW_MS;
  }

  private nextTick(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.tickWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private async loop(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.tick();
      if (this.failing) this.logger.log('Publishing the event horizon again');
      this.failing = false;
    } catch (error) {
      if (!this.failing) {
        this.logger.warn(`Cannot publish the event horizon: ${(error as Error).message}`);
      }
      this.failing = true;
    }
    const waiters = this.tickWaiters;
    this.tickWaiters = [];
    for (const wake of waiters) wake();
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.loop(), PUBLISH_PERIOD_MS);
    this.timer.unref();
  }

  /**
   * Publish, then read: a writer's stamps are lifted above every safe point published before
   * its own publish landed, and a reader that saw an instance's record includes it from then on.
   */
  private async tick(): Promise<void> {
    const sentAt = performance.now();
    // Landed before safe: a stamp counts as landed before the clock lets the safe point pass it,
    // so whoever sees `safe` past an entry of ours sees `landed` reach it.
    const landed = this.highestLanded;
    const safe = this.clock.safePoint();
    await this.records.updateOne(
      { _id: this.instanceId },
      { $set: { safe, landed }, $currentDate: { heartbeat_at: true } },
      { upsert: true },
    );
    const all = await this.records.find({}).toArray();
    const own = all.find((record) => record._id === this.instanceId);
    if (!own) throw new Error('own horizon record missing after its upsert');
    // Ages by the database's clock, so the instances' own clocks never enter the rule.
    const now = own.heartbeat_at.getTime();
    let horizon = safe;
    let highest = safe;
    let forget = false;
    let othersLanded = 0;
    let probe = false;
    for (const record of all) {
      if (record._id === this.instanceId) continue;
      const age = now - record.heartbeat_at.getTime();
      forget ||= age > FORGET_AFTER_MS;
      othersLanded = Math.max(othersLanded, record.landed ?? Infinity);
      if (record.closed) continue;
      if (age > GONE_AFTER_MS) {
        probe ||= age <= GONE_AFTER_MS + PROBE_AFTER_GONE_MS;
        continue;
      }
      horizon = Math.min(horizon, record.safe);
      highest = Math.max(highest, record.safe);
    }
    if (forget) {
      await this.records.deleteMany({ heartbeat_at: { $lt: new Date(now - FORGET_AFTER_MS) } });
    }
    this.clock.lift(highest);
    this.authoritySentAt = sentAt;
    const previous = this.horizon;
    if (horizon <= previous) return;
    this.horizon = horizon;
    await this.wake(previous, horizon, Math.max(this.highestLanded, othersLanded), probe);
  }

  /**
   * Wakes the waiters when entries may have landed in [from, to): some instance (this one, a
   * live or a closed one) told of a landed stamp at or past `from`. Only just after an instance
   * was counted gone is the log itself probed. A wake-up too many costs each waiter one read.
   */
  private async wake(from: number, to: number, landed: number, probe: boolean): Promise<void> {
    if (this.notifier.waiting === 0) return;
    const found =
      landed >= from ||
      (probe &&
        (await this.connection
          .collection('audit_entries')
          .findOne({ seq: { $gte: from, $lt: to } }, { projection: { _id: 1 } })) !== null);
    if (found) this.notifier.notify();
  }
}
