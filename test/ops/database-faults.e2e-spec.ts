import { MongoServer, startMongoServer } from '../../scripts/mongo-server';
import { startTestApp, TestApp } from '../support/test-app';
import { as } from '../support/workflow';
import {
  countStatuses,
  Outcome,
  REQUEST_TIMEOUT_MS,
  storedState,
  StoredState,
  reportFigures,
  WriteLoad,
} from '../support/write-load';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const FAIL_FAST_MS = 2_000;
const UNAVAILABLE = 'https://taskflow.dev/problems/unavailable';

/** Polls until `ready` holds or the deadline passes; returns the last answer. */
async function until<T>(probe: () => Promise<T>, ready: (v: T) => boolean, ms: number) {
  const deadline = Date.now() + ms;
  let value = await probe();
  while (!ready(value) && Date.now() < deadline) {
    await sleep(100);
    value = await probe();
  }
  return value;
}

// A server of its own, killed and restarted under a write load; the run's shared one never is.
describe('the database dies under a write load (mongo driver)', () => {
  let server: MongoServer;
  let t: TestApp;
  let load: WriteLoad;
  let killedAt: number;
  let restartedAt: number;
  let readyzDown: { status: number; type: unknown; mongo: unknown };
  let readyzUp: number;
  let firstSuccessAfterRestart: Outcome | undefined;
  let after: StoredState;

  beforeAll(async () => {
    server = await startMongoServer({ dbName: 'taskflow_faults' });
    if (server.kind === 'external') {
      throw new Error('this suite kills its database server; run it without MONGODB_URI');
    }
    t = await startTestApp('mongo', { MONGODB_URI: server.uri });
    load = new WriteLoad(await t.app.getUrl());
    load.start();
    await sleep(1_500);

    await server.kill();
    killedAt = Date.now();
    await sleep(500);
    const readyz = await t.http().get('/readyz');
    readyzDown = {
      status: readyz.status,
      type: readyz.body.type,
      mongo: readyz.body.checks?.mongo,
    };
    await sleep(2_500);

    restartedAt = Date.now();
    await server.restart();
    const ready = await until(
      () => t.http().get('/readyz'),
      (res) => res.status === 200,
      20_000,
    );
    readyzUp = ready.status;
    await until(
      async () => load.outcomes.find((o) => o.startedAt > restartedAt && o.status < 300),
      (found) => found !== undefined,
      20_000,
    );
    firstSuccessAfterRestart = load.outcomes.find(
      (o) => o.startedAt > restartedAt && o.status < 300,
    );
    await sleep(1_000);
    await load.stop();
    // Changes the fault cut between their claim and their task document: the roll-forward's work.
    const leftBehind = await storedState(server.uri, []);

    // Roll forward: one write per task. A change whose claim was stored before its task document
    // owns the next version, so that write loses once (409), rolls the task forward, and its
    // retry lands on top. Tasks whose creation was claimed but never stored appear through the
    // start-up sweep only, which the invariant check runs by starting the app again.
    for (const id of load.taskIds) {
      const patch = () =>
        t.http().patch(`/tasks/${id}`).set(as('u_alice')).send({ priority: 'high' });
      if ((await patch()).status === 409) await patch();
    }
    await t.close();
    t = await startTestApp('mongo', { MONGODB_URI: server.uri });
    after = await storedState(server.uri, load.acknowledged());
    reportFigures('database faults', {
      requests: load.outcomes.length,
      statuses: countStatuses(load.outcomes),
      whileDown: during().length,
      slowestWhileDownMs: Math.max(...during().map((o) => o.ms)),
      slowestMs: Math.max(...load.outcomes.map((o) => o.ms)),
      leftBehindByFault: leftBehind.violations.length,
      ...after,
    });
  }, 120_000);

  afterAll(async () => {
    await load?.stop();
    await t?.close();
    await server?.stop();
  });

  const during = () =>
    load.outcomes.filter((o) => o.startedAt >= killedAt && o.startedAt + o.ms < restartedAt);

  it('served writes before the fault', () => {
    const before = load.outcomes.filter((o) => o.startedAt + o.ms < killedAt);
    expect(before.filter((o) => o.status === 200 || o.status === 201).length).toBeGreaterThan(10);
  });

  it('answers every request while the server is down with 503 problem+json within 2 s', () => {
    const down = during();
    // Each of the 8 writers gets at least one answer while the server is down.
    expect(down.length).toBeGreaterThanOrEqual(8);
    for (const outcome of down) {
      expect(outcome).toMatchObject({
        status: 503,
        contentType: expect.stringMatching(/^application\/problem\+json/),
        body: expect.objectContaining({ type: UNAVAILABLE }),
      });
      expect(outcome.ms).toBeLessThan(FAIL_FAST_MS);
      // No driver internals (error names, addresses) in what the client sees.
      expect(JSON.stringify(outcome.body)).not.toMatch(/mongo|ECONN|127\.0\.0\.1|selection/i);
    }
  });

  it('never hangs and never answers 500, the requests cut at the kill included', () => {
    expect(
      load.outcomes.filter((o) => o.status === 0 || (o.status >= 500 && o.status !== 503)),
    ).toEqual([]);
    expect(Math.max(...load.outcomes.map((o) => o.ms))).toBeLessThan(REQUEST_TIMEOUT_MS);
    const cut = load.outcomes.filter(
      (o) => o.startedAt < killedAt && o.startedAt + o.ms > killedAt,
    );
    for (const outcome of cut)
      expect(outcome.ms).toBeLessThan(killedAt - outcome.startedAt + FAIL_FAST_MS);
    expect(Object.keys(countStatuses(load.outcomes)).map(Number).sort()).toEqual(
      expect.arrayContaining([503]),
    );
  });

  it('reports not ready while the server is down', () => {
    expect(readyzDown).toMatchObject({
      status: 503,
      type: 'https://taskflow.dev/problems/not-ready',
      mongo: { status: 'down' },
    });
  });

  it('recovers once the server is back, without a restart of the API', () => {
    expect(readyzUp).toBe(200);
    expect(firstSuccessAfterRestart).toBeDefined();
  });

  it('keeps every task consistent with its log, and every acknowledged write', () => {
    expect(after.tasks).toBeGreaterThan(0);
    expect(after.violations).toEqual([]);
  });
});
