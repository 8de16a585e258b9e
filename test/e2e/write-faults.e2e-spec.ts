import { MongoTopology } from '@taskflow/platform/mongo';
import { WriteFaults } from '../support/faults';
import { startTestApp, TEST_DRIVERS, TestApp } from '../support/test-app';
import {
  anAssignedTask,
  as,
  expectConsistent,
  expectStatus,
  historyOf,
  startWithComment,
} from '../support/workflow';

describe.each(TEST_DRIVERS)('a write failing half-way through a use case (%s driver)', (driver) => {
  let t: TestApp;
  let faults: WriteFaults;
  /** Whether a change whose claim was written survives the failure of a later write. */
  let claimSurvives: boolean;

  beforeAll(async () => {
    t = await startTestApp(driver);
    faults = new WriteFaults(t);
    claimSurvives = driver === 'mongo' && !t.app.get(MongoTopology, { strict: false }).transactions;
  });
  afterAll(() => t.close());

  it('writes claim, record and task, in that order', async () => {
    const id = await anAssignedTask(t);
    faults.arm(null);
    expectStatus(await startWithComment(t, id), 200);
    expect(faults.writes).toEqual([
      expect.stringMatching(/AuditLogRepository\.append$/),
      expect.stringMatching(/CollaborationRecordRepository\.add$/),
      expect.stringMatching(/TaskRepository\.save$/),
    ]);
  });

  describe.each([1, 2, 3])('when write %i of 3 fails', (n) => {
    let id: string;
    /** The change is claimed once its audit entry (write 1) is stored. */
    const claimed = (): boolean => claimSurvives && n > 1;

    beforeAll(async () => {
      id = await anAssignedTask(t, `fault at write ${n}`);
      faults.arm(n);
      const res = await startWithComment(t, id);
      expect(res.status).toBe(500);
      expect(res.body.detail).not.toMatch(/injected/);
    });

    it('leaves no task change without its audit entry, and no record of an unclaimed change', async () => {
      const { task, audit, records } = await historyOf(t, id);
      expect(audit.map((entry) => entry.version)).toEqual(claimed() ? [1, 2, 3] : [1, 2]);
      expect(task).toMatchObject({ status: 'assigned', version: 2 });
      expect(records.length).toBeLessThanOrEqual(claimed() ? 1 : 0);
    });

    it('rolls the task forward on its next write, record included', async () => {
      const patch = () =>
        t.http().patch(`/tasks/${id}`).set(as('u_alice')).send({ priority: 'high' });
      // A claimed change owns version 3: the next write loses its claim to it (409) and rolls
      // the task forward, so the retry applies on top of it.
      if (claimed()) expect((await patch()).status).toBe(409);
      const res = expectStatus(await patch(), 200);
      const history = await historyOf(t, id);
      expectConsistent(history);
      expect(res.body).toMatchObject({
        status: claimed() ? 'in_progress' : 'assigned',
        version: claimed() ? 4 : 3,
        priority: 'high',
      });
      expect(history.records.map((record) => [record.kind, record.body])).toEqual(
        claimed() ? [['comment', 'On it']] : [],
      );
    });
  });
});
