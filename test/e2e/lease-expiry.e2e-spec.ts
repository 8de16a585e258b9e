import { ADMIN, AGENT, ALICE, as, ensureStatus, expectProblem } from '../support/api';
import { auditLogOf } from '../support/tasks';
import { DriverName, startTestApp, TEST_DRIVERS, TestApp } from '../support/test-app';

/** The shortest lease production accepts: the test waits for it to run out. */
const LEASE_SECONDS = 30;

/** Two instances on one database under Mongo (each runs its own sweeper); one under memory. */
async function instances(driver: DriverName): Promise<TestApp[]> {
  const first = await startTestApp(driver);
  if (driver === 'memory') return [first];
  return [first, await startTestApp('mongo', { MONGODB_URI: first.mongoUri as string })];
}

describe.each(TEST_DRIVERS)('lease expiry (%s driver)', (driver) => {
  let apps: TestApp[] = [];
  beforeAll(async () => {
    apps = await instances(driver);
  });
  afterAll(async () => {
    for (const t of apps.reverse()) await t.close();
  });

  it('returns a dead worker’s task to the queue once, within 5 s, and refuses the former holder', async () => {
    const [a] = apps;
    const b = apps[apps.length - 1];
    const created = await a
      .http()
      .post('/tasks')
      .set(as(ALICE))
      .send({ title: 'Long job', open: true, open_to: 'agent' });
    const id = ensureStatus(created, 201).body.id as string;
    const claim = ensureStatus(
      await a
        .http()
        .post(`/tasks/${id}/claim`)
        .set(as(AGENT))
        .send({ lease_seconds: LEASE_SECONDS }),
      200,
    );
    ensureStatus(await b.http().post(`/tasks/${id}/start`).set(as(AGENT)).send({}), 200);
    const expiresAt = Date.parse(claim.body.lease_expires_at);

    // Before the sweepers store it, reads already show the task back in the queue.
    await new Promise((resolve) => setTimeout(resolve, expiresAt - Date.now() + 50));
    const seen = ensureStatus(await b.http().get(`/tasks/${id}`).set(as(ALICE)), 200);
    expect(seen.body).toMatchObject({ status: 'pending', assignee_id: null, version: 4 });

    let applied: number | null = null;
    while (Date.now() < expiresAt + 10_000) {
      const log = await auditLogOf(a, id, ADMIN);
      if (log.some((entry) => entry.action === 'lease_expired')) {
        applied = Date.now() - expiresAt;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(applied).not.toBeNull();
    expect(applied!).toBeLessThan(5000);
    // Let every sweeper run again: still exactly one entry.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const log = await auditLogOf(b, id, ADMIN);
    expect(log.map((entry) => [entry.action, entry.actor_id])).toEqual([
      ['create', ALICE],
      ['claim', AGENT],
      ['start', AGENT],
      ['lease_expired', 'system'],
    ]);
    process.stdout.write(
      `lease expiry (${driver}, ${apps.length} instance(s)): applied ${applied} ms after expiry\n`,
    );

    const beat = await a.http().post(`/tasks/${id}/heartbeat`).set(as(AGENT)).send({});
    expectProblem(beat, 409, 'lease-lost');
    const submit = await b.http().post(`/tasks/${id}/submit`).set(as(AGENT)).send({});
    expectProblem(submit, 409, 'invalid-transition');
    const fenced = await b
      .http()
      .post(`/tasks/${id}/submit`)
      .set(as(AGENT))
      .set('if-match', '"3"')
      .send({});
    expectProblem(fenced, 412, 'precondition-failed');
    const stored = ensureStatus(await a.http().get(`/tasks/${id}`).set(as(ALICE)), 200);
    expect(stored.body).toMatchObject({ status: 'pending', assignee_id: null, version: 4 });
  }, 60_000);
});
