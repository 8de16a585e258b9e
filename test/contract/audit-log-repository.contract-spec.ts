import {
  AuditEntry,
  AuditLogRepository,
  LogFilter,
  LoggedEntry,
  LogPosition,
} from '@taskflow/audit';
import { ConcurrencyConflict } from '@taskflow/platform';
import { aTaskState } from '@taskflow/tasks/testing';
import { testDrivers } from '../support/drivers';
import { anAuditEntry, aRecord } from '../support/fixtures';
import { withDatabase } from '../support/mongo';
import { Persistence, startPersistence } from '../support/persistence';

/** An entry as read back: stamped with its place in the log as it was written. */
const stamped = (entry: AuditEntry) => ({ ...entry, seq: expect.any(Number) });

/** Reads until `ids` are all below the horizon (at once in memory; within ticks under Mongo). */
async function readAll(
  log: AuditLogRepository,
  from: LogPosition,
  filter: LogFilter,
  ids: readonly string[],
): Promise<LoggedEntry[]> {
  for (const deadline = Date.now() + 5000; ;) {
    const read = await log.readAfter(from, filter, 100);
    const seen = new Set(read.map((entry) => entry.id));
    if (ids.every((id) => seen.has(id)) || Date.now() > deadline) return read;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(testDrivers())('AuditLogRepository contract (%s)', (driver) => {
  let p: Persistence;
  let log: AuditLogRepository;

  beforeAll(async () => {
    p = await startPersistence(driver);
    log = p.get(AuditLogRepository);
  });
  afterAll(() => p.close());

  it('appends entries and lists a task log oldest first, every field intact', async () => {
    const v1 = aTaskState();
    const v2 = {
      ...v1,
      title: 'Renamed',
      version: 2,
      updatedAt: new Date(v1.updatedAt.getTime() + 1000),
    };
    const first = anAuditEntry(v1);
    const second = anAuditEntry(v2, { records: [aRecord({ taskId: v1.id, version: 2 })] });
    await log.append(first);
    await log.append(second);
    const page = await log.listForTask(v1.id, { limit: 10, after: null });
    expect(page.items).toEqual([stamped(first), stamped(second)]);
    expect(page.nextCursor).toBeNull();
  });

  it('keeps how the actor came in, and reads an entry written before `via` as a session', async () => {
    const state = aTaskState();
    const entry = anAuditEntry(state, { via: 'api_key:ak_01j9zq3v6w8x0y1z2a3b4c5d6e' });
    await log.append(entry);
    expect((await log.listForTask(state.id, { limit: 10, after: null })).items).toEqual([
      stamped(entry),
    ]);
    if (p.mongoUri === null) return;
    // An entry as older code wrote it: no `via` field at all.
    const old = aTaskState();
    await log.append(anAuditEntry(old));
    await withDatabase(p.mongoUri, (db) =>
      db.collection('audit_entries').updateOne({ task_id: old.id }, { $unset: { via: '' } }),
    );
    const [read] = (await log.listForTask(old.id, { limit: 10, after: null })).items;
    expect(read.via).toBe('session');
  });

  it('refuses a second entry for the same task version: that is what claims a change', async () => {
    const state = aTaskState();
    await log.append(anAuditEntry(state));
    await expect(log.append(anAuditEntry(state, { actorId: 'u_bob' }))).rejects.toBeInstanceOf(
      ConcurrencyConflict,
    );
    const page = await log.listForTask(state.id, { limit: 10, after: null });
    expect(page.items.map((entry) => entry.actorId)).toEqual(['u_alice']);
  });

  it('pages by version', async () => {
    const state = aTaskState();
    for (let version = 1; version <= 5; version++) {
      await log.append(anAuditEntry({ ...state, version }));
    }
    const first = await log.listForTask(state.id, { limit: 2, after: null });
    expect(first.items.map((e) => e.version)).toEqual([1, 2]);
    expect(first.nextCursor).toBe('2');
    const rest = await log.listForTask(state.id, { limit: 3, after: '2' });
    expect(rest.items.map((e) => e.version)).toEqual([3, 4, 5]);
    expect(rest.nextCursor).toBeNull();
  });

  it('lists nothing for a task without entries', async () => {
    expect(
      await log.listForTask('t_01zzzzzzzzzzzzzzzzzzzzzzzz', { limit: 5, after: null }),
    ).toEqual({ items: [], nextCursor: null });
  });

  it('reports the highest logged version of each task changed since an instant', async () => {
    const old = aTaskState({ updatedAt: new Date('2020-01-01T00:00:00Z') });
    const recent = aTaskState({ updatedAt: new Date('2030-01-01T00:00:00Z') });
    await log.append(anAuditEntry(old));
    await log.append(anAuditEntry(recent));
    await log.append(anAuditEntry({ ...recent, version: 2 }));
    const latest = await log.latestVersionsSince(new Date('2029-12-31T00:00:00Z'));
    expect([...latest.entries()]).toEqual([[recent.id, 2]]);
  });

  describe('the one log', () => {
    it('stamps entries in write order and reads after a position, filtered, below the horizon', async () => {
      const from = await log.head();
      const a = aTaskState();
      const b = aTaskState();
      const entries = [
        anAuditEntry(a),
        anAuditEntry(b),
        anAuditEntry({ ...a, version: 2 }, { action: 'assign' }),
      ];
      for (const entry of entries) await log.append(entry);
      const ids = entries.map((entry) => entry.id);
      const read = await readAll(log, from, {}, ids);
      expect(read.map((entry) => entry.id)).toEqual(ids);
      const seqs = read.map((entry) => entry.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size).toBe(3);
      expect((await log.readAfter(from, {}, 2)).map((entry) => entry.id)).toEqual(ids.slice(0, 2));
      expect((await log.readAfter(read[0], {}, 10)).map((entry) => entry.id)).toEqual(ids.slice(1));
      expect((await log.readAfter(from, { taskId: a.id }, 10)).map((entry) => entry.id)).toEqual([
        ids[0],
        ids[2],
      ]);
      expect((await log.readAfter(from, { actions: ['assign'] }, 10)).map((e) => e.id)).toEqual([
        ids[2],
      ]);
      expect(await log.idsAt(read[1].seq)).toEqual([ids[1]]);
      // The head is past every entry written so far.
      expect((await log.head()).seq).toBeGreaterThan(read[2].seq);
      // Entries read are below the point where the log is complete, which is never past the head.
      const readable = await log.readable();
      expect(readable.seq).toBeGreaterThan(read[2].seq);
      expect(readable.seq).toBeLessThanOrEqual((await log.head()).seq);
    });

    it('gives concurrent appends distinct stamps, each read once', async () => {
      const from = await log.head();
      const entries = Array.from({ length: 20 }, () => anAuditEntry(aTaskState()));
      await Promise.all(entries.map((entry) => log.append(entry)));
      const ids = entries.map((entry) => entry.id);
      const read = await readAll(log, from, {}, ids);
      expect(new Set(read.map((entry) => entry.id))).toEqual(new Set(ids));
      expect(read).toHaveLength(20);
      expect(new Set(read.map((entry) => entry.seq)).size).toBe(20);
    });
  });
});
