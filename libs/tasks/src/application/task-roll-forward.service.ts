import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AuditEntry, AuditLogRepository, CollaborationRecordRepository } from '@taskflow/audit';
import { Checkpoints, Clock, ConcurrencyConflict } from '@taskflow/platform';
import { taskStateFromRecord } from '../domain/task-state-record';
import { TaskRepository } from '../ports/task.repository';

/**
 * The audit log is the truth about a task; the task document is what it last said. Without a
 * transaction, a crash between a claim (the audit entry) and the task write leaves the document
 * behind: this brings it up to the last entry again, re-adding any record the crash lost.
 */
@Injectable()
export class TaskRollForward {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly auditLog: AuditLogRepository,
    private readonly records: CollaborationRecordRepository,
  ) {}

  /** Rolls a task forward from `storedVersion` (0: no document); true when it moved. */
  async rollForward(taskId: string, storedVersion: number): Promise<boolean> {
    const ahead: AuditEntry[] = [];
    let after: string | null = storedVersion > 0 ? String(storedVersion) : null;
    do {
      const page = await this.auditLog.listForTask(taskId, { after, limit: 100 });
      ahead.push(...page.items);
      after = page.nextCursor;
    } while (after !== null);
    if (ahead.length === 0) return false;

    for (const entry of ahead) {
      for (const record of entry.records) await this.records.add(record);
    }
    const state = taskStateFromRecord(ahead[ahead.length - 1].state);
    try {
      if (storedVersion === 0) await this.tasks.insert(state);
      else await this.tasks.save(state, storedVersion);
    } catch (error) {
      // Another writer moved the task meanwhile: it is no longer behind what we read.
      if (!(error instanceof ConcurrencyConflict)) throw error;
    }
    return true;
  }
}

const SWEEP_CHECKPOINT = 'tasks.roll-forward-sweep';
/** Writes in flight while the last sweep ran, and clock skew between instances. */
const SWEEP_OVERLAP_MS = 10 * 60_000;
const SWEEP_BATCH = 500;

/**
 * At start-up, rolls forward every task whose log moved since the previous sweep began, so a
 * task a crash left behind is repaired even if nobody writes to it again.
 */
@Injectable()
export class TaskRollForwardSweep implements OnApplicationBootstrap {
  private readonly logger = new Logger('TaskRollForward');

  constructor(
    private readonly tasks: TaskRepository,
    private readonly auditLog: AuditLogRepository,
    private readonly rollForward: TaskRollForward,
    private readonly checkpoints: Checkpoints,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const repaired = await this.sweep();
    if (repaired.length > 0) {
      this.logger.warn(`Rolled ${repaired.length} task(s) forward from their audit log`);
    }
  }

  /** Returns the ids of the tasks it rolled forward. */
  async sweep(): Promise<string[]> {
    const startedAt = this.clock.now();
    const last = await this.checkpoints.get(SWEEP_CHECKPOINT);
    const since = new Date(last ? last.getTime() - SWEEP_OVERLAP_MS : 0);
    const latest = [...(await this.auditLog.latestVersionsSince(since))];
    const repaired: string[] = [];
    for (let start = 0; start < latest.length; start += SWEEP_BATCH) {
      const batch = latest.slice(start, start + SWEEP_BATCH);
      const stored = await this.tasks.versionsOf(batch.map(([id]) => id));
      for (const [id, logVersion] of batch) {
        const version = stored.get(id) ?? 0;
        if (version < logVersion && (await this.rollForward.rollForward(id, version))) {
          repaired.push(id);
        }
      }
    }
    await this.checkpoints.set(SWEEP_CHECKPOINT, startedAt);
    return repaired;
  }
}
