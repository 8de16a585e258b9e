import { CollaborationRecordRepository } from '@taskflow/audit';
import { newId } from '@taskflow/platform';
import { testDrivers } from '../support/drivers';
import { aRecord } from '../support/fixtures';
import { Persistence, startPersistence } from '../support/persistence';

describe.each(testDrivers())('CollaborationRecordRepository contract (%s)', (driver) => {
  let p: Persistence;
  let records: CollaborationRecordRepository;

  beforeAll(async () => {
    p = await startPersistence(driver);
    records = p.get(CollaborationRecordRepository);
  });
  afterAll(() => p.close());

  it('adds records and lists those of one task oldest first, every field intact', async () => {
    const taskId = newId('t');
    const submission = aRecord({ taskId, kind: 'submission', body: null, version: 4 });
    const rejection = aRecord({ taskId, kind: 'rejection', body: 'Totals are off', version: 5 });
    await records.add(submission);
    await records.add(rejection);
    await records.add(aRecord({ taskId: newId('t') }));
    expect(await records.listForTask(taskId, { limit: 10, after: null })).toEqual({
      items: [submission, rejection],
      nextCursor: null,
    });
  });

  it('ignores a record it already has (a roll-forward may add it again)', async () => {
    const record = aRecord({ taskId: newId('t') });
    await records.add(record);
    await records.add(record);
    const page = await records.listForTask(record.taskId, { limit: 10, after: null });
    expect(page.items).toEqual([record]);
  });

  it('pages by record id', async () => {
    const taskId = newId('t');
    const added = [];
    for (let i = 0; i < 5; i++) {
      const record = aRecord({ taskId, body: `comment ${i}` });
      added.push(record);
      await records.add(record);
    }
    const first = await records.listForTask(taskId, { limit: 3, after: null });
    expect(first.items).toEqual(added.slice(0, 3));
    expect(first.nextCursor).toBe(added[2].id);
    const rest = await records.listForTask(taskId, { limit: 3, after: first.nextCursor });
    expect(rest).toEqual({ items: added.slice(3), nextCursor: null });
  });
});
