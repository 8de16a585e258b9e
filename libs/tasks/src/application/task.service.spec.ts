import type { AuditEntry, CollaborationRecord } from '@taskflow/audit';
import {
  EventLogNotifier,
  MemoryAuditLogRepository,
  MemoryCollaborationRecordRepository,
} from '@taskflow/audit/testing';
import { AccountLookup } from '@taskflow/identity';
import {
  Actor,
  ConcurrencyConflict,
  ManualClock,
  MemoryUnitOfWork,
  PROBLEM_CATALOG,
} from '@taskflow/platform';
import {
  AccountUnavailable,
  ReasonRequired,
  TaskNotFound,
  TaskPreconditionFailed,
} from '../domain/task-errors';
import type { Task } from '../domain/task.entity';
import { ADMIN, AGENT, ASSIGNEE, CREATOR, REVIEWER, STRANGER } from '../domain/testing/a-task';
import type { TaskChanged } from '../domain/task-events';
import { MemoryTaskRepository } from '../infrastructure/memory/memory-task.repository';
import { TaskChangeObserver } from '../ports/task-change-observer';
import { TaskHistoryAccessService } from './task-history-access.service';
import { CommandContext, TaskService } from './task.service';
import { TaskRollForward } from './task-roll-forward.service';
import { ClaimSignal } from './claim-signal';

const NOW = new Date('2030-05-06T07:08:09.000Z');
const DISABLED = 'u_gone';

/** Identity as Tasks sees it: a map of accounts, with a gate to hold lookups mid-use-case. */
class InMemoryAccounts extends AccountLookup {
  private readonly accounts = new Map<string, { actor: Actor; active: boolean }>();
  private gate: Promise<void> | null = null;

  add(actor: Actor, active = true): this {
    this.accounts.set(actor.id, { actor, active });
    return this;
  }

  /** Holds every lookup until the returned function is called. */
  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise((resolve) => (release = resolve));
    return () => {
      this.gate = null;
      release();
    };
  }

  async findActive(id: string): Promise<Actor | null> {
    if (this.gate) await this.gate;
    const account = this.accounts.get(id);
    return account?.active ? account.actor : null;
  }
}

/** Remembers the actions it was told about (metrics hang on this port in the app). */
class RecordingObserver extends TaskChangeObserver {
  readonly actions: string[] = [];

  committed(changes: readonly TaskChanged[]): void {
    this.actions.push(...changes.map((change) => change.action));
  }
}

function harness() {
  const unitOfWork = new MemoryUnitOfWork();
  const tasks = new MemoryTaskRepository(unitOfWork);
  const auditLog = new MemoryAuditLogRepository(unitOfWork, new EventLogNotifier());
  const records = new MemoryCollaborationRecordRepository(unitOfWork);
  const accounts = new InMemoryAccounts()
    .add(CREATOR)
    .add(ASSIGNEE)
    .add(REVIEWER)
    .add(ADMIN)
    .add(AGENT)
    .add({ id: DISABLED, role: 'human' }, false);
  const rollForward = new TaskRollForward(tasks, auditLog, records);
  const observer = new RecordingObserver();
  const clock = new ManualClock(NOW);
  const claimSignal = new ClaimSignal(tasks, 0);
  const service = new TaskService(
    tasks,
    auditLog,
    records,
    accounts,
    unitOfWork,
    clock,
    rollForward,
    observer,
    claimSignal,
  );
  const everything = { limit: 100, after: null };
  return {
    service,
    tasks,
    auditLog,
    clock,
    claimSignal,
    accounts,
    observer,
    history: new TaskHistoryAccessService(tasks),
    as: (actor: Actor, expectedVersion?: number): CommandContext => ({
      actor,
      requestId: 'req-1',
      expectedVersion,
    }),
    auditOf: async (id: string): Promise<readonly AuditEntry[]> =>
      (await auditLog.listForTask(id, everything)).items,
    recordsOf: async (id: string): Promise<readonly CollaborationRecord[]> =>
      (await records.listForTask(id, everything)).items,
  };
}

type Harness = ReturnType<typeof harness>;

/** A task created by the creator and moved along the happy path to `status`. */
async function taskIn(
  h: Harness,
  status: 'pending' | 'assigned' | 'in_progress' | 'submitted',
  extra: { reviewerId?: string } = {},
): Promise<string> {
  const { id } = await h.service.create(h.as(CREATOR), {
    title: 'Write the release notes',
    ...extra,
  });
  if (status === 'pending') return id;
  await h.service.assign(h.as(CREATOR), id, ASSIGNEE.id, null);
  if (status === 'assigned') return id;
  await h.service.start(h.as(ASSIGNEE), id, null);
  if (status === 'in_progress') return id;
  await h.service.submit(h.as(ASSIGNEE), id, null);
  return id;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('TaskService', () => {
  let h: Harness;

  beforeEach(() => {
    h = harness();
  });

  describe('create', () => {
    it('writes the task and exactly one audit entry, and no record', async () => {
      const task = await h.service.create(h.as(CREATOR), {
        title: 'Write the release notes',
        priority: 'high',
      });

      const stored = await h.service.get(CREATOR, task.id);
      expect(stored.snapshot()).toEqual(task.snapshot());
      expect(stored.snapshot()).toMatchObject({
        status: 'pending',
        version: 1,
        creatorId: CREATOR.id,
        createdAt: NOW,
      });
      const audit = await h.auditOf(task.id);
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        id: `${task.id}:1`,
        taskId: task.id,
        actorId: CREATOR.id,
        action: 'create',
        fromStatus: null,
        toStatus: 'pending',
        version: 1,
        requestId: 'req-1',
        at: NOW,
      });
      expect(audit[0].state).toMatchObject({
        id: task.id,
        status: 'pending',
        priority: 'high',
        version: 1,
        createdAt: NOW.toISOString(),
      });
      expect(await h.recordsOf(task.id)).toEqual([]);
    });

    it.each([
      ['unknown', 'u_nobody'],
      ['disabled', DISABLED],
      ['an agent', AGENT.id],
    ])('refuses a reviewer who is %s with a 422-coded error and writes nothing', async (_, id) => {
      const error = await rejection(
        h.service.create(h.as(CREATOR), { title: 'x', reviewerId: id }),
      );

      expect(error).toBeInstanceOf(AccountUnavailable);
      expect(PROBLEM_CATALOG[(error as AccountUnavailable).code].status).toBe(422);
      const page = await h.service.list(ADMIN, {}, { limit: 10, after: null });
      expect(page.items).toEqual([]);
    });
  });

  describe('transitions', () => {
    it('append exactly one audit entry each, so version always equals the audit count', async () => {
      const id = await taskIn(h, 'pending');
      const steps: [string, () => Promise<unknown>][] = [
        ['assign', () => h.service.assign(h.as(CREATOR), id, ASSIGNEE.id, null)],
        ['start', () => h.service.start(h.as(ASSIGNEE), id, null)],
        ['submit', () => h.service.submit(h.as(ASSIGNEE), id, null)],
        ['reject', () => h.service.reject(h.as(CREATOR), id, 'Missing totals', null)],
        ['start', () => h.service.start(h.as(ASSIGNEE), id, null)],
        ['submit', () => h.service.submit(h.as(ASSIGNEE), id, null)],
        ['approve', () => h.service.approve(h.as(CREATOR), id, null)],
        ['close', () => h.service.close(h.as(CREATOR), id, null)],
      ];

      for (const [action, step] of steps) {
        await step();
        const task = await h.service.get(ADMIN, id);
        const audit = await h.auditOf(id);
        expect(audit).toHaveLength(task.version);
        expect(audit[audit.length - 1]).toMatchObject({ action, version: task.version });
      }
      expect((await h.service.get(ADMIN, id)).status).toBe('closed');
      expect((await h.auditOf(id)).map((e) => [e.fromStatus, e.toStatus])).toEqual([
        [null, 'pending'],
        ['pending', 'assigned'],
        ['assigned', 'in_progress'],
        ['in_progress', 'submitted'],
        ['submitted', 'rejected'],
        ['rejected', 'in_progress'],
        ['in_progress', 'submitted'],
        ['submitted', 'approved'],
        ['approved', 'closed'],
      ]);
    });

    it('turns a submission into a submission record, with or without a comment', async () => {
      const id = await taskIn(h, 'in_progress');

      await h.service.submit(h.as(ASSIGNEE), id, 'Ready for review');

      expect(await h.recordsOf(id)).toEqual([
        expect.objectContaining({
          taskId: id,
          actorId: ASSIGNEE.id,
          kind: 'submission',
          body: 'Ready for review',
          version: 4,
          at: NOW,
        }),
      ]);

      await h.service.reject(h.as(CREATOR), id, 'Again', null);
      await h.service.start(h.as(ASSIGNEE), id, null);
      await h.service.submit(h.as(ASSIGNEE), id, null);
      const records = await h.recordsOf(id);
      expect(records.map((r) => [r.kind, r.body])).toEqual([
        ['submission', 'Ready for review'],
        ['rejection', 'Again'],
        ['submission', null],
      ]);
    });

    it('turns a rejection into a rejection record holding the reason', async () => {
      const id = await taskIn(h, 'submitted');

      await h.service.reject(h.as(CREATOR), id, 'The totals do not add up', null);

      const records = await h.recordsOf(id);
      expect(records.map((r) => [r.kind, r.body, r.version])).toEqual([
        ['submission', null, 4],
        ['rejection', 'The totals do not add up', 5],
      ]);
    });

    it('adds a comment record when a rejection carries a comment', async () => {
      const id = await taskIn(h, 'submitted');

      await h.service.reject(h.as(CREATOR), id, 'The totals do not add up', 'Ping me');

      const records = (await h.recordsOf(id)).filter((r) => r.version === 5);
      expect(records.map((r) => [r.kind, r.body])).toEqual([
        ['rejection', 'The totals do not add up'],
        ['comment', 'Ping me'],
      ]);
    });

    it('refuses a blank reason and writes nothing', async () => {
      const id = await taskIn(h, 'submitted');

      const error = await rejection(h.service.reject(h.as(CREATOR), id, '  ', 'Ping me'));

      expect(error).toBeInstanceOf(ReasonRequired);
      expect((await h.service.get(ADMIN, id)).version).toBe(4);
      expect(await h.auditOf(id)).toHaveLength(4);
      expect((await h.recordsOf(id)).map((r) => r.kind)).toEqual(['submission']);
    });

    type Start = Parameters<typeof taskIn>[1];
    const commented: [string, Start, Actor, (id: string, actor: Actor) => Promise<Task>][] = [
      ['assign', 'pending', CREATOR, (id, a) => h.service.assign(h.as(a), id, ASSIGNEE.id, 'c')],
      ['start', 'assigned', ASSIGNEE, (id, a) => h.service.start(h.as(a), id, 'c')],
      ['approve', 'submitted', REVIEWER, (id, a) => h.service.approve(h.as(a), id, 'c')],
      ['cancel', 'in_progress', CREATOR, (id, a) => h.service.cancel(h.as(a), id, 'c')],
    ];

    it.each(commented)(
      'turns a comment on %s into a comment record',
      async (_action, from, actor, act) => {
        const id = await taskIn(h, from, { reviewerId: REVIEWER.id });
        const before = (await h.recordsOf(id)).length;

        const task = await act(id, actor);

        const added = (await h.recordsOf(id)).slice(before);
        expect(added).toEqual([
          expect.objectContaining({ kind: 'comment', body: 'c', actorId: actor.id }),
        ]);
        expect(added[0].version).toBe(task.version);
      },
    );

    it('writes no record for an action without a comment', async () => {
      const id = await taskIn(h, 'assigned');

      await h.service.start(h.as(ASSIGNEE), id, null);
      await h.service.cancel(h.as(CREATOR), id, null);
      await h.service.reactivate(h.as(CREATOR), id, null);

      expect(await h.recordsOf(id)).toEqual([]);
    });

    it('brings a cancelled task with an assignee back as assigned', async () => {
      const id = await taskIn(h, 'in_progress');
      await h.service.cancel(h.as(CREATOR), id, null);

      const task = await h.service.reactivate(h.as(ADMIN), id, null);

      expect(task.status).toBe('assigned');
      expect(task.assigneeId).toBe(ASSIGNEE.id);
    });
  });

  describe('assign', () => {
    it.each([
      ['an unknown account', 'u_nobody'],
      ['a disabled account', DISABLED],
    ])('to %s fails with a 422-coded error and writes nothing', async (_, assigneeId) => {
      const id = await taskIn(h, 'pending');

      const error = await rejection(h.service.assign(h.as(CREATOR), id, assigneeId, 'Yours'));

      expect(error).toBeInstanceOf(AccountUnavailable);
      const { code, details } = error as AccountUnavailable;
      expect(code).toBe('TASK.ACCOUNT_UNAVAILABLE');
      expect(PROBLEM_CATALOG[code].status).toBe(422);
      expect(details.errors).toEqual([
        { field: 'assignee_id', message: 'is not an active account' },
      ]);
      const task = await h.service.get(CREATOR, id);
      expect(task.snapshot()).toMatchObject({ status: 'pending', assigneeId: null, version: 1 });
      expect(await h.auditOf(id)).toHaveLength(1);
      expect(await h.recordsOf(id)).toEqual([]);
    });

    it('accepts an agent as the assignee', async () => {
      const id = await taskIn(h, 'pending');

      const task = await h.service.assign(h.as(CREATOR), id, AGENT.id, null);

      expect(task.assigneeId).toBe(AGENT.id);
    });
  });

  describe('concurrent changes', () => {
    /** Starts two assigns from the same loaded version and lets them finish together. */
    async function race(id: string, expectedVersion?: number) {
      const release = h.accounts.hold();
      const first = h.service.assign(h.as(CREATOR, expectedVersion), id, ASSIGNEE.id, 'first');
      const second = h.service.assign(h.as(ADMIN, expectedVersion), id, AGENT.id, 'second');
      // Both have loaded the task and wait in the account lookup.
      await new Promise((resolve) => setImmediate(resolve));
      release();
      return Promise.allSettled([first, second]);
    }

    it('let exactly one of two writes from the same version win; the other conflicts', async () => {
      const id = await taskIn(h, 'pending');

      const results = await race(id);

      const winners = results.filter((r) => r.status === 'fulfilled');
      const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(1);
      expect(losers[0].reason).toBeInstanceOf(ConcurrencyConflict);
      const task = await h.service.get(ADMIN, id);
      expect(task.version).toBe(2);
      expect(await h.auditOf(id)).toHaveLength(task.version);
      expect(await h.recordsOf(id)).toHaveLength(1);
      const winner = results[0].status === 'fulfilled' ? ASSIGNEE.id : AGENT.id;
      expect(task.assigneeId).toBe(winner);
    });

    it('answer the loser with a failed precondition when both sent If-Match', async () => {
      const id = await taskIn(h, 'pending');

      const results = await race(id, 1);

      const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(losers).toHaveLength(1);
      expect(losers[0].reason).toBeInstanceOf(TaskPreconditionFailed);
      expect(await h.auditOf(id)).toHaveLength((await h.service.get(ADMIN, id)).version);
    });

    it('leave no audit entry or record behind when the task write of the unit fails', async () => {
      const id = await taskIn(h, 'pending');
      // The last write of the unit (the task itself) fails, after the audit entry and the
      // comment record were staged.
      const failure = new Error('storage unavailable');
      jest.spyOn(h.tasks, 'save').mockRejectedValueOnce(failure);

      expect(await rejection(h.service.assign(h.as(CREATOR), id, ASSIGNEE.id, 'Yours'))).toBe(
        failure,
      );
      expect(await h.auditOf(id)).toHaveLength(1);
      expect(await h.recordsOf(id)).toEqual([]);
      expect((await h.tasks.findById(id))!.snapshot()).toMatchObject({
        status: 'pending',
        assigneeId: null,
        version: 1,
      });
    });
  });

  describe('change observer', () => {
    it('hears of every committed change, in order', async () => {
      await taskIn(h, 'submitted');
      expect(h.observer.actions).toEqual(['create', 'assign', 'start', 'submit']);
    });

    it('hears nothing of a refused change or of a unit that was rolled back', async () => {
      const id = await taskIn(h, 'pending');
      await rejection(h.service.approve(h.as(CREATOR), id, null));
      jest.spyOn(h.tasks, 'save').mockRejectedValueOnce(new Error('storage unavailable'));
      await rejection(h.service.assign(h.as(CREATOR), id, ASSIGNEE.id, null));

      expect(h.observer.actions).toEqual(['create']);
    });
  });

  describe('If-Match', () => {
    it('refuses a stale expected version before anything is written', async () => {
      const id = await taskIn(h, 'assigned');

      const error = await rejection(h.service.start(h.as(ASSIGNEE, 1), id, 'go'));

      expect(error).toBeInstanceOf(TaskPreconditionFailed);
      expect((error as TaskPreconditionFailed).details).toEqual({ currentVersion: 2 });
      expect((await h.service.get(ADMIN, id)).status).toBe('assigned');
      expect(await h.auditOf(id)).toHaveLength(2);
      expect(await h.recordsOf(id)).toEqual([]);
    });

    it('lets a write at the expected version through', async () => {
      const id = await taskIn(h, 'assigned');

      const task = await h.service.start(h.as(ASSIGNEE, 2), id, null);

      expect(task.snapshot()).toMatchObject({ status: 'in_progress', version: 3 });
    });
  });

  describe('update', () => {
    it('writes nothing for an edit that changes nothing', async () => {
      const id = await taskIn(h, 'pending');

      const task = await h.service.update(h.as(CREATOR), id, { title: 'Write the release notes' });

      expect(task.version).toBe(1);
      expect(await h.auditOf(id)).toHaveLength(1);
    });

    it('audits the changed fields under their API names', async () => {
      const id = await taskIn(h, 'pending');

      await h.service.update(h.as(CREATOR), id, { title: 'Shorter', reviewerId: REVIEWER.id });

      const audit = await h.auditOf(id);
      expect(audit).toHaveLength(2);
      expect(audit[1]).toMatchObject({
        action: 'update',
        changes: {
          title: { from: 'Write the release notes', to: 'Shorter' },
          reviewer_id: { from: null, to: REVIEWER.id },
        },
      });
    });

    it('refuses an agent as reviewer with a 422-coded error', async () => {
      const id = await taskIn(h, 'pending');

      const error = await rejection(h.service.update(h.as(CREATOR), id, { reviewerId: AGENT.id }));

      expect(error).toBeInstanceOf(AccountUnavailable);
      expect(await h.auditOf(id)).toHaveLength(1);
    });
  });

  describe('visibility and deletion', () => {
    it('hides a task from a stranger', async () => {
      const id = await taskIn(h, 'assigned');

      expect(await rejection(h.service.get(STRANGER, id))).toBeInstanceOf(TaskNotFound);
      expect(await rejection(h.service.cancel(h.as(STRANGER), id, null))).toBeInstanceOf(
        TaskNotFound,
      );
    });

    it('soft-deletes through one audit entry, then hides the task and its actions', async () => {
      const id = await taskIn(h, 'assigned');

      await h.service.delete(h.as(CREATOR), id);

      const audit = await h.auditOf(id);
      expect(audit).toHaveLength(3);
      expect(audit[2]).toMatchObject({ action: 'delete', fromStatus: 'assigned', version: 3 });
      expect(await rejection(h.service.get(ADMIN, id))).toBeInstanceOf(TaskNotFound);
      expect(await rejection(h.service.start(h.as(ASSIGNEE), id, null))).toBeInstanceOf(
        TaskNotFound,
      );
      expect((await h.service.list(ADMIN, {}, { limit: 10, after: null })).items).toEqual([]);
    });

    it('keeps the history of a deleted task readable by admins only', async () => {
      const id = await taskIn(h, 'assigned');
      await expect(h.history.assertCanReadHistory(CREATOR, id)).resolves.toBeUndefined();

      await h.service.delete(h.as(ADMIN), id);

      await expect(h.history.assertCanReadHistory(ADMIN, id)).resolves.toBeUndefined();
      for (const actor of [CREATOR, ASSIGNEE]) {
        expect(await rejection(h.history.assertCanReadHistory(actor, id))).toBeInstanceOf(
          TaskNotFound,
        );
      }
    });
  });
});
