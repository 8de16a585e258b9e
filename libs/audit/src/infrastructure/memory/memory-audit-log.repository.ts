import { Injectable } from '@nestjs/common';
import {
  ConcurrencyConflict,
  MemoryUnitOfWork,
  Page,
  PageRequest,
  pageOf,
} from '@taskflow/platform';
import { EventLogNotifier } from '../../application/event-log-notifier';
import { AuditEntry } from '../../domain/audit-entry';
import type { LogFilter, LoggedEntry, LogPosition } from '../../domain/event';
import { SeqClock } from '../../domain/seq-clock';
import { AuditLogRepository } from '../../ports/audit-log.repository';

const after = (entry: LoggedEntry, position: LogPosition): boolean =>
  entry.seq > position.seq || (entry.seq === position.seq && entry.id > position.id);

/** The index of the first entry after `position` in a list in stamp order (bisection). */
function firstAfter(source: readonly LoggedEntry[], position: LogPosition): number {
  let low = 0;
  let high = source.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (after(source[mid], position)) high = mid;
    else low = mid + 1;
  }
  return low;
}

@Injectable()
export class MemoryAuditLogRepository extends AuditLogRepository {
  private readonly byTask = new Map<string, LoggedEntry[]>();
  /** The one log, in stamp order: stamped as applied, so it only ever grows at the end. */
  private readonly log: LoggedEntry[] = [];
  private readonly ids = new Set<string>();
  private readonly clock = new SeqClock();

  constructor(
    private readonly unitOfWork: MemoryUnitOfWork,
    private readonly notifier: EventLogNotifier,
  ) {
    super();
  }

  async append(entry: AuditEntry): Promise<void> {
    this.unitOfWork.write({
      check: () => {
        if (this.ids.has(entry.id)) throw new ConcurrencyConflict('Task', entry.taskId);
      },
      apply: () => {
        // Stamped in the unit's one synchronous apply: nothing is ever in flight, so every
        // stored entry is below the horizon and a later one always sorts after it.
        const seq = this.clock.issue();
        this.clock.finish(seq);
        const logged: LoggedEntry = { ...entry, seq };
        this.log.push(logged);
        this.ids.add(entry.id);
        const entries = this.byTask.get(entry.taskId) ?? [];
        entries.push(logged);
        this.byTask.set(entry.taskId, entries);
        this.notifier.notify();
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

  async readAfter(position: LogPosition, filter: LogFilter, limit: number): Promise<LoggedEntry[]> {
    const source = filter.taskId !== undefined ? (this.byTask.get(filter.taskId) ?? []) : this.log;
    const found: LoggedEntry[] = [];
    for (let i = firstAfter(source, position); i < source.length && found.length < limit; i++) {
      const entry = source[i];
      if (filter.actions && !filter.actions.includes(entry.action)) continue;
      found.push(entry);
    }
    return found;
  }

  async head(): Promise<LogPosition> {
    return { seq: this.clock.safePoint(), id: '' };
  }

  async readable(): Promise<LogPosition> {
    // Nothing is ever in flight here (see append): all that is stored is readable.
    return this.head();
  }

  async idsAt(seq: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = firstAfter(this.log, { seq, id: '' }); this.log[i]?.seq === seq; i++) {
      ids.push(this.log[i].id);
    }
    return ids;
  }
}
