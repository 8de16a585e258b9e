import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { AccountLookup } from '@taskflow/identity';
import { Actor, AppConfig, Clock } from '@taskflow/platform';
import {
  attemptIdOf,
  Delivery,
  DeliveryAttempt,
  deliveryIdOf,
  MAX_ATTEMPTS,
  nextAttemptAt,
  Replay,
  replayStreamOf,
} from '../domain/delivery';
import { signatureHeader } from '../domain/signature';
import {
  DISABLE_AFTER_MS,
  signingSecrets,
  subscribes,
  WebhookEndpoint,
  WebhookUrlRefused,
} from '../domain/webhook';
import { DeliveryRepository } from '../ports/delivery.repository';
import { WebhookEventSource } from '../ports/webhook-event-source';
import { WebhookSender } from '../ports/webhook-sender';
import { WebhookRepository } from '../ports/webhook.repository';
import { DeliveryObserver } from './delivery-observer';
import { UrlGuard } from './url-guard';

export interface DispatchLimits {
  /** Between passes when nothing woke the dispatcher earlier; 0: no loop (unit tests). */
  readonly intervalMs: number;
  /** Requests in flight from this instance to one endpoint. */
  readonly perEndpoint: number;
  /** Requests in flight from this instance in all. */
  readonly overall: number;
  /** A receiver that has not answered by then has failed the attempt (DESIGN §10: 10 s). */
  readonly timeoutMs: number;
  /**
   * An attempt claimed this long ago and still pending was cut off (its sender died): it counts
   * as failed and the next one is owed. Longer than any live send (timeout plus the writes).
   */
  readonly staleAfterMs: number;
}

export const DISPATCH_LIMITS = Symbol('DISPATCH_LIMITS');
/** perEndpoint and overall as configured (WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT, …_IN_FLIGHT). */
export const DEFAULT_DISPATCH_LIMITS: DispatchLimits = {
  intervalMs: 250,
  perEndpoint: 4,
  overall: 32,
  timeoutMs: 10_000,
  staleAfterMs: 30_000,
};

const CURSOR_BATCH = 100;
const DUE_BATCH = 100;
/** Cursors are moved on every wake-up from the log, and at least this often regardless. */
const FOLLOW_EVERY_MS = 2_000;
/** The shortest gap between passes, so wake-ups under load coalesce instead of hammering. */
const MIN_GAP_MS = 20;
/**
 * A batch of due deliveries is used this long before it is fetched again (sooner when used up or
 * when new deliveries were owed). A kept copy that another instance has sent meanwhile only
 * loses its claim; on FerretDB the fetch was among the dearest commands (about 175 ms each).
 */
const QUEUE_FRESH_MS = 2_000;
/** The backlog gauge is a count over all instances' deliveries: refreshed this often. */
const BACKLOG_EVERY_MS = 5_000;

type OwnerOf = (endpoint: WebhookEndpoint) => Promise<Actor | null>;
type Outcome = Pick<DeliveryAttempt, 'responseStatus' | 'error' | 'durationMs'> & { skip?: true };

/** An attempt not made: it fails without a retry and does not count against the endpoint. */
const skipped = (error: string): Outcome => ({
  responseStatus: null,
  error,
  durationMs: 0,
  skip: true,
});

/** The delivery after an attempt: done, failed for good, or the next attempt due at `retryAt`. */
const advanced = (delivery: Delivery, succeeded: boolean, retryAt: Date | null): Delivery =>
  succeeded
    ? { ...delivery, status: 'succeeded' }
    : retryAt === null
      ? { ...delivery, status: 'failed' }
      : { ...delivery, attempt: delivery.attempt + 1, dueAt: retryAt };

/**
 * Follows the event log for every enabled endpoint and sends what is due. Every instance runs
 * one (unless WEBHOOK_DISPATCH=off); unique keys decide between them (docs/WEBHOOKS.md).
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('WebhookDispatcher');
  private readonly limits: DispatchLimits;
  private timer: NodeJS.Timeout | null = null;
  private pass: Promise<void> | null = null;
  private stopped = false;
  /** Sends in flight, per endpoint id. */
  private readonly inFlight = new Map<string, number>();
  /** The deliveries this instance is sending now, which the next pass must not pick again. */
  private readonly sending = new Set<string>();
  /** Deliveries another instance is sending, left alone until its send must have ended. */
  private readonly elsewhere = new Map<string, number>();
  private readonly sends = new Set<Promise<void>>();
  private inFlightTotal = 0;
  /** A wake-up came while a pass ran: run another right after it. */
  private again = false;
  private unwatch: (() => void) | null = null;
  private backlogCountedAt = 0;
  /** Due deliveries fetched and not yet started (see startDue). */
  private queue: Delivery[] = [];
  private queuedAt = 0;
  private owedNew = false;
  /** New entries may be readable since the cursors were last moved. */
  private dirty = true;
  private followedAt = 0;

  constructor(
    private readonly endpoints: WebhookRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly events: WebhookEventSource,
    private readonly sender: WebhookSender,
    private readonly guard: UrlGuard,
    private readonly accounts: AccountLookup,
    private readonly observer: DeliveryObserver,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    @Optional()
    @Inject(DISPATCH_LIMITS)
    limits?: DispatchLimits,
  ) {
    this.limits = limits ?? {
      ...DEFAULT_DISPATCH_LIMITS,
      perEndpoint: config.webhookMaxInFlightPerEndpoint,
      overall: config.webhookMaxInFlight,
    };
  }

  onApplicationBootstrap(): void {
    if (!this.config.webhookDispatch || this.limits.intervalMs <= 0) return;
    this.timer = setInterval(() => void this.tick(), this.limits.intervalMs);
    this.timer.unref();
    // New entries wake a pass at once (latency); the timer still drives retries and a backlog.
    this.unwatch = this.events.watch(() => {
      this.dirty = true;
      void this.tick();
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.unwatch?.();
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.pass;
    await Promise.allSettled([...this.sends]);
  }

  /**
   * One pass: move the endpoints' cursors (when the log may have grown, or at least every
   * FOLLOW_EVERY_MS in case a wake-up was missed), then start the sends that are due.
   */
  async runOnce(follow = true): Promise<void> {
    const endpoints = await this.endpoints.listEnabled();
    // The owners as this pass reads them, once each, for following and sending alike.
    const owners = new Map<string, Promise<Actor | null>>();
    const ownerOf = (endpoint: WebhookEndpoint): Promise<Actor | null> => {
      let owner = owners.get(endpoint.ownerId);
      if (owner === undefined) {
        owner = this.accounts.findActive(endpoint.ownerId);
        owners.set(endpoint.ownerId, owner);
      }
      return owner;
    };
    if (follow) {
      this.dirty = false;
      this.followedAt = Date.now();
      await this.followAll(endpoints, ownerOf);
    }
    await this.startDue(new Map(endpoints.map((endpoint) => [endpoint.id, endpoint])), ownerOf);
    const now = Date.now();
    if (now - this.backlogCountedAt >= BACKLOG_EVERY_MS) {
      this.backlogCountedAt = now;
      await this.observer.backlog(await this.deliveries.countPending());
    }
  }

  private async followAll(endpoints: readonly WebhookEndpoint[], ownerOf: OwnerOf): Promise<void> {
    const replays = await this.deliveries.unfinishedReplays();
    for (const endpoint of endpoints) {
      if (this.stopped) return;
      const owner = await ownerOf(endpoint);
      if (owner === null) continue;
      const streams: [string, Replay | null][] = [
        [endpoint.id, null],
        ...replays
          .filter((replay) => replay.endpointId === endpoint.id)
          .map((replay): [string, Replay] => [replayStreamOf(endpoint.id, replay.id), replay]),
      ];
      for (const [stream, replay] of streams) {
        try {
          // A cursor that moved may have more behind it: read again on the next pass.
          if (await this.follow(endpoint, owner, stream, replay)) this.dirty = true;
        } catch (error) {
          this.dirty = true;
          this.logger.warn(`Reading events for ${stream} failed: ${(error as Error).message}`);
        }
      }
    }
  }

  /** Waits for the sends this instance has started (tests, shutdown). */
  async settle(): Promise<void> {
    while (this.sends.size > 0) await Promise.allSettled([...this.sends]);
  }

  /**
   * Reads one batch after a cursor — the endpoint's own, or a replay's (up to its end) — and
   * owes its subscribed events, then claims the move of the cursor. Deliveries are written before
   * the move, so a crash between the two re-reads the batch and finds them owed already (same
   * ids): nothing is lost or owed twice. A replay whose cursor reached its end is finished.
   */
  private async follow(
    endpoint: WebhookEndpoint,
    owner: Actor,
    stream: string,
    replay: Replay | null,
  ): Promise<boolean> {
    const step = await this.deliveries.latestStep(stream);
    if (step === null) return false;
    const now = this.clock.now();
    const batch = await this.events.read(
      owner,
      step.position,
      endpoint.types,
      CURSOR_BATCH,
      replay?.until,
    );
    if (batch.next === step.position) {
      if (replay !== null && batch.next === replay.until) {
        await this.deliveries.finishReplay(replay.id, now);
      }
      return false;
    }
    if (batch.events.length > 0) this.owedNew = true;
    await this.deliveries.addDeliveries(
      batch.events
        .filter((event) => subscribes(endpoint, event.type))
        .map((event) => ({
          id: deliveryIdOf(endpoint.id, event.id, replay?.id),
          endpointId: endpoint.id,
          event,
          attempt: 1,
          status: 'pending' as const,
          dueAt: now,
          createdAt: now,
        })),
    );
    await this.deliveries.claimStep({
      endpointId: stream,
      n: step.n + 1,
      position: batch.next,
      at: now,
    });
    return true;
  }

  /**
   * Starts due deliveries while there are free slots, an endpoint's in one batch (see
   * attemptBatch). Due deliveries are fetched a batch at a time and kept, so a freed slot costs
   * no query; the batch is fetched afresh when it is used up, older than QUEUE_FRESH_MS, or new
   * deliveries were owed (a kept copy that another instance has since sent only loses its claim).
   */
  private async startDue(
    enabled: ReadonlyMap<string, WebhookEndpoint>,
    ownerOf: OwnerOf,
  ): Promise<void> {
    if (this.inFlightTotal >= this.limits.overall) return;
    if (this.queue.length === 0 || this.owedNew || Date.now() - this.queuedAt > QUEUE_FRESH_MS) {
      this.owedNew = false;
      this.queuedAt = Date.now();
      const busy = [...this.inFlight]
        .filter(([, count]) => count >= this.limits.perEndpoint)
        .map(([id]) => id);
      this.queue = await this.deliveries.findDue(this.clock.now(), busy, DUE_BATCH);
    }
    const kept: Delivery[] = [];
    const batches = new Map<string, Delivery[]>();
    let starting = 0;
    for (const delivery of this.queue) {
      if (this.stopped) return;
      const endpoint = enabled.get(delivery.endpointId);
      // A disabled endpoint's deliveries wait in storage: turned back on, it gets them.
      if (endpoint === undefined || this.sending.has(delivery.id)) continue;
      const until = this.elsewhere.get(delivery.id);
      if (until !== undefined && until > this.clock.now().getTime()) continue;
      this.elsewhere.delete(delivery.id);
      const batch = batches.get(endpoint.id) ?? [];
      if (
        this.inFlightTotal + starting >= this.limits.overall ||
        (this.inFlight.get(endpoint.id) ?? 0) + batch.length >= this.limits.perEndpoint
      ) {
        kept.push(delivery);
        continue;
      }
      batch.push(delivery);
      batches.set(endpoint.id, batch);
      starting += 1;
    }
    this.queue = kept;
    for (const [id, batch] of batches) {
      const endpoint = enabled.get(id) as WebhookEndpoint;
      this.track(
        id,
        batch.map((delivery) => delivery.id),
        ownerOf(endpoint).then((owner) => this.attemptBatch(endpoint, owner, batch)),
      );
    }
  }

  private track(endpointId: string, deliveryIds: readonly string[], work: Promise<boolean>): void {
    const count = deliveryIds.length;
    this.inFlight.set(endpointId, (this.inFlight.get(endpointId) ?? 0) + count);
    this.inFlightTotal += count;
    for (const id of deliveryIds) this.sending.add(id);
    let made = false;
    const done = work
      .then((attempted) => {
        made = attempted;
      })
      .catch((error: unknown) =>
        this.logger.warn(`Webhook delivery failed: ${(error as Error).message}`),
      )
      .finally(() => {
        const left = (this.inFlight.get(endpointId) ?? count) - count;
        if (left <= 0) this.inFlight.delete(endpointId);
        else this.inFlight.set(endpointId, left);
        this.inFlightTotal -= count;
        for (const id of deliveryIds) this.sending.delete(id);
        this.sends.delete(done);
        // Freed slots take the next due deliveries now rather than at the next tick; only after
        // a real attempt, so a claim another instance holds cannot spin a loop of passes.
        if (made && this.timer !== null) void this.tick();
      });
    this.sends.add(done);
  }

  /**
   * Claims the next attempt of each delivery (one endpoint's, all at once: one insert, each
   * claim decided by its own unique id), makes those it won side by side and writes their
   * outcomes together; a lost claim is left to its winner (or repaired). The endpoint and owner
   * are this pass's. Returns whether this call made an attempt.
   */
  async attemptBatch(
    endpoint: WebhookEndpoint,
    owner: Actor | null,
    deliveries: readonly Delivery[],
  ): Promise<boolean> {
    const startedAt = this.clock.now();
    const claims = deliveries.map((delivery): DeliveryAttempt => ({
      id: attemptIdOf(delivery.id, delivery.attempt),
      endpointId: delivery.endpointId,
      deliveryId: delivery.id,
      eventId: delivery.event.id,
      attempt: delivery.attempt,
      status: 'pending',
      responseStatus: null,
      error: null,
      durationMs: null,
      at: startedAt,
      nextAttemptAt: null,
    }));
    const won = await this.deliveries.claimAttempts(claims);
    const mine: [Delivery, DeliveryAttempt][] = [];
    for (const [index, delivery] of deliveries.entries()) {
      if (won.has(claims[index].id)) mine.push([delivery, claims[index]]);
      else await this.repair(delivery, claims[index].id);
    }
    if (mine.length === 0) return false;
    const outcomes = await this.sendAll(
      endpoint,
      owner,
      mine.map(([delivery]) => delivery),
      startedAt,
    );
    await this.finish(
      mine.map(([delivery, claim], index) => [delivery, { ...claim, ...outcomes[index] }]),
    );
    return true;
  }

  /** Sends one endpoint's deliveries side by side: one visibility read, one URL check. */
  private async sendAll(
    endpoint: WebhookEndpoint,
    owner: Actor | null,
    deliveries: readonly Delivery[],
    startedAt: Date,
  ): Promise<Outcome[]> {
    if (!endpoint.enabled || owner === null) {
      return deliveries.map(() => skipped('the endpoint or its owner is disabled'));
    }
    const visible = await this.events.visibleTasks(
      owner,
      deliveries.map((delivery) => delivery.event),
    );
    let target: { url: URL; address: string };
    try {
      target = await this.guard.check(endpoint.url);
    } catch (error) {
      if (!(error instanceof WebhookUrlRefused)) throw error;
      const refused = { responseStatus: null, error: `refused: ${error.message}`, durationMs: 0 };
      return deliveries.map((delivery) =>
        visible.has(delivery.event.taskId)
          ? refused
          : skipped('the owner may no longer see this task'),
      );
    }
    return Promise.all(
      deliveries.map((delivery) =>
        visible.has(delivery.event.taskId)
          ? this.send(endpoint, target, delivery, startedAt)
          : skipped('the owner may no longer see this task'),
      ),
    );
  }

  private async send(
    endpoint: WebhookEndpoint,
    target: { url: URL; address: string },
    delivery: Delivery,
    startedAt: Date,
  ): Promise<Outcome> {
    const body = JSON.stringify(delivery.event.body);
    const timestamp = Math.floor(startedAt.getTime() / 1000);
    const result = await this.sender.send({
      url: target.url,
      address: target.address,
      body,
      timeoutMs: this.limits.timeoutMs,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'TaskFlow-Webhooks/1',
        'webhook-id': delivery.event.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signatureHeader(
          signingSecrets(endpoint, startedAt),
          delivery.event.id,
          timestamp,
          body,
        ),
      },
    });
    return { responseStatus: result.status, error: result.error, durationMs: result.durationMs };
  }

  /**
   * Writes the attempts' outcomes, then moves their deliveries on (one write each for the whole
   * batch). A crash between the two is repaired by the next claimer of the same attempt, which
   * finds it finished (`repair`).
   */
  private async finish(
    made: readonly [Delivery, DeliveryAttempt & { skip?: true }][],
  ): Promise<void> {
    const now = this.clock.now();
    const attempts: DeliveryAttempt[] = [];
    const moved: Delivery[] = [];
    let sent = false;
    let anySucceeded = false;
    for (const [delivery, outcome] of made) {
      const succeeded =
        outcome.error === null && outcome.responseStatus !== null && outcome.responseStatus < 300;
      const retryAt =
        succeeded || outcome.skip === true || delivery.attempt >= MAX_ATTEMPTS
          ? null
          : nextAttemptAt(delivery.attempt, now);
      const { skip, ...attempt } = outcome;
      attempts.push({
        ...attempt,
        status: succeeded ? 'succeeded' : 'failed',
        nextAttemptAt: retryAt,
      });
      moved.push(advanced(delivery, succeeded, retryAt));
      if (skip !== true) {
        sent = true;
        anySucceeded ||= succeeded;
        this.observer.attempted(
          succeeded ? 'succeeded' : retryAt !== null ? 'retrying' : 'failed',
          (outcome.durationMs ?? 0) / 1000,
        );
      }
    }
    await this.deliveries.saveAttempts(attempts);
    await this.deliveries.saveDeliveries(moved);
    if (sent) await this.markEndpoint(made[0][0].endpointId, anySucceeded, now);
  }

  /**
   * The attempt was claimed before. Finished: its claimer died before moving the delivery on,
   * so do that. Still pending long past any live send: its sender died mid-request, so it counts
   * as failed and the next attempt is owed (at once: the receiver may never have seen it).
   */
  private async repair(delivery: Delivery, attemptId: string): Promise<void> {
    const attempt = await this.deliveries.findAttempt(attemptId);
    if (attempt === null) return;
    const now = this.clock.now();
    if (attempt.status !== 'pending') {
      const current = await this.deliveries.findDelivery(delivery.id);
      if (current?.status === 'pending' && current.attempt === delivery.attempt) {
        await this.deliveries.saveDeliveries([
          advanced(delivery, attempt.status === 'succeeded', attempt.nextAttemptAt),
        ]);
      }
      return;
    }
    if (now.getTime() - attempt.at.getTime() < this.limits.staleAfterMs) {
      // In flight elsewhere: look again once that send has had its time (not every pass).
      this.elsewhere.set(delivery.id, now.getTime() + this.limits.timeoutMs + 1_000);
      return;
    }
    const retryAt = delivery.attempt >= MAX_ATTEMPTS ? null : now;
    await this.deliveries.saveAttempts([
      {
        ...attempt,
        status: 'failed',
        error: 'cut off: the sending instance stopped before an answer',
        nextAttemptAt: retryAt,
      },
    ]);
    await this.deliveries.saveDeliveries([advanced(delivery, false, retryAt)]);
  }

  /** Failures with no success between them for 3 days disable the endpoint (DESIGN §10). */
  private async markEndpoint(id: string, succeeded: boolean, now: Date): Promise<void> {
    const endpoint = await this.endpoints.findById(id);
    if (!endpoint) return;
    if (succeeded) {
      if (endpoint.failingSince !== null) await this.endpoints.setFailingSince(id, null);
      return;
    }
    if (endpoint.failingSince === null) {
      await this.endpoints.setFailingSince(id, now);
    } else if (
      endpoint.enabled &&
      now.getTime() - endpoint.failingSince.getTime() >= DISABLE_AFTER_MS
    ) {
      const reason = `every delivery since ${endpoint.failingSince.toISOString()} failed`;
      await this.endpoints.disable(id, reason, now);
    }
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    if (this.pass !== null) {
      this.again = true;
      return;
    }
    this.pass = this.runOnce(this.dirty || Date.now() - this.followedAt >= FOLLOW_EVERY_MS);
    try {
      await this.pass;
    } catch (error) {
      this.logger.warn(`Webhook dispatch pass failed: ${(error as Error).message}`);
    } finally {
      this.pass = null;
    }
    if (this.again) {
      this.again = false;
      setTimeout(() => void this.tick(), MIN_GAP_MS).unref();
    }
  }
}
