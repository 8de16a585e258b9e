import { ALICE, as, ensureStatus } from '../support/api';
import { createTask } from '../support/tasks';
import { startTestApp, TestApp } from '../support/test-app';

/** The shared poll's interval (EVENT_POLL_INTERVAL_MS) plus a query and the HTTP round trips. */
const CROSS_INSTANCE_BOUND_MS = 1500;

describe('a long-poll woken by a write on another instance (mongo driver)', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await startTestApp('mongo');
    b = await startTestApp('mongo', { MONGODB_URI: a.mongoUri as string });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('answers within the stated bound, many waiters at once', async () => {
    const latencies: number[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const { next_cursor } = ensureStatus(
        await b.http().get('/events').query({ after: 'now' }).set(as(ALICE)),
        200,
      ).body;
      // Twenty idle waiters on instance b share its one poll.
      const waiters = Array.from({ length: 20 }, () =>
        b
          .http()
          .get('/events')
          .query({ after: next_cursor, wait: 10 })
          .set(as(ALICE))
          .then((res) => ({ body: res.body, at: Date.now() })),
      );
      await new Promise((resolve) => setTimeout(resolve, 700));
      const task = await createTask(a, ALICE);
      const wroteAt = Date.now();
      const answers = await Promise.all(waiters);
      for (const { body, at } of answers) {
        expect(body.items.map((event: { id: string }) => event.id)).toEqual([`${task.id}:1`]);
        latencies.push(at - wroteAt);
      }
    }
    process.stdout.write(
      `cross-instance wake: max ${Math.max(...latencies)} ms, median ${latencies.sort((x, y) => x - y)[latencies.length >> 1]} ms over ${latencies.length} waiters\n`,
    );
    expect(Math.max(...latencies)).toBeLessThan(CROSS_INSTANCE_BOUND_MS);
  });
});
