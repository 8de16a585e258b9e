import type { mongo } from 'mongoose';
import { MongoEventHorizon } from '../../libs/audit/src/infrastructure/mongo/mongo-event-horizon';
import { ADMIN, ALICE, as, BOB, ensureStatus, expectProblem } from '../support/api';
import { withDatabase } from '../support/mongo';
import { createTask } from '../support/tasks';
import { mongoConnectionOf, startTestApp, TestApp } from '../support/test-app';

const HORIZON = 'event_horizon';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The stamp a cursor carries (base64url of `<seq>.<digest>`). */
const seqOf = (cursor: string) => Number(Buffer.from(cursor, 'base64url').toString().split('.')[0]);

/** The horizon's rules (docs/EVENTS.md), with records of instances that are not processes. */
describe('the event horizon (mongo driver)', () => {
  let t: TestApp;
  const records = <T>(use: (c: mongo.Collection) => Promise<T>) =>
    withDatabase(t.mongoUri as string, (db) => use(db.collection(HORIZON)));

  beforeAll(async () => {
    t = await startTestApp('mongo');
  });
  afterAll(() => t.close());

  /** Whether the task's created event is in the feed now. */
  const inFeed = async (taskId: string): Promise<boolean> => {
    const res = ensureStatus(
      await t.http().get('/events').query({ task_id: taskId }).set(as(ADMIN)),
      200,
    );
    return (res.body.items as { id: string }[]).some((event) => event.id === `${taskId}:1`);
  };

  it('holds the feed while a live instance may still land an entry, and lets go once it is gone', async () => {
    // Another instance with a write in flight since a second ago, publishing every 100 ms.
    const safe = (Date.now() - 1000) * 1000;
    const publish = () =>
      records((c) =>
        c.updateOne(
          { _id: 'in_other' as never },
          { $set: { safe }, $currentDate: { heartbeat_at: true } },
          { upsert: true },
        ),
      );
    await publish();
    let alive = true;
    const publisher = (async () => {
      while (alive) {
        await publish();
        await sleep(100);
      }
    })();
    await sleep(400);
    const task = await createTask(t, ALICE);
    await sleep(1000);
    expect(await inFeed(task.id)).toBe(false);
    // It stops publishing (it died): after 3 s by the database's clock it no longer counts.
    alive = false;
    await publisher;
    const stoppedAt = Date.now();
    while (!(await inFeed(task.id))) {
      expect(Date.now() - stoppedAt).toBeLessThan(5000);
      await sleep(50);
    }
    const waited = Date.now() - stoppedAt;
    process.stdout.write(`a dead instance held the feed ${waited} ms after its last publish\n`);
    expect(waited).toBeGreaterThanOrEqual(2500);
  });

  it('forgets records of instances long gone, and never waits for them', async () => {
    await records((c) =>
      c.insertOne({
        _id: 'in_long_gone' as never,
        safe: 1,
        heartbeat_at: new Date(Date.now() - 3_600_000),
      }),
    );
    const task = await createTask(t, ALICE);
    for (let i = 0; i < 40 && !(await inFeed(task.id)); i++) await sleep(50);
    expect(await inFeed(task.id)).toBe(true);
    expect(await records((c) => c.countDocuments({ _id: 'in_long_gone' as never }))).toBe(0);
  });

  it('lifts its clock to what other instances published, so its entries never fall behind', async () => {
    const ahead = (Date.now() + 60_000) * 1000;
    await records((c) =>
      c.updateOne(
        { _id: 'in_ahead' as never },
        { $set: { safe: ahead }, $currentDate: { heartbeat_at: true } },
        { upsert: true },
      ),
    );
    await sleep(400);
    const task = await createTask(t, ALICE);
    await records((c) => c.deleteOne({ _id: 'in_ahead' as never }));
    let cursor: string | undefined;
    for (let i = 0; i < 40 && cursor === undefined; i++) {
      const page = ensureStatus(
        await t.http().get('/events').query({ task_id: task.id }).set(as(ADMIN)),
        200,
      );
      if (page.body.items.length > 0) cursor = page.body.next_cursor as string;
      else await sleep(50);
    }
    expect(seqOf(cursor as string)).toBeGreaterThanOrEqual(ahead);
  });

  it('refuses writes (503) while it cannot publish, and takes them again once it can', async () => {
    const collection = mongoConnectionOf(t).collection(HORIZON);
    const updateOne = collection.updateOne;
    collection.updateOne = (() =>
      Promise.reject(new Error('injected: the publish does not reach the database'))) as never;
    try {
      await sleep(1600);
      const res = await t.http().post('/tasks').set(as(ALICE)).send({ title: 'Unordered' });
      const problem = expectProblem(res, 503, 'unavailable');
      expect(problem.detail).toMatch(/event log/);
      expect(res.headers['retry-after']).toBe('1');
    } finally {
      collection.updateOne = updateOne;
    }
    await createTask(t, ALICE);
  });

  it('keeps each task in version order when the next version is written on an instance whose clock is behind', async () => {
    const b = await startTestApp('mongo', { MONGODB_URI: t.mongoUri as string });
    try {
      // Instance b's wall clock a minute behind a's: only lifting keeps its stamps up.
      const clock = (
        b.app.get(MongoEventHorizon, { strict: false }) as unknown as {
          clock: { wallMs: () => number };
        }
      ).clock;
      clock.wallMs = () => Date.now() - 60_000;
      const start = ensureStatus(
        await t.http().get('/events').query({ after: 'now' }).set(as(ADMIN)),
        200,
      ).body.next_cursor as string;
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) {
        const task = await createTask(t, ALICE);
        ensureStatus(
          await b.http().post(`/tasks/${task.id}/assign`).set(as(ALICE)).send({ assignee_id: BOB }),
          200,
        );
        ids.push(task.id);
      }
      const versions = new Map<string, number[]>(ids.map((id) => [id, []]));
      let cursor = start;
      for (const deadline = Date.now() + 5000; Date.now() < deadline;) {
        const page = ensureStatus(
          await t
            .http()
            .get('/events')
            .query({ after: cursor, limit: 500, wait: 1 })
            .set(as(ADMIN)),
          200,
        ).body as { items: { task_id: string; version: number }[]; next_cursor: string };
        for (const event of page.items) versions.get(event.task_id)?.push(event.version);
        cursor = page.next_cursor;
        if ([...versions.values()].every((v) => v.length === 2)) break;
      }
      expect([...versions.values()]).toEqual(ids.map(() => [1, 2]));
    } finally {
      await b.close();
    }
  });
});
