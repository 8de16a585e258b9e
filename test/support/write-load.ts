import { withDatabase } from './mongo';

/** One request of a write load and how it ended. */
export interface Outcome {
  readonly op: string;
  readonly taskId: string | null;
  readonly startedAt: number;
  readonly ms: number;
  /** HTTP status, or 0 when no response came (connection refused or cut, or the 5 s timeout). */
  readonly status: number;
  readonly contentType: string | null;
  readonly body: Record<string, unknown> | null;
  readonly error: string | null;
}

/** Past this a request counts as hanging: the load gives up on it and records status 0. */
export const REQUEST_TIMEOUT_MS = 5_000;

const OPS = ['create', 'assign', 'start', 'patch', 'submit', 'patch'] as const;

/**
 * Concurrent writers against a running API (dev mode, `X-User-ID`): creates, assignments,
 * transitions with comments and edits, on random tasks among those it has seen created. Every
 * request is timed and kept, so a test can judge each one against the moment a fault was injected.
 */
export class WriteLoad {
  readonly outcomes: Outcome[] = [];
  readonly taskIds: string[] = [];
  private running = false;
  private workers: Promise<void>[] = [];
  private sequence = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly concurrency = 8,
  ) {}

  start(): void {
    this.running = true;
    this.workers = Array.from({ length: this.concurrency }, (_, n) => this.work(n));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  /** Successful writes: the task and the version the API said it reached. */
  acknowledged(): { id: string; version: number }[] {
    return this.outcomes
      .filter((o) => o.status === 200 || o.status === 201)
      .map((o) => ({ id: String(o.body?.id), version: Number(o.body?.version) }));
  }

  private async work(worker: number): Promise<void> {
    let step = worker;
    while (this.running) {
      const op = this.taskIds.length === 0 ? 'create' : OPS[step++ % OPS.length];
      await this.send(op);
    }
  }

  private async send(op: (typeof OPS)[number]): Promise<void> {
    const n = this.sequence++;
    const taskId =
      op === 'create' ? null : this.taskIds[Math.floor(Math.random() * this.taskIds.length)];
    const [method, path, user, body] =
      op === 'create'
        ? ['POST', '/tasks', 'u_alice', { title: `load ${n}` }]
        : op === 'assign'
          ? ['POST', `/tasks/${taskId}/assign`, 'u_alice', { assignee_id: 'u_bob' }]
          : op === 'patch'
            ? ['PATCH', `/tasks/${taskId}`, 'u_alice', { description: `edit ${n}` }]
            : ['POST', `/tasks/${taskId}/${op}`, 'u_bob', { comment: `${op} ${n}` }];
    const startedAt = Date.now();
    let outcome: Omit<Outcome, 'ms'>;
    try {
      const res = await fetch(this.baseUrl + path, {
        method,
        headers: { 'content-type': 'application/json', 'x-user-id': user },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await res.text();
      let parsed: Record<string, unknown> | null = null;
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // not JSON: kept as null, and the test sees the content type
      }
      outcome = {
        op,
        taskId,
        startedAt,
        status: res.status,
        contentType: res.headers.get('content-type'),
        body: parsed,
        error: null,
      };
      if (op === 'create' && res.status === 201) this.taskIds.push(String(parsed?.id));
    } catch (error) {
      outcome = {
        op,
        taskId,
        startedAt,
        status: 0,
        contentType: null,
        body: null,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      };
      // Without a server the load would spin: breathe before the next attempt.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    this.outcomes.push({ ...outcome, ms: Date.now() - startedAt });
  }
}

/** Counts per HTTP status (0: no response). */
export function countStatuses(outcomes: readonly Outcome[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const { status } of outcomes) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

export interface StoredState {
  readonly tasks: number;
  readonly auditEntries: number;
  readonly records: number;
  /** Each broken invariant, described; empty when the store is consistent. */
  readonly violations: string[];
}

interface TaskDoc {
  _id: string;
  version: number;
  status: string;
}
interface AuditDoc {
  _id: string;
  task_id: string;
  version: number;
  to_status: string;
  records: { _id: string }[];
}
interface RecordDoc {
  _id: string;
  task_id: string;
  version: number;
}

/**
 * DESIGN §2's invariant, read straight from the database: every task's version is the number of
 * its audit entries (1..n, no gap) and its status the last entry's; every audit entry belongs to
 * a stored task; every record belongs to an audit entry that lists it; and every write the API
 * acknowledged is in the log.
 */
export function storedState(
  uri: string,
  acknowledged: readonly { id: string; version: number }[],
): Promise<StoredState> {
  return withDatabase(uri, async (db) => {
    const tasks = await db.collection<TaskDoc>('tasks').find({}).toArray();
    const audit = await db.collection<AuditDoc>('audit_entries').find({}).toArray();
    const records = await db.collection<RecordDoc>('collaboration_records').find({}).toArray();
    const violations: string[] = [];
    const entries = new Map<string, AuditDoc[]>();
    for (const entry of audit) {
      entries.set(entry.task_id, [...(entries.get(entry.task_id) ?? []), entry]);
    }
    const taskIds = new Set(tasks.map((task) => task._id));
    for (const task of tasks) {
      const versions = (entries.get(task._id) ?? []).map((e) => e.version).sort((a, b) => a - b);
      if (versions.join() !== versions.map((_, i) => i + 1).join()) {
        violations.push(`task ${task._id}: audit versions ${versions.join()} have a gap`);
      }
      if (task.version !== versions.length) {
        violations.push(`task ${task._id}: version ${task.version}, ${versions.length} entries`);
      }
      const last = entries.get(task._id)?.find((e) => e.version === task.version);
      if (last && last.to_status !== task.status) {
        violations.push(`task ${task._id}: status ${task.status}, last entry ${last.to_status}`);
      }
    }
    for (const taskId of entries.keys()) {
      if (!taskIds.has(taskId)) violations.push(`audit entries of a missing task ${taskId}`);
    }
    for (const record of records) {
      const entry = entries.get(record.task_id)?.find((e) => e.version === record.version);
      if (!entry?.records.some((listed) => listed._id === record._id)) {
        violations.push(`record ${record._id} belongs to no audit entry`);
      }
    }
    for (const { id, version } of acknowledged) {
      if (!entries.get(id)?.some((e) => e.version === version)) {
        violations.push(`acknowledged change ${id}:${version} is not in the log`);
      }
    }
    return { tasks: tasks.length, auditEntries: audit.length, records: records.length, violations };
  });
}

/** RELIABILITY_FIGURES=1 prints what a reliability suite measured (docs/RELIABILITY.md quotes it). */
export function reportFigures(suite: string, figures: Record<string, unknown>): void {
  if (process.env.RELIABILITY_FIGURES) console.info(`${suite}: ${JSON.stringify(figures)}`);
}
