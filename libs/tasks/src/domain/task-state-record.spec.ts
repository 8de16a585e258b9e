import { taskStateFromRecord, taskStateToRecord } from './task-state-record';
import type { TaskState } from './task-events';

const state: TaskState = {
  id: 't_01jd3k8w9x2m4n6p8r0t2v4x6z',
  title: 'Reconcile',
  description: '',
  status: 'submitted',
  priority: 'high',
  dueAt: new Date('2026-05-01T00:00:00.000Z'),
  creatorId: 'u_alice',
  assigneeId: 'u_bob',
  reviewerId: null,
  open: true,
  openTo: 'agent',
  leaseExpiresAt: new Date('2026-01-02T00:05:00.000Z'),
  leaseSeconds: 300,
  version: 4,
  createdAt: new Date('2026-01-01T00:00:00.000Z'),
  updatedAt: new Date('2026-01-02T00:00:00.000Z'),
  deletedAt: null,
};

describe('task state records (what an audit entry carries)', () => {
  it('round-trips a state through JSON', () => {
    const record = JSON.parse(JSON.stringify(taskStateToRecord(state)));
    expect(taskStateFromRecord(record)).toEqual(state);
  });

  it('refuses an unknown status', () => {
    const record = { ...taskStateToRecord(state), status: 'paused' };
    expect(() => taskStateFromRecord(record)).toThrow(/Unknown task status "paused"/);
  });

  it.each([
    ['a missing title', { title: undefined }],
    ['a version that is not a positive integer', { version: 0 }],
    ['a time that is not a date', { updatedAt: 'yesterday' }],
    ['an unknown priority', { priority: 'whenever' }],
  ])('refuses %s', (_, change) => {
    expect(() => taskStateFromRecord({ ...taskStateToRecord(state), ...change })).toThrow(
      expect.objectContaining({ code: 'TASK.CORRUPT' }),
    );
  });
});
