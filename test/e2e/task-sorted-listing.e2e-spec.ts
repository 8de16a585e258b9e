import {
  ALICE,
  as,
  ensureStatus,
  expectValidationErrors,
  registerAccount,
  useTestApp,
} from '../support/api';
import type { TaskBody } from '../support/tasks';
import { TEST_DRIVERS, TestApp } from '../support/test-app';

const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
/** Queue order: `sort=priority` lists urgent first. */
const RANK: Record<string, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

/** The order DESIGN §8 asks for, computed here from the answers themselves. */
function expectedOrder(tasks: TaskBody[], sort: string): string[] {
  const key = sort.replace(/^-/, '');
  const sign = sort.startsWith('-') ? -1 : 1;
  const value = (task: TaskBody): number | null =>
    key === 'priority'
      ? RANK[task.priority]
      : key === 'due_at'
        ? task.due_at === null
          ? null
          : Date.parse(task.due_at)
        : Date.parse(key === 'updated_at' ? task.updated_at : task.created_at);
  const compare = (a: TaskBody, b: TaskBody): number => {
    const [x, y] = [value(a), value(b)];
    if (key !== 'created_at' && x !== y) {
      if (x === null) return -1;
      if (y === null) return 1;
      return x - y;
    }
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
  return [...tasks].sort((a, b) => sign * compare(a, b)).map((task) => task.id);
}

async function page(t: TestApp, by: string, query: Record<string, string | number>) {
  return ensureStatus(await t.http().get('/tasks').query(query).set(as(by)), 200).body as {
    items: TaskBody[];
    next_cursor: string | null;
  };
}

describe.each(TEST_DRIVERS)('sorted, filtered task lists (%s driver)', (driver) => {
  const app = useTestApp(driver);

  async function seed(t: TestApp, owner: string, n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const res = await t
        .http()
        .post('/tasks')
        .set(as(owner))
        .send({
          title: `Task ${i}`,
          priority: PRIORITIES[(i * 7) % 4],
          due_at: i % 3 === 0 ? null : new Date(Date.UTC(2031, 0, 1 + ((i * 5) % 9))).toISOString(),
        });
      ids.push(ensureStatus(res, 201).body.id);
    }
    return ids;
  }

  it.each([
    'created_at',
    '-created_at',
    'updated_at',
    '-updated_at',
    'due_at',
    '-due_at',
    'priority',
    '-priority',
  ])('pages in %s order, ties by id, none twice and none lost while tasks change', async (sort) => {
    const t = app();
    const owner = await registerAccount(t);
    const ids = await seed(t, owner, 18);
    const seen: TaskBody[] = [];
    let cursor: string | null = null;
    let round = 0;
    do {
      const body = await page(t, owner, { sort, limit: 4, ...(cursor ? { cursor } : {}) });
      seen.push(...body.items);
      cursor = body.next_cursor;
      // Between pages the owner creates a task, and (where an edit leaves the sort key alone)
      // edits one task already seen and one not yet seen. A task whose sort key changes moves,
      // as in any keyset list, so updated_at sorts get no edits.
      if (round < 3) {
        await seed(t, owner, 1);
        if (!sort.endsWith('updated_at')) {
          const unseen = ids.find((id) => !seen.some((task) => task.id === id));
          for (const id of [seen[0].id, unseen]) {
            if (id === undefined) continue;
            const res = await t
              .http()
              .patch(`/tasks/${id}`)
              .set(as(owner))
              .send({ title: `Edited ${round}` });
            ensureStatus(res, 200);
          }
        }
      }
      round += 1;
    } while (cursor !== null);

    const seenIds = seen.map((task) => task.id);
    expect(new Set(seenIds).size).toBe(seenIds.length);
    for (const id of ids) expect(seenIds).toContain(id);
    expect(seenIds).toEqual(expectedOrder(seen, sort));
  });

  it('filters by lists of statuses and priorities, me, open, due_before and updated_since', async () => {
    const t = app();
    const owner = await registerAccount(t);
    const ids = await seed(t, owner, 8);
    const open = ensureStatus(
      await t
        .http()
        .post('/tasks')
        .set(as(owner))
        .send({ title: 'Open', open: true, priority: 'urgent' }),
      201,
    ).body as TaskBody;
    const all = (await page(t, owner, { creator_id: 'me', limit: 100 })).items;
    expect(all.map((task) => task.id).sort()).toEqual([...ids, open.id].sort());

    const urgentOrHigh = await page(t, owner, {
      creator_id: 'me',
      priority: 'urgent,high',
      limit: 100,
    });
    expect(urgentOrHigh.items.map((task) => task.id)).toEqual(
      all.filter((task) => ['urgent', 'high'].includes(task.priority)).map((task) => task.id),
    );
    const pending = await page(t, owner, {
      creator_id: 'me',
      status: 'pending,assigned',
      limit: 100,
    });
    expect(pending.items).toHaveLength(all.length);
    expect(
      (await page(t, owner, { creator_id: 'me', open: 'true' })).items.map((x) => x.id),
    ).toEqual([open.id]);
    const cut = '2031-01-05T00:00:00Z';
    const due = await page(t, owner, { creator_id: 'me', due_before: cut, limit: 100 });
    expect(due.items.map((task) => task.id)).toEqual(
      all
        .filter((task) => task.due_at !== null && task.due_at < '2031-01-05')
        .map((task) => task.id),
    );
    const since = all[4].updated_at;
    const recent = await page(t, owner, { creator_id: 'me', updated_since: since, limit: 100 });
    expect(recent.items.map((task) => task.id)).toEqual(
      all.filter((task) => task.updated_at >= since).map((task) => task.id),
    );
    expect((await page(t, ALICE, { creator_id: owner, limit: 100 })).items).toEqual([
      expect.objectContaining({ id: open.id }),
    ]);
  });

  it.each([
    ['sort', { sort: 'title' }],
    ['sort', { sort: '--due_at' }],
    ['status', { status: 'pending,lost' }],
    ['priority', { priority: 'urgent,soon' }],
    ['open', { open: 'yes' }],
    ['due_before', { due_before: 'tomorrow' }],
    ['updated_since', { updated_since: '2030-01-01' }],
  ])('refuses a bad %s with a 400 naming it', async (field, query) => {
    const t = app();
    const res = await t.http().get('/tasks').query(query).set(as(ALICE));
    expectValidationErrors(res, [field]);
  });

  it('refuses a cursor made for another sort or other filters', async () => {
    const t = app();
    const owner = await registerAccount(t);
    await seed(t, owner, 3);
    const first = await page(t, owner, { sort: '-updated_at', limit: 1 });
    expect(first.next_cursor).not.toBeNull();
    const cursor = first.next_cursor as string;

    for (const query of [
      { sort: 'updated_at', cursor },
      { cursor },
      { sort: '-updated_at', status: 'pending', cursor },
    ]) {
      const res = await t.http().get('/tasks').query(query).set(as(owner));
      expectValidationErrors(res, ['cursor']);
    }
    expect((await page(t, owner, { sort: '-updated_at', limit: 1, cursor })).items).toHaveLength(1);
  });
});
