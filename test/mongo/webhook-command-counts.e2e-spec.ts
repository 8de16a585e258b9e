import { WebhookDispatcher } from '@taskflow/webhooks';
import { CommandLog, isSweep } from '../support/mongo';
import { mongoConnectionOf, startTestApp, TestApp } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';
import { as, expectStatus } from '../support/workflow';

/**
 * Issue 21: the database commands one dispatch pass costs on the Mongo driver. The dispatcher's
 * own loop is off (WEBHOOK_DISPATCH=off), so every command counted here is a pass this test runs.
 */
describe('database commands per webhook dispatch pass (mongo driver)', () => {
  let t: TestApp;
  let log: CommandLog;
  let receiver: WebhookReceiver;
  let dispatcher: WebhookDispatcher;
  let hook: string;

  beforeAll(async () => {
    t = await startTestApp('mongo', { WEBHOOK_DISPATCH: 'off' });
    log = new CommandLog(mongoConnectionOf(t).getClient());
    receiver = await new WebhookReceiver().start();
    dispatcher = t.app.get(WebhookDispatcher, { strict: false });
    hook = expectStatus(
      await t.http().post('/webhooks').set(as('u_alice')).send({ url: receiver.url }),
      201,
    ).body.id;
  });
  afterAll(async () => {
    log.stop();
    await t.close();
    await receiver.close();
  });

  /** Makes `count` tasks and waits until the event feed shows them (the horizon passed them). */
  async function changes(count: number): Promise<void> {
    const cursor = expectStatus(
      await t.http().get('/events').query({ after: 'now' }).set(as('u_alice')),
      200,
    ).body.next_cursor as string;
    for (let i = 0; i < count; i++) {
      expectStatus(
        await t
          .http()
          .post('/tasks')
          .set(as('u_alice'))
          .send({ title: `c${i}` }),
        201,
      );
    }
    let seen = 0;
    while (seen < count) {
      const page = expectStatus(
        await t.http().get('/events').query({ after: cursor, limit: 100 }).set(as('u_alice')),
        200,
      ).body as { items: unknown[] };
      seen = page.items.length;
      if (seen < count) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * One pass that reads the new events, owes them and sends them: its commands, in order. The
   * backlog gauge's count (at most every 5 s, not per delivery) is left out.
   */
  async function pass(): Promise<string[]> {
    const start = log.commands.length;
    await dispatcher.runOnce();
    await dispatcher.settle();
    return log.commands
      .slice(start)
      .filter(
        (c) => !isSweep(c) && !(c.name === 'aggregate' && c.collection === 'webhook_deliveries'),
      )
      .map((c) => `${c.name} ${c.collection ?? ''}`.trim());
  }

  const FOLLOW = [
    'find webhooks', // the enabled endpoints
    'find webhook_replays', // the unfinished replays (none here)
    'find accounts', // their owner, once per pass
    'find webhook_cursors', // the endpoint's cursor
    'find audit_entries', // a page of the log after it
    'find tasks', // what the owner may see of it
    'insert webhook_deliveries', // the page's deliveries, one insert
    'insert webhook_cursors', // the cursor moved once for the page
  ];
  const SEND = [
    'find webhook_deliveries', // the due deliveries
    'insert webhook_attempts', // the batch's claims, one insert (each by its unique id)
    'find tasks', // what the owner may still see, once for the batch
    'update webhook_attempts', // the outcomes, one write
    'update webhook_deliveries', // the deliveries moved on, one write
    'find webhooks', // the endpoint's failure mark, once for the batch
  ];

  it('owes and sends a batch of four deliveries in the commands of one: fourteen', async () => {
    await changes(1);
    const one = await pass();
    await changes(4);
    const four = await pass();
    expect(one).toEqual([...FOLLOW, ...SEND]);
    expect(four).toEqual([...FOLLOW, ...SEND]);
    // Before issue 21's batching the four sends alone took 32 commands (8 per delivery).
    expect(four).toHaveLength(14);
    const attempts = expectStatus(
      await t.http().get(`/webhooks/${hook}/deliveries`).set(as('u_alice')),
      200,
    ).body.items as { status: string }[];
    expect(attempts.map((each) => each.status)).toEqual(Array(5).fill('succeeded'));
    expect(receiver.received).toHaveLength(5);
  });
});
