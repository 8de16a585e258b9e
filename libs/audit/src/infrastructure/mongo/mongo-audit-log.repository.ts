import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { ConcurrencyConflict, Page, PageRequest } from '@taskflow/platform';
import { insertClaim, MongoUnitOfWork, pageFrom, pageProbe } from '@taskflow/platform/mongo';
import { LRUCache } from 'lru-cache';
import type { Model } from 'mongoose';
import { AuditEntry, auditEntryId } from '../../domain/audit-entry';
import type { LogFilter, LoggedEntry, LogPosition } from '../../domain/event';
import { AuditLogRepository } from '../../ports/audit-log.repository';
import { fromAuditEntryDocument, toAuditEntryDocument } from './audit.mapping';
import { AuditEntryDocument } from './audit.schema';
import { MongoEventHorizon } from './mongo-event-horizon';

/** Tasks whose last entry this instance wrote, kept so their next stamp needs no read. */
const RECENT_TASKS = 10_000;

@Injectable()
export class MongoAuditLogRepository extends AuditLogRepository {
  /** Task id → the version and stamp of the last entry this instance stored for it. */
  private readonly recent = new LRUCache<string, { version: number; seq: number }>({
    max: RECENT_TASKS,
  });

  constructor(
    @InjectModel(AuditEntryDocument.name) private readonly model: Model<AuditEntryDocument>,
    private readonly unitOfWork: MongoUnitOfWork,
    private readonly horizon: MongoEventHorizon,
  ) {
    super();
  }

  async append(entry: AuditEntry): Promise<void> {
    // Above the task's previous entry, which is stored (its writer loaded it), so per-task
    // order never rests on the instances' clocks (docs/EVENTS.md).
    const stamp = await this.horizon.stamp((await this.previousSeq(entry)) + 1);
    const stored = () => this.recent.set(entry.taskId, { version: entry.version, seq: stamp.seq });
    // In a transaction the entry is visible at commit: in flight until the unit ends.
    const transactional = this.unitOfWork.inTransaction(
      () => stamp.assertLandable(),
      (error) => {
        if (error) return stamp.finishAtDeadline();
        stamp.finish();
        stored();
      },
    );
    try {
      // The unique `_id` decides the race: whoever inserted `<task>:<version>` first owns it.
      await insertClaim(
        this.model,
        toAuditEntryDocument(entry, stamp.seq),
        this.unitOfWork.session(),
        () => new ConcurrencyConflict('Task', entry.taskId),
      );
      if (!transactional) {
        stamp.finish();
        stored();
      }
    } catch (error) {
      // A lost claim stored nothing; any other failure may still land, until its deadline.
      if (!transactional) {
        if (error instanceof ConcurrencyConflict) stamp.finish();
        else stamp.finishAtDeadline();
      }
      throw error;
    }
  }

  /**
   * The stamp of the entry before this one: known when this instance stored it, else one read
   * by `_id` (0 for a task's first entry, or one stored before 0008 without a stamp).
   */
  private async previousSeq(entry: AuditEntry): Promise<number> {
    if (entry.version <= 1) return 0;
    const known = this.recent.get(entry.taskId);
    if (known?.version === entry.version - 1) return known.seq;
    const previous = await this.model
      .findOne({ _id: auditEntryId(entry.taskId, entry.version - 1) }, { seq: 1 })
      .session(this.unitOfWork.session() ?? null)
      .lean<Pick<AuditEntryDocument, '_id' | 'seq'>>()
      .exec();
    return previous?.seq ?? 0;
  }

  async listForTask(taskId: string, page: PageRequest): Promise<Page<AuditEntry>> {
    const query: Record<string, unknown> = { task_id: taskId };
    if (page.after !== null) query.version = { $gt: Number(page.after) };
    const docs = await this.model
      .find(query, null, { session: this.unitOfWork.session() })
      .sort({ version: 1 })
      .limit(pageProbe(page))
      .batchSize(pageProbe(page))
      .lean<AuditEntryDocument[]>()
      .exec();
    return pageFrom(docs, page, fromAuditEntryDocument, (entry) => String(entry.version));
  }

  async latestVersionsSince(since: Date): Promise<Map<string, number>> {
    // Grouped here, not with `$group`/`$max`: FerretDB 1.24 does not implement that accumulator.
    const latest = new Map<string, number>();
    const cursor = this.model
      .find({ at: { $gte: since } }, { task_id: 1, version: 1 })
      .session(this.unitOfWork.session() ?? null)
      .batchSize(1000)
      .lean<Pick<AuditEntryDocument, 'task_id' | 'version'>>()
      .cursor();
    for await (const doc of cursor) {
      latest.set(doc.task_id, Math.max(latest.get(doc.task_id) ?? 0, doc.version));
    }
    return latest;
  }

  async readAfter(position: LogPosition, filter: LogFilter, limit: number): Promise<LoggedEntry[]> {
    const horizon = this.horizon.current();
    if (position.seq >= horizon) return [];
    const query: Record<string, unknown> = {
      seq: { $gte: position.seq, $lt: horizon },
      $or: [{ seq: { $gt: position.seq } }, { _id: { $gt: position.id } }],
    };
    if (filter.taskId !== undefined) query.task_id = filter.taskId;
    if (filter.actions) query.action = { $in: filter.actions };
    const docs = await this.model
      .find(query)
      .sort({ seq: 1, _id: 1 })
      .limit(limit)
      .batchSize(limit)
      .lean<AuditEntryDocument[]>()
      .exec();
    return docs.map((doc) => fromAuditEntryDocument(doc) as LoggedEntry);
  }

  async head(): Promise<LogPosition> {
    return { seq: this.horizon.now(), id: '' };
  }

  async readable(): Promise<LogPosition> {
    return { seq: this.horizon.current(), id: '' };
  }

  async idsAt(seq: number): Promise<string[]> {
    const docs = await this.model
      .find({ seq }, { _id: 1 })
      .lean<Pick<AuditEntryDocument, '_id'>[]>()
      .exec();
    return docs.map((doc) => doc._id);
  }
}
