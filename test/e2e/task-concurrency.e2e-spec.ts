import { ADMIN, ALICE, as, BOB, expectProblem, useTestApp } from '../support/api';
import { act, auditLogOf, createTask, driveTo, getTask } from '../support/tasks';
import { TEST_DRIVERS } from '../support/test-app';

describe.each(TEST_DRIVERS)('ETags and concurrent writes (%s driver)', (driver) => {
  const app = useTestApp(driver);

  describe('ETag', () => {
    it('is the strong version on GET and on every write', async () => {
      const t = app();
      const created = await t.http().post('/tasks').set(as(ALICE)).send({ title: 'Tagged' });
      expect(created.headers.etag).toBe('"1"');
      const id = created.body.id as string;

      expect((await t.http().get(`/tasks/${id}`).set(as(ALICE))).headers.etag).toBe('"1"');
      const patch = await t.http().patch(`/tasks/${id}`).set(as(ALICE)).send({ title: 'Retagged' });
      expect(patch.headers.etag).toBe('"2"');
      const writes: [string, string, Record<string, unknown>][] = [
        [ALICE, 'assign', { assignee_id: BOB }],
        [BOB, 'start', {}],
        [BOB, 'submit', {}],
        [ALICE, 'reject', { reason: 'Again' }],
        [BOB, 'start', {}],
        [BOB, 'submit', {}],
        [ALICE, 'approve', {}],
        [ALICE, 'close', {}],
      ];
      let version = 2;
      for (const [by, action, body] of writes) {
        const res = await t.http().post(`/tasks/${id}/${action}`).set(as(by)).send(body);
        version += 1;
        expect({ action, etag: res.headers.etag }).toEqual({ action, etag: `"${version}"` });
      }
      const del = await t.http().delete(`/tasks/${id}`).set(as(ALICE));
      expect(del.status).toBe(204);
      expect(del.headers.etag).toBe(`"${version + 1}"`);
    });

    it('is carried by cancel and reactivate too', async () => {
      const t = app();
      const task = await createTask(t);

      expect((await act(t, ALICE, task.id, 'cancel')).headers.etag).toBe('"2"');
      expect((await act(t, ALICE, task.id, 'reactivate')).headers.etag).toBe('"3"');
    });
  });

  describe('If-Match', () => {
    it('lets a write through when it matches the current ETag', async () => {
      const t = app();
      const task = await driveTo(t, 'assigned');

      const res = await act(t, BOB, task.id, 'start').set('if-match', `"${task.version}"`);

      expect(res.status).toBe(200);
      expect(res.headers.etag).toBe(`"${task.version + 1}"`);
    });

    it('lets a PATCH and a DELETE through when they match', async () => {
      const t = app();
      const task = await createTask(t);

      const patch = await t
        .http()
        .patch(`/tasks/${task.id}`)
        .set(as(ALICE))
        .set('if-match', '"1"')
        .send({ title: 'Matched' });
      expect(patch.status).toBe(200);
      const del = await t.http().delete(`/tasks/${task.id}`).set(as(ALICE)).set('if-match', '"2"');
      expect(del.status).toBe(204);
    });

    it('treats * as no precondition', async () => {
      const t = app();
      const task = await createTask(t);

      const res = await act(t, ALICE, task.id, 'cancel').set('if-match', '*');

      expect(res.status).toBe(200);
    });

    it('answers 412 to a stale ETag and changes nothing', async () => {
      const t = app();
      const task = await driveTo(t, 'assigned');

      const res = await act(t, BOB, task.id, 'start').set('if-match', '"1"');

      const problem = expectProblem(res, 412, 'precondition-failed');
      expect(problem.current_version).toBe(2);
      expect(await getTask(t, task.id)).toEqual(task);
      expect(await auditLogOf(t, task.id, ALICE)).toHaveLength(2);
    });

    it('answers 412 to a stale ETag on PATCH and DELETE', async () => {
      const t = app();
      const task = await driveTo(t, 'assigned');

      const patch = await t
        .http()
        .patch(`/tasks/${task.id}`)
        .set(as(ALICE))
        .set('if-match', '"1"')
        .send({ title: 'Stale' });
      expectProblem(patch, 412, 'precondition-failed');
      const del = await t.http().delete(`/tasks/${task.id}`).set(as(ALICE)).set('if-match', '"1"');
      expectProblem(del, 412, 'precondition-failed');
      expect(await getTask(t, task.id)).toEqual(task);
    });

    it.each(['W/"2"', '2', '"two"'])(
      'never matches the weak or malformed If-Match %s',
      async (header) => {
        const t = app();
        const task = await driveTo(t, 'assigned');

        const res = await act(t, BOB, task.id, 'start').set('if-match', header);

        expectProblem(res, 412, 'precondition-failed');
        expect((await getTask(t, task.id)).version).toBe(2);
      },
    );
  });

  describe('concurrent writes', () => {
    it('let exactly one of many PATCHes with the same If-Match win; the rest get 412', async () => {
      const t = app();
      const task = await createTask(t);

      const results = await Promise.all(
        Array.from({ length: 10 }, (_, n) =>
          t
            .http()
            .patch(`/tasks/${task.id}`)
            .set(as(ALICE))
            .set('if-match', '"1"')
            .send({ title: `Edit ${n}` }),
        ),
      );

      const statuses = results.map((res) => res.status).sort();
      expect(statuses).toEqual([200, ...Array(9).fill(412)]);
      for (const res of results.filter((r) => r.status === 412)) {
        expectProblem(res, 412, 'precondition-failed');
      }
      const winner = results.find((res) => res.status === 200)!;
      const stored = await getTask(t, task.id);
      expect(stored).toMatchObject({ version: 2, title: winner.body.title });
      expect(await auditLogOf(t, task.id, ADMIN)).toHaveLength(2);
    });

    it('let exactly one of two starts win; the other gets 409', async () => {
      const t = app();
      const task = await driveTo(t, 'assigned');

      const results = await Promise.all([
        act(t, BOB, task.id, 'start'),
        act(t, BOB, task.id, 'start'),
      ]);

      expect(results.map((res) => res.status).sort()).toEqual([200, 409]);
      const loser = results.find((res) => res.status === 409)!;
      expect(loser.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(loser.body.type).toMatch(/\/(conflict|invalid-transition)$/);
      const stored = await getTask(t, task.id);
      expect(stored.version).toBe(3);
      expect(await auditLogOf(t, task.id, ADMIN)).toHaveLength(stored.version);
    });

    it('keep version equal to the audit count under a burst of mixed writes', async () => {
      const t = app();
      const task = await driveTo(t, 'assigned');

      await Promise.all([
        act(t, BOB, task.id, 'start'),
        act(t, ALICE, task.id, 'cancel'),
        act(t, ALICE, task.id, 'assign', { assignee_id: ADMIN }),
        t.http().patch(`/tasks/${task.id}`).set(as(ALICE)).send({ title: 'Burst' }),
        t.http().patch(`/tasks/${task.id}`).set(as(ADMIN)).send({ priority: 'urgent' }),
      ]);

      const stored = await getTask(t, task.id, ADMIN);
      const audit = await auditLogOf(t, task.id, ADMIN);
      expect(audit).toHaveLength(stored.version);
      expect(audit.map((e) => e.version)).toEqual(audit.map((_, index) => index + 1));
      expect(audit[audit.length - 1].to_status).toBe(stored.status);
    });
  });
});
