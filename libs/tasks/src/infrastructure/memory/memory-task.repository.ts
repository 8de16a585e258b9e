import { Injectable } from '@nestjs/common';
import BTree from 'sorted-btree';
import {
  Actor,
  ConcurrencyConflict,
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

/**
 * A sorted id list: a B-tree of ids (a set; ids are ULIDs, so creation order), so that a save
 * moves a task from one list to another in O(log n), and a listing seeks to its cursor.
 */
type IdList = BTree<string, undefined>;

const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Ids per B-tree node: at 64 the 1M scale store's heap per task is what the arrays took (430
 * bytes against 429; 455 at the default 32, 438 at 48, 452 at 128; bench/store-save.ts).
 */
const ID_LIST_NODE_SIZE = 64;

const newIdList = (): IdList =>
  new BTree<string, undefined>(undefined, compareIds, ID_LIST_NODE_SIZE);

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

/** A keyset position to seek to in a sort index: where a task with this value and id sorts. */
interface Seek {
  readonly seek: TaskPosition;
}
type SortEntry = TaskState | Seek;
type SortIndex = BTree<SortEntry, undefined>;

const SORTED_FIELDS: readonly SortableField[] = ['updated_at', 'due_at', 'priority'];
/** The sort-index partition of every task that is not deleted (an admin's unfiltered list). */
const ALL = '*';
/** Sort before and after every id, for range ends that take every task of one value. */
const BEFORE_ANY_ID = '';
const AFTER_ANY_ID = '\uffff';

/** comparePositions over tasks and seek positions alike: (value, id), nulls first. */
function sortOrder(field: SortableField): (a: SortEntry, b: SortEntry) => number {
  const valueOf = (entry: SortEntry) =>
    'seek' in entry ? entry.seek.value : sortValue(entry, field);
  const idOf = (entry: SortEntry) => ('seek' in entry ? entry.seek.id : entry.id);
  return (a, b) => {
    const x = valueOf(a);
    const y = valueOf(b);
    if (x !== y) {
      if (x === null) return -1;
      if (y === null) return 1;
      return x - y;
    }
    const i = idOf(a);
    const j = idOf(b);
    return i < j ? -1 : i > j ? 1 : 0;
  };
}

/** A sort-index partition of its own: the open tasks, held or not (the `open=true` filter). */
const OPEN_TASKS = 'open=true';

/**
 * The sort-index partitions a task is listed in: ALL, OPEN_TASKS if open, and every id index but
 * `leased` (`name:key`); none once deleted (lists never show deleted tasks).
 */
function sortPartitions(task: TaskState): string[] {
  if (task.deletedAt !== null) return [];
  const partitions = [ALL];
  if (task.open) partitions.push(OPEN_TASKS);
  for (const [name, key] of indexKeys(task)) {
    if (name !== 'leased') partitions.push(`${name}:${key}`);
  }
  return partitions;
}

/**
 * The positions a filter confines a sort to, when it filters on the sort key itself: a list by
 * due date due before a day, by update time since an instant, or by priority of some priorities.
 */
function rangeOf(
  field: SortableField,
  filter: TaskFilter,
): { low: TaskPosition | null; high: TaskPosition | null } {
  if (field === 'updated_at' && filter.updatedSince !== undefined) {
    return { low: { value: filter.updatedSince.getTime(), id: BEFORE_ANY_ID }, high: null };
  }
  if (field === 'due_at' && filter.dueBefore !== undefined) {
    // Any date (after the nulls), strictly before dueBefore.
    return {
      low: { value: Number.MIN_SAFE_INTEGER, id: BEFORE_ANY_ID },
      high: { value: filter.dueBefore.getTime() - 1, id: AFTER_ANY_ID },
    };
  }
  if (field === 'priority' && filter.priority !== undefined && filter.priority.length > 0) {
    const ranks = filter.priority.map((priority) => PRIORITY_RANK[priority]);
    return {
      low: { value: Math.min(...ranks), id: BEFORE_ANY_ID },
      high: { value: Math.max(...ranks), id: AFTER_ANY_ID },
    };
  }
  return { low: null, high: null };
}

/**
 * Partitions whose sort indexes are kept from the start: every task, and the open ones (few).
 * The others — per assignee, creator, status and viewer — are built from their id list the first
 * time a list reads them, then kept, so a store pays only for the partitions lists are sorted in.
 */
const keptFromTheStart = (partition: string): boolean =>
  partition === ALL || partition === OPEN_TASKS || partition.startsWith('open:');

/** The keys of a sort index or id list from `start` (or its end), one way or the other. */
function walk<K>(
  index: BTree<K, undefined>,
  start: K | undefined,
  descending: boolean,
): Iterator<K> {
  if (!descending) return index.keys(start);
  const entries = index.entriesReversed(start, []);
  return {
    next: () => {
      const step = entries.next();
      return step.done ? step : { done: false, value: step.value[0] };
    },
  };
}

/**
 * The union of some sort indexes (or id lists) in order, each task once (a task in two of them
 * sorts equal in both, so every walk standing on it steps past it).
 */
function* merged<K>(
  walks: Iterator<K>[],
  order: (a: K, b: K) => number,
  sign: number,
): Generator<K> {
  const heads = walks.map((w) => w.next());
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const head = heads[i];
      if (head.done) continue;
      if (best < 0 || sign * order(head.value, heads[best].value as K) < 0) best = i;
    }
    if (best < 0) return;
    const entry = heads[best].value as K;
    yield entry;
    for (let i = 0; i < heads.length; i++) {
      const head = heads[i];
      if (!head.done && order(head.value, entry) === 0) heads[i] = walks[i].next();
    }
  }
}

const splitPartition = (partition: string): [IndexName, string] => {
  const at = partition.indexOf(':');
  return [partition.slice(0, at) as IndexName, partition.slice(at + 1)];
};

const sameKey = (a: [IndexName, string], b: [IndexName, string]): boolean =>
  a[0] === b[0] && a[1] === b[1];

/**
 * Tasks in a Map plus the ids in creation order (ids are ULIDs), and secondary indexes — sorted
 * id lists per assignee, creator, status and visible-to, each a B-tree of ids — so a listing
 * starts from the narrowest lists at the cursor instead of scanning every task, and a save moves
 * a task between lists in O(log n).
 * For the other sorts, the same partitions (plus every task and the open tasks) have a B-tree
 * per sort key ordered by (value, id), built when first sorted in: a page seeks to its cursor
 * and reads on until it is full (docs/DECISIONS.md, "Memory driver lists").
 */
@Injectable()
export class MemoryTaskRepository extends TaskRepository {
  private readonly tasks = new Map<string, TaskState>();
  private readonly order: IdList = newIdList();
  private readonly indexes: Record<IndexName, Map<string, IdList>> = {
    assignee: new Map(),
    creator: new Map(),
    status: new Map(),
    visibleTo: new Map(),
    open: new Map(),
    leased: new Map(),
  };
  /**
   * Per sort key, a B-tree per partition, once built (keptFromTheStart). Its keys are the stored
   * task states, which sort by (value, id); a save replaces them, and a heartbeat (which moves no
   * sort value) may leave the one before, so a walk reads the task itself from `tasks`.
   */
  private readonly sorted = Object.fromEntries(
    SORTED_FIELDS.map((field) => [field, new Map<string, SortIndex>()]),
  ) as Record<SortableField, Map<string, SortIndex>>;
  private readonly orders = Object.fromEntries(
    SORTED_FIELDS.map((field) => [field, sortOrder(field)]),
  ) as Record<SortableField, (a: SortEntry, b: SortEntry) => number>;

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
        this.order.set(task.id, undefined);
        this.index(task.id, [], indexKeys(task));
        this.sortIndex(null, task);
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
        this.sortIndex(stored, task);
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
    const states =
      sort.key === 'created_at'
        ? this.inIdOrder(this.candidates(actor, filter), actor, filter, page, sort.descending)
        : this.inSortOrder(actor, filter, page, sort.key as SortableField, sort.descending);
    const more = states.length > page.limit;
    const items = states.slice(0, page.limit).map((state) => Task.restore(state));
    return { items, nextCursor: more ? items[items.length - 1].id : null };
  }

  /** Walks the id lists from the cursor, either way, merged, until the page is full. */
  private inIdOrder(
    lists: readonly IdList[],
    actor: Actor,
    filter: TaskFilter,
    page: PageRequest,
    descending: boolean,
  ): TaskState[] {
    const start = page.after ?? undefined;
    const walks = lists.map((ids) => walk(ids, start, descending));
    const found: TaskState[] = [];
    for (const id of merged(walks, compareIds, descending ? -1 : 1)) {
      if (id === page.after) continue;
      const state = this.tasks.get(id) as TaskState;
      if (!matches(state, filter) || !Task.restore(state).isVisibleTo(actor)) continue;
      found.push(state);
      if (found.length > page.limit) break;
    }
    return found;
  }

  /**
   * Walks the sort indexes of the narrowest partitions from the cursor (or the filter's range, if
   * it filters on the sort key) until the page is full: about `limit` tasks read when the
   * partitions hold mostly matches, however many tasks the store holds.
   */
  private inSortOrder(
    actor: Actor,
    filter: TaskFilter,
    page: PageRequest,
    field: SortableField,
    descending: boolean,
  ): TaskState[] {
    const order = this.orders[field];
    const sign = descending ? -1 : 1;
    const after = page.after === null ? null : parsePosition(page.after);
    const range = rangeOf(field, filter);
    // Start at the cursor or at the near end of the range, whichever comes later this way.
    let start = descending ? range.high : range.low;
    if (after !== null && (start === null || sign * comparePositions(after, start) > 0)) {
      start = after;
    }
    const end = descending ? range.low : range.high;
    const seekStart = start === null ? undefined : { seek: start };
    const seekEnd = end === null ? null : { seek: end };
    const seekAfter = after === null ? null : { seek: after };
    const walks = this.sortSources(actor, filter, field).map((index) =>
      walk(index, seekStart, descending),
    );
    const found: TaskState[] = [];
    for (const entry of merged(walks, order, sign)) {
      if (seekEnd !== null && sign * order(entry, seekEnd) > 0) break;
      // The cursor's own task, where it still sorts as it did.
      if (seekAfter !== null && order(entry, seekAfter) === 0) continue;
      const state = this.tasks.get((entry as TaskState).id) as TaskState;
      if (!matches(state, filter) || !Task.restore(state).isVisibleTo(actor)) continue;
      found.push(state);
      if (found.length > page.limit) break;
    }
    return found;
  }

  /**
   * The sort indexes whose union holds every task the listing can return, the fewest tasks of
   * the choices: everything, the open tasks, one assignee, creator or reviewer (a viewer), the
   * listed statuses, or for a non-admin their own tasks and the open, unassigned ones they are
   * admitted to. Sizes come from the id lists (which also hold deleted tasks), so only the
   * partitions chosen are built.
   */
  private sortSources(actor: Actor, filter: TaskFilter, field: SortableField): SortIndex[] {
    const size = (partition: string): number => {
      if (keptFromTheStart(partition)) return this.sorted[field].get(partition)?.size ?? 0;
      const [name, key] = splitPartition(partition);
      return this.indexes[name].get(key)?.size ?? 0;
    };
    const choices: string[][] = [[ALL]];
    if (filter.open) choices.push([OPEN_TASKS]);
    if (filter.assigneeId !== undefined) choices.push([`assignee:${filter.assigneeId}`]);
    if (filter.creatorId !== undefined) choices.push([`creator:${filter.creatorId}`]);
    if (filter.reviewerId !== undefined) choices.push([`visibleTo:${filter.reviewerId}`]);
    const statuses = statusesOf(filter);
    if (statuses !== undefined) choices.push([...new Set(statuses)].map((s) => `status:${s}`));
    if (!isAdmin(actor)) {
      const open = OPEN_TO.filter((value) => admits(value, actor)).map((value) => `open:${value}`);
      choices.push([`visibleTo:${actor.id}`, ...open]);
    }
    const total = (choice: string[]) => choice.reduce((sum, partition) => sum + size(partition), 0);
    const narrowest = choices.reduce((best, choice) =>
      total(choice) < total(best) ? choice : best,
    );
    return narrowest.flatMap((partition) => this.sortIndexOf(field, partition) ?? []);
  }

  /** A partition's sort index, built from its id list the first time it is asked for. */
  private sortIndexOf(field: SortableField, partition: string): SortIndex | undefined {
    const indexes = this.sorted[field];
    if (indexes.has(partition) || keptFromTheStart(partition)) return indexes.get(partition);
    const [name, key] = splitPartition(partition);
    const ids = this.indexes[name].get(key);
    // Nothing to build (and nothing kept, whatever ids lists are asked for) until a task is there.
    if (ids === undefined) return undefined;
    // The id lists of these partitions hold deleted tasks too; their sort indexes do not.
    const states = ids
      .keysArray()
      .map((id) => this.tasks.get(id) as TaskState)
      .filter((state) => state.deletedAt === null);
    const order = this.orders[field];
    const index: SortIndex = new BTree<SortEntry, undefined>(undefined, order);
    for (const state of states.sort(order)) index.set(state, undefined);
    indexes.set(partition, index);
    return index;
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
    const ids = this.indexes.leased.get('')?.keysArray() ?? [];
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
      .flatMap((value) => this.indexes.open.get(value)?.keysArray() ?? [])
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

  /**
   * The id lists whose union holds every task the listing can return, the fewest ids of the
   * choices: every task, one assignee, creator or status, or for a non-admin their own tasks
   * and the open ones they are admitted to (none at all where a list does not exist).
   */
  private candidates(actor: Actor, filter: TaskFilter): IdList[] {
    const choices: IdList[][] = [[this.order]];
    const add = (name: IndexName, key: string | undefined) => {
      if (key === undefined) return;
      const ids = this.indexes[name].get(key);
      choices.push(ids === undefined ? [] : [ids]);
    };
    add('assignee', filter.assigneeId);
    add('creator', filter.creatorId);
    const statuses = statusesOf(filter);
    if (statuses?.length === 1) add('status', statuses[0]);
    if (!isAdmin(actor)) choices.push(this.visibleIds(actor));
    const total = (choice: IdList[]) => choice.reduce((sum, ids) => sum + ids.size, 0);
    return choices.reduce((best, choice) => (total(choice) < total(best) ? choice : best));
  }

  /** The ids a non-admin may see: their own tasks and the open ones they are admitted to. */
  private visibleIds(actor: Actor): IdList[] {
    return [
      this.indexes.visibleTo.get(actor.id),
      this.indexes.open.get('any'),
      actor.role === 'admin' ? undefined : this.indexes.open.get(actor.role),
    ].filter((ids): ids is IdList => ids !== undefined);
  }

  /**
   * Keeps the sort indexes exact: a task leaves the indexes of partitions it left or whose sort
   * value changed, and is (re)set in the rest, which also swaps in its new state as the key.
   * Partitions not built yet are left alone; one kept from the start is made on first use.
   */
  private sortIndex(before: TaskState | null, after: TaskState): void {
    const was = before === null ? [] : sortPartitions(before);
    const now = sortPartitions(after);
    for (const field of SORTED_FIELDS) {
      const indexes = this.sorted[field];
      const moved = before === null || sortValue(before, field) !== sortValue(after, field);
      for (const partition of was) {
        if (!moved && now.includes(partition)) continue;
        indexes.get(partition)?.delete(before as TaskState);
      }
      for (const partition of now) {
        let index = indexes.get(partition);
        if (index === undefined) {
          if (!keptFromTheStart(partition)) continue;
          index = new BTree<SortEntry, undefined>(undefined, this.orders[field]);
          indexes.set(partition, index);
        }
        index.set(after, undefined, true);
      }
    }
  }

  private index(id: string, before: [IndexName, string][], after: [IndexName, string][]): void {
    for (const key of before) {
      if (!after.some((other) => sameKey(key, other))) {
        this.indexes[key[0]].get(key[1])?.delete(id);
      }
    }
    for (const key of after) {
      if (!before.some((other) => sameKey(key, other))) {
        const index = this.indexes[key[0]];
        let ids = index.get(key[1]);
        if (ids === undefined) index.set(key[1], (ids = newIdList()));
        ids.set(id, undefined);
      }
    }
  }
}
