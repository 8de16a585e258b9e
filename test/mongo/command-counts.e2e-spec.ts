import { MongoTopology } from '@taskflow/platform';
import { TaskRepository } from '@taskflow/tasks';
import { aTaskState } from '../support/fixtures';
import { CommandLog } from '../support/mongo';
import { mongoConnectionOf, startTestApp, TestApp } from '../support/test-app';
import { anAssignedTask, as, expectStatus } from '../support/workflow';

/** Budgets per request (issue 10), and what later issues will add to each request. */
const GET_BUDGET = 3;
const TRANSITION_BUDGET = 8;
const RATE_LIMIT_HIT = 1;
const IDEMPOTENCY_KEY = 1;

describe('database commands per HTTP request (mongo driver)', () => {
  let t: TestApp;
  let log: CommandLog;
  let transactions: boolean;

  beforeAll(async () => {
    t = await startTestApp('mongo');
    log = new CommandLog(mongoConnectionOf(t).getClient());
    transactions = t.app.get(MongoTopology, { strict: false }).transactions;
  });
  afterAll(async () => {
    log.stop();
    await t.close();
  });

  it('reads a task in two commands: the actor account and the task', async () => {
    const id = await anAssignedTask(t);
    const commands = await log.during(async () =>
      expectStatus(await t.http().get(`/tasks/${id}`).set(as('u_bob')), 200),
    );
    expect(commands).toEqual(['find accounts', 'find tasks']);
    expect(commands.length + RATE_LIMIT_HIT).toBeLessThanOrEqual(GET_BUDGET);
  });

  it('runs a transition with a comment as account, task, claim, record and task write', async () => {
    const id = await anAssignedTask(t);
    const commands = await log.during(async () =>
      expectStatus(
        await t.http().post(`/tasks/${id}/start`).set(as('u_bob')).send({ comment: 'On it' }),
        200,
      ),
    );
    expect(commands).toEqual([
      'find accounts',
      'find tasks',
      'insert audit_entries',
      'insert collaboration_records',
      'update tasks',
      ...(transactions ? ['commitTransaction'] : []),
    ]);
    if (!transactions) {
      expect(commands.length + RATE_LIMIT_HIT + IDEMPOTENCY_KEY).toBeLessThanOrEqual(
        TRANSITION_BUDGET,
      );
    }
  });

  it('lists a page in the same two commands whatever the page size', async () => {
    const repository = t.app.get(TaskRepository, { strict: false });
    for (let i = 0; i < 105; i++) await repository.insert(aTaskState({ creatorId: 'u_bob' }));
    const listing = (limit: number) =>
      log.during(async () => {
        const res = expectStatus(
          await t.http().get('/tasks').query({ limit, creator_id: 'u_bob' }).set(as('u_bob')),
          200,
        );
        expect(res.body.items).toHaveLength(limit);
      });
    const small = await listing(5);
    const large = await listing(100);
    expect(small).toEqual(['find accounts', 'find tasks']);
    expect(large).toEqual(small);
  });
});
