import { BuiltApp, startBuiltApp } from '../support/built-app';
import { freshDatabaseUri, migrateUp } from '../support/mongo';
import { TEST_DRIVERS } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';

const JWT_SECRET = 'crash-test-secret-that-is-at-least-32-bytes';
const TASKS = 30;
const alice = { 'content-type': 'application/json', 'x-user-id': 'u_alice' };

async function post(app: BuiltApp, path: string, body: object): Promise<Record<string, unknown>> {
  const res = await fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: alice,
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

async function attemptsOf(app: BuiltApp, id: string) {
  const items: { event_id: string; attempt: number; status: string; error: string | null }[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `limit=100${cursor ? `&cursor=${cursor}` : ''}`;
    const res = await fetch(`${app.url}/webhooks/${id}/deliveries?${query}`, { headers: alice });
    const body = (await res.json()) as { items: typeof items; next_cursor: string | null };
    items.push(...body.items);
    cursor = body.next_cursor;
  } while (cursor);
  return items;
}

// Data that survives a SIGKILL lives in the database: the Mongo driver's case only.
for (const driver of TEST_DRIVERS.filter((name) => name === 'mongo')) {
  describe(`webhooks across a SIGKILL (${driver} driver)`, () => {
    let receiver: WebhookReceiver;
    let app: BuiltApp | undefined;

    beforeAll(async () => {
      receiver = await new WebhookReceiver().start();
    });
    afterAll(async () => {
      app?.kill();
      await receiver.close();
    });

    it('delivers after a restart every event acknowledged before the kill, and retries the attempts it cut off', async () => {
      const uri = freshDatabaseUri('webhook-crash');
      await migrateUp(uri);
      const env = { TASK_REPOSITORY_DRIVER: driver, MONGODB_URI: uri, JWT_SECRET };
      const first = await startBuiltApp(env);
      const hook = await post(first, '/webhooks', { url: receiver.url });
      // Until the kill the receiver answers nothing: the first sends (four, the endpoint's
      // share) stay in flight, and the process dies with them claimed and unanswered.
      receiver.respond = () => 'hang';
      const acknowledged: string[] = [];
      for (let i = 0; i < TASKS; i++) {
        acknowledged.push(`${(await post(first, '/tasks', { title: `t${i}` })).id}:1`);
      }
      // Killed only once a send is in flight, however slow the machine: a kill before the first
      // send would leave nothing cut off to retry (it happened at load 16).
      await receiver.waitFor(1, 60_000);
      first.child.kill('SIGKILL');
      expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
      const beforeRestart = new Set(receiver.received.map((each) => each.headers['webhook-id']));
      expect(beforeRestart.size).toBeLessThan(TASKS);
      receiver.respond = null;

      app = await startBuiltApp(env);
      // By id, not by count: a send that timed out before the kill may have arrived twice.
      const received = await waitUntil(
        async () => new Set(receiver.received.map((each) => each.headers['webhook-id'])),
        (ids) => acknowledged.every((id) => ids.has(id)),
        60_000,
      );
      expect(acknowledged.filter((id) => !received.has(id))).toEqual([]);

      // The attempts in flight at the kill were claimed and never finished: once they are older
      // than any live send, each counts as failed and the next attempt goes out.
      const log = await waitUntil(
        () => attemptsOf(app!, hook.id as string),
        (items) =>
          items.length >= TASKS &&
          items.every((each) => each.status !== 'pending') &&
          items
            .filter((each) => each.error?.startsWith('cut off'))
            .every((each) =>
              items.some(
                (next) =>
                  next.event_id === each.event_id &&
                  next.attempt === each.attempt + 1 &&
                  next.status === 'succeeded',
              ),
            ),
        60_000,
      );
      const cut = log.filter((each) => each.error?.startsWith('cut off'));
      expect(cut.length).toBeGreaterThan(0);
      for (const each of cut) {
        expect(log).toContainEqual(
          expect.objectContaining({
            event_id: each.event_id,
            attempt: each.attempt + 1,
            status: 'succeeded',
          }),
        );
      }
      const succeeded = new Set(
        log.filter((each) => each.status === 'succeeded').map((each) => each.event_id),
      );
      expect(acknowledged.filter((id) => !succeeded.has(id))).toEqual([]);
    }, 180_000);
  });
}

async function waitUntil<T>(probe: () => Promise<T>, done: (value: T) => boolean, ms: number) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
