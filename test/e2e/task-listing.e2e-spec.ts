import { ADMIN, ALICE, as, BOB, ensureStatus, registerAccount, useTestApp } from '../support/api';
import {
  act,
  allPages,
  AuditEntryBody,
  createTask,
  driveTo,
  RecordBody,
  TaskBody,
} from '../support/tasks';
import { TEST_DRIVERS, TestApp } from '../support/test-app';

interface Page {
  items: TaskBody[];
  next_cursor: string | null;
}

async function listPage(
  t: TestApp,
  by: string,
  query: Record<string, string | number>,
): Promise<Page> {
  return ensureStatus(await t.http().get('/tasks').query(query).set(as(by)), 200).body as Page;
}

/** Follows next_cursor from the first page to the last, keeping each page. */
async function pages(
  t: TestApp,
  by: string,
  query: Record<string, string | number>,
): Promise<TaskBody[][]> {
  const all: TaskBody[][] = [];
  let cursor: string | null = null;
  do {
    const page: Page = await listPage(t, by, cursor ? { ...query, cursor } : query);
    all.push(page.items);
    cursor = page.next_cursor;
  } while (cursor !== null && all.length < 50);
  return all;
}

describe.each(TEST_DRIVERS)('task listing (%s driver)', (driver) => {
  const app = useTestApp(driver);

  describe('cursor pagination', () => {
    let owner: string;
    let created: TaskBody[];

    beforeAll(async () => {
      owner = await registerAccount(app());
      created = [];
      for (let n = 0; n < 25; n++) created.push(await createTask(app(), owner));
    });

    it('walks 25 tasks in pages of 7 without overlap or gaps, oldest first', async () => {
      const walked = await pages(app(), owner, { limit: 7 });

      expect(walked.map((page) => page.length)).toEqual([7, 7, 7, 4]);
      const ids = walked.flat().map((task) => task.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(created.map((task) => task.id));
    });

    it('ends with a null next_cursor when the last page is exactly full', async () => {
      const walked = await pages(app(), owner, { limit: 5 });

      expect(walked.map((page) => page.length)).toEqual([5, 5, 5, 5, 5]);
    });

    it('serves 20 items by default and up to 100 on request', async () => {
      expect((await listPage(app(), owner, {})).items).toHaveLength(20);
      const big = await listPage(app(), owner, { limit: 100 });
      expect(big.items).toHaveLength(25);
      expect(big.next_cursor).toBeNull();
    });

    it('keeps its place when tasks are created between pages', async () => {
      const t = app();
      const someone = await registerAccount(t);
      const early = [await createTask(t, someone), await createTask(t, someone)];
      const first = await listPage(t, someone, { limit: 1 });
      const late = await createTask(t, someone);

      const rest = await allPages<TaskBody>(t, `/tasks?cursor=${first.next_cursor}`, someone);

      expect([...first.items, ...rest].map((task) => task.id)).toEqual(
        [...early, late].map((task) => task.id),
      );
    });

    it('answers tasks in the same shape as GET /tasks/:id', async () => {
      const [first] = (await listPage(app(), owner, { limit: 1 })).items;

      const res = await app().http().get(`/tasks/${first.id}`).set(as(owner));
      expect(first).toEqual(res.body);
    });
  });

  describe('filters', () => {
    let owner: string;
    let pending: TaskBody[];
    let assignedToBob: TaskBody[];
    let inProgress: TaskBody[];

    beforeAll(async () => {
      const t = app();
      owner = await registerAccount(t);
      const cast = { creator: owner };
      pending = [await driveTo(t, 'pending', cast), await driveTo(t, 'pending', cast)];
      assignedToBob = [await driveTo(t, 'assigned', cast), await driveTo(t, 'assigned', cast)];
      inProgress = [
        await driveTo(t, 'in_progress', { ...cast, assignee: BOB }),
        await driveTo(t, 'in_progress', { ...cast, assignee: ADMIN }),
        await driveTo(t, 'in_progress', { ...cast, assignee: ADMIN }),
      ];
      // Someone else's task that u_bob and the admin see too, so creator_id has work to do.
      await driveTo(t, 'assigned');
    });

    const ids = (tasks: TaskBody[]): string[] => tasks.map((task) => task.id);

    it('filters by status', async () => {
      const items = await allPages<TaskBody>(app(), '/tasks?status=pending', owner);

      expect(ids(items)).toEqual(ids(pending));
    });

    it('filters by assignee_id', async () => {
      const items = await allPages<TaskBody>(app(), `/tasks?assignee_id=${BOB}`, owner);

      expect(ids(items)).toEqual(ids([...assignedToBob, inProgress[0]]));
    });

    it('filters by creator_id', async () => {
      const items = await allPages<TaskBody>(app(), `/tasks?creator_id=${owner}`, ADMIN);

      expect(ids(items)).toEqual(ids([...pending, ...assignedToBob, ...inProgress]));
    });

    it('combines filters and pages through the filtered set', async () => {
      const walked = await pages(app(), ADMIN, {
        creator_id: owner,
        status: 'in_progress',
        assignee_id: ADMIN,
        limit: 1,
      });

      expect(walked.map((page) => page.length)).toEqual([1, 1]);
      expect(ids(walked.flat())).toEqual(ids(inProgress.slice(1)));
    });

    it('answers an empty page when nothing matches', async () => {
      const page = await listPage(app(), owner, { status: 'closed' });

      expect(page).toEqual({ items: [], next_cursor: null });
    });

    it('shows the assignee only the tasks they take part in', async () => {
      const items = await allPages<TaskBody>(app(), `/tasks?creator_id=${owner}`, BOB);

      expect(ids(items)).toEqual(ids([...assignedToBob, inProgress[0]]));
    });

    it('follows a status change: a started task leaves the assigned filter', async () => {
      const t = app();
      const creator = await registerAccount(t);
      const task = await driveTo(t, 'assigned', { creator });
      expect(ids(await allPages<TaskBody>(t, '/tasks?status=assigned', creator))).toEqual([
        task.id,
      ]);

      expect((await act(t, BOB, task.id, 'start')).status).toBe(200);

      expect(await allPages<TaskBody>(t, '/tasks?status=assigned', creator)).toEqual([]);
      const started = await allPages<TaskBody>(t, '/tasks?status=in_progress', creator);
      expect(ids(started)).toEqual([task.id]);
    });
  });

  describe('history pagination', () => {
    it('pages through a task’s audit log and records without overlap or gaps', async () => {
      const t = app();
      const task = await driveTo(t, 'submitted');
      for (let round = 0; round < 3; round++) {
        await act(t, ALICE, task.id, 'reject', { reason: `Round ${round}`, comment: 'Again' });
        await act(t, BOB, task.id, 'start');
        await act(t, BOB, task.id, 'submit', { comment: `Take ${round}` });
      }

      const audit = await allPages<AuditEntryBody>(t, `/tasks/${task.id}/audit_logs`, ALICE, 4);
      expect(audit.map((entry) => entry.version)).toEqual(
        Array.from({ length: 13 }, (_, index) => index + 1),
      );
      const records = await allPages<RecordBody>(t, `/tasks/${task.id}/records`, ALICE, 4);
      expect(records).toHaveLength(1 + 3 * 3);
      expect(new Set(records.map((record) => record.id)).size).toBe(records.length);
      expect(records.map((record) => record.version)).toEqual(
        [...records.map((record) => record.version)].sort((a, b) => a - b),
      );
    });
  });
});
