import {
  createClient,
  JwtSession,
  verifyWebhook,
  WebhookVerificationError,
  type TaskflowClient,
  type VerifyWebhookOptions,
  type WebhookHeaders,
} from '@taskflow/client';
import { ALICE } from '../support/api';
import { controlClock, DEV_PASSWORD } from '../support/auth';
import { startTestApp, TEST_DRIVERS, type TestApp } from '../support/test-app';
import { WebhookReceiver, type Received } from '../support/webhook-receiver';

/** What verifyWebhook says: 'accepted', or the reason of its WebhookVerificationError. */
const outcome = (
  secret: string | string[],
  headers: WebhookHeaders,
  body: string,
  options?: VerifyWebhookOptions,
) =>
  verifyWebhook(secret, headers, body, options).then(
    () => 'accepted',
    (error: unknown) =>
      error instanceof WebhookVerificationError ? error.reason : `unexpected: ${String(error)}`,
  );

describe.each(TEST_DRIVERS)('verifyWebhook on real deliveries (%s)', (driver) => {
  let t: TestApp;
  let alice: TaskflowClient;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    t = await startTestApp(driver);
    const baseUrl = await t.app.getUrl();
    alice = createClient({
      baseUrl,
      credentials: await JwtSession.login(ALICE, DEV_PASSWORD, { baseUrl }),
    });
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    const hooks = await alice.GET('/webhooks', { params: { query: { limit: 100 } } });
    for (const hook of hooks.data?.items ?? []) {
      await alice.DELETE('/webhooks/{id}', { params: { path: { id: hook.id } } });
    }
    await Promise.all(receivers.splice(0).map((each) => each.close()));
  });
  afterAll(() => t.close());

  /** A real receiver on loopback, an endpoint of Alice's pointing at it, and its secret. */
  async function endpoint() {
    const rx = await new WebhookReceiver().start();
    receivers.push(rx);
    const hook = await alice.POST('/webhooks', { body: { url: rx.url, types: ['task.created'] } });
    if (!hook.data) throw new Error(`no webhook: ${JSON.stringify(hook.error)}`);
    return { rx, id: hook.data.id, secret: hook.data.secret };
  }

  async function delivery(rx: WebhookReceiver, title: string): Promise<[Received, string]> {
    const created = await alice.POST('/tasks', { body: { title } });
    if (!created.data) throw new Error(`no task: ${JSON.stringify(created.error)}`);
    const [got] = await rx.waitFor(1);
    return [got!, created.data.id];
  }

  it('accepts a real delivery and returns its event; refuses it tampered or under a wrong secret', async () => {
    const { rx, secret } = await endpoint();
    const other = await endpoint();
    const [got, taskId] = await delivery(rx, 'Verify me');

    const event = await verifyWebhook(secret, got.headers, got.body);
    expect(event).toEqual(JSON.parse(got.body));
    expect(event).toMatchObject({ type: 'task.created', task_id: taskId, version: 1 });
    expect(got.headers['webhook-id']).toBe(event.id);

    const headers = got.headers as Record<string, string>;
    const ts = Number(headers['webhook-timestamp']);
    expect(await outcome(secret, headers, got.body.replace('Verify me', 'Verify mE'))).toBe(
      'no-matching-signature',
    );
    expect(await outcome(secret, { ...headers, 'webhook-id': `${taskId}:2` }, got.body)).toBe(
      'no-matching-signature',
    );
    expect(
      await outcome(secret, { ...headers, 'webhook-timestamp': String(ts + 1) }, got.body),
    ).toBe('no-matching-signature');
    expect(await outcome(other.secret, headers, got.body)).toBe('no-matching-signature');
    expect(await outcome([other.secret, secret], headers, got.body)).toBe('accepted');
  });

  it('refuses a delivery signed longer ago than the tolerance (5 minutes by default)', async () => {
    const { rx, secret } = await endpoint();
    // The app's clock runs six minutes behind: it signs with a timestamp that is already stale.
    controlClock(t).advance(-6 * 60_000);
    const [got] = await delivery(rx, 'Stale');
    const signedAt = Number(got.headers['webhook-timestamp']);
    expect(Date.now() / 1000 - signedAt).toBeGreaterThan(355);

    expect(await outcome(secret, got.headers, got.body)).toBe('timestamp-too-old');
    expect(await outcome(secret, got.headers, got.body, { toleranceSeconds: 600 })).toBe(
      'accepted',
    );
  });

  it('during the overlap after a rotation, the old and the new secret both verify', async () => {
    const { rx, id, secret: old } = await endpoint();
    const rotated = await alice.POST('/webhooks/{id}/rotate-secret', {
      params: { path: { id } },
    });
    const current = rotated.data!.secret;
    expect(current).not.toBe(old);
    const [got] = await delivery(rx, 'Rotated');
    expect(String(got.headers['webhook-signature']).split(' ')).toHaveLength(2);

    expect(await outcome(old, got.headers, got.body)).toBe('accepted');
    expect(await outcome(current, got.headers, got.body)).toBe('accepted');
    expect(await outcome([old, current], got.headers, got.body)).toBe('accepted');
    const stranger = (await endpoint()).secret;
    expect(await outcome(stranger, got.headers, got.body)).toBe('no-matching-signature');
  });
});
