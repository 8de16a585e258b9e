import { MongoTopology } from '@taskflow/platform/mongo';
import { TaskRepository } from '@taskflow/tasks';
import { aTaskState } from '@taskflow/tasks/testing';
import { bearer, login } from '../support/auth';
import { CommandLog, isSweep } from '../support/mongo';
import { mongoConnectionOf, startTestApp, TestApp } from '../support/test-app';
import { anAssignedTask, as, expectStatus } from '../support/workflow';

/** Budgets per request (issue 10), with the rate limit and an idempotency key in play. */
const GET_BUDGET = 3;
const TRANSITION_BUDGET = 8;
/** Issue 18: a claim by id and a queue claim are a transition without a record; a heartbeat is a read and one update. */
const CLAIM_BUDGET = 5;
const QUEUE_CLAIM_BUDGET = 5;
const HEARTBEAT_BUDGET = 4;

describe('database commands per HTTP request (mongo driver)', () => {
  let t: TestApp;
  let log: CommandLog;
  let transactions: boolean;

  beforeAll(async () => {
    // The global limit is on (and out of the way), so its counter is part of every count.
    // Webhook dispatch is background work beside requests, like the sweep: off here.
    t = await startTestApp('mongo', { RATE_LIMIT_GLOBAL: '100000/60s', WEBHOOK_DISPATCH: 'off' });
    log = new CommandLog(mongoConnectionOf(t).getClient());
    transactions = t.app.get(MongoTopology, { strict: false }).transactions;
  });
  const during = async (work: () => Promise<unknown>): Promise<string[]> => {
    const start = log.commands.length;
    await work();
    return log.commands
      .slice(start)
      .filter((c) => !isSweep(c))
      .map((c) => `${c.name} ${c.collection ?? ''}`.trim());
  };

  afterAll(async () => {
    log.stop();
    await t.close();
  });

  it('reads a task in three commands: the actor account, the rate-limit counter, the task', async () => {
    const id = await anAssignedTask(t);
    const commands = await during(async () =>
      expectStatus(await t.http().get(`/tasks/${id}`).set(as('u_bob')), 200),
    );
    expect(commands).toEqual(['find accounts', 'findAndModify rate_limit_counters', 'find tasks']);
    expect(commands.length).toBeLessThanOrEqual(GET_BUDGET);
  });

  it('reads a task with an API key in one read more than with a JWT: the key', async () => {
    const id = await anAssignedTask(t);
    const jwt = (await login(t, 'u_bob')).access_token;
    const key = (
      await t
        .http()
        .post('/api-keys')
        .set(bearer(jwt))
        .send({ name: 'reader', scopes: ['tasks:read'], expires_in_days: 1 })
    ).body.key as string;
    const read = (credential: string) =>
      during(async () =>
        expectStatus(await t.http().get(`/tasks/${id}`).set(bearer(credential)), 200),
      );
    const withJwt = await read(jwt);
    // The first use of the key writes its last_used_at, then not again within the minute.
    expect(await read(key)).toContain('update api_keys');
    const withKey = await read(key);
    expect(withJwt).toEqual(['find accounts', 'findAndModify rate_limit_counters', 'find tasks']);
    expect(withKey).toEqual([
      'find api_keys',
      'find accounts',
      'findAndModify rate_limit_counters',
      'find tasks',
    ]);
    expect(withKey.length).toBeLessThanOrEqual(withJwt.length + 1);
  });

  it('scopes a read in the query itself: a task the actor may not see is never fetched', async () => {
    const id = await anAssignedTask(t);
    const start = log.commands.length;
    expectStatus(await t.http().get(`/tasks/${id}`).set(as('a_builder')), 404);
    const taskReads = log.commands
      .slice(start)
      .filter((c) => c.name === 'find' && c.collection === 'tasks' && !isSweep(c));
    expect(taskReads.map((c) => c.command.filter)).toEqual([
      {
        _id: id,
        deleted_at: null,
        $or: [
          { visible_to: 'a_builder' },
          { open: true, assignee_id: null, open_to: { $in: ['agent', 'any'] } },
        ],
      },
    ]);
  });

  it('runs a keyed transition with a comment in eight commands without a transaction', async () => {
    const id = await anAssignedTask(t);
    const commands = await during(async () =>
      expectStatus(
        await t
          .http()
          .post(`/tasks/${id}/start`)
          .set(as('u_bob'))
          .set('idempotency-key', `start-${id}`)
          .send({ comment: 'On it' }),
        200,
      ),
    );
    expect(commands).toEqual([
      'find accounts',
      'findAndModify rate_limit_counters',
      'insert idempotency_keys',
      'find tasks',
      'insert audit_entries',
      'insert collaboration_records',
      'update tasks',
      'update idempotency_keys',
      ...(transactions ? ['commitTransaction'] : []),
    ]);
    if (!transactions) expect(commands.length).toBeLessThanOrEqual(TRANSITION_BUDGET);
  });

  it('lists a page in the same three commands whatever the page size', async () => {
    const repository = t.app.get(TaskRepository, { strict: false });
    for (let i = 0; i < 105; i++) await repository.insert(aTaskState({ creatorId: 'u_bob' }));
    const listing = (limit: number) =>
      during(async () => {
        const res = expectStatus(
          await t.http().get('/tasks').query({ limit, creator_id: 'u_bob' }).set(as('u_bob')),
          200,
        );
        expect(res.body.items).toHaveLength(limit);
      });
    const small = await listing(5);
    const large = await listing(100);
    expect(small).toEqual(['find accounts', 'findAndModify rate_limit_counters', 'find tasks']);
    expect(large).toEqual(small);
  });

  const openTask = async (): Promise<string> => {
    const res = await t
      .http()
      .post('/tasks')
      .set(as('u_alice'))
      .send({ title: 'Queue me', open: true, open_to: 'agent', priority: 'urgent' });
    return expectStatus(res, 201).body.id as string;
  };

  it('claims a task by id in five commands without a transaction', async () => {
    const id = await openTask();
    const commands = await during(async () =>
      expectStatus(
        await t.http().post(`/tasks/${id}/claim`).set(as('a_builder')).send({ lease_seconds: 60 }),
        200,
      ),
    );
    expect(commands).toEqual([
      'find accounts',
      'findAndModify rate_limit_counters',
      'find tasks',
      'insert audit_entries',
      'update tasks',
      ...(transactions ? ['commitTransaction'] : []),
    ]);
    if (!transactions) expect(commands.length).toBeLessThanOrEqual(CLAIM_BUDGET);
  });

  it('claims from the queue without waiting in five commands: one query hands the candidates', async () => {
    await openTask();
    const commands = await during(async () =>
      expectStatus(
        await t.http().post('/tasks/claim').set(as('a_builder')).send({ lease_seconds: 60 }),
        200,
      ),
    );
    expect(commands).toEqual([
      'find accounts',
      'findAndModify rate_limit_counters',
      'find tasks',
      'insert audit_entries',
      'update tasks',
      ...(transactions ? ['commitTransaction'] : []),
    ]);
    if (!transactions) expect(commands.length).toBeLessThanOrEqual(QUEUE_CLAIM_BUDGET);
  });

  it('answers a heartbeat in four commands, writing no audit entry', async () => {
    const id = await openTask();
    expectStatus(
      await t.http().post(`/tasks/${id}/claim`).set(as('a_builder')).send({ lease_seconds: 60 }),
      200,
    );
    const commands = await during(async () =>
      expectStatus(
        await t.http().post(`/tasks/${id}/heartbeat`).set(as('a_builder')).send({}),
        200,
      ),
    );
    expect(commands).toEqual([
      'find accounts',
      'findAndModify rate_limit_counters',
      'find tasks',
      'update tasks',
    ]);
    expect(commands.length).toBeLessThanOrEqual(HEARTBEAT_BUDGET);
  });
});
