import { type Actor, MemoryUnitOfWork } from '@taskflow/platform';
import { Task } from '../../domain/task.entity';
import type { TaskState } from '../../domain/task-events';
import { comparePositions, positionKey, sortValue } from '../../domain/task-order';
import { OPEN_TO, TASK_PRIORITIES, TASK_STATUSES } from '../../domain/task-status';
import { ADMIN, AGENT, ASSIGNEE, CREATOR, REVIEWER, aTaskState } from '../../domain/testing/a-task';
import { seededRandom as random } from '../../domain/testing/seeded-random';
import type { TaskFilter, TaskSort } from '../../ports/task.repository';
import { MemoryTaskRepository } from './memory-task.repository';

const SIZE = 50_000;
const LIMIT = 50;

/**
 * A save moves a task between the store's sorted id lists (status, assignee, viewers, open): here
 * tasks in the middle of a large store change status, holder and openness, and every list must
 * still answer what a plain filter over all tasks answers, page by page from any cursor.
 */
describe('MemoryTaskRepository: index moves in the middle of a large store', () => {
  const next = random(17);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)];
  const people = [CREATOR.id, ASSIGNEE.id, REVIEWER.id, AGENT.id];
  const repository = new MemoryTaskRepository(new MemoryUnitOfWork());
  /** What the store should hold, in creation (id) order. */
  const model = new Map<string, TaskState>();
  const ids: string[] = [];

  const holder = (): Pick<TaskState, 'assigneeId' | 'status'> => {
    const assigneeId = pick([null, ...people]);
    return {
      assigneeId,
      status: assigneeId === null ? 'pending' : pick(TASK_STATUSES.slice(1)),
    };
  };

  async function change(id: string, fields: Partial<TaskState>): Promise<void> {
    const state = model.get(id) as TaskState;
    const changed = { ...state, ...fields, version: state.version + 1 };
    await repository.save(changed, state.version);
    model.set(id, changed);
  }

  /** Changes `count` tasks of the middle half: mostly the status, some holders, some openness. */
  async function changeMiddle(count: number): Promise<string[]> {
    const changed: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = ids[Math.floor(SIZE / 4 + next() * (SIZE / 2))];
      const state = model.get(id) as TaskState;
      const kind = next();
      if (kind < 0.7 && state.assigneeId !== null) {
        await change(id, { status: pick(TASK_STATUSES.slice(1)) });
      } else if (kind < 0.9) {
        await change(id, holder());
      } else if (kind < 0.97) {
        await change(id, { open: !state.open, openTo: pick(OPEN_TO) });
      } else {
        await change(id, { deletedAt: new Date('2030-01-03T00:00:00.000Z') });
      }
      changed.push(id);
    }
    return changed;
  }

  beforeAll(async () => {
    for (let i = 0; i < SIZE; i++) {
      const state = aTaskState({
        creatorId: pick(people),
        reviewerId: pick([null, ...people]),
        priority: pick(TASK_PRIORITIES),
        open: next() < 0.1,
        openTo: pick(OPEN_TO),
        ...holder(),
      });
      await repository.insert(state);
      model.set(state.id, state);
      ids.push(state.id);
    }
  });

  const actors: Actor[] = [ADMIN, CREATOR, ASSIGNEE, AGENT];
  const filters: TaskFilter[] = [
    {},
    { status: 'in_progress' },
    { status: 'pending' },
    { status: ['approved', 'rejected'] },
    { assigneeId: ASSIGNEE.id },
    { assigneeId: ASSIGNEE.id, status: 'submitted' },
    { creatorId: REVIEWER.id },
    { open: true },
  ];
  const sorts: TaskSort[] = (['created_at', 'priority'] as const).flatMap((key) => [
    { key, descending: false },
    { key, descending: true },
  ]);

  /** The filter, as plainly as it can be said. */
  function passes(filter: TaskFilter): (task: TaskState) => boolean {
    const statuses = filter.status === undefined ? undefined : [filter.status].flat();
    return (task) =>
      (statuses === undefined || statuses.includes(task.status)) &&
      (filter.assigneeId === undefined || task.assigneeId === filter.assigneeId) &&
      (filter.creatorId === undefined || task.creatorId === filter.creatorId) &&
      (filter.open === undefined || task.open);
  }

  /** (sort value, id) of a task, as the cursor of a page ending on it says it. */
  const position = (task: TaskState, sort: TaskSort) => ({
    value: sort.key === 'created_at' ? null : sortValue(task, 'priority'),
    id: task.id,
  });
  const cursorOf = (task: TaskState, sort: TaskSort): string =>
    sort.key === 'created_at' ? task.id : positionKey(position(task, sort));

  /** The whole answer of a list: every visible match, in the sort's order. */
  function expectedList(visible: readonly TaskState[], filter: TaskFilter, sort: TaskSort) {
    const ascending = visible
      .filter(passes(filter))
      .map((task) => ({ task, at: position(task, sort) }))
      .sort((a, b) => comparePositions(a.at, b.at))
      .map(({ task }) => task);
    return sort.descending ? ascending.reverse() : ascending;
  }

  const visibleTo = (actor: Actor): TaskState[] =>
    [...model.values()].filter((task) => Task.restore(task).isVisibleTo(actor));

  /**
   * Pages from the start, and from (and around) the first 20 changed tasks each answer holds:
   * the cursor on the task itself, on the one before it and the one after.
   */
  async function checkPages(changed: readonly string[]): Promise<void> {
    const moved = new Set(changed);
    const wrong: object[] = [];
    for (const actor of actors) {
      const visible = visibleTo(actor);
      for (const filter of filters) {
        for (const sort of sorts) {
          const expected = expectedList(visible, filter, sort);
          const starts = new Set<number>([-1]);
          for (let index = 0, found = 0; index < expected.length && found < 20; index++) {
            if (!moved.has(expected[index].id)) continue;
            found++;
            for (const near of [-1, 0, 1]) starts.add(index + near);
          }
          for (const start of starts) {
            if (start >= expected.length) continue;
            const after = start < 0 ? null : cursorOf(expected[start], sort);
            const page = await repository.listForActor(
              actor,
              filter,
              { limit: LIMIT, after },
              sort,
            );
            const ids = page.items.map((task) => task.id).join(' ');
            const wanted = expected.slice(start + 1, start + 1 + LIMIT).map((task) => task.id);
            const last = start + 1 + LIMIT >= expected.length;
            if (ids !== wanted.join(' ') || (page.nextCursor === null) !== last) {
              wrong.push({ actor: actor.id, filter, sort, after, ids, wanted, last });
            }
          }
        }
      }
    }
    // Collected, not asserted page by page: thousands of expect() calls cost seconds here.
    expect(wrong).toEqual([]);
  }

  it('lists every filter in every order exactly after status changes in the middle', async () => {
    await checkPages(await changeMiddle(300));
    // Again, after more moves: lists sorted once are kept exact, not built again.
    await checkPages(await changeMiddle(300));
  });

  it('pages through a whole status list, cursor by cursor, as often as tasks move in and out', async () => {
    const filter: TaskFilter = { status: 'in_progress' };
    for (const sort of sorts) {
      await changeMiddle(200);
      const expected = expectedList(visibleTo(ADMIN), filter, sort).map((task) => task.id);
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page = await repository.listForActor(ADMIN, filter, { limit: 1000, after }, sort);
        seen.push(...page.items.map((task) => task.id));
        if (page.nextCursor === null) break;
        after = cursorOf(page.items[page.items.length - 1].snapshot(), sort);
      }
      expect(seen).toEqual(expected);
    }
  });
});
