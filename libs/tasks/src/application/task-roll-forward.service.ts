import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AuditEntry, AuditLogRepository, CollaborationRecordRepository } from '@taskflow/audit';
import { Checkpoints, Clock, ConcurrencyConflict } from '@taskflow/platform';
import { taskStateFromRecord } from '../domain/task-state-record';
import { TaskRepository } from '../ports/task.repository';

/**
 * How long a repair leaves a claimed change to the writer that claimed it. Without transactions
 * the claim (audit entry) lands a few milliseconds before the task document; a repair that wrote
 * the document in that gap would race the writer, and on a server whose version-guarded update
 * is not atomic (FerretDB: filter and write are two steps) the later of two writes to one version
 * can land on top of a newer one. So a repair first waits for the document to catch up, and
 * writes only what a writer that crashed (or failed) left behind.
 */
export const WRITER_GRACE_MS = 3_000;
const POLL_MS = 25;
/** Repairs in a row, when a late write keeps landing on top of the repaired document. */
const REPAIR_ROUNDS = 5;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

  /**
   * Rolls a task forward from `storedVersion` (0: no document); true when it wrote. With `wait`
   * (the default) it first gives the writers of the entries ahead up to `WRITER_GRACE_MS` to store
   * them themselves; the sweep, which has waited for a whole batch at once, passes false.
   */
  async rollForward(taskId: string, storedVersion: number, wait = true): Promise<boolean> {
    let stored = storedVersion;
    let wrote = false;
    for (let round = 0; round < REPAIR_ROUNDS; round++) {
      const ahead = await this.entriesAfter(taskId, stored);
      if (ahead.length === 0) return wrote;
      const target = ahead[ahead.length - 1].version;
      if (wait) {
        const now = await this.waitUntilStored(taskId, target, stored);
        if (now >= target) return wrote;
        if (now !== stored) {
          // Part of the way there: look again from what is stored now.
          stored = now;
          continue;
        }
      }
      await this.apply(ahead, stored);
      wrote = true;
      // A write that read the document before ours may land after it (see WRITER_GRACE_MS):
      // then the document is behind again, and the next round repairs it.
      stored = await this.versionOf(taskId);
      if (stored >= target) return true;
    }
    return wrote;
  }

  /** The document's version once it reaches `target`, or when the grace runs out. */
  private async waitUntilStored(taskId: string, target: number, stored: number): Promise<number> {
    const deadline = Date.now() + WRITER_GRACE_MS;
    let now = stored;
    while (Date.now() < deadline) {
      now = await this.versionOf(taskId);
      if (now >= target) return now;
      await sleep(POLL_MS);
    }
    return now;
  }

  private async apply(ahead: AuditEntry[], storedVersion: number): Promise<void> {
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
  }

  private async entriesAfter(taskId: string, version: number): Promise<AuditEntry[]> {
    const ahead: AuditEntry[] = [];
    let after: string | null = version > 0 ? String(version) : null;
    do {
      const page = await this.auditLog.listForTask(taskId, { after, limit: 100 });
      ahead.push(...page.items);
      after = page.nextCursor;
    } while (after !== null);
    return ahead;
  }

  private async versionOf(taskId: string): Promise<number> {
    return (await this.tasks.versionsOf([taskId])).get(taskId) ?? 0;
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
      let behind = await this.behind(batch);
      // Writers still at work (on this or another instance) store their own changes: give the
      // whole batch one grace period, then repair what is still behind.
      const deadline = Date.now() + WRITER_GRACE_MS;
      while (behind.length > 0 && Date.now() < deadline) {
        await sleep(POLL_MS * 4);
        behind = await this.behind(behind.map(([id, , logVersion]) => [id, logVersion]));
      }
      for (const [id, version] of behind) {
        if (await this.rollForward.rollForward(id, version, false)) repaired.push(id);
      }
    }
    await this.checkpoints.set(SWEEP_CHECKPOINT, startedAt);
    return repaired;
  }

  /** Of `[task id, logged version]`, those whose document is behind: `[id, stored, logged]`. */
  private async behind(
    latest: readonly (readonly [string, number])[],
  ): Promise<[string, number, number][]> {
    const stored = await this.tasks.versionsOf(latest.map(([id]) => id));
    return latest
      .map(([id, logVersion]): [string, number, number] => [id, stored.get(id) ?? 0, logVersion])
      .filter(([, version, logVersion]) => version < logVersion);
  }
}
