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

  async latestVersionsSince(since: Date): Promise<Map<string, number>> {
    const latest = new Map<string, number>();
    for (const [taskId, entries] of this.byTask) {
      const recent = entries.filter((entry) => entry.at >= since);
      if (recent.length > 0) latest.set(taskId, Math.max(...recent.map((entry) => entry.version)));
    }
    return latest;
  }
}
