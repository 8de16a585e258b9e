import { MongoTopology } from '@taskflow/platform/mongo';
import { WriteFaults } from '../support/faults';
import { startTestApp } from '../support/test-app';
import {
  anAssignedTask,
  as,
  expectConsistent,
  historyOf,
  startWithComment,
} from '../support/workflow';

/**
 * After a write failed half-way (test/e2e/write-faults), the next app instance on the same
 * database rolls the half-made change forward before anyone writes to it. Mongo only: the memory
 * store does not outlive its app.
 */
describe('the start-up sweep (mongo driver)', () => {
  it('rolls forward a task a failed write left behind, before anyone writes to it', async () => {
    const first = await startTestApp('mongo');
    const faults = new WriteFaults(first);
    const id = await anAssignedTask(first, 'left behind');
    faults.arm(3);
    expect((await startWithComment(first, id)).status).toBe(500);
    const transactions = first.app.get(MongoTopology, { strict: false }).transactions;
    await first.close();

    const second = await startTestApp('mongo', { MONGODB_URI: first.mongoUri as string });
    try {
      const history = await historyOf(second, id);
      expectConsistent(history);
      expect(history.task.status).toBe(transactions ? 'assigned' : 'in_progress');
    } finally {
      await second.close();
    }
  });

  it('creates a task whose creation was claimed but whose document was never written', async () => {
    const first = await startTestApp('mongo');
    const faults = new WriteFaults(first);
    faults.arm(2);
    const res = await first.http().post('/tasks').set(as('u_alice')).send({ title: 'half made' });
    expect(res.status).toBe(500);
    expect(faults.writes).toEqual([
      expect.stringMatching(/AuditLogRepository\.append$/),
      expect.stringMatching(/TaskRepository\.insert$/),
    ]);
    const transactions = first.app.get(MongoTopology, { strict: false }).transactions;
    // Invisible meanwhile: its audit entry has no task a reader could reach it through.
    expect((await first.http().get('/tasks').set(as('u_alice'))).body.items).toEqual([]);
    await first.close();

    const second = await startTestApp('mongo', { MONGODB_URI: first.mongoUri as string });
    try {
      const items = (await second.http().get('/tasks').set(as('u_alice'))).body.items;
      expect(items.map((task: { title: string }) => task.title)).toEqual(
        transactions ? [] : ['half made'],
      );
      if (!transactions) expectConsistent(await historyOf(second, items[0].id));
    } finally {
      await second.close();
    }
  });
});
