import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import {
  ConcurrencyConflict,
  insertClaim,
  MongoUnitOfWork,
  Page,
  pageFrom,
  pageProbe,
  PageRequest,
} from '@taskflow/platform';
import type { Model } from 'mongoose';
import type { AuditEntry } from '../../domain/audit-entry';
import { AuditLogRepository } from '../../ports/audit-log.repository';
import { fromAuditEntryDocument, toAuditEntryDocument } from './audit.mapping';
import { AuditEntryDocument } from './audit.schema';

@Injectable()
export class MongoAuditLogRepository extends AuditLogRepository {
  constructor(
    @InjectModel(AuditEntryDocument.name) private readonly model: Model<AuditEntryDocument>,
    private readonly unitOfWork: MongoUnitOfWork,
  ) {
    super();
  }

  async append(entry: AuditEntry): Promise<void> {
    // The unique `_id` decides the race: whoever inserted `<task>:<version>` first owns it.
    await insertClaim(
      this.model,
      toAuditEntryDocument(entry),
      this.unitOfWork.session(),
      () => new ConcurrencyConflict('Task', entry.taskId),
    );
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
}
