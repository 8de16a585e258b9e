import { Injectable } from '@nestjs/common';
import {
  ConcurrencyConflict,
  MemoryUnitOfWork,
  Page,
  PageRequest,
  pageOf,
} from '@taskflow/platform';
import { AuditEntry } from '../../domain/audit-entry';
import { AuditLogRepository } from '../../ports/audit-log.repository';

@Injectable()
export class MemoryAuditLogRepository extends AuditLogRepository {
  private readonly byTask = new Map<string, AuditEntry[]>();
  private readonly ids = new Set<string>();

  constructor(private readonly unitOfWork: MemoryUnitOfWork) {
    super();
  }

  async append(entry: AuditEntry): Promise<void> {
    this.unitOfWork.write({
      check: () => {
        if (this.ids.has(entry.id)) throw new ConcurrencyConflict('Task', entry.taskId);
      },
      apply: () => {
        this.ids.add(entry.id);
        const entries = this.byTask.get(entry.taskId) ?? [];
        entries.push(entry);
        this.byTask.set(entry.taskId, entries);
      },
    });
  }

  async listForTask(taskId: string, page: PageRequest): Promise<Page<AuditEntry>> {
    return pageOf(this.byTask.get(taskId) ?? [], (entry) => entry.version, page, Number);
  }
}
