import {
  EventLogNotifier,
  MemoryAuditLogRepository,
  MemoryCollaborationRecordRepository,
} from '@taskflow/audit/testing';
import { AccountLookup } from '@taskflow/identity';
import { Actor, ManualClock, MemoryUnitOfWork } from '@taskflow/platform';
import { AlreadyClaimed, InvalidTransition, LeaseLost, TaskNotFound } from '../domain/task-errors';
import type { TaskPriority } from '../domain/task-status';
import { ADMIN, AGENT, CREATOR } from '../domain/testing/a-task';
import { MemoryTaskRepository } from '../infrastructure/memory/memory-task.repository';
import { TaskChangeObserver } from '../ports/task-change-observer';
import { ClaimSignal } from './claim-signal';
import { LeaseSweeper } from './lease-sweeper.service';
import { TaskRollForward } from './task-roll-forward.service';
import { CommandContext, TaskService } from './task.service';

const NOW = new Date('2030-05-06T07:08:09.000Z');
const OTHER_AGENT: Actor = { id: 'a_tester', role: 'agent' };

class EveryoneActive extends AccountLookup {
  async findActive(id: string): Promise<Actor | null> {
    return { id, role: 'human' };
  }
}

class NoObserver extends TaskChangeObserver {
  committed(): void {}
}

function harness() {
  const unitOfWork = new MemoryUnitOfWork();
  const tasks = new MemoryTaskRepository(unitOfWork);
  const auditLog = new MemoryAuditLogRepository(unitOfWork, new EventLogNotifier());
  const records = new MemoryCollaborationRecordRepository(unitOfWork);
  const clock = new ManualClock(NOW);
  const claimSignal = new ClaimSignal(tasks, 0);
  const service = new TaskService(
    tasks,
    auditLog,
    records,
    new EveryoneActive(),
    unitOfWork,
    clock,
    new TaskRollForward(tasks, auditLog, records),
    new NoObserver(),
    claimSignal,
  );
  const as = (actor: Actor, expectedVersion?: number): CommandContext => ({
    actor,
    requestId: null,
    expectedVersion,
  });
  const open = async (priority: TaskPriority = 'normal') =>
    (await service.create(as(CREATOR), { title: 'Crunch', open: true, openTo: 'any', priority }))
      .id;
  const actions = async (id: string) =>
    (await auditLog.listForTask(id, { limit: 100, after: null })).items.map((e) => e.action);
  return { service, tasks, clock, claimSignal, as, open, actions };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('TaskService (agents)', () => {
  it('lets exactly one of 50 concurrent claims of one task win, with one audit entry', async () => {
    const h = harness();
    const id = await h.open();
    const agents = Array.from({ length: 50 }, (_, i): Actor => ({ id: `a_${i}`, role: 'agent' }));

    const results = await Promise.allSettled(agents.map((a) => h.service.claim(h.as(a), id, 60)));

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(AlreadyClaimed);
    }
    expect(await h.actions(id)).toEqual(['create', 'claim']);
  });

  it('hands 10 open tasks to 20 agents: 10 distinct tasks and 10 empty answers', async () => {
    const h = harness();
    const ids = [];
    for (let i = 0; i < 10; i++) ids.push(await h.open());
    const agents = Array.from({ length: 20 }, (_, i): Actor => ({ id: `a_${i}`, role: 'agent' }));

    const got = await Promise.all(agents.map((a) => h.service.claimNext(h.as(a), {}, 60, 0)));

    const claimed = got.filter((task) => task !== null).map((task) => task!.id);
    expect(claimed.sort()).toEqual([...ids].sort());
    expect(got.filter((task) => task === null)).toHaveLength(10);
  });

  it('hands out urgent first, then the oldest', async () => {
    const h = harness();
    const low = await h.open('low');
    const normal = await h.open('normal');
    const urgent = await h.open('urgent');
    const urgent2 = await h.open('urgent');

    const order = [];
    for (let i = 0; i < 4; i++)
      order.push((await h.service.claimNext(h.as(AGENT), {}, null, 0))!.id);

    expect(order).toEqual([urgent, urgent2, normal, low]);
  });

  it('filters by priority and open_to', async () => {
    const h = harness();
    await h.open('low');
    const high = await h.open('high');
    const got = await h.service.claimNext(h.as(AGENT), { priorities: ['high', 'urgent'] }, null, 0);
    expect(got?.id).toBe(high);
    expect(await h.service.claimNext(h.as(AGENT), { openTo: 'agent' }, null, 0)).toBeNull();
  });

  it('wakes a waiting claim with a task created during the wait, without polling', async () => {
    const h = harness();
    const waiting = h.service.claimNext(h.as(AGENT), {}, 60, 30);
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.claimSignal.waiting).toBe(1);

    const id = await h.open();

    expect((await waiting)?.id).toBe(id);
    expect(h.claimSignal.waiting).toBe(0);
  });

  it('does not wake a waiter for a task it may not claim', async () => {
    const h = harness();
    const waiting = h.service.claimNext(h.as(AGENT), {}, 60, 0.2);
    await h.service.create(h.as(CREATOR), { title: 'People only', open: true, openTo: 'human' });
    expect(await waiting).toBeNull();
  });

  it('releases a task back to the queue', async () => {
    const h = harness();
    const id = await h.open();
    await h.service.claim(h.as(AGENT), id, 60);

    const task = await h.service.release(h.as(AGENT), id, null);

    expect(task.snapshot()).toMatchObject({ status: 'pending', assigneeId: null });
    expect((await h.service.claimNext(h.as(OTHER_AGENT), {}, null, 0))?.id).toBe(id);
    expect(await h.actions(id)).toEqual(['create', 'claim', 'release', 'claim']);
  });

  describe('leases', () => {
    it('heartbeat extends the lease without an audit entry or a new version', async () => {
      const h = harness();
      const id = await h.open();
      await h.service.claim(h.as(AGENT), id, 60);
      h.clock.advance(50_000);

      const task = await h.service.heartbeat(h.as(AGENT), id, null);

      expect(task.version).toBe(2);
      expect(task.leaseExpiresAt).toEqual(new Date(NOW.getTime() + 110_000));
      expect((await h.service.get(AGENT, id)).leaseExpiresAt).toEqual(task.leaseExpiresAt);
      expect(await h.actions(id)).toEqual(['create', 'claim']);
    });

    it('refuses a heartbeat by someone who does not hold the task', async () => {
      const h = harness();
      const id = await h.open();
      await h.service.claim(h.as(AGENT), id, 60);
      expect(await rejection(h.service.heartbeat(h.as(CREATOR), id, null))).toBeInstanceOf(
        LeaseLost,
      );
    });

    it('shows a run-out lease as unassigned at once, and refuses the former holder', async () => {
      const h = harness();
      const id = await h.open();
      await h.service.claim(h.as(AGENT), id, 60);
      await h.service.start(h.as(AGENT), id, null);
      h.clock.advance(60_000);

      const seen = await h.service.get(CREATOR, id);
      expect(seen.snapshot()).toMatchObject({ status: 'pending', assigneeId: null, version: 4 });
      expect(await rejection(h.service.heartbeat(h.as(AGENT), id, null))).toBeInstanceOf(LeaseLost);
      expect(await rejection(h.service.submit(h.as(AGENT), id, null))).toBeInstanceOf(
        InvalidTransition,
      );
      expect(await rejection(h.service.submit(h.as(AGENT, 3), id, null))).toMatchObject({
        code: 'TASK.PRECONDITION_FAILED',
      });
      expect(await h.actions(id)).toEqual(['create', 'claim', 'start']);
    });

    it('is applied once as lease_expired by system, however many sweepers find it', async () => {
      const h = harness();
      const id = await h.open();
      await h.service.claim(h.as(AGENT), id, 60);
      h.clock.advance(61_000);
      const sweepers = [0, 1, 2].map(() => new LeaseSweeper(h.tasks, h.service, h.clock, 0));

      const applied = await Promise.all(sweepers.map((s) => s.sweep()));

      expect(applied.reduce((a, b) => a + b)).toBe(1);
      expect(await h.actions(id)).toEqual(['create', 'claim', 'lease_expired']);
      expect(await Promise.all(sweepers.map((s) => s.sweep()))).toEqual([0, 0, 0]);
      const stored = await h.tasks.findById(id);
      expect(stored?.snapshot()).toMatchObject({ status: 'pending', assigneeId: null, version: 3 });
    });

    it('leaves a live lease alone', async () => {
      const h = harness();
      const id = await h.open();
      await h.service.claim(h.as(AGENT), id, 60);
      h.clock.advance(59_000);
      expect(await new LeaseSweeper(h.tasks, h.service, h.clock, 0).sweep()).toBe(0);
    });

    it('wakes a waiting claim when an expired lease is applied', async () => {
      const h = harness();
      const id = await h.open();
      await h.service.claim(h.as(AGENT), id, 60);
      const waiting = h.service.claimNext(h.as(OTHER_AGENT), {}, null, 30);
      await new Promise((resolve) => setImmediate(resolve));
      h.clock.advance(61_000);

      await new LeaseSweeper(h.tasks, h.service, h.clock, 0).sweep();

      expect((await waiting)?.id).toBe(id);
    });
  });

  describe('open tasks', () => {
    it('are visible to the accounts open_to admits until claimed', async () => {
      const h = harness();
      const { id } = await h.service.create(h.as(CREATOR), {
        title: 'Agents only',
        open: true,
        openTo: 'agent',
      });
      expect((await h.service.get(AGENT, id)).actionsShown).toEqual(['claim']);
      expect(await rejection(h.service.get({ id: 'u_dave', role: 'human' }, id))).toBeInstanceOf(
        TaskNotFound,
      );
      const listed = await h.service.list(OTHER_AGENT, {}, { limit: 10, after: null });
      expect(listed.items.map((t) => t.id)).toEqual([id]);
      await h.service.claim(h.as(AGENT), id, null);
      expect(await rejection(h.service.get(OTHER_AGENT, id))).toBeInstanceOf(TaskNotFound);
      expect((await h.service.get(ADMIN, id)).actionsShown).toContain('release');
    });
  });
});
