import { startTestApp } from '../support/test-app';
import { allPages, anAssignedTask, as, expectStatus } from '../support/workflow';

describe('restart durability (mongo driver)', () => {
  it('reads back everything one app instance wrote through a new one', async () => {
    const first = await startTestApp('mongo');
    let before: Record<string, unknown>;
    try {
      expectStatus(
        await first
          .http()
          .post('/users')
          .send({ id: 'u_dora', name: 'Dora', role: 'agent', password: 'a-long-enough-password' }),
        201,
      );
      const id = await anAssignedTask(first, 'survives restarts');
      expectStatus(
        await first
          .http()
          .post(`/tasks/${id}/start`)
          .set(as('u_bob'))
          .send({ comment: 'Starting' }),
        200,
      );
      expectStatus(await first.http().post(`/tasks/${id}/submit`).set(as('u_bob')).send({}), 200);
      expectStatus(
        await first
          .http()
          .post(`/tasks/${id}/reject`)
          .set(as('u_alice'))
          .send({ reason: 'Missing totals' }),
        200,
      );
      const deleted = await anAssignedTask(first, 'deleted before the restart');
      expectStatus(await first.http().delete(`/tasks/${deleted}`).set(as('u_alice')), 204);
      before = await snapshot(first, id, deleted);
    } finally {
      await first.close();
    }

    const second = await startTestApp('mongo', { MONGODB_URI: first.mongoUri as string });
    try {
      const [id, deleted] = [(before.task as { id: string }).id, before.deletedId as string];
      expect(await snapshot(second, id, deleted)).toEqual(before);
      expect(before).toMatchObject({
        account: { id: 'u_dora', role: 'agent', status: 'active' },
        task: { status: 'rejected', version: 5 },
        deletedStatus: 404,
      });
      expect((before.audit as unknown[]).length).toBe(5);
      expect((before.records as { kind: string }[]).map((r) => r.kind)).toEqual([
        'comment',
        'submission',
        'rejection',
      ]);
    } finally {
      await second.close();
    }
  });
});

/** What a client can read about the data: account, task, lists, logs, and the deleted task. */
async function snapshot(
  t: Awaited<ReturnType<typeof startTestApp>>,
  id: string,
  deletedId: string,
): Promise<Record<string, unknown>> {
  return {
    account: expectStatus(await t.http().get('/me').set(as('u_dora')), 200).body,
    task: expectStatus(await t.http().get(`/tasks/${id}`).set(as('u_alice')), 200).body,
    list: await allPages(t, '/tasks', 'u_alice'),
    audit: await allPages(t, `/tasks/${id}/audit_logs`),
    records: await allPages(t, `/tasks/${id}/records`),
    deletedId,
    deletedStatus: (await t.http().get(`/tasks/${deletedId}`).set(as('u_alice'))).status,
    deletedAudit: await allPages(t, `/tasks/${deletedId}/audit_logs`),
  };
}
