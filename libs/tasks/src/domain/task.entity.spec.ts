import type { Actor } from '@taskflow/platform/domain';
import { InvalidTransition, ReasonRequired, TaskActionForbidden } from './task-errors';
import type { TaskState } from './task-events';
import { TaskAction, WORKFLOW_ACTIONS } from './task-rules';
import { parseTaskPriority, parseTaskStatus, TASK_STATUSES, TaskStatus } from './task-status';
import { Task } from './task.entity';
import {
  ADMIN,
  AGENT,
  aTask,
  ASSIGNEE,
  CREATED_AT,
  CREATOR,
  LATER,
  REVIEWER,
  STRANGER,
} from './testing/a-task';

const NEW_ASSIGNEE = 'u_dave';
const REASON = 'The totals do not add up';

/** Each verb with arguments that are valid in themselves, so only status and actor decide. */
type WorkflowAction = (typeof WORKFLOW_ACTIONS)[number];

const PERFORM: Record<WorkflowAction, (task: Task, actor: Actor) => unknown> = {
  assign: (task, actor) => task.assign(actor, NEW_ASSIGNEE, LATER),
  start: (task, actor) => task.start(actor, LATER),
  submit: (task, actor) => task.submit(actor, LATER),
  approve: (task, actor) => task.approve(actor, LATER),
  reject: (task, actor) => task.reject(actor, REASON, LATER),
  close: (task, actor) => task.close(actor, LATER),
  cancel: (task, actor) => task.cancel(actor, LATER),
  reactivate: (task, actor) => task.reactivate(actor, LATER),
  update: (task, actor) => task.update(actor, { title: 'Write better release notes' }, LATER),
  delete: (task, actor) => task.markDeleted(actor, LATER),
};

/** DESIGN §3, written out: the status each action leads to from each status it is allowed in. */
const RESULT: Record<WorkflowAction, Partial<Record<TaskStatus, TaskStatus>>> = {
  assign: { pending: 'assigned', assigned: 'assigned', rejected: 'assigned' },
  start: { assigned: 'in_progress', rejected: 'in_progress' },
  submit: { in_progress: 'submitted' },
  approve: { submitted: 'approved' },
  reject: { submitted: 'rejected' },
  close: { approved: 'closed' },
  cancel: {
    pending: 'cancelled',
    assigned: 'cancelled',
    in_progress: 'cancelled',
    submitted: 'cancelled',
    rejected: 'cancelled',
    approved: 'cancelled',
  },
  // The fixture's cancelled task still has an assignee; the pending case is tested below.
  reactivate: { cancelled: 'assigned' },
  update: {
    pending: 'pending',
    assigned: 'assigned',
    in_progress: 'in_progress',
    submitted: 'submitted',
    rejected: 'rejected',
    approved: 'approved',
  },
  delete: {
    pending: 'pending',
    assigned: 'assigned',
    in_progress: 'in_progress',
    submitted: 'submitted',
    rejected: 'rejected',
    approved: 'approved',
    closed: 'closed',
    cancelled: 'cancelled',
  },
};

/** The workflow actions each status offers to someone (DESIGN §3). */
const ALLOWED: Record<TaskStatus, TaskAction[]> = {
  pending: ['assign', 'cancel', 'update', 'delete'],
  assigned: ['assign', 'start', 'cancel', 'update', 'delete'],
  in_progress: ['submit', 'cancel', 'update', 'delete'],
  submitted: ['approve', 'reject', 'cancel', 'update', 'delete'],
  rejected: ['assign', 'start', 'cancel', 'update', 'delete'],
  approved: ['close', 'cancel', 'update', 'delete'],
  closed: ['delete'],
  cancelled: ['reactivate', 'delete'],
};

/** Someone who may take the action, so the status table tests the status alone. */
const ENTITLED: Record<WorkflowAction, Actor> = {
  assign: ADMIN,
  start: ASSIGNEE,
  submit: ASSIGNEE,
  approve: ADMIN,
  reject: ADMIN,
  close: ADMIN,
  cancel: ADMIN,
  reactivate: ADMIN,
  update: ADMIN,
  delete: ADMIN,
};

/** A status each action is allowed from, with an assignee on the task. */
const LEGAL_FROM: Record<WorkflowAction, TaskStatus> = {
  assign: 'assigned',
  start: 'assigned',
  submit: 'in_progress',
  approve: 'submitted',
  reject: 'submitted',
  close: 'approved',
  cancel: 'assigned',
  reactivate: 'cancelled',
  update: 'assigned',
  delete: 'assigned',
};

interface RelationCase {
  readonly who: string;
  readonly actor: Actor;
  readonly task: Partial<TaskState>;
  readonly may: readonly TaskAction[];
}

const RELATIONS: readonly RelationCase[] = [
  {
    who: 'the creator, when someone else reviews',
    actor: CREATOR,
    task: { reviewerId: REVIEWER.id },
    may: ['assign', 'close', 'cancel', 'reactivate', 'update', 'delete'],
  },
  {
    who: 'the creator as the default reviewer',
    actor: CREATOR,
    task: { reviewerId: null },
    may: ['assign', 'approve', 'reject', 'close', 'cancel', 'reactivate', 'update', 'delete'],
  },
  {
    who: 'the creator who assigned themselves',
    actor: CREATOR,
    task: { assigneeId: CREATOR.id, reviewerId: null },
    may: ['assign', 'start', 'submit', 'close', 'cancel', 'reactivate', 'update', 'delete'],
  },
  { who: 'the assignee', actor: ASSIGNEE, task: {}, may: ['start', 'submit'] },
  {
    who: 'the explicit reviewer',
    actor: REVIEWER,
    task: { reviewerId: REVIEWER.id },
    may: ['assign', 'approve', 'reject', 'close'],
  },
  {
    who: 'an admin',
    actor: ADMIN,
    task: {},
    may: ['assign', 'approve', 'reject', 'close', 'cancel', 'reactivate', 'update', 'delete'],
  },
  {
    who: 'an admin who is the assignee',
    actor: ADMIN,
    task: { assigneeId: ADMIN.id },
    may: ['assign', 'start', 'submit', 'close', 'cancel', 'reactivate', 'update', 'delete'],
  },
  { who: 'a stranger', actor: STRANGER, task: {}, may: [] },
  {
    who: 'an agent as the reviewer',
    actor: AGENT,
    task: { reviewerId: AGENT.id },
    may: ['assign', 'close'],
  },
  {
    who: 'an agent as the assignee',
    actor: AGENT,
    task: { assigneeId: AGENT.id },
    may: ['start', 'submit'],
  },
];

function caught(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

function expectUntouched(task: Task, before: TaskState): void {
  expect(task.snapshot()).toEqual(before);
  expect(task.pullEvents()).toEqual([]);
}

describe('Task', () => {
  describe.each(WORKFLOW_ACTIONS)('%s', (action) => {
    describe('by status', () => {
      const cases = TASK_STATUSES.map((status) => ({ status, to: RESULT[action][status] }));

      it.each(cases.filter((c) => c.to !== undefined))(
        'from $status leads to $to, one version and one event later',
        ({ status, to }) => {
          const task = aTask({ status });
          const actor = ENTITLED[action];

          PERFORM[action](task, actor);

          expect(task.status).toBe(to);
          expect(task.version).toBe(4);
          expect(task.snapshot().updatedAt).toEqual(LATER);
          const events = task.pullEvents();
          expect(events).toHaveLength(1);
          expect(events[0]).toMatchObject({
            action,
            taskId: task.id,
            actorId: actor.id,
            fromStatus: status,
            toStatus: to,
            version: 4,
            at: LATER,
          });
          expect(events[0].state).toEqual(task.snapshot());
          if (status !== to) expect(events[0].changes.status).toEqual({ from: status, to });
          else expect(events[0].changes).not.toHaveProperty('status');
        },
      );

      const illegal = cases.filter((c) => c.to === undefined);
      // delete is allowed from every status: no illegal case to table.
      if (illegal.length > 0) {
        it.each(illegal)(
          'from $status is an invalid transition naming the status and the allowed actions',
          ({ status }) => {
            const task = aTask({ status });
            const before = task.snapshot();

            const error = caught(() => PERFORM[action](task, ENTITLED[action]));

            expect(error).toBeInstanceOf(InvalidTransition);
            const { code, message, details } = error as InvalidTransition;
            expect(code).toBe('TASK.INVALID_TRANSITION');
            expect(message).toContain(status);
            expect(details.currentStatus).toBe(status);
            expect(details.allowedActions).toEqual(task.allowedActions(ENTITLED[action], LATER));
            expectUntouched(task, before);
          },
        );
      }
    });

    describe(`by relation (from ${LEGAL_FROM[action]})`, () => {
      it.each(RELATIONS.filter((r) => r.may.includes(action)))('is allowed to $who', (r) => {
        const task = aTask({ status: LEGAL_FROM[action], ...r.task });

        PERFORM[action](task, r.actor);

        expect(task.version).toBe(4);
        expect(task.pullEvents()).toHaveLength(1);
      });

      it.each(RELATIONS.filter((r) => !r.may.includes(action)))('is forbidden to $who', (r) => {
        const task = aTask({ status: LEGAL_FROM[action], ...r.task });
        const before = task.snapshot();

        const error = caught(() => PERFORM[action](task, r.actor));

        expect(error).toBeInstanceOf(TaskActionForbidden);
        expect((error as TaskActionForbidden).code).toBe('TASK.FORBIDDEN');
        expect((error as TaskActionForbidden).details).toEqual({
          action,
          allowedActions: task.allowedActions(r.actor, LATER),
        });
        expectUntouched(task, before);
      });
    });
  });

  it('allowedActions offers, to creator, assignee and admin together, what each status allows', () => {
    for (const status of TASK_STATUSES) {
      const task = aTask({ status });
      const offered = new Set(
        [CREATOR, ASSIGNEE, ADMIN].flatMap((actor) => task.allowedActions(actor, LATER)),
      );
      const workflow = [...offered].filter((a) =>
        (WORKFLOW_ACTIONS as readonly string[]).includes(a),
      );
      expect(workflow.sort()).toEqual([...ALLOWED[status]].sort());
    }
  });

  describe('create', () => {
    it('starts pending at version 1, created by the actor, with one create event', () => {
      const task = Task.create({ id: 't_new', title: 'Ship it' }, CREATOR, CREATED_AT);

      expect(task.snapshot()).toEqual({
        id: 't_new',
        title: 'Ship it',
        description: '',
        status: 'pending',
        priority: 'normal',
        dueAt: null,
        creatorId: CREATOR.id,
        assigneeId: null,
        reviewerId: null,
        open: false,
        openTo: 'any',
        leaseExpiresAt: null,
        leaseSeconds: null,
        version: 1,
        createdAt: CREATED_AT,
        updatedAt: CREATED_AT,
        deletedAt: null,
      });
      const events = task.pullEvents();
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        action: 'create',
        actorId: CREATOR.id,
        fromStatus: null,
        toStatus: 'pending',
        version: 1,
      });
    });

    it('keeps the given description, priority, due date and reviewer', () => {
      const due = new Date('2030-02-01T00:00:00.000Z');
      const task = Task.create(
        {
          id: 't_new',
          title: 'x',
          description: 'd',
          priority: 'urgent',
          dueAt: due,
          reviewerId: REVIEWER.id,
        },
        CREATOR,
        CREATED_AT,
      );

      expect(task.snapshot()).toMatchObject({
        description: 'd',
        priority: 'urgent',
        dueAt: due,
        reviewerId: REVIEWER.id,
      });
    });
  });

  describe('assign', () => {
    it('records the new assignee as a change', () => {
      const task = aTask({ status: 'pending' });

      task.assign(CREATOR, NEW_ASSIGNEE, LATER, 'Yours, Dave');

      expect(task.assigneeId).toBe(NEW_ASSIGNEE);
      const [event] = task.pullEvents();
      expect(event.changes).toEqual({
        status: { from: 'pending', to: 'assigned' },
        assigneeId: { from: null, to: NEW_ASSIGNEE },
      });
      expect(event.comment).toBe('Yours, Dave');
    });

    it('reassigns an assigned task without a status change', () => {
      const task = aTask({ status: 'assigned' });

      task.assign(CREATOR, NEW_ASSIGNEE, LATER);

      expect(task.pullEvents()[0].changes).toEqual({
        assigneeId: { from: ASSIGNEE.id, to: NEW_ASSIGNEE },
      });
    });
  });

  describe('reject', () => {
    it.each(['', '   ', '\t\n'])('needs a reason that is not blank (%j)', (reason) => {
      const task = aTask({ status: 'submitted' });
      const before = task.snapshot();

      const error = caught(() => task.reject(CREATOR, reason, LATER));

      expect(error).toBeInstanceOf(ReasonRequired);
      expect((error as ReasonRequired).code).toBe('TASK.REASON_REQUIRED');
      expectUntouched(task, before);
    });

    it('carries the reason and the comment in its event', () => {
      const task = aTask({ status: 'submitted' });

      task.reject(CREATOR, REASON, LATER, 'Happy to pair on it');

      const [event] = task.pullEvents();
      expect(event).toMatchObject({ reason: REASON, comment: 'Happy to pair on it' });
    });

    it('is checked for status before the reason', () => {
      expect(caught(() => aTask({ status: 'approved' }).reject(CREATOR, '', LATER))).toBeInstanceOf(
        InvalidTransition,
      );
    });
  });

  describe('comments', () => {
    it.each(['start', 'submit', 'approve', 'close', 'cancel', 'reactivate'] as const)(
      '%s carries its comment in the event',
      (action) => {
        const task = aTask({ status: LEGAL_FROM[action] });
        const actor = ENTITLED[action];

        task[action](actor, LATER, `about ${action}`);

        const [event] = task.pullEvents();
        expect(event.comment).toBe(`about ${action}`);
        expect(event.reason).toBeNull();
      },
    );
  });

  describe('reactivate', () => {
    it('returns a cancelled task without an assignee to pending', () => {
      const task = aTask({ status: 'cancelled', assigneeId: null });

      task.reactivate(CREATOR, LATER);

      expect(task.status).toBe('pending');
      expect(task.pullEvents()[0]).toMatchObject({ fromStatus: 'cancelled', toStatus: 'pending' });
    });

    it('returns a cancelled task that still has an assignee to assigned', () => {
      const task = aTask({ status: 'cancelled', assigneeId: ASSIGNEE.id });

      task.reactivate(CREATOR, LATER);

      expect(task.status).toBe('assigned');
      expect(task.assigneeId).toBe(ASSIGNEE.id);
    });
  });

  describe('update', () => {
    it('records only the fields that change', () => {
      const task = aTask({ status: 'in_progress', priority: 'normal' });

      const changed = task.update(CREATOR, { title: 'New title', priority: 'normal' }, LATER);

      expect(changed).toBe(true);
      expect(task.version).toBe(4);
      const events = task.pullEvents();
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        action: 'update',
        fromStatus: 'in_progress',
        toStatus: 'in_progress',
        changes: { title: { from: 'Write the release notes', to: 'New title' } },
      });
      expect(Object.keys(events[0].changes)).toEqual(['title']);
    });

    it('records nothing for an edit that changes nothing', () => {
      const due = new Date('2030-03-01T12:00:00.000Z');
      const task = aTask({ status: 'assigned', dueAt: due, reviewerId: REVIEWER.id });
      const before = task.snapshot();

      const changed = task.update(
        CREATOR,
        {
          title: before.title,
          description: before.description,
          priority: before.priority,
          dueAt: new Date(due.getTime()),
          reviewerId: REVIEWER.id,
        },
        LATER,
      );

      expect(changed).toBe(false);
      expectUntouched(task, before);
    });

    it('records nothing when no field is given', () => {
      const task = aTask();
      const before = task.snapshot();

      expect(task.update(CREATOR, {}, LATER)).toBe(false);
      expectUntouched(task, before);
    });

    it('clears the due date and resets the reviewer to the creator with null', () => {
      const due = new Date('2030-03-01T12:00:00.000Z');
      const task = aTask({ dueAt: due, reviewerId: REVIEWER.id });

      task.update(CREATOR, { dueAt: null, reviewerId: null }, LATER);

      expect(task.snapshot()).toMatchObject({ dueAt: null, reviewerId: null });
      expect(task.pullEvents()[0].changes).toEqual({
        dueAt: { from: due, to: null },
        reviewerId: { from: REVIEWER.id, to: null },
      });
    });

    it('moves the right to approve to the new reviewer', () => {
      const task = aTask({ status: 'submitted' });
      task.update(CREATOR, { reviewerId: REVIEWER.id }, LATER);

      expect(caught(() => task.approve(CREATOR, LATER))).toBeInstanceOf(TaskActionForbidden);
      task.approve(REVIEWER, LATER);
      expect(task.status).toBe('approved');
    });
  });

  describe('markDeleted', () => {
    it('records one delete event and keeps the status', () => {
      const task = aTask({ status: 'in_progress' });

      task.markDeleted(CREATOR, LATER);

      expect(task.isDeleted).toBe(true);
      expect(task.status).toBe('in_progress');
      const events = task.pullEvents();
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        action: 'delete',
        fromStatus: 'in_progress',
        toStatus: 'in_progress',
        changes: { deletedAt: { from: null, to: LATER } },
      });
    });

    it('hides the task from everyone, admins included', () => {
      const task = aTask({ status: 'assigned', reviewerId: REVIEWER.id });
      task.markDeleted(ADMIN, LATER);

      for (const actor of [CREATOR, ASSIGNEE, REVIEWER, ADMIN, STRANGER]) {
        expect(task.isVisibleTo(actor)).toBe(false);
      }
    });

    it('leaves its history visible to admins only', () => {
      const task = aTask({ status: 'assigned', reviewerId: REVIEWER.id });
      task.markDeleted(CREATOR, LATER);

      expect(task.isHistoryVisibleTo(ADMIN)).toBe(true);
      for (const actor of [CREATOR, ASSIGNEE, REVIEWER, STRANGER]) {
        expect(task.isHistoryVisibleTo(actor)).toBe(false);
      }
    });

    it.each(WORKFLOW_ACTIONS)('leaves a deleted task open to no %s', (action) => {
      const task = aTask({ status: LEGAL_FROM[action] });
      task.markDeleted(ADMIN, LATER);
      task.pullEvents();
      const before = task.snapshot();

      const error = caught(() => PERFORM[action](task, ENTITLED[action]));

      expect(error).toBeInstanceOf(InvalidTransition);
      expect((error as InvalidTransition).details.allowedActions).toEqual([]);
      expect(task.allowedActions(ADMIN, LATER)).toEqual([]);
      expectUntouched(task, before);
    });
  });

  describe('visibility', () => {
    const task = aTask({ status: 'assigned', reviewerId: REVIEWER.id });

    it.each([
      ['the creator', CREATOR],
      ['the assignee', ASSIGNEE],
      ['the reviewer', REVIEWER],
      ['an admin', ADMIN],
    ])('shows the task and its history to %s', (_who, actor) => {
      expect(task.isVisibleTo(actor)).toBe(true);
      expect(task.isHistoryVisibleTo(actor)).toBe(true);
    });

    it('hides the task and its history from a stranger', () => {
      expect(task.isVisibleTo(STRANGER)).toBe(false);
      expect(task.isHistoryVisibleTo(STRANGER)).toBe(false);
    });
  });

  it('pullEvents hands each event over once', () => {
    const task = aTask({ status: 'assigned' });
    task.start(ASSIGNEE, LATER);
    task.submit(ASSIGNEE, LATER);

    expect(task.pullEvents().map((e) => [e.action, e.version])).toEqual([
      ['start', 4],
      ['submit', 5],
    ]);
    expect(task.pullEvents()).toEqual([]);
  });
});

describe('parseTaskStatus', () => {
  it.each(TASK_STATUSES)('accepts %s', (status) => {
    expect(parseTaskStatus(status)).toBe(status);
  });

  it.each([['done'], ['PENDING'], [''], [' pending'], [null], [undefined], [3], [{}]])(
    'rejects %j as corrupt data',
    (value) => {
      expect(() => parseTaskStatus(value)).toThrow(
        expect.objectContaining({ code: 'TASK.CORRUPT' }),
      );
    },
  );
});

describe('parseTaskPriority', () => {
  it.each(['low', 'normal', 'high', 'urgent'])('accepts %s', (priority) => {
    expect(parseTaskPriority(priority)).toBe(priority);
  });

  it.each([['critical'], [''], [null], [1]])('rejects %j as corrupt data', (value) => {
    expect(() => parseTaskPriority(value)).toThrow(
      expect.objectContaining({ code: 'TASK.CORRUPT' }),
    );
  });
});
