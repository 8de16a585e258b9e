import {
  createClient,
  followEvents,
  JwtSession,
  type FollowStatus,
  type TaskEvent,
  type TaskflowClient,
} from '@taskflow/client';
import { ALICE, BOB } from '../support/api';
import { DEV_PASSWORD } from '../support/auth';
import { startTestApp, TEST_DRIVERS, type TestApp } from '../support/test-app';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const until = async (condition: () => boolean, timeoutMs: number, what: string) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(50);
  }
};

describe.each(TEST_DRIVERS)('followEvents against the running app (%s)', (driver) => {
  let t: TestApp;
  let alice: TaskflowClient;
  let bob: TaskflowClient;

  beforeAll(async () => {
    // Streams end after 1 s, so every follower below runs across several ends of stream.
    t = await startTestApp(driver, { EVENT_STREAM_MAX_SECONDS: '1' });
    const baseUrl = await t.app.getUrl();
    const login = async (id: string) =>
      createClient({ baseUrl, credentials: await JwtSession.login(id, DEV_PASSWORD, { baseUrl }) });
    [alice, bob] = [await login(ALICE), await login(BOB)];
  });
  afterAll(async () => {
    const closing = t.close();
    // Seen here: global fetch's pool can leave a connection open that never carried a request,
    // and server.close() then waits for it until Node's request timeout.
    t.app.getHttpServer().closeAllConnections();
    await closing;
  });

  /**
   * Concurrent writers (three of Alice's, one of Bob's, whose tasks Alice may not see): each
   * creates a task and updates it a few times, until stopped. Resolves to the writes Alice's
   * events must show.
   */
  function startWriters() {
    let writing = true;
    let aliceWrites = 0;
    const bobTasks = new Set<string>();
    const writer = async (client: TaskflowClient, own: boolean, name: string) => {
      for (let n = 0; writing; n++) {
        const created = await client.POST('/tasks', { body: { title: `${name} ${n}` } });
        if (!created.data) throw new Error(`create: ${JSON.stringify(created.error)}`);
        if (own) aliceWrites++;
        else bobTasks.add(created.data.id);
        for (let edit = 1; edit <= 3 && writing; edit++) {
          const updated = await client.PATCH('/tasks/{id}', {
            params: { path: { id: created.data.id } },
            body: { title: `${name} ${n} edit ${edit}` },
          });
          if (!updated.data) throw new Error(`update: ${JSON.stringify(updated.error)}`);
          if (own) aliceWrites++;
        }
      }
    };
    const running = Promise.all([
      writer(alice, true, 'a1'),
      writer(alice, true, 'a2'),
      writer(alice, true, 'a3'),
      writer(bob, false, 'b1'),
    ]);
    return {
      bobTasks,
      stop: async () => {
        writing = false;
        await running;
        return aliceWrites;
      },
    };
  }

  /** Alice's log after `cursor` as the feed pages it, once it holds `count` events. */
  async function aliceLogAfter(cursor: string, count: number): Promise<TaskEvent[]> {
    let log: TaskEvent[] = [];
    const deadline = Date.now() + 15_000;
    while (log.length < count && Date.now() < deadline) {
      log = [];
      for (let after = cursor; ;) {
        const page = await alice.GET('/events', { params: { query: { after, limit: 500 } } });
        if (!page.data) throw new Error(`feed: ${JSON.stringify(page.error)}`);
        log.push(...page.data.items);
        if (page.data.items.length === 0) break;
        after = page.data.next_cursor;
      }
      if (log.length < count) await pause(200);
    }
    return log;
  }

  const currentEnd = async () =>
    (await alice.GET('/events', { params: { query: { after: 'now', limit: 1 } } })).data!
      .next_cursor;

  /** Each task's versions in the order handled: 1, 2, 3, … with no gap. */
  const versionsInOrder = (events: TaskEvent[]) => {
    const last = new Map<string, number>();
    return events.every((event) => {
      const ok = event.version === (last.get(event.task_id) ?? 0) + 1;
      last.set(event.task_id, event.version);
      return ok;
    });
  };

  it('stopped and restarted from the persisted cursor many times while writers write, it handles each event exactly once', async () => {
    const start = await currentEnd();
    let persisted = start;
    const handled: TaskEvent[] = [];
    const writers = startWriters();

    const follow = (signal: AbortSignal) =>
      followEvents({
        client: alice,
        after: persisted,
        signal,
        onEvent: async (event, cursor) => {
          // Some handlers take a while, so a stop often lands while one is in hand.
          if (Math.random() < 0.2) await pause(Math.random() * 30);
          handled.push(event);
          persisted = cursor; // with the effect, as a real consumer would
        },
      });

    for (let run = 0; run < 6; run++) {
      const before = handled.length;
      const stop = new AbortController();
      const running = follow(stop.signal);
      // Stopped mid-flow: once this run has handled something, at a random moment after.
      await until(() => handled.length > before, 15_000, `an event in run ${run}`);
      await pause(Math.random() * 400);
      stop.abort();
      await running;
      await pause(100 + Math.random() * 200); // stopped while the writers go on
    }
    const aliceWrites = await writers.stop();
    const expected = await aliceLogAfter(start, aliceWrites);
    expect(expected).toHaveLength(aliceWrites);

    // The last restart catches up with what was written while it was stopped, then stops.
    const stop = new AbortController();
    const last = follow(stop.signal);
    await until(() => handled.length >= expected.length, 20_000, 'the follower to catch up');
    await pause(500);
    stop.abort();
    await last;

    expect(handled.map((event) => event.id)).toEqual(expected.map((event) => event.id));
    expect(new Set(handled.map((event) => event.id)).size).toBe(handled.length);
    expect(writers.bobTasks.size).toBeGreaterThan(0);
    expect(handled.filter((event) => writers.bobTasks.has(event.task_id))).toEqual([]);
    expect(versionsInOrder(handled)).toBe(true);
  }, 90_000);

  it('follows across streams the API ends (EVENT_STREAM_MAX_SECONDS) without loss or repeat', async () => {
    const start = await currentEnd();
    const handled: TaskEvent[] = [];
    const cursors: string[] = [];
    // Each status with the cursor of the last event handled before it.
    const statuses: { status: FollowStatus; after: string | undefined }[] = [];
    const stop = new AbortController();
    const writers = startWriters();
    const following = followEvents({
      client: alice,
      after: start,
      signal: stop.signal,
      onStatus: (status) => statuses.push({ status, after: cursors.at(-1) ?? start }),
      onEvent: (event, cursor) => {
        handled.push(event);
        cursors.push(cursor);
      },
    });
    await pause(3_500);
    const aliceWrites = await writers.stop();
    const expected = await aliceLogAfter(start, aliceWrites);
    await until(() => handled.length >= expected.length, 20_000, 'the follower to catch up');
    await pause(500);
    stop.abort();
    const summary = await following;

    const ended = statuses.filter(({ status }) => status.kind === 'ended').length;
    expect(ended).toBeGreaterThanOrEqual(2);
    // Every stream resumed from the cursor of the last event handled before it; each ended
    // stream but the last was followed by another (the stop may come before the last reopens).
    const connected = statuses.filter(({ status }) => status.kind === 'connected');
    expect(connected.length).toBeGreaterThanOrEqual(ended);
    for (const { status, after } of connected) {
      expect((status as { cursor: string | undefined }).cursor).toBe(after);
    }
    expect(summary.handled).toBe(expected.length);
    expect(handled.map((event) => event.id)).toEqual(expected.map((event) => event.id));
    expect(versionsInOrder(handled)).toBe(true);
  }, 60_000);

  it("starts at the current end with after: 'now', and a bad cursor is refused, not retried", async () => {
    await alice.POST('/tasks', { body: { title: 'before now' } });
    const handled: TaskEvent[] = [];
    const stop = new AbortController();
    const following = followEvents({
      client: alice,
      after: 'now',
      types: ['task.created'],
      signal: stop.signal,
      onEvent: (event) => {
        handled.push(event);
        stop.abort();
      },
    });
    await pause(500);
    const created = await alice.POST('/tasks', { body: { title: 'after now' } });
    await following;
    expect(handled.map((event) => event.task_id)).toEqual([created.data!.id]);

    await expect(
      followEvents({ client: alice, after: 'not-a-cursor', onEvent: () => undefined }),
    ).rejects.toMatchObject({ name: 'TaskflowError', status: 400 });
  });
});
