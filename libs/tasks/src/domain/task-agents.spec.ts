import type { Actor } from '@taskflow/platform/domain';
import { AlreadyClaimed, InvalidTransition, LeaseLost, TaskActionForbidden } from './task-errors';
import type { TaskState } from './task-events';
import { TASK_ACTIONS, TaskAction } from './task-rules';
import { OPEN_TO, TASK_STATUSES } from './task-status';
import { Task } from './task.entity';
import {
  ADMIN,
  AGENT,
  aTask,
  ASSIGNEE,
  CREATOR,
  LATER,
  REVIEWER,
  STRANGER,
} from './testing/a-task';

const at = (seconds: number): Date => new Date(LATER.getTime() + seconds * 1000);
const OTHER_AGENT: Actor = { id: 'a_tester', role: 'agent' };

function caught(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

const openTask = (overrides: Partial<TaskState> = {}): Task =>
  aTask({ status: 'pending', open: true, openTo: 'any', ...overrides });

/** A task AGENT claimed at LATER with a 60 s lease. */
function claimed(overrides: Partial<TaskState> = {}): Task {
  const task = openTask(overrides);
  task.claim(AGENT, LATER, 60);
  task.pullEvents();
  return task;
}

describe('Task (agents: DESIGN §8)', () => {
  describe('create', () => {
    it('takes open and open_to, closed to claims by default', () => {
      expect(Task.create({ id: 't_a', title: 'x' }, CREATOR, LATER).snapshot()).toMatchObject({
        open: false,
        openTo: 'any',
        leaseExpiresAt: null,
      });
      const open = Task.create(
        { id: 't_b', title: 'x', open: true, openTo: 'agent' },
        CREATOR,
        LATER,
      );
      expect(open.snapshot()).toMatchObject({ open: true, openTo: 'agent' });
    });
  });

  describe('visibility', () => {
    it.each([
      ['any', [AGENT, STRANGER, ADMIN]],
      ['agent', [AGENT, ADMIN]],
      ['human', [STRANGER, ADMIN]],
    ] as const)('shows an unassigned task open to %s to exactly those it admits', (openTo, who) => {
      const task = openTask({ openTo, creatorId: REVIEWER.id });
      for (const actor of [AGENT, STRANGER, ADMIN]) {
        expect(task.isVisibleTo(actor)).toBe((who as readonly Actor[]).includes(actor));
      }
    });

    it('hides a claimed open task from everyone but its viewers', () => {
      const task = claimed();
      expect(task.isVisibleTo(AGENT)).toBe(true);
      expect(task.isVisibleTo(OTHER_AGENT)).toBe(false);
      expect(task.isVisibleTo(STRANGER)).toBe(false);
    });

    it('never shows a closed (not open) task to strangers', () => {
      expect(aTask({ status: 'pending' }).isVisibleTo(AGENT)).toBe(false);
    });
  });

  describe('claim', () => {
    it('assigns an open pending task to the caller, one event, leased when asked', () => {
      const task = openTask();

      task.claim(AGENT, LATER, 60);

      expect(task.snapshot()).toMatchObject({
        status: 'assigned',
        assigneeId: AGENT.id,
        leaseExpiresAt: at(60),
        leaseSeconds: 60,
        version: 4,
      });
      const [event] = task.pullEvents();
      expect(event).toMatchObject({ action: 'claim', actorId: AGENT.id, fromStatus: 'pending' });
    });

    it('takes no lease without lease_seconds', () => {
      const task = openTask();
      task.claim(AGENT, LATER);
      expect(task.snapshot()).toMatchObject({ assigneeId: AGENT.id, leaseExpiresAt: null });
    });

    it('answers already-claimed on an assigned task', () => {
      const task = claimed();
      const error = caught(() => task.claim(OTHER_AGENT, LATER));
      expect(error).toBeInstanceOf(AlreadyClaimed);
      expect((error as AlreadyClaimed).details.allowedActions).toEqual([]);
    });

    it('is forbidden on a task that is not open, or not open to the caller', () => {
      expect(caught(() => aTask().claim(AGENT, LATER))).toBeInstanceOf(TaskActionForbidden);
      expect(caught(() => openTask({ openTo: 'human' }).claim(AGENT, LATER))).toBeInstanceOf(
        TaskActionForbidden,
      );
      openTask({ openTo: 'human' }).claim(ADMIN, LATER);
    });

    it('is an invalid transition from a status other than pending', () => {
      const task = openTask({ status: 'cancelled', assigneeId: null });
      expect(caught(() => task.claim(AGENT, LATER))).toBeInstanceOf(InvalidTransition);
    });
  });

  describe('release', () => {
    it.each([AGENT, CREATOR, ADMIN])('returns the task to pending, unleased, by %p', (actor) => {
      const task = claimed();

      task.release(actor, at(10));

      expect(task.snapshot()).toMatchObject({
        status: 'pending',
        assigneeId: null,
        leaseExpiresAt: null,
        leaseSeconds: null,
        version: 5,
      });
      expect(task.pullEvents()[0]).toMatchObject({ action: 'release', actorId: actor.id });
    });

    it('is forbidden to anyone else', () => {
      const task = claimed({ reviewerId: REVIEWER.id });
      expect(caught(() => task.release(REVIEWER, at(1)))).toBeInstanceOf(TaskActionForbidden);
    });

    it('is an invalid transition on a pending task', () => {
      expect(caught(() => openTask().release(ADMIN, LATER))).toBeInstanceOf(InvalidTransition);
    });
  });

  describe('heartbeat', () => {
    it('extends the lease by its length, with no event and no new version', () => {
      const task = claimed();

      task.heartbeat(AGENT, at(50));

      expect(task.snapshot()).toMatchObject({ leaseExpiresAt: at(110), version: 4 });
      expect(task.pullEvents()).toEqual([]);
    });

    it('takes a new length', () => {
      const task = claimed();
      task.heartbeat(AGENT, at(50), 600);
      expect(task.snapshot()).toMatchObject({ leaseExpiresAt: at(650), leaseSeconds: 600 });
    });

    it.each([
      ['a non-holder', CREATOR, 10],
      ['another agent', OTHER_AGENT, 10],
      ['the holder after the lease ran out', AGENT, 60],
    ] as const)('answers lease-lost to %s', (_who, actor, seconds) => {
      const task = claimed();
      const error = caught(() => task.heartbeat(actor, at(seconds)));
      expect(error).toBeInstanceOf(LeaseLost);
      expect(task.snapshot().leaseExpiresAt).toEqual(at(60));
    });

    it('answers lease-lost on a task that was never leased', () => {
      const task = openTask();
      task.claim(AGENT, LATER);
      expect(caught(() => task.heartbeat(AGENT, at(1)))).toBeInstanceOf(LeaseLost);
    });
  });

  describe('lease expiry', () => {
    it('does nothing while the lease runs', () => {
      const task = claimed();
      expect(task.expireLease(at(59.999))).toBe(false);
      expect(task.pullEvents()).toEqual([]);
    });

    it('returns the task to pending as lease_expired by system, dated at the expiry', () => {
      const task = claimed();
      task.start(AGENT, at(5));
      task.pullEvents();

      expect(task.expireLease(at(90))).toBe(true);

      expect(task.snapshot()).toMatchObject({
        status: 'pending',
        assigneeId: null,
        leaseExpiresAt: null,
        version: 6,
        updatedAt: at(60),
      });
      const events = task.pullEvents();
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        action: 'lease_expired',
        actorId: 'system',
        fromStatus: 'in_progress',
        toStatus: 'pending',
        at: at(60),
      });
    });

    it('derives the same state whenever it is read after the expiry', () => {
      const a = claimed();
      const b = Task.restore(a.snapshot());
      a.expireLease(at(61));
      b.expireLease(at(3600));
      expect(a.snapshot()).toEqual(b.snapshot());
    });

    it('refuses the former holder once applied, and frees the task for others', () => {
      const task = claimed();
      task.start(AGENT, at(5));
      task.expireLease(at(61));

      expect(caught(() => task.submit(AGENT, at(61)))).toBeInstanceOf(InvalidTransition);
      expect(task.isVisibleTo(AGENT)).toBe(true);
      task.claim(OTHER_AGENT, at(62));
      expect(task.assigneeId).toBe(OTHER_AGENT.id);
    });

    it('ends with any move out of assigned and in_progress, and with an assign', () => {
      const submitted = claimed();
      submitted.start(AGENT, at(1));
      submitted.submit(AGENT, at(2));
      expect(submitted.snapshot().leaseExpiresAt).toBeNull();
      expect(submitted.expireLease(at(600))).toBe(false);

      const reassigned = claimed();
      reassigned.assign(CREATOR, ASSIGNEE.id, at(1));
      expect(reassigned.snapshot().leaseExpiresAt).toBeNull();
    });

    it('never offers an unleased task to expiry', () => {
      expect(aTask({ status: 'in_progress' }).leaseRunOut(at(10 ** 6))).toBe(false);
    });
  });
});

/** A small seeded generator, so a failing case can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Each action with arguments valid in themselves, so only the rules decide. */
const PERFORM: Record<TaskAction, (task: Task, actor: Actor, now: Date) => unknown> = {
  assign: (task, actor, now) => task.assign(actor, 'u_dave', now),
  start: (task, actor, now) => task.start(actor, now),
  submit: (task, actor, now) => task.submit(actor, now),
  approve: (task, actor, now) => task.approve(actor, now),
  reject: (task, actor, now) => task.reject(actor, 'No', now),
  close: (task, actor, now) => task.close(actor, now),
  cancel: (task, actor, now) => task.cancel(actor, now),
  reactivate: (task, actor, now) => task.reactivate(actor, now),
  update: (task, actor, now) => task.update(actor, { title: 'Another title' }, now),
  delete: (task, actor, now) => task.markDeleted(actor, now),
  claim: (task, actor, now) => task.claim(actor, now, 60),
  release: (task, actor, now) => task.release(actor, now),
  heartbeat: (task, actor, now) => task.heartbeat(actor, now),
};

describe('allowedActions (property)', () => {
  const ACTORS: Actor[] = [CREATOR, ASSIGNEE, REVIEWER, ADMIN, STRANGER, AGENT, OTHER_AGENT];

  it('lists an action iff taking it answers neither 403 nor 409, for 5,000 random cases', () => {
    const next = random(18);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
    for (let i = 0; i < 5000; i++) {
      const status = pick(TASK_STATUSES);
      const leased = next() < 0.5;
      const state: Partial<TaskState> = {
        status,
        open: next() < 0.6,
        openTo: pick(OPEN_TO),
        creatorId: pick(ACTORS).id,
        reviewerId: next() < 0.5 ? null : pick(ACTORS).id,
        assigneeId: status === 'pending' || next() < 0.1 ? null : pick(ACTORS).id,
        leaseExpiresAt: leased ? at(Math.floor(next() * 120) - 60) : null,
        leaseSeconds: leased ? 60 : null,
        deletedAt: next() < 0.05 ? LATER : null,
      };
      const actor = pick(ACTORS);
      const now = at(Math.floor(next() * 10));
      const allowed = aTask(state).allowedActions(actor, now);
      for (const action of TASK_ACTIONS) {
        const error = (() => {
          try {
            PERFORM[action](aTask(state), actor, now);
            return null;
          } catch (e) {
            return e;
          }
        })();
        const refused =
          error instanceof InvalidTransition ||
          error instanceof TaskActionForbidden ||
          error instanceof AlreadyClaimed ||
          error instanceof LeaseLost;
        if (error !== null && !refused) throw error;
        if (allowed.includes(action) === refused) {
          throw new Error(
            `case ${i}: ${action} by ${actor.id} on ${JSON.stringify(state)} at ${now.toISOString()}: ` +
              `listed ${allowed.includes(action)}, refused ${refused}`,
          );
        }
      }
    }
  });
});
