import {
  apiKey,
  createClient,
  JwtSession,
  runWorker,
  TaskAbandoned,
  type AbandonReason,
  type Task,
  type TaskflowClient,
  type WorkerEvent,
} from '@taskflow/client';
import { ADMIN, ALICE } from '../support/api';
import { DEV_PASSWORD } from '../support/auth';
import { startTestApp, TEST_DRIVERS, type TestApp } from '../support/test-app';

/** The shortest lease the API takes (LEASE_SECONDS.min in libs/tasks). */
const LEASE_SECONDS = 30;

const until = async (condition: () => boolean, timeoutMs: number, what: string) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe.each(TEST_DRIVERS)('runWorker against the running app (%s)', (driver) => {
  let t: TestApp;
  let baseUrl: string;
  let alice: TaskflowClient;
  let agents = 0;

  /** A password-less agent account made by the admin, working through an API key. */
  async function newAgent(fetch?: (request: Request) => Promise<Response>) {
    const admin = createClient({
      baseUrl,
      credentials: await JwtSession.login(ADMIN, DEV_PASSWORD, { baseUrl }),
    });
    const id = `a_worker_${driver}_${++agents}`;
    await admin.POST('/users', { body: { id, name: `Worker ${agents}`, role: 'agent' } });
    const key = await admin.POST('/users/{id}/api-keys', {
      params: { path: { id } },
      body: { name: 'worker', scopes: ['tasks:read', 'tasks:act'], expires_in_days: 1 },
    });
    if (!key.data) throw new Error(`no key: ${JSON.stringify(key.error)}`);
    return { id, client: createClient({ baseUrl, credentials: apiKey(key.data.key), fetch }) };
  }

  async function openTask(title: string): Promise<Task> {
    const created = await alice.POST('/tasks', { body: { title, open: true, open_to: 'agent' } });
    if (!created.data) throw new Error(`no task: ${JSON.stringify(created.error)}`);
    return created.data;
  }

  const actionsOf = async (id: string) =>
    (await alice.GET('/tasks/{id}/audit_logs', { params: { path: { id } } })).data?.items.map(
      (entry) => `${entry.action} by ${entry.actor_id}`,
    );

  beforeAll(async () => {
    t = await startTestApp(driver);
    baseUrl = await t.app.getUrl();
    alice = createClient({
      baseUrl,
      credentials: await JwtSession.login(ALICE, DEV_PASSWORD, { baseUrl }),
    });
  });
  afterAll(() => t.close());

  it('two workers on one pool of 20 open tasks finish each task exactly once', async () => {
    const pool = await Promise.all(
      Array.from({ length: 20 }, (_, index) => openTask(`pool ${index}`)),
    );
    const [first, second] = [await newAgent(), await newAgent()];
    const handled: Array<{ worker: string; task: string }> = [];
    let submitted = 0;
    const stop = new AbortController();
    const worker = (agent: { id: string; client: TaskflowClient }) =>
      runWorker({
        client: agent.client,
        filters: { open_to: 'agent' },
        leaseSeconds: LEASE_SECONDS,
        waitSeconds: 1,
        signal: stop.signal,
        onEvent: (event) => {
          if (event.kind === 'submitted') submitted++;
        },
        handle: async (task) => {
          handled.push({ worker: agent.id, task: task.id });
          await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
          return { comment: `done by ${agent.id}` };
        },
      });
    const running = [worker(first), worker(second)];
    await until(() => submitted >= 20, 30_000, '20 tasks submitted');
    stop.abort();
    const summaries = await Promise.all(running);

    expect(summaries.reduce((sum, summary) => sum + summary.submitted, 0)).toBe(20);
    expect(handled.map((entry) => entry.task).sort()).toEqual(pool.map((task) => task.id).sort());
    for (const task of pool) {
      const actions = await actionsOf(task.id);
      const worker = handled.find((entry) => entry.task === task.id)!.worker;
      expect({ task: task.id, actions }).toEqual({
        task: task.id,
        actions: [
          `create by ${ALICE}`,
          `claim by ${worker}`,
          `start by ${worker}`,
          `submit by ${worker}`,
        ],
      });
    }
  }, 40_000);

  it("takes back a dead worker's task after its lease, and another worker finishes it", async () => {
    let partitioned = false;
    // The first worker's process "dies": from the moment its handler starts, nothing it sends
    // reaches the API, heartbeats included.
    const dead = await newAgent((request) =>
      partitioned ? Promise.reject(new TypeError('fetch failed')) : fetch(request),
    );
    const survivor = await newAgent();
    const task = await openTask('survives its worker');
    const stop = new AbortController();
    let deadReason: unknown;
    const deadRun = runWorker({
      client: dead.client,
      filters: { open_to: 'agent' },
      leaseSeconds: LEASE_SECONDS,
      waitSeconds: 1,
      signal: stop.signal,
      handle: (_task, { signal }) => {
        partitioned = true;
        return new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => {
            deadReason = signal.reason;
            reject(signal.reason as Error);
          }),
        );
      },
    });
    await until(() => partitioned, 10_000, 'the first worker to start the task');
    const claimedAt = Date.now();

    const finished: Task[] = [];
    const survivorRun = runWorker({
      client: survivor.client,
      filters: { open_to: 'agent' },
      leaseSeconds: LEASE_SECONDS,
      waitSeconds: 5,
      signal: stop.signal,
      onEvent: (event: WorkerEvent) => {
        if (event.kind === 'submitted') finished.push(event.task);
      },
      handle: async () => ({ comment: 'finished by the survivor' }),
    });
    await until(() => finished.length > 0, 50_000, 'the survivor to finish the task');
    const tookMs = Date.now() - claimedAt;
    stop.abort();
    await Promise.all([deadRun, survivorRun]);

    expect(finished.map((done) => done.id)).toEqual([task.id]);
    expect(finished[0]).toMatchObject({ status: 'submitted', assignee_id: survivor.id });
    // Not before the lease ran out: the dead worker's claim held until then.
    expect(tookMs).toBeGreaterThanOrEqual((LEASE_SECONDS - 1) * 1000);
    expect(await actionsOf(task.id)).toEqual([
      `create by ${ALICE}`,
      `claim by ${dead.id}`,
      `start by ${dead.id}`,
      'lease_expired by system',
      `claim by ${survivor.id}`,
      `start by ${survivor.id}`,
      `submit by ${survivor.id}`,
    ]);
    // The dead worker's handler was told, once its lease had run out by its own clock.
    expect(deadReason).toEqual(new TaskAbandoned('lease-lost'));
  }, 70_000);

  it("stops a worker's handler when the task it holds is cancelled", async () => {
    const agent = await newAgent();
    const task = await openTask('cancelled under the worker');
    const stop = new AbortController();
    let started = false;
    let reason: AbandonReason | undefined;
    const events: WorkerEvent[] = [];
    const run = runWorker({
      client: agent.client,
      filters: { open_to: 'agent' },
      leaseSeconds: LEASE_SECONDS,
      waitSeconds: 1,
      signal: stop.signal,
      onEvent: (event) => events.push(event),
      handle: (_task, { signal }) => {
        started = true;
        return new Promise((resolve) =>
          signal.addEventListener('abort', () => {
            reason = (signal.reason as TaskAbandoned).reason;
            resolve({ comment: 'too late' });
          }),
        );
      },
    });
    await until(() => started, 10_000, 'the worker to start the task');
    const cancelled = await alice.POST('/tasks/{id}/cancel', { params: { path: { id: task.id } } });
    expect(cancelled.data?.status).toBe('cancelled');
    // The next heartbeat (every third of the lease) learns it.
    await until(() => reason !== undefined, (LEASE_SECONDS / 3 + 5) * 1000, 'the handler to stop');
    stop.abort();
    const summary = await run;

    expect(reason).toBe('cancelled');
    expect(summary).toMatchObject({ submitted: 0, abandoned: 1 });
    expect(events.filter((event) => event.kind === 'abandoned')).toEqual([
      expect.objectContaining({ reason: 'cancelled' }),
    ]);
    expect(await actionsOf(task.id)).toEqual([
      `create by ${ALICE}`,
      `claim by ${agent.id}`,
      `start by ${agent.id}`,
      `cancel by ${ALICE}`,
    ]);
  }, 40_000);

  it('gives the task in hand back and resolves when its signal fires', async () => {
    const agent = await newAgent();
    const task = await openTask('handed back on shutdown');
    const stop = new AbortController();
    let started = false;
    let reason: AbandonReason | undefined;
    const run = runWorker({
      client: agent.client,
      filters: { open_to: 'agent' },
      leaseSeconds: LEASE_SECONDS,
      waitSeconds: 30,
      signal: stop.signal,
      handle: (_task, { signal }) => {
        started = true;
        return new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => {
            reason = (signal.reason as TaskAbandoned).reason;
            reject(signal.reason as Error);
          }),
        );
      },
    });
    await until(() => started, 10_000, 'the worker to take the task');
    stop.abort();
    const summary = await run;

    expect(reason).toBe('shutdown');
    expect(summary).toMatchObject({ submitted: 0, abandoned: 1 });
    const now = await alice.GET('/tasks/{id}', { params: { path: { id: task.id } } });
    expect(now.data).toMatchObject({ status: 'pending', assignee_id: null });
    expect((await actionsOf(task.id))?.slice(-1)).toEqual([`release by ${agent.id}`]);
  }, 20_000);
});
