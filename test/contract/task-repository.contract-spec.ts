import { ConcurrencyConflict } from '@taskflow/platform';
import { TaskRepository } from '@taskflow/tasks';
import { aTaskState } from '@taskflow/tasks/testing';
import { testDrivers } from '../support/drivers';
import { withDatabase } from '../support/mongo';
import { Persistence, startPersistence } from '../support/persistence';

const alice = { id: 'u_alice', role: 'human' } as const;
const bob = { id: 'u_bob', role: 'human' } as const;
const carol = { id: 'u_carol', role: 'human' } as const;
const admin = { id: 'u_admin', role: 'admin' } as const;
const firstPage = (limit: number) => ({ limit, after: null });

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
