import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Actor, ConcurrencyConflict, isAdmin, Page, PageRequest } from '@taskflow/platform';
import { insertClaim, MongoUnitOfWork, pageFrom, pageProbe } from '@taskflow/platform/mongo';
import type { Model } from 'mongoose';
import { admits, Task, taskViewers } from '../../domain/task.entity';
import type { TaskState } from '../../domain/task-events';
import {
  OPEN_TO,
  parseOpenTo,
  parseTaskPriority,
  parseTaskStatus,
  PRIORITY_RANK,
} from '../../domain/task-status';
import {
  ClaimFilter,
  DEFAULT_TASK_SORT,
  TaskFilter,
  TaskRepository,
  TaskSort,
} from '../../ports/task.repository';
import { parsePosition, SortableField, TaskPosition } from '../../domain/task-order';
import { TaskDocument } from './task.schema';

export function toTaskDocument(task: TaskState): TaskDocument {
  return {
    _id: task.id,
    title: task.title,
    description: task.description,
    status: task.status,
    priority: task.priority,
    due_at: task.dueAt,
    creator_id: task.creatorId,
    assignee_id: task.assigneeId,
    reviewer_id: task.reviewerId,
    visible_to: taskViewers(task),
    priority_rank: PRIORITY_RANK[task.priority],
    open: task.open,
    open_to: task.openTo,
    lease_expires_at: task.leaseExpiresAt,
    lease_seconds: task.leaseSeconds,
    version: task.version,
    created_at: task.createdAt,
    updated_at: task.updatedAt,
    deleted_at: task.deletedAt,
  };
}

/** Status and priority are parsed: an unknown value is corruption and fails the read. */
export function fromTaskDocument(doc: TaskDocument): TaskState {
  return {
    id: doc._id,
    title: doc.title,
    description: doc.description,
    status: parseTaskStatus(doc.status),
    priority: parseTaskPriority(doc.priority),
    dueAt: doc.due_at ?? null,
    creatorId: doc.creator_id,
    assigneeId: doc.assignee_id ?? null,
    reviewerId: doc.reviewer_id ?? null,
    open: doc.open ?? false,
    openTo: parseOpenTo(doc.open_to ?? 'any'),
    leaseExpiresAt: doc.lease_expires_at ?? null,
    leaseSeconds: doc.lease_seconds ?? null,
    version: doc.version,
    createdAt: doc.created_at,
    updatedAt: doc.updated_at,
    deletedAt: doc.deleted_at ?? null,
  };
}

/**
 * Task.isVisibleTo as a query: not deleted and, for all but admins, among its viewers or open,
 * unassigned and open to the actor's role.
 */
function visibleTo(actor: Actor): Record<string, unknown> {
  if (isAdmin(actor)) return { deleted_at: null };
  return {
    deleted_at: null,
    $or: [
      { visible_to: actor.id },
      { open: true, assignee_id: null, open_to: { $in: [actor.role, 'any'] } },
    ],
  };
}

/** Where each sort lives in a document (priority in queue order: urgent is rank 0). */
const SORT_FIELDS: Record<SortableField, string> = {
  updated_at: 'updated_at',
  due_at: 'due_at',
  priority: 'priority_rank',
};

/** Documents after a keyset position in stored order `dir`; null sorts before any value. */
function keysetAfter(
  field: string,
  key: SortableField,
  after: TaskPosition,
  dir: 1 | -1,
): Record<string, unknown> {
  const next = dir === 1 ? '$gt' : '$lt';
  const stored =
    after.value === null ? null : key === 'priority' ? after.value : new Date(after.value);
  if (stored === null) {
    return dir === 1
      ? { $or: [{ [field]: null, _id: { $gt: after.id } }, { [field]: { $ne: null } }] }
      : { [field]: null, _id: { $lt: after.id } };
  }
  const branches: Record<string, unknown>[] = [
    { [field]: { [next]: stored } },
    { [field]: stored, _id: { [next]: after.id } },
  ];
  if (dir === -1) branches.push({ [field]: null });
  return { $or: branches };
}

/** Open, unassigned, pending and not deleted: what a claim may take. */
const CLAIMABLE = { open: true, status: 'pending', assignee_id: null, deleted_at: null };

@Injectable()
export class MongoTaskRepository extends TaskRepository {
  constructor(
    @InjectModel(TaskDocument.name) private readonly model: Model<TaskDocument>,
    private readonly unitOfWork: MongoUnitOfWork,
  ) {
    super();
  }

  async insert(task: TaskState): Promise<void> {
    await insertClaim(
      this.model,
      toTaskDocument(task),
      this.unitOfWork.session(),
      () => new ConcurrencyConflict('Task', task.id),
    );
  }

  async save(task: TaskState, expectedVersion: number): Promise<void> {
    const session = this.unitOfWork.session();
    const { _id, ...fields } = toTaskDocument(task);
    const result = await this.model.updateOne(
      { _id, version: expectedVersion },
      { $set: fields },
      { session },
    );
    if (result.matchedCount === 1) return;
    // A roll-forward may have stored this claimed change (or later ones) first.
    const stored = await this.model.findById(_id, { version: 1 }, { session }).lean().exec();
    if (!stored || stored.version < task.version) throw new ConcurrencyConflict('Task', task.id);
  }

  async findById(id: string): Promise<Task | null> {
    const doc = await this.model
      .findById(id, null, { session: this.unitOfWork.session() })
      .lean<TaskDocument>()
      .exec();
    return doc ? Task.restore(fromTaskDocument(doc)) : null;
  }

  async findByIds(ids: readonly string[]): Promise<Task[]> {
    if (ids.length === 0) return [];
    const docs = await this.model
      .find({ _id: { $in: ids } }, null, { session: this.unitOfWork.session() })
      // The limit closes the cursor with the first batch: without it a batch of exactly
      // ids.length documents leaves it open, and the driver asks again (a getMore) to find none.
      .limit(ids.length)
      .batchSize(ids.length)
      .lean<TaskDocument[]>()
      .exec();
    return docs.map((doc) => Task.restore(fromTaskDocument(doc)));
  }

  async findVisibleTo(actor: Actor, id: string): Promise<Task | null> {
    const doc = await this.model
      .findOne({ _id: id, ...visibleTo(actor) }, null, { session: this.unitOfWork.session() })
      .lean<TaskDocument>()
      .exec();
    return doc ? Task.restore(fromTaskDocument(doc)) : null;
  }

  async listForActor(
    actor: Actor,
    filter: TaskFilter,
    page: PageRequest,
    sort: TaskSort = DEFAULT_TASK_SORT,
  ): Promise<Page<Task>> {
    const query: Record<string, unknown> = visibleTo(actor);
    const statuses = Array.isArray(filter.status)
      ? filter.status
      : filter.status && [filter.status];
    if (statuses !== undefined) {
      query.status = statuses.length === 1 ? statuses[0] : { $in: statuses };
    }
    if (filter.priority !== undefined) query.priority = { $in: filter.priority };
    if (filter.open) query.open = true;
    if (filter.assigneeId !== undefined) query.assignee_id = filter.assigneeId;
    if (filter.creatorId !== undefined) query.creator_id = filter.creatorId;
    if (filter.reviewerId !== undefined) query.reviewer_id = filter.reviewerId;
    if (filter.dueBefore !== undefined) query.due_at = { $lt: filter.dueBefore };
    if (filter.updatedSince !== undefined) query.updated_at = { $gte: filter.updatedSince };
    const direction = sort.descending ? -1 : 1;
    let order: Record<string, 1 | -1> = { _id: direction };
    if (sort.key === 'created_at') {
      if (page.after !== null) query._id = { [direction === 1 ? '$gt' : '$lt']: page.after };
    } else {
      const field = SORT_FIELDS[sort.key as SortableField];
      const dir = direction;
      order = { [field]: dir, _id: dir };
      const after = page.after === null ? null : parsePosition(page.after);
      if (after !== null) {
        const keyset = keysetAfter(field, sort.key as SortableField, after, dir);
        const and = (query.$and as unknown[] | undefined) ?? [];
        if (query.$or !== undefined) {
          and.push({ $or: query.$or });
          delete query.$or;
        }
        query.$and = [...and, keyset];
      }
    }
    const docs = await this.model
      .find(query, null, { session: this.unitOfWork.session() })
      .sort(order)
      .limit(pageProbe(page))
      .batchSize(pageProbe(page))
      .lean<TaskDocument[]>()
      .exec();
    return pageFrom(
      docs,
      page,
      (doc) => Task.restore(fromTaskDocument(doc)),
      (task) => task.id,
    );
  }

  async extendLease(task: TaskState, version: number): Promise<boolean> {
    // Not atomic on FerretDB; it only moves the lease field, which a task without this holder
    // ignores, so a heartbeat racing a change can at worst leave a lease that nothing reads.
    const result = await this.model.updateOne(
      { _id: task.id, version, assignee_id: task.assigneeId },
      { $set: { lease_expires_at: task.leaseExpiresAt, lease_seconds: task.leaseSeconds } },
      { session: this.unitOfWork.session() },
    );
    return result.matchedCount === 1;
  }

  async findClaimable(actor: Actor, filter: ClaimFilter, limit: number): Promise<Task[]> {
    const openTo = OPEN_TO.filter(
      (value) => admits(value, actor) && (filter.openTo === undefined || filter.openTo === value),
    );
    const query: Record<string, unknown> = { ...CLAIMABLE, open_to: { $in: openTo } };
    if (filter.priorities !== undefined) query.priority = { $in: filter.priorities };
    const docs = await this.model
      .find(query, null, { session: this.unitOfWork.session() })
      .sort({ priority_rank: 1, _id: 1 })
      .limit(limit)
      .batchSize(limit)
      .lean<TaskDocument[]>()
      .exec();
    return docs.map((doc) => Task.restore(fromTaskDocument(doc)));
  }

  async claimableNow(limit: number): Promise<TaskState[]> {
    const docs = await this.model
      .find({ ...CLAIMABLE, open_to: { $in: OPEN_TO } }, null, {
        session: this.unitOfWork.session(),
      })
      .sort({ priority_rank: 1, _id: 1 })
      .limit(limit)
      .batchSize(limit)
      .lean<TaskDocument[]>()
      .exec();
    return docs.map(fromTaskDocument);
  }

  async findLeasesExpiredBy(now: Date, limit: number): Promise<Task[]> {
    const docs = await this.model
      .find({ lease_expires_at: { $lte: now } }, null, { session: this.unitOfWork.session() })
      .sort({ lease_expires_at: 1 })
      .limit(limit)
      .batchSize(limit)
      .lean<TaskDocument[]>()
      .exec();
    return docs.map((doc) => Task.restore(fromTaskDocument(doc)));
  }

  async versionsOf(ids: readonly string[]): Promise<Map<string, number>> {
    const versions = new Map<string, number>();
    if (ids.length === 0) return versions;
    const docs = await this.model
      .find({ _id: { $in: ids } }, { version: 1 }, { session: this.unitOfWork.session() })
      .limit(ids.length)
      .batchSize(ids.length)
      .lean<Pick<TaskDocument, '_id' | 'version'>[]>()
      .exec();
    for (const doc of docs) versions.set(doc._id, doc.version);
    return versions;
  }
}
