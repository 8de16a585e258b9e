import { Injectable } from '@nestjs/common';
import { MemoryUnitOfWork, Page, PageRequest, pageOf } from '@taskflow/platform';
import { CollaborationRecord } from '../../domain/collaboration-record';
import { CollaborationRecordRepository } from '../../ports/collaboration-record.repository';

@Injectable()
export class MemoryCollaborationRecordRepository extends CollaborationRecordRepository {
  private readonly byTask = new Map<string, CollaborationRecord[]>();
  private readonly ids = new Set<string>();

  constructor(private readonly unitOfWork: MemoryUnitOfWork) {
    super();
  }

  async add(record: CollaborationRecord): Promise<void> {
    this.unitOfWork.write({
      check: () => undefined,
      apply: () => {
        if (this.ids.has(record.id)) return;
        this.ids.add(record.id);
        const records = this.byTask.get(record.taskId) ?? [];
        records.push(record);
        this.byTask.set(record.taskId, records);
      },
    });
  }

  async listForTask(taskId: string, page: PageRequest): Promise<Page<CollaborationRecord>> {
    return pageOf(this.byTask.get(taskId) ?? [], (record) => record.id, page, String);
  }
}
