import { BuiltApp, startBuiltApp } from '../support/built-app';
import { freshDatabaseUri, migrateUp } from '../support/mongo';
import { TEST_DRIVERS } from '../support/test-app';
import {
  countStatuses,
  reportFigures,
  storedState,
  StoredState,
  WriteLoad,
} from '../support/write-load';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const JWT_SECRET = 'crash-test-secret-that-is-at-least-32-bytes';
const asAdmin = { 'x-user-id': 'u_admin' };

/** SIGKILL in the middle of a write load: no shutdown hook, no drain, writes cut anywhere. */
async function crashUnderLoad(app: BuiltApp): Promise<WriteLoad> {
  const load = new WriteLoad(app.url, 16);
  load.start();
  await sleep(3_000);
  app.child.kill('SIGKILL');
  expect(await app.exited).toEqual({ code: null, signal: 'SIGKILL' });
  await load.stop();
  return load;
}

// Each driver's case runs only when TEST_DRIVERS selects it (an empty describe.each throws).
for (const driver of TEST_DRIVERS.filter((name) => name === 'mongo')) {
  describe(`the API killed under a write load (${driver} driver, data in the database)`, () => {
    let uri: string;
    let app: BuiltApp | undefined;
    let load: WriteLoad;
    let after: StoredState;

    beforeAll(async () => {
      uri = freshDatabaseUri('crash');
      await migrateUp(uri);
      const env = { TASK_REPOSITORY_DRIVER: driver, MONGODB_URI: uri, JWT_SECRET };
      load = await crashUnderLoad(await startBuiltApp(env));
      // What the kill left half-written (claimed, not yet stored): the sweep's work.
      const leftBehind = await storedState(uri, []);
      // The start-up sweep rolls forward what the kill left half-written before /livez answers.
      app = await startBuiltApp(env);
      after = await storedState(uri, load.acknowledged());
      reportFigures('crash consistency (mongo)', {
        requests: load.outcomes.length,
        statuses: countStatuses(load.outcomes),
        leftBehindByKill: leftBehind.violations.length,
        rolledForwardAtStart: /Rolled (\d+) task/.exec(app.output())?.[1] ?? '0',
        ...after,
      });
    }, 180_000);
    afterAll(() => app?.kill());

    it('was killed with writes acknowledged and writes in flight', () => {
      expect(load.acknowledged().length).toBeGreaterThan(10);
      // Cut by the kill (and refused until the test stopped the load): never answered.
      expect(countStatuses(load.outcomes)[0]).toBeGreaterThan(0);
    });

    it('restarts with every task consistent with its log and every acknowledged write kept', async () => {
      expect(after.tasks).toBeGreaterThanOrEqual(new Set(load.taskIds).size);
      expect(after.violations).toEqual([]);
    });

    it('serves again after the restart', async () => {
      expect((await fetch(`${app!.url}/readyz`)).status).toBe(200);
      const created = await fetch(`${app!.url}/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': 'u_alice' },
        body: JSON.stringify({ title: 'after the crash' }),
      });
      expect(created.status).toBe(201);
    });
  });
}

for (const driver of TEST_DRIVERS.filter((name) => name === 'memory')) {
  describe(`the API killed under a write load (${driver} driver)`, () => {
    let app: BuiltApp | undefined;
    afterAll(() => app?.kill());

    it('restarts clean and empty: the memory driver keeps nothing across a process by design', async () => {
      const env = { TASK_REPOSITORY_DRIVER: driver, JWT_SECRET };
      const load = await crashUnderLoad(await startBuiltApp(env));
      expect(load.acknowledged().length).toBeGreaterThan(10);

      app = await startBuiltApp(env);
      expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
      const list = await fetch(`${app.url}/tasks`, { headers: asAdmin });
      expect(await list.json()).toMatchObject({ items: [] });
      const created = await fetch(`${app.url}/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': 'u_alice' },
        body: JSON.stringify({ title: 'after the crash' }),
      });
      expect(created.status).toBe(201);
      reportFigures('crash consistency (memory)', {
        requests: load.outcomes.length,
        statuses: countStatuses(load.outcomes),
      });
    }, 120_000);
  });
}
