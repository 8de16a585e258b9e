import { DeliveryRepository, WebhookDispatcher } from '@taskflow/webhooks';
import { startTestApp, TestApp, TEST_DRIVERS } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';
import { as, expectStatus } from '../support/workflow';

/** More than one page of the dispatcher's log reads (100), so the replay takes several passes. */
const EVENTS = 150;

/**
 * Issue 21: a replay is a range its own cursor works through, so one cut short — by a crash
 * between owing a page and moving the cursor, or by the process stopping — goes on after it.
 */
describe.each(TEST_DRIVERS)('a resumable webhook replay (%s driver)', (driver) => {
  let receiver: WebhookReceiver;
  const apps: TestApp[] = [];
  const start = async (env: Record<string, string>) => {
    const t = await startTestApp(driver, env);
    apps.push(t);
    return t;
  };

  beforeEach(async () => {
    receiver = await new WebhookReceiver().start();
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await Promise.all(apps.splice(0).map((t) => t.close()));
    await receiver.close();
  });

  /** Tasks, then an endpoint (owed none of them), then the replay of them all: its id. */
  async function replayOfNewTasks(t: TestApp): Promise<{ replayId: string; owed: string[] }> {
    const cursor = expectStatus(
      await t.http().get('/events').query({ after: 'now' }).set(as('u_alice')),
      200,
    ).body.next_cursor as string;
    const owed: string[] = [];
    for (let i = 0; i < EVENTS; i++) {
      const res = await t
        .http()
        .post('/tasks')
        .set(as('u_alice'))
        .send({ title: `r${i}` });
      owed.push(`${expectStatus(res, 201).body.id as string}:1`);
    }
    const hook = expectStatus(
      await t.http().post('/webhooks').set(as('u_alice')).send({ url: receiver.url }),
      201,
    ).body.id as string;
    const answer = expectStatus(
      await t.http().post(`/webhooks/${hook}/replay`).set(as('u_alice')).send({ after: cursor }),
      202,
    ).body;
    expect(answer).toEqual({ replay_id: expect.stringMatching(/^rp_/), status: 'running' });
    return { replayId: answer.replay_id as string, owed };
  }

  /** Passes of the app's dispatcher until the receiver has every owed event (or 60 s). */
  async function drain(t: TestApp, owed: readonly string[]): Promise<Set<string>> {
    const dispatcher = t.app.get(WebhookDispatcher, { strict: false });
    const deadline = Date.now() + 60_000;
    for (;;) {
      const got = new Set(receiver.received.map((each) => String(each.headers['webhook-id'])));
      if (owed.every((id) => got.has(id)) || Date.now() > deadline) return got;
      await dispatcher.runOnce();
      await dispatcher.settle();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('completes a replay whose pass died between owing a page and moving its cursor', async () => {
    const t = await start({ WEBHOOK_DISPATCH: 'off' });
    const { replayId, owed } = await replayOfNewTasks(t);
    const deliveries = t.app.get(DeliveryRepository, { strict: false });
    const claim = deliveries.claimStep.bind(deliveries);
    const moves = jest.spyOn(deliveries, 'claimStep').mockImplementation(async (step) => {
      if (step.endpointId.endsWith(`~${replayId}`)) throw new Error('killed');
      return claim(step);
    });
    const dispatcher = t.app.get(WebhookDispatcher, { strict: false });
    await dispatcher.runOnce();
    await dispatcher.settle();
    expect(moves).toHaveBeenCalledWith(expect.objectContaining({ n: 1 }));
    moves.mockRestore();

    const got = await drain(t, owed);
    expect(owed.filter((id) => !got.has(id))).toEqual([]);
    expect(await deliveries.unfinishedReplays()).toEqual([]);
    // Nothing after the replay's end and nothing outside it was sent.
    expect([...got].filter((id) => !owed.includes(id))).toEqual([]);
  });

  if (driver === 'mongo') {
    it('completes on a new instance a replay its first instance stopped in the middle of', async () => {
      const first = await start({ WEBHOOK_DISPATCH: 'off' });
      const { owed } = await replayOfNewTasks(first);
      // One pass owes the first page and starts its sends; then the instance stops.
      const dispatcher = first.app.get(WebhookDispatcher, { strict: false });
      await dispatcher.runOnce();
      await dispatcher.settle();
      const before = new Set(receiver.received.map((each) => each.headers['webhook-id']));
      expect(before.size).toBeGreaterThan(0);
      expect(before.size).toBeLessThan(EVENTS);
      await first.close();

      // The same database, dispatching on its own.
      const second = await start({ MONGODB_URI: first.mongoUri as string });
      const deadline = Date.now() + 90_000;
      let got = new Set<string>();
      while (Date.now() < deadline) {
        got = new Set(receiver.received.map((each) => String(each.headers['webhook-id'])));
        if (owed.every((id) => got.has(id))) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(owed.filter((id) => !got.has(id))).toEqual([]);
      const deliveries = second.app.get(DeliveryRepository, { strict: false });
      expect(await deliveries.unfinishedReplays()).toEqual([]);
    }, 120_000);
  }
});
