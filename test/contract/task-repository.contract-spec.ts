import { type Actor, ConcurrencyConflict } from '@taskflow/platform';
import {
  comparePositions,
  OPEN_TO,
  positionKey,
  type SortableField,
  sortValue,
  Task,
  TASK_PRIORITIES,
  TASK_SORT_KEYS,
  TASK_STATUSES,
  type TaskFilter,
  TaskRepository,
  type TaskState,
} from '@taskflow/tasks';
import { aTaskState, seededRandom as random } from '@taskflow/tasks/testing';
import { testDrivers } from '../support/drivers';
import { withDatabase } from '../support/mongo';
import { Persistence, startPersistence } from '../support/persistence';

const alice = { id: 'u_alice', role: 'human' } as const;
const bob = { id: 'u_bob', role: 'human' } as const;
const carol = { id: 'u_carol', role: 'human' } as const;
const admin = { id: 'u_admin', role: 'admin' } as const;
const firstPage = (limit: number) => ({ limit, after: null });

/** TaskFilter as DESIGN §8 words it, written out again for the model to check the stores by. */
function modelMatches(task: TaskState, filter: TaskFilter): boolean {
  const statuses = filter.status === undefined ? undefined : [filter.status].flat();
  return (
    (statuses === undefined || statuses.includes(task.status)) &&
    (filter.priority === undefined || filter.priority.includes(task.priority)) &&
    (filter.open === undefined || task.open) &&
    (filter.assigneeId === undefined || task.assigneeId === filter.assigneeId) &&
    (filter.creatorId === undefined || task.creatorId === filter.creatorId) &&
    (filter.reviewerId === undefined || task.reviewerId === filter.reviewerId) &&
    (filter.dueBefore === undefined ||
      (task.dueAt !== null && task.dueAt.getTime() < filter.dueBefore.getTime())) &&
    (filter.updatedSince === undefined || task.updatedAt.getTime() >= filter.updatedSince.getTime())
  );
}

describe.each(testDrivers())('TaskRepository contract (%s)', (driver) => {
  let p: Persistence;
  let tasks: TaskRepository;

  beforeAll(async () => {
    p = await startPersistence(driver);
    tasks = p.get(TaskRepository);
  });
  afterAll(() => p.close());

  it('stores a task and reads every field back', async () => {
    const state = aTaskState({
      status: 'assigned',
      priority: 'urgent',
      dueAt: new Date('2026-03-01T12:00:00.000Z'),
      assigneeId: 'u_bob',
      reviewerId: 'u_carol',
      version: 2,
    });
    await tasks.insert(state);
    expect((await tasks.findById(state.id))?.snapshot()).toEqual(state);
  });

  it('answers null for a task that does not exist', async () => {
    expect(await tasks.findById('t_01zzzzzzzzzzzzzzzzzzzzzzzz')).toBeNull();
  });

  it('refuses a second insert of the same id', async () => {
    const state = aTaskState();
    await tasks.insert(state);
    await expect(tasks.insert({ ...state, title: 'other' })).rejects.toBeInstanceOf(
      ConcurrencyConflict,
    );
    expect((await tasks.findById(state.id))?.snapshot().title).toBe(state.title);
  });

  it('saves a change made from the stored version', async () => {
    const state = aTaskState();
    await tasks.insert(state);
    const next = {
      ...state,
      title: 'Renamed',
      assigneeId: 'u_bob',
      status: 'assigned',
      version: 2,
    } as const;
    await tasks.save(next, 1);
    expect((await tasks.findById(state.id))?.snapshot()).toEqual(next);
  });

  it('refuses a change made from a stale version', async () => {
    const state = aTaskState();
    await tasks.insert(state);
    await tasks.save({ ...state, title: 'Second', version: 2 }, 1);
    await expect(tasks.save({ ...state, title: 'Stale', version: 3 }, 1)).rejects.toBeInstanceOf(
      ConcurrencyConflict,
    );
    expect((await tasks.findById(state.id))?.snapshot().title).toBe('Second');
  });

  it('treats a save the stored task already reached as done, and writes nothing', async () => {
    const state = aTaskState();
    await tasks.insert(state);
    await tasks.save({ ...state, title: 'Rolled forward', version: 2 }, 1);
    await tasks.save({ ...state, title: 'Late writer', version: 2 }, 1);
    expect((await tasks.findById(state.id))?.snapshot()).toMatchObject({
      title: 'Rolled forward',
      version: 2,
    });
  });

  it('refuses to save a task that does not exist', async () => {
    await expect(tasks.save(aTaskState({ version: 2 }), 1)).rejects.toBeInstanceOf(
      ConcurrencyConflict,
    );
  });

  it('shows a task to its creator, assignee, reviewer and admins only, until it is deleted', async () => {
    const state = aTaskState({ assigneeId: 'u_bob', status: 'assigned' });
    await tasks.insert(state);
    for (const actor of [alice, bob, admin]) {
      expect((await tasks.findVisibleTo(actor, state.id))?.id).toBe(state.id);
    }
    expect(await tasks.findVisibleTo(carol, state.id)).toBeNull();

    await tasks.save({ ...state, deletedAt: new Date(), version: 2 }, 1);
    expect(await tasks.findVisibleTo(admin, state.id)).toBeNull();
    expect((await tasks.findById(state.id))?.isDeleted).toBe(true);
  });

  it('reports the stored versions of the tasks that exist', async () => {
    const one = aTaskState();
    const two = aTaskState({ version: 4 });
    await tasks.insert(one);
    await tasks.insert(two);
    const versions = await tasks.versionsOf([one.id, two.id, 't_01yyyyyyyyyyyyyyyyyyyyyyyy']);
    expect([...versions.entries()].sort()).toEqual(
      [
        [one.id, 1],
        [two.id, 4],
      ].sort(),
    );
  });

  it('lists a task under its current assignee, status and reviewer after changes, and not once deleted', async () => {
    const dave = { id: 'u_dave', role: 'human' } as const;
    const erin = { id: 'u_erin', role: 'human' } as const;
    const frank = { id: 'u_frank', role: 'human' } as const;
    const gina = { id: 'u_gina', role: 'human' } as const;
    const list = async (actor: { id: string; role: 'human' | 'admin' }, filter = {}) =>
      (await tasks.listForActor(actor, filter, firstPage(10))).items.map((t) => t.id);
    const moved = aTaskState({ creatorId: 'u_dave', assigneeId: 'u_erin', status: 'assigned' });
    const other = aTaskState({ creatorId: 'u_dave' });
    await tasks.insert(moved);
    await tasks.insert(other);

    const changed = {
      ...moved,
      assigneeId: 'u_frank',
      reviewerId: 'u_gina',
      status: 'in_progress' as const,
      version: 2,
    };
    await tasks.save(changed, 1);
    expect(await list(erin)).toEqual([]);
    expect(await list(admin, { assigneeId: 'u_erin' })).toEqual([]);
    expect(await list(admin, { assigneeId: 'u_frank' })).toEqual([moved.id]);
    expect(await list(admin, { creatorId: 'u_dave', status: 'assigned' })).toEqual([]);
    expect(await list(admin, { creatorId: 'u_dave', status: 'in_progress' })).toEqual([moved.id]);
    expect(await list(frank)).toEqual([moved.id]);
    expect(await list(gina)).toEqual([moved.id]);
    expect(await list(dave)).toEqual([moved.id, other.id]);

    await tasks.save({ ...changed, deletedAt: new Date(), version: 3 }, 2);
    expect(await list(dave)).toEqual([other.id]);
    expect(await list(frank)).toEqual([]);
    expect(await list(admin, { assigneeId: 'u_frank' })).toEqual([]);
  });

  describe('listForActor', () => {
    let p2: Persistence;
    let repo: TaskRepository;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      p2 = await startPersistence(driver);
      repo = p2.get(TaskRepository);
      const states = {
        own: aTaskState({ creatorId: 'u_alice' }),
        assigned: aTaskState({ creatorId: 'u_carol', assigneeId: 'u_alice', status: 'assigned' }),
        reviewing: aTaskState({ creatorId: 'u_carol', reviewerId: 'u_alice', status: 'submitted' }),
        others: aTaskState({ creatorId: 'u_carol', assigneeId: 'u_bob', status: 'assigned' }),
        deleted: aTaskState({ creatorId: 'u_alice', deletedAt: new Date() }),
      };
      for (const [name, state] of Object.entries(states)) {
        ids[name] = state.id;
        await repo.insert(state);
      }
    });
    afterAll(() => p2.close());

    const listIds = async (
      actor: typeof alice | typeof admin,
      filter = {},
      limit = 10,
    ): Promise<string[]> =>
      (await repo.listForActor(actor, filter, firstPage(limit))).items.map((t) => t.id);

    it('lists what the actor may see, oldest first, without deleted tasks', async () => {
      expect(await listIds(alice)).toEqual([ids.own, ids.assigned, ids.reviewing]);
      expect(await listIds(admin)).toEqual([ids.own, ids.assigned, ids.reviewing, ids.others]);
    });

    it('filters by status, assignee and creator', async () => {
      expect(await listIds(admin, { status: 'assigned' })).toEqual([ids.assigned, ids.others]);
      expect(await listIds(admin, { assigneeId: 'u_bob' })).toEqual([ids.others]);
      expect(await listIds(alice, { creatorId: 'u_carol' })).toEqual([ids.assigned, ids.reviewing]);
      expect(await listIds(alice, { status: 'submitted', creatorId: 'u_carol' })).toEqual([
        ids.reviewing,
      ]);
    });

    it('pages with a cursor and ends with a null cursor', async () => {
      const first = await repo.listForActor(admin, {}, firstPage(3));
      expect(first.items.map((t) => t.id)).toEqual([ids.own, ids.assigned, ids.reviewing]);
      expect(first.nextCursor).toBe(ids.reviewing);
      const second = await repo.listForActor(admin, {}, { limit: 3, after: first.nextCursor });
      expect(second.items.map((t) => t.id)).toEqual([ids.others]);
      expect(second.nextCursor).toBeNull();
    });

    it('gives a null cursor when the page is exactly full', async () => {
      const page = await repo.listForActor(alice, {}, firstPage(3));
      expect(page.items).toHaveLength(3);
      expect(page.nextCursor).toBeNull();
    });
  });

  describe('listForActor in every sort order, against a model', () => {
    let p3: Persistence;
    let repo: TaskRepository;
    /** What the store should hold: the model the lists are checked against. */
    const stored = new Map<string, TaskState>();
    const next = random(18);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)];
    const agent: Actor = { id: 'a_agent', role: 'agent' };
    const people = ['u_alice', 'u_bob', 'u_carol'];
    // Few distinct values, so ties on every sort key are common.
    const instants = [0, 1, 2, 3].map((d) => new Date(Date.UTC(2031, 0, 1 + d)));
    const dues = [null, ...instants.slice(1)];

    const someTask = (): Partial<TaskState> => {
      const open = next() < 0.4;
      const assigneeId = pick([null, null, ...people, agent.id]);
      return {
        status: assigneeId === null ? 'pending' : pick(TASK_STATUSES),
        priority: pick(TASK_PRIORITIES),
        dueAt: pick(dues),
        assigneeId,
        reviewerId: pick([null, ...people]),
        open,
        openTo: pick(OPEN_TO),
        updatedAt: pick(instants),
      };
    };

    async function change(state: TaskState, fields: Partial<TaskState>): Promise<void> {
      const changed = { ...state, ...fields, version: state.version + 1 };
      await repo.save(changed, state.version);
      stored.set(state.id, changed);
    }

    /** One random change: a new sort value, holder, status, openness, or a deletion. */
    async function changeOne(): Promise<void> {
      const live = [...stored.values()].filter((task) => task.deletedAt === null);
      const state = pick(live);
      const fields = someTask();
      const kind = pick(['priority', 'dueAt', 'updatedAt', 'holder', 'delete'] as const);
      if (kind === 'holder') {
        await change(state, {
          assigneeId: fields.assigneeId,
          status: fields.status,
          open: fields.open,
        });
      } else if (kind === 'delete') {
        await change(state, { deletedAt: pick(instants) });
      } else {
        await change(state, { [kind]: fields[kind] });
      }
    }

    beforeAll(async () => {
      p3 = await startPersistence(driver);
      repo = p3.get(TaskRepository);
      for (let i = 0; i < 40; i++) {
        const state = aTaskState({ creatorId: pick(people), ...someTask() });
        await repo.insert(state);
        stored.set(state.id, state);
      }
      // Open, unassigned and the actor's own: in both halves of a non-admin's list.
      for (const creatorId of ['u_alice', 'u_alice', 'u_bob']) {
        const state = aTaskState({ creatorId, open: true, openTo: 'any', priority: 'high' });
        await repo.insert(state);
        stored.set(state.id, state);
      }
      for (let i = 0; i < 20; i++) await changeOne();
    });
    afterAll(() => p3.close());

    const sorts = TASK_SORT_KEYS.flatMap((key) => [
      { key, descending: false },
      { key, descending: true },
    ]);
    const filters: TaskFilter[] = [
      {},
      { status: ['pending', 'assigned'] },
      { status: 'in_progress' },
      { priority: ['urgent', 'high'] },
      { priority: ['low'], status: 'pending' },
      { assigneeId: 'u_bob' },
      { creatorId: 'u_carol' },
      { reviewerId: 'u_alice' },
      { open: true },
      { dueBefore: instants[3] },
      { updatedSince: instants[2] },
    ];
    const actors: Actor[] = [alice, agent, admin];

    it.each(sorts.map((sort) => [`${sort.descending ? '-' : ''}${sort.key}`, sort]))(
      'pages exactly in %s order (ties by id, no due date first) while tasks change between pages',
      async (_name, sort) => {
        const position = (task: TaskState) => ({
          value: sort.key === 'created_at' ? null : sortValue(task, sort.key as SortableField),
          id: task.id,
        });
        const sign = sort.descending ? -1 : 1;
        for (const actor of actors) {
          for (const filter of filters) {
            let after: TaskState | null = null;
            for (let pages = 0; ; pages++) {
              // What the list must answer now: the visible matches after the position, in order.
              const expected = [...stored.values()]
                .filter((task) => Task.restore(task).isVisibleTo(actor))
                .filter((task) => modelMatches(task, filter))
                .filter(
                  (task) =>
                    after === null || sign * comparePositions(position(task), position(after)) > 0,
                )
                .sort((a, b) => sign * comparePositions(position(a), position(b)));
              const cursor =
                after === null
                  ? null
                  : sort.key === 'created_at'
                    ? after.id
                    : positionKey(position(after));
              const page = await repo.listForActor(
                actor,
                filter,
                { limit: 3, after: cursor },
                sort,
              );
              const context = { actor: actor.id, filter, pages };
              expect({ ...context, ids: page.items.map((task) => task.id) }).toEqual({
                ...context,
                ids: expected.slice(0, 3).map((task) => task.id),
              });
              expect(page.nextCursor === null).toBe(expected.length <= 3);
              if (page.nextCursor === null) break;
              after = page.items[page.items.length - 1].snapshot();
              // The cursor's task may move or go, and others with it: keyset paging goes on
              // from the position, not from the task.
              if (next() < 0.3) await changeOne();
              if (next() < 0.1) await change(stored.get(after.id) as TaskState, someTask());
            }
          }
        }
      },
    );
  });

  if (driver === 'mongo') {
    it('refuses a stored status it does not know instead of passing it on', async () => {
      const state = aTaskState();
      await tasks.insert(state);
      await withDatabase(p.mongoUri as string, (db) =>
        db
          .collection('tasks')
          .updateOne({ _id: state.id } as never, { $set: { status: 'paused' } }),
      );
      await expect(tasks.findById(state.id)).rejects.toMatchObject({ code: 'TASK.CORRUPT' });
    });
  }
});
