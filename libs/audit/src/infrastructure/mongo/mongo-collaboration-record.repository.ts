import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Page, PageRequest } from '@taskflow/platform';
import { insertClaim, MongoUnitOfWork, pageFrom, pageProbe } from '@taskflow/platform/mongo';
import type { Model } from 'mongoose';
import type { CollaborationRecord } from '../../domain/collaboration-record';
import { CollaborationRecordRepository } from '../../ports/collaboration-record.repository';
import { fromRecordDocument, toRecordDocument } from './audit.mapping';
import { RecordDocument } from './audit.schema';

@Injectable()
export class MongoCollaborationRecordRepository extends CollaborationRecordRepository {
  constructor(
    @InjectModel(RecordDocument.name) private readonly model: Model<RecordDocument>,
    private readonly unitOfWork: MongoUnitOfWork,
  ) {
    super();
  }

  async add(record: CollaborationRecord): Promise<void> {
    // Already there: a roll-forward re-adding what the claiming write stored.
    await insertClaim(this.model, toRecordDocument(record), this.unitOfWork.session(), () => null);
  }

  async listForTask(taskId: string, page: PageRequest): Promise<Page<CollaborationRecord>> {
    const query: Record<string, unknown> = { task_id: taskId };
    if (page.after !== null) query._id = { $gt: page.after };
    const docs = await this.model
      .find(query, null, { session: this.unitOfWork.session() })
      .sort({ _id: 1 })
      .limit(pageProbe(page))
      .batchSize(pageProbe(page))
      .lean<RecordDocument[]>()
      .exec();
    return pageFrom(docs, page, fromRecordDocument, (record) => record.id);
  }
}
