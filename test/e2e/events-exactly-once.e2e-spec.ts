import { ADMIN, ALICE, as, BOB, ensureStatus } from '../support/api';
import { SlowAuditInserts, WriteFaults } from '../support/faults';
import { createTask } from '../support/tasks';
import { startTestApp, TEST_DRIVERS, TestApp } from '../support/test-app';

interface EventBody {
  id: string;
  task_id: string;
  version: number;
}

const WRITERS = 8;
const OPS_PER_WRITER = 12;
const TASKS = 6;
const ROUNDS = 3;

/**
 * One round: 8 writers spread over the instances change a few tasks at once (conflicting
 * transitions and edits: the losers answer 409), while a consumer follows the cursor in small
 * pages on the first instance. Returns what the consumer got and what the logs hold.
 */
async function round(
  instances: TestApp[],
  onWrite: (n: number) => void = () => undefined,
): Promise<{ consumed: EventBody[]; logged: Map<string, number[]>; statuses: number[] }> {
  const [first] = instances;
  const start = ensureStatus(
    await first.http().get('/events').query({ after: 'now' }).set(as(ADMIN)),
    200,
  ).body.next_cursor as string;
  const tasks: string[] = [];
  for (let i = 0; i < TASKS; i++) {
    const t = instances[i % instances.length];
    const task = await createTask(t, ALICE);
    ensureStatus(
      await t.http().post(`/tasks/${task.id}/assign`).set(as(ALICE)).send({ assignee_id: BOB }),
      200,
    );
    tasks.push(task.id);
  }
  const statuses: number[] = [];
  let writing = true;
  const writers = Array.from({ length: WRITERS }, async (_, w) => {
    for (let op = 0; op < OPS_PER_WRITER; op++) {
      const t = instances[(w + op) % instances.length];
      const id = tasks[(w * 5 + op) % tasks.length];
      onWrite(op);
      // Everyone races for the same transitions of the same task; edits interleave, and mostly
      // succeed on different tasks at once, so entries land out of stamp order.
      const edit = () =>
        t
          .http()
          .patch(`/tasks/${id}`)
          .set(as(ALICE))
          .send({ title: `w${w} op${op}` });
      const res = await [
        () => t.http().post(`/tasks/${id}/start`).set(as(BOB)).send({}),
        () =>
          t
            .http()
            .post(`/tasks/${id}/submit`)
            .set(as(BOB))
            .send({ comment: `w${w}` }),
        () =>
          t
            .http()
            .post(`/tasks/${id}/reject`)
            .set(as(ALICE))
            .send({ reason: `w${w}` }),
        () =>
          t
            .http()
            .patch(`/tasks/${id}`)
            .set(as(ALICE))
            .send({ title: `w${w} op${op}` }),
        edit,
        edit,
      ][(w + op) % 6]();
      statuses.push(res.status);
    }
  });
  const consumed: EventBody[] = [];
  let cursor = start;
  const read = async (wait: number) => {
    const page = ensureStatus(
      await first.http().get('/events').query({ after: cursor, limit: 3, wait }).set(as(ADMIN)),
      200,
    ).body as { items: EventBody[]; next_cursor: string };
    consumed.push(...page.items);
    cursor = page.next_cursor;
    return page.items.length;
  };
  // The consumer follows while the writers write, in pages of 3.
  const consumer = (async () => {
    while (writing) await read(0);
  })();
  await Promise.all(writers);
  writing = false;
  await consumer;

  const logged = new Map<string, number[]>();
  for (const id of tasks) {
    const versions: number[] = [];
    let page = ensureStatus(
      await first.http().get(`/tasks/${id}/audit_logs`).query({ limit: 100 }).set(as(ADMIN)),
      200,
    ).body;
    versions.push(...page.items.map((entry: { version: number }) => entry.version));
    while (page.next_cursor) {
      page = ensureStatus(
        await first
          .http()
          .get(`/tasks/${id}/audit_logs`)
          .query({ limit: 100, cursor: page.next_cursor })
          .set(as(ADMIN)),
        200,
      ).body;
      versions.push(...page.items.map((entry: { version: number }) => entry.version));
    }
    logged.set(id, versions);
  }
  // The drain: under Mongo the feed trails the last writes by the horizon (two publish periods,
  // docs/EVENTS.md), so follow with long-polls until every logged entry came, or 5 s passed;
  // then one more read, which must bring nothing new.
  const expected = [...logged].flatMap(([id, versions]) => versions.map((v) => `${id}:${v}`));
  const have = () => new Set(consumed.map((event) => event.id));
  for (const deadline = Date.now() + 5000; Date.now() < deadline;) {
    const seen = have();
    if (expected.every((id) => seen.has(id))) break;
    await read(1);
  }
  while ((await read(0)) > 0);
  return { consumed: consumed.filter((event) => logged.has(event.task_id)), logged, statuses };
}

function expectExactlyOnce(result: Awaited<ReturnType<typeof round>>): void {
  const { consumed, logged } = result;
  const ids = consumed.map((event) => event.id);
  const expected = [...logged].flatMap(([id, versions]) => versions.map((v) => `${id}:${v}`));
  const duplicates = ids.length - new Set(ids).size;
  const missing = expected.filter((id) => !ids.includes(id)).length;
  expect({ duplicates, missing, extra: ids.length - expected.length }).toEqual({
    duplicates: 0,
    missing: 0,
    extra: 0,
  });
  for (const [id, versions] of logged) {
    expect(versions).toEqual(versions.map((_, i) => i + 1));
    expect(consumed.filter((event) => event.task_id === id).map((event) => event.version)).toEqual(
      versions,
    );
  }
  // For the report: events, duplicates, missing of each round.
  process.stdout.write(
    `exactly-once: ${ids.length} events, ${logged.size} tasks, duplicates ${duplicates}, missing ${missing}\n`,
  );
}

describe.each(TEST_DRIVERS)(
  'events exactly once under concurrent writers (%s driver)',
  (driver) => {
    /** Two instances on one database with Mongo; the memory driver has only one process's store. */
    let instances: TestApp[];
    /** Mongo: some inserts are held back after their stamp, so entries land out of order. */
    let slow: SlowAuditInserts[] = [];

    beforeAll(async () => {
      const first = await startTestApp(driver);
      instances = [first];
      if (driver === 'mongo') {
        instances.push(await startTestApp('mongo', { MONGODB_URI: first.mongoUri as string }));
        slow = instances.map((t) => new SlowAuditInserts(t));
      }
    });
    afterAll(async () => {
      for (const s of slow) s.stop();
      for (const t of instances.reverse()) await t.close();
    });

    it(`delivers every event once, each task in version order (${ROUNDS} rounds)`, async () => {
      for (let r = 0; r < ROUNDS; r++) {
        const result = await round(instances);
        expect(result.statuses.every((status) => status === 200 || status === 409)).toBe(true);
        expect(result.statuses).toContain(409);
        expect(result.statuses).toContain(200);
        expectExactlyOnce(result);
      }
    }, 180_000);

    it('does so when writes fail half-way (the roll-forward path)', async () => {
      const faults = instances.map((t) => new WriteFaults(t));
      for (let r = 0; r < ROUNDS; r++) {
        // A fault armed late in the last round must not hit this round's set-up.
        for (const f of faults) f.arm(null);
        let failed = 0;
        // Every few operations, one of the next writes on an instance fails: the claim, the
        // record or the task write, depending on where the count lands.
        const result = await round(instances, (op) => {
          if (op % 3 === 1) {
            faults[op % faults.length].arm(1 + ((r + op) % 3));
            failed += 1;
          }
        });
        expect(failed).toBeGreaterThan(0);
        expect(result.statuses.every((s) => s === 200 || s === 409 || s === 500)).toBe(true);
        expect(result.statuses).toContain(500);
        expectExactlyOnce(result);
      }
      for (const f of faults) f.arm(null);
    }, 180_000);
  },
);
