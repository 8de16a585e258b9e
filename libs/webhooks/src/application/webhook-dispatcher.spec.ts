import type { AccountLookup } from '@taskflow/identity';
import { Actor, loadConfig, ManualClock } from '@taskflow/platform';
import type { WebhookEvent } from '../domain/delivery';
import { DISABLE_AFTER_MS, WebhookEndpoint } from '../domain/webhook';
import { MemoryDeliveryRepository } from '../infrastructure/memory/memory-delivery.repository';
import { MemoryWebhookRepository } from '../infrastructure/memory/memory-webhook.repository';
import { HostResolver } from '../ports/host-resolver';
import { EventBatch, WebhookEventSource } from '../ports/webhook-event-source';
import { OutgoingDelivery, SendResult, WebhookSender } from '../ports/webhook-sender';
import { NoDeliveryObserver } from './delivery-observer';
import { UrlGuard } from './url-guard';
import { DEFAULT_DISPATCH_LIMITS, DispatchLimits, WebhookDispatcher } from './webhook-dispatcher';

/** A log of events as positions 0..n; every event is visible unless hidden. */
class FakeLog extends WebhookEventSource {
  readonly events: WebhookEvent[] = [];
  readonly hidden = new Set<string>();
  reads = 0;

  add(taskId: string, version = 1, type = 'task.created'): WebhookEvent {
    const event = {
      id: `${taskId}:${version}`,
      type,
      taskId,
      version,
      body: { id: `${taskId}:${version}`, type },
    };
    this.events.push(event);
    return event;
  }
  async start(after: string): Promise<string> {
    return after === 'now' ? String(this.events.length) : after;
  }
  async read(
    _owner: Actor,
    position: string,
    types: readonly string[] | null,
    limit: number,
    until?: string,
  ): Promise<EventBatch> {
    this.reads += 1;
    const from = Number(position);
    const to = until === undefined ? this.events.length : Number(until);
    if (from >= to && until !== undefined) return { events: [], next: until };
    const slice = this.events.slice(from, Math.max(from, Math.min(to, from + limit)));
    return {
      events: slice.filter((event) => types === null || types.includes(event.type)),
      next: String(from + slice.length),
    };
  }
  watch(): () => void {
    return () => undefined;
  }
  async visibleTasks(_owner: Actor, events: readonly WebhookEvent[]): Promise<Set<string>> {
    return new Set(events.filter((e) => !this.hidden.has(e.taskId)).map((e) => e.taskId));
  }
}

/** Answers with the queued statuses (then 204); `hold` keeps requests open until released. */
class FakeSender extends WebhookSender {
  readonly sent: OutgoingDelivery[] = [];
  readonly statuses: number[] = [];
  hold: ((delivery: OutgoingDelivery) => boolean) | null = null;
  private readonly held: (() => void)[] = [];

  async send(delivery: OutgoingDelivery): Promise<SendResult> {
    this.sent.push(delivery);
    if (this.hold?.(delivery)) await new Promise<void>((resolve) => this.held.push(resolve));
    const status = this.statuses.shift() ?? 204;
    return { status, error: status < 300 ? null : `answered ${status}`, durationMs: 3 };
  }
  release(): void {
    for (const resolve of this.held.splice(0)) resolve();
  }
}

class StaticResolver extends HostResolver {
  async resolve(): Promise<string[]> {
    return ['93.184.215.14'];
  }
}

const owners = new Map<string, Actor | null>([['u_alice', { id: 'u_alice', role: 'human' }]]);
const accounts = { findActive: async (id: string) => owners.get(id) ?? null } as AccountLookup;

function setup(limits: Partial<DispatchLimits> | null = {}, env: Record<string, string> = {}) {
  const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
  const endpoints = new MemoryWebhookRepository();
  const deliveries = new MemoryDeliveryRepository();
  const log = new FakeLog();
  const sender = new FakeSender();
  const config = loadConfig({ DEV_MODE: 'true', WEBHOOK_ALLOW_PRIVATE: 'false', ...env });
  const dispatcher = () =>
    new WebhookDispatcher(
      endpoints,
      deliveries,
      log,
      sender,
      new UrlGuard(new StaticResolver(), config),
      accounts,
      new NoDeliveryObserver(),
      clock,
      config,
      // null: the limits the configuration gives (as in the app); no loop is started here.
      limits === null ? undefined : { ...DEFAULT_DISPATCH_LIMITS, intervalMs: 0, ...limits },
    );
  const addEndpoint = async (id: string, overrides: Partial<WebhookEndpoint> = {}) => {
    await endpoints.insert({
      id,
      ownerId: 'u_alice',
      url: `https://${id}.example.com/hook`,
      types: null,
      description: null,
      enabled: true,
      disabledReason: null,
      secrets: [{ secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}`, expiresAt: null }],
      failingSince: null,
      createdAt: clock.now(),
      updatedAt: clock.now(),
      ...overrides,
    });
    await deliveries.claimStep({
      endpointId: id,
      n: 0,
      position: await log.start('now'),
      at: clock.now(),
    });
  };
  const pass = async (d: WebhookDispatcher) => {
    await d.runOnce();
    await d.settle();
  };
  return { clock, endpoints, deliveries, log, sender, dispatcher, addEndpoint, pass };
}

describe('WebhookDispatcher', () => {
  it('owes an endpoint only the events after it was made, and sends each once', async () => {
    const s = setup();
    s.log.add('tk_before');
    await s.addEndpoint('wh_a');
    s.log.add('tk_1');
    s.log.add('tk_2');
    const d = s.dispatcher();
    await s.pass(d);
    await s.pass(d);
    expect(s.sender.sent.map((each) => each.headers['webhook-id'])).toEqual(['tk_1:1', 'tk_2:1']);
  });

  it('sends one attempt once when two instances race for it', async () => {
    const s = setup();
    await s.addEndpoint('wh_a');
    for (let i = 0; i < 20; i++) s.log.add(`tk_${i}`);
    const [one, two] = [s.dispatcher(), s.dispatcher()];
    for (let i = 0; i < 8; i++) await Promise.all([s.pass(one), s.pass(two)]);
    const ids = s.sender.sent.map((each) => each.headers['webhook-id']);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
  });

  it('re-reads after a crash between owing and moving the cursor, owing nothing twice', async () => {
    const s = setup();
    await s.addEndpoint('wh_a');
    s.log.add('tk_1');
    // The crash: the deliveries were written, the cursor move was not.
    jest.spyOn(s.deliveries, 'claimStep').mockRejectedValueOnce(new Error('killed'));
    const d = s.dispatcher();
    await expect(d.runOnce()).resolves.toBeUndefined();
    await d.settle();
    await s.pass(d);
    await s.pass(d);
    expect(s.sender.sent.map((each) => each.headers['webhook-id'])).toEqual(['tk_1:1']);
    expect((await s.deliveries.latestStep('wh_a'))?.n).toBe(1);
  });

  it('works through a replay up to its end, resuming after a crash where its cursor stands', async () => {
    const s = setup();
    for (let i = 0; i < 150; i++) s.log.add(`tk_${i}`);
    await s.addEndpoint('wh_a');
    // The replay of everything so far; what comes after it is the endpoint's own business.
    await s.deliveries.claimStep({
      endpointId: 'wh_a~rp_1',
      n: 0,
      position: '0',
      at: s.clock.now(),
    });
    await s.deliveries.addReplay({
      id: 'rp_1',
      endpointId: 'wh_a',
      until: '150',
      createdAt: s.clock.now(),
      finishedAt: null,
    });
    s.log.add('tk_after');
    // The crash: the replay's first page was owed, its cursor move was not.
    const moves = jest.spyOn(s.deliveries, 'claimStep');
    moves.mockImplementation(async (step) => {
      if (step.endpointId === 'wh_a~rp_1') throw new Error('killed');
      return MemoryDeliveryRepository.prototype.claimStep.call(s.deliveries, step);
    });
    await s.pass(s.dispatcher());
    moves.mockRestore();
    expect(await s.deliveries.latestStep('wh_a~rp_1')).toMatchObject({ n: 0 });
    const survivor = s.dispatcher();
    for (let i = 0; i < 60 && (await s.deliveries.unfinishedReplays()).length > 0; i++) {
      await s.pass(survivor);
    }
    for (let i = 0; i < 60 && (await s.deliveries.countPending()) > 0; i++) await s.pass(survivor);
    expect(await s.deliveries.unfinishedReplays()).toEqual([]);
    const sent = s.sender.sent.map((each) => each.headers['webhook-id']);
    const replayed = Array.from({ length: 150 }, (_, i) => `tk_${i}:1`);
    // Each replayed event once (the re-read page owed the same ids), and the live one once.
    expect(sent.filter((id) => id !== 'tk_after:1').sort()).toEqual(replayed.sort());
    expect(sent.filter((id) => id === 'tk_after:1')).toHaveLength(1);
  });

  it('retries an attempt a crash cut off, once it is older than any live send', async () => {
    const s = setup({ staleAfterMs: 60_000 });
    await s.addEndpoint('wh_a');
    s.log.add('tk_1');
    const d = s.dispatcher();
    // The sender "dies" mid-request: the claim stays pending and the delivery at attempt 1.
    jest.spyOn(s.sender, 'send').mockImplementationOnce(() => new Promise(() => undefined));
    void d.runOnce();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const survivor = s.dispatcher();
    await s.pass(survivor);
    expect((await s.deliveries.findAttempt('wh_a:tk_1:1:1'))?.status).toBe('pending');
    s.clock.advance(61_000);
    await s.pass(survivor);
    await s.pass(survivor);
    expect(await s.deliveries.findAttempt('wh_a:tk_1:1:1')).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/cut off/),
    });
    expect(await s.deliveries.findAttempt('wh_a:tk_1:1:2')).toMatchObject({ status: 'succeeded' });
    expect(await s.deliveries.findDelivery('wh_a:tk_1:1')).toMatchObject({ status: 'succeeded' });
  });

  it('moves on a delivery whose attempt finished before a crash, without sending again', async () => {
    const s = setup();
    await s.addEndpoint('wh_a');
    s.log.add('tk_1');
    const d = s.dispatcher();
    jest.spyOn(s.deliveries, 'saveDeliveries').mockRejectedValueOnce(new Error('killed'));
    await s.pass(d);
    expect(s.sender.sent).toHaveLength(1);
    expect(await s.deliveries.findDelivery('wh_a:tk_1:1')).toMatchObject({ status: 'pending' });
    await s.pass(d);
    expect(s.sender.sent).toHaveLength(1);
    expect(await s.deliveries.findDelivery('wh_a:tk_1:1')).toMatchObject({ status: 'succeeded' });
  });

  it('marks a delivery failed after the last attempt', async () => {
    const s = setup();
    await s.addEndpoint('wh_a');
    s.log.add('tk_1');
    s.sender.statuses.push(...Array.from({ length: 20 }, () => 500));
    const d = s.dispatcher();
    for (let i = 0; i < 12; i++) {
      await s.pass(d);
      const due = (await s.deliveries.findDelivery('wh_a:tk_1:1'))!.dueAt;
      s.clock.advance(Math.max(0, due.getTime() - s.clock.now().getTime()));
    }
    expect(s.sender.sent).toHaveLength(9);
    const last = await s.deliveries.findAttempt('wh_a:tk_1:1:9');
    expect(last).toMatchObject({ status: 'failed', nextAttemptAt: null });
    expect(await s.deliveries.findDelivery('wh_a:tk_1:1')).toMatchObject({ status: 'failed' });
  });

  it('disables an endpoint after 3 days of failures, and a success resets the count', async () => {
    const s = setup();
    await s.addEndpoint('wh_a');
    s.sender.statuses.push(500);
    s.log.add('tk_1');
    const d = s.dispatcher();
    await s.pass(d);
    expect((await s.endpoints.findById('wh_a'))?.failingSince).not.toBeNull();
    s.clock.advance(6_000);
    await s.pass(d);
    expect((await s.endpoints.findById('wh_a'))?.failingSince).toBeNull();

    s.sender.statuses.push(500, 500, 500);
    s.log.add('tk_2');
    await s.pass(d);
    s.clock.advance(DISABLE_AFTER_MS);
    s.log.add('tk_3');
    await s.pass(d);
    const disabled = await s.endpoints.findById('wh_a');
    expect(disabled).toMatchObject({
      enabled: false,
      disabledReason: expect.stringMatching(/failed/),
    });
  });

  it("stops a disabled owner's webhooks and skips events the owner can no longer see", async () => {
    const s = setup();
    owners.set('u_gone', null);
    await s.addEndpoint('wh_gone', { ownerId: 'u_gone' });
    await s.addEndpoint('wh_a');
    const hidden = s.log.add('tk_hidden');
    s.log.add('tk_seen');
    s.log.hidden.add(hidden.taskId);
    const d = s.dispatcher();
    await s.pass(d);
    await s.pass(d);
    expect(s.sender.sent.map((each) => [each.url.hostname, each.headers['webhook-id']])).toEqual([
      ['wh_a.example.com', 'tk_seen:1'],
    ]);
    expect(await s.deliveries.findAttempt('wh_a:tk_hidden:1:1')).toMatchObject({
      status: 'failed',
      error: 'the owner may no longer see this task',
    });
    expect(await s.deliveries.latestStep('wh_gone')).toMatchObject({ n: 0 });
  });

  it('keeps one slow endpoint to its share while another is served', async () => {
    const s = setup({ perEndpoint: 2, overall: 4 });
    await s.addEndpoint('wh_slow');
    await s.addEndpoint('wh_fast');
    s.sender.hold = (delivery) => delivery.url.hostname.startsWith('wh_slow');
    for (let i = 0; i < 10; i++) s.log.add(`tk_${i}`);
    const d = s.dispatcher();
    await d.runOnce();
    await d.runOnce();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await d.runOnce();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const hosts = s.sender.sent.map((each) => each.url.hostname);
    expect(hosts.filter((host) => host.startsWith('wh_slow'))).toHaveLength(2);
    expect(hosts.filter((host) => host.startsWith('wh_fast')).length).toBeGreaterThanOrEqual(2);
    s.sender.release();
    await d.settle();
  });

  it('takes its in-flight limits from the configuration', async () => {
    const s = setup(null, { WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT: '3', WEBHOOK_MAX_IN_FLIGHT: '5' });
    await s.addEndpoint('wh_a');
    await s.addEndpoint('wh_b');
    s.sender.hold = () => true;
    for (let i = 0; i < 10; i++) s.log.add(`tk_${i}`);
    const d = s.dispatcher();
    await d.runOnce();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const hosts = s.sender.sent.map((each) => each.url.hostname);
    // Three to the first endpoint (its share), two to the other (the instance's five in all).
    expect(hosts.sort()).toEqual([
      'wh_a.example.com',
      'wh_a.example.com',
      'wh_a.example.com',
      'wh_b.example.com',
      'wh_b.example.com',
    ]);
    s.sender.release();
    await d.settle();
  });

  it('refuses at send time a URL that now resolves to a private address', async () => {
    const s = setup();
    await s.addEndpoint('wh_a');
    s.log.add('tk_1');
    const d = s.dispatcher();
    jest.spyOn(StaticResolver.prototype, 'resolve').mockResolvedValue(['10.0.0.5']);
    await s.pass(d);
    expect(s.sender.sent).toEqual([]);
    expect(await s.deliveries.findAttempt('wh_a:tk_1:1:1')).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^refused: .*10\.0\.0\.5 \(private\)/),
    });
    jest.restoreAllMocks();
  });
});
