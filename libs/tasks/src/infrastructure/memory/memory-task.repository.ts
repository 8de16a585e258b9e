import { Injectable } from '@nestjs/common';
import {
  Actor,
  ConcurrencyConflict,
  indexAfter,
  isAdmin,
  MemoryUnitOfWork,
  Page,
  PageRequest,
} from '@taskflow/platform';
import { admits, Task, taskViewers } from '../../domain/task.entity';
import { OPEN_TO, type OpenTo, PRIORITY_RANK } from '../../domain/task-status';
import { TaskState } from '../../domain/task-events';
import {
  ClaimFilter,
  DEFAULT_TASK_SORT,
  TaskFilter,
  TaskRepository,
  TaskSort,
} from '../../ports/task.repository';
import {
  comparePositions,
  parsePosition,
  SortableField,
  sortValue,
  TaskPosition,
} from '../../domain/task-order';

const statusesOf = (filter: TaskFilter): readonly string[] | undefined =>
  filter.status === undefined || Array.isArray(filter.status)
    ? (filter.status as readonly string[] | undefined)
    : [filter.status as string];

const matches = (task: TaskState, filter: TaskFilter): boolean =>
  (statusesOf(filter)?.includes(task.status) ?? true) &&
  (filter.priority?.includes(task.priority) ?? true) &&
  (filter.open === undefined || task.open) &&
  (filter.assigneeId === undefined || task.assigneeId === filter.assigneeId) &&
  (filter.creatorId === undefined || task.creatorId === filter.creatorId) &&
  (filter.reviewerId === undefined || task.reviewerId === filter.reviewerId) &&
  (filter.dueBefore === undefined ||
    (task.dueAt !== null && task.dueAt.getTime() < filter.dueBefore.getTime())) &&
  (filter.updatedSince === undefined || task.updatedAt.getTime() >= filter.updatedSince.getTime());

type IndexName = 'assignee' | 'creator' | 'status' | 'visibleTo' | 'open' | 'leased';

/** The index entries of a task: which sorted id list of which index holds its id. */
function indexKeys(task: TaskState): [IndexName, string][] {
  const keys: [IndexName, string][] = [
    ['creator', task.creatorId],
    ['status', task.status],
  ];
  if (task.assigneeId !== null) keys.push(['assignee', task.assigneeId]);
  if (task.deletedAt === null) {
    for (const id of taskViewers(task)) keys.push(['visibleTo', id]);
    // Open and unassigned: visible to (and claimable by) every account its open_to admits.
    if (task.open && task.assigneeId === null) keys.push(['open', task.openTo]);
    if (task.leaseExpiresAt !== null) keys.push(['leased', '']);
  }
  return keys;
}

const sameKey = (a: [IndexName, string], b: [IndexName, string]): boolean =>
  a[0] === b[0] && a[1] === b[1];

function insertSorted(ids: string[], id: string): void {
  // New tasks have the largest ids, so this is almost always an append.
  if (ids.length === 0 || ids[ids.length - 1] < id) ids.push(id);
  else
    ids.splice(
      indexAfter(ids, (x) => x, id),
      0,
      id,
    );
}

function removeSorted(ids: string[], id: string): void {
  const at = indexAfter(ids, (x) => x, id) - 1;
  if (at >= 0 && ids[at] === id) ids.splice(at, 1);
}

/**
 * Tasks in a Map plus the ids in creation order (ids are ULIDs, so appends keep it sorted), and
 * secondary indexes — sorted id lists per assignee, creator, status and visible-to — so a listing
 * starts from the narrowest list at the cursor (binary search) instead of scanning every task.
 */
@Injectable()
export class MemoryTaskRepository extends TaskRepository {
  private readonly tasks = new Map<string, TaskState>();
  private readonly order: string[] = [];
  private readonly indexes: Record<IndexName, Map<string, string[]>> = {
    assignee: new Map(),
    creator: new Map(),
    status: new Map(),
    visibleTo: new Map(),
    open: new Map(),
    leased: new Map(),
  };

  constructor(private readonly unitOfWork: MemoryUnitOfWork) {
    super();
  }

  async insert(task: TaskState): Promise<void> {
    this.unitOfWork.write({
      check: () => {
        if (this.tasks.has(task.id)) throw new ConcurrencyConflict('Task', task.id);
      },
      apply: () => {
        this.tasks.set(task.id, task);
        insertSorted(this.order, task.id);
        this.index(task.id, [], indexKeys(task));
      },
    });
  }

  async save(task: TaskState, expectedVersion: number): Promise<void> {
    this.unitOfWork.write({
      check: () => {
        const stored = this.tasks.get(task.id)?.version;
        if (stored === undefined || (stored !== expectedVersion && stored < task.version)) {
          throw new ConcurrencyConflict('Task', task.id);
        }
      },
      apply: () => {
        const stored = this.tasks.get(task.id);
        if (stored?.version !== expectedVersion) return;
        this.tasks.set(task.id, task);
        this.index(task.id, indexKeys(stored), indexKeys(task));
      },
    });
  }

  async findById(id: string): Promise<Task | null> {
    const state = this.tasks.get(id);
    return state ? Task.restore(state) : null;
  }

  async findByIds(ids: readonly string[]): Promise<Task[]> {
    return ids.flatMap((id) => {
      const state = this.tasks.get(id);
      return state ? [Task.restore(state)] : [];
    });
  }

  async findVisibleTo(actor: Actor, id: string): Promise<Task | null> {
    const task = await this.findById(id);
    return task?.isVisibleTo(actor) ? task : null;
  }

  async listForActor(
    actor: Actor,
    filter: TaskFilter,
    page: PageRequest,
    sort: TaskSort = DEFAULT_TASK_SORT,
  ): Promise<Page<Task>> {
    const ids = this.candidates(actor, filter);
    const states =
      sort.key === 'created_at'
        ? this.inIdOrder(ids, actor, filter, page, sort.descending)
        : this.inValueOrder(ids, actor, filter, page, sort);
    const more = states.length > page.limit;
    const items = states.slice(0, page.limit).map((state) => Task.restore(state));
    return { items, nextCursor: more ? items[items.length - 1].id : null };
  }

  /** Walks the id list from the cursor, either way, until the page is full. */
  private inIdOrder(
    ids: readonly string[],
    actor: Actor,
    filter: TaskFilter,
    page: PageRequest,
    descending: boolean,
  ): TaskState[] {
    const found: TaskState[] = [];
    const take = (id: string): void => {
      const state = this.tasks.get(id) as TaskState;
      if (matches(state, filter) && Task.restore(state).isVisibleTo(actor)) found.push(state);
    };
    if (!descending) {
      let index = page.after === null ? 0 : indexAfter(ids, (id) => id, page.after);
      for (; index < ids.length && found.length <= page.limit; index++) take(ids[index]);
    } else {
      let index =
        page.after === null ? ids.length - 1 : indexAfter(ids, (id) => id, page.after) - 1;
      if (page.after !== null && ids[index] === page.after) index -= 1;
      for (; index >= 0 && found.length <= page.limit; index--) take(ids[index]);
    }
    return found;
  }

  /**
   * One pass over the candidates keeping only the page (plus one) in order: O(n) for n
   * candidates, with no sort of the whole set.
   */
  private inValueOrder(
    ids: readonly string[],
    actor: Actor,
    filter: TaskFilter,
    page: PageRequest,
    sort: TaskSort,
  ): TaskState[] {
    const key = sort.key as SortableField;
    const sign = sort.descending ? -1 : 1;
    const after = page.after === null ? null : parsePosition(page.after);
    const best: { state: TaskState; position: TaskPosition }[] = [];
    const keep = page.limit + 1;
    for (const id of ids) {
      const state = this.tasks.get(id) as TaskState;
      if (!matches(state, filter)) continue;
      const position = { value: sortValue(state, key), id };
      if (after !== null && sign * comparePositions(position, after) <= 0) continue;
      if (best.length === keep && sign * comparePositions(position, best[keep - 1].position) >= 0) {
        continue;
      }
      if (!Task.restore(state).isVisibleTo(actor)) continue;
      let at = best.length;
      while (at > 0 && sign * comparePositions(position, best[at - 1].position) < 0) at -= 1;
      best.splice(at, 0, { state, position });
      if (best.length > keep) best.pop();
    }
    return best.map((entry) => entry.state);
  }

  async extendLease(task: TaskState, version: number): Promise<boolean> {
    const stored = this.tasks.get(task.id);
    if (stored?.version !== version || stored.assigneeId !== task.assigneeId) return false;
    this.tasks.set(task.id, {
      ...stored,
      leaseExpiresAt: task.leaseExpiresAt,
      leaseSeconds: task.leaseSeconds,
    });
    return true;
  }

  async findClaimable(actor: Actor, filter: ClaimFilter, limit: number): Promise<Task[]> {
    const openTo = OPEN_TO.filter(
      (value) => admits(value, actor) && (filter.openTo === undefined || filter.openTo === value),
    );
    const states = this.claimable(openTo).filter(
      (state) => filter.priorities === undefined || filter.priorities.includes(state.priority),
    );
    return states
      .sort(
        (a, b) => PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || (a.id < b.id ? -1 : 1),
      )
      .slice(0, limit)
      .map((state) => Task.restore(state));
  }

  async claimableNow(limit: number): Promise<TaskState[]> {
    return this.claimable(OPEN_TO).slice(0, limit);
  }

  async findLeasesExpiredBy(now: Date, limit: number): Promise<Task[]> {
    const ids = this.indexes.leased.get('') ?? [];
    return ids
      .map((id) => this.tasks.get(id) as TaskState)
      .filter((state) => (state.leaseExpiresAt as Date).getTime() <= now.getTime())
      .sort((a, b) => (a.leaseExpiresAt as Date).getTime() - (b.leaseExpiresAt as Date).getTime())
      .slice(0, limit)
      .map((state) => Task.restore(state));
  }

  /** Pending tasks in the open lists of these `open_to` values. */
  private claimable(openTo: readonly OpenTo[]): TaskState[] {
    return openTo
      .flatMap((value) => this.indexes.open.get(value) ?? [])
      .map((id) => this.tasks.get(id) as TaskState)
      .filter((state) => state.status === 'pending');
  }

  async versionsOf(ids: readonly string[]): Promise<Map<string, number>> {
    const versions = new Map<string, number>();
    for (const id of ids) {
      const state = this.tasks.get(id);
      if (state) versions.set(id, state.version);
    }
    return versions;
  }

  /** The shortest id list that holds every task the listing can return. */
  private candidates(actor: Actor, filter: TaskFilter): readonly string[] {
    const lists: (readonly string[])[] = [this.order];
    const add = (name: IndexName, key: string | undefined) => {
      if (key !== undefined) lists.push(this.indexes[name].get(key) ?? []);
    };
    add('assignee', filter.assigneeId);
    add('creator', filter.creatorId);
    const statuses = statusesOf(filter);
    if (statuses?.length === 1) add('status', statuses[0]);
    if (!isAdmin(actor)) lists.push(this.visibleIds(actor));
    return lists.reduce((shortest, list) => (list.length < shortest.length ? list : shortest));
  }

  /** The ids a non-admin may see: their own tasks merged with the open ones they are admitted to. */
  private visibleIds(actor: Actor): readonly string[] {
    const own = this.indexes.visibleTo.get(actor.id) ?? [];
    const open = [
      this.indexes.open.get('any') ?? [],
      actor.role === 'admin' ? [] : (this.indexes.open.get(actor.role) ?? []),
    ].filter((list) => list.length > 0);
    if (open.length === 0) return own;
    return [...new Set([own, ...open].flat())].sort();
  }

  private index(id: string, before: [IndexName, string][], after: [IndexName, string][]): void {
    for (const key of before) {
      if (!after.some((other) => sameKey(key, other))) {
        const ids = this.indexes[key[0]].get(key[1]);
        if (ids) removeSorted(ids, id);
      }
    }
    for (const key of after) {
      if (!before.some((other) => sameKey(key, other))) {
        const index = this.indexes[key[0]];
        const ids = index.get(key[1]);
        if (ids) insertSorted(ids, id);
        else index.set(key[1], [id]);
      }
    }
  }
}
