import { Injectable } from '@nestjs/common';
import type { Actor, Page, PageRequest } from '@taskflow/platform';
import type { AuditEntry } from '../domain/audit-entry';
import type { CollaborationRecord } from '../domain/collaboration-record';
import { AuditLogRepository } from '../ports/audit-log.repository';
import { CollaborationRecordRepository } from '../ports/collaboration-record.repository';
import { TaskHistoryAccess } from '../ports/task-history-access';

@Injectable()
export class AuditQueryService {
  constructor(
    private readonly access: TaskHistoryAccess,
    private readonly auditLog: AuditLogRepository,
    private readonly records: CollaborationRecordRepository,
  ) {}

  async auditLogOf(actor: Actor, taskId: string, page: PageRequest): Promise<Page<AuditEntry>> {
    await this.access.assertCanReadHistory(actor, taskId);
    return this.auditLog.listForTask(taskId, page);
  }

  async recordsOf(
    actor: Actor,
    taskId: string,
    page: PageRequest,
  ): Promise<Page<CollaborationRecord>> {
    await this.access.assertCanReadHistory(actor, taskId);
    return this.records.listForTask(taskId, page);
  }
}
