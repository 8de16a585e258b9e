import { startTestApp, TestApp } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';
import { as, expectStatus } from '../support/workflow';

const EVENTS = 200;
/** About one event in nine gets a 500 to its first request, so its retry races too. */
const failsFirst = (webhookId: string): boolean =>
  webhookId.charCodeAt(webhookId.length - 3) % 10 === 0;

/**
 * Two instances dispatch from one FerretDB database: the unique keys of cursor moves, deliveries
 * and attempts must let every event through once per attempt, whichever instance sends it.
 */
/**
 * A task made on one instance; a 503 (the event log's horizon publish ran late on a loaded
 * machine: the write was refused, not stored) is retried as a client would, after Retry-After.
 */
async function createTask(t: TestApp, title: string) {
  for (let tries = 0; ; tries++) {
    const res = await t.http().post('/tasks').set(as('u_alice')).send({ title });
    if (res.status !== 503 || tries >= 10) return res;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

describe('webhooks from two instances on one database (mongo driver)', () => {
  let a: TestApp;
  let b: TestApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    a = await startTestApp('mongo');
    b = await startTestApp('mongo', { MONGODB_URI: a.mongoUri as string });
    receiver = await new WebhookReceiver().start();
  });
  afterAll(async () => {
    await receiver.close();
    await b?.close();
    await a?.close();
  });

  it(`delivers each of ${EVENTS} events, and sends no attempt twice`, async () => {
    const hook = expectStatus(
      await a.http().post('/webhooks').set(as('u_alice')).send({ url: receiver.url }),
      201,
    ).body as { id: string };
    receiver.respond = (webhookId, seen) => (failsFirst(webhookId) && seen === 1 ? 500 : 204);
    const ids: string[] = [];
    for (let batch = 0; batch < EVENTS / 10; batch++) {
      const created = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          createTask(i % 2 === 0 ? a : b, `event ${batch * 10 + i}`),
        ),
      );
      for (const res of created) ids.push(`${expectStatus(res, 201).body.id}:1`);
    }
    const failedOnce = new Set(ids.filter(failsFirst));
    expect(failedOnce.size).toBeGreaterThan(0);

    const expected = EVENTS + failedOnce.size;
    await receiver.waitFor(expected, 120_000);
    // Anything sent twice would arrive within the next passes of both instances.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const counts = new Map<string, number>();
    for (const each of receiver.received) {
      const id = String(each.headers['webhook-id']);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expect(new Set(counts.keys())).toEqual(new Set(ids));
    const wrong = ids.filter((id) => counts.get(id) !== (failedOnce.has(id) ? 2 : 1));
    expect(wrong).toEqual([]);
    expect(receiver.received).toHaveLength(expected);

    const log: { event_id: string; attempt: number; status: string }[] = [];
    let cursor: string | null = null;
    do {
      const res = expectStatus(
        await a
          .http()
          .get(`/webhooks/${hook.id}/deliveries`)
          .query({ limit: 100, ...(cursor ? { cursor } : {}) })
          .set(as('u_alice')),
        200,
      );
      log.push(...res.body.items);
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(log).toHaveLength(expected);
    const retried = log.filter((each) => each.attempt === 2);
    expect(new Set(retried.map((each) => each.event_id))).toEqual(failedOnce);
    expect(
      log.every(
        (each) =>
          each.status ===
          (failedOnce.has(each.event_id) && each.attempt === 1 ? 'failed' : 'succeeded'),
      ),
    ).toBe(true);
  }, 240_000);
});
