import { MIGRATIONS } from '@taskflow/migrations';
import { type BackfillStep, isIndexStep, MigrationCheck, type Migration } from '@taskflow/platform';
import { MongoMigrator } from '@taskflow/platform/mongo';
import { PRIORITY_RANK, TASK_PRIORITIES } from '@taskflow/tasks';
import { runMigrateCli } from '../../apps/migrate/src/cli';
import { ADMIN, ALICE, as, ensureStatus } from '../support/api';
import { freshDatabaseUri, withDatabase } from '../support/mongo';
import { startTestApp } from '../support/test-app';
import type { TaskBody } from '../support/tasks';

const indexNames = (uri: string) =>
  withDatabase(uri, async (db) => {
    const names: string[] = [];
    for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
      for (const index of await db.collection(name).listIndexes().toArray()) {
        if (index.name !== '_id_') names.push(`${name}.${index.name}`);
      }
    }
    return names.sort();
  });

const EXPECTED_INDEXES = MIGRATIONS.flatMap((m) =>
  m.steps.filter(isIndexStep).map((s) => `${s.createIndex.collection}.${s.createIndex.name}`),
).sort();

/** A task document as the Mongo adapter stored it before issue 18 (no rank, no open fields). */
function storedBeforeIssue18(i: number) {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, i));
  return {
    // A fixed-width base-36 counter sorts like the ULIDs the API mints (all before them).
    _id: `t_00${i.toString(36).padStart(24, '0')}`,
    title: `Stored before issue 18, ${i}`,
    description: '',
    status: 'pending',
    priority: TASK_PRIORITIES[(i * 3) % TASK_PRIORITIES.length],
    due_at: null,
    creator_id: ALICE,
    assignee_id: null,
    reviewer_id: null,
    visible_to: [ALICE],
    version: 1,
    created_at: at,
    updated_at: at,
    deleted_at: null,
  };
}

async function cli(uri: string, ...args: string[]): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const code = await runMigrateCli(args, { MONGODB_URI: uri }, (line) => lines.push(line));
  return { code, output: lines.join('\n') };
}

describe('migrations (mongo driver)', () => {
  it('stamps audit entries written before the event log from their time, each task in version order', async () => {
    const uri = freshDatabaseUri('migrations');
    const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);
    // Task b's version 2 carries an earlier time than its version 1 (two instances' clocks).
    const legacy = [
      { _id: 't_a:1', task_id: 't_a', version: 1, at: at(1) },
      { _id: 't_b:1', task_id: 't_b', version: 1, at: at(3) },
      { _id: 't_b:2', task_id: 't_b', version: 2, at: at(2) },
      { _id: 't_a:2', task_id: 't_a', version: 2, at: at(4) },
      { _id: 't_c:1', task_id: 't_c', version: 1, at: at(4), seq: 42 },
    ];
    await withDatabase(uri, (db) =>
      db.collection<{ _id: string }>('audit_entries').insertMany(legacy),
    );
    expect((await cli(uri, 'up')).code).toBe(0);
    const stored = await withDatabase(uri, (db) =>
      db.collection('audit_entries').find({}).sort({ seq: 1, _id: 1 }).toArray(),
    );
    const base = Date.UTC(2026, 0, 1) * 1000;
    expect(stored.map((doc) => [doc._id, doc.seq])).toEqual([
      ['t_c:1', 42],
      ['t_a:1', base + 1000],
      ['t_b:1', base + 3000],
      ['t_b:2', base + 3001],
      ['t_a:2', base + 4000],
    ]);
  });

  it('goes up on an empty database, reports status, goes down, and up again', async () => {
    const uri = freshDatabaseUri('migrations');
    const ids = MIGRATIONS.map((m) => m.id);

    const pending = await cli(uri, 'status');
    expect(pending.code).toBe(0);
    for (const id of ids) expect(pending.output).toMatch(new RegExp(`^${id}\\s+pending`, 'm'));

    const up = await cli(uri, 'up');
    expect(up.code).toBe(0);
    expect(up.output).toMatch(/▲ 0001-task-list-indexes/);
    expect(up.output).toMatch(/create index tasks\.visible_to_1__id_1/);
    expect(up.output).toMatch(`Applied: ${ids.length} migration(s).`);
    expect(await indexNames(uri)).toEqual(EXPECTED_INDEXES);

    const applied = await cli(uri, 'status');
    for (const id of ids)
      expect(applied.output).toMatch(new RegExp(`^${id}\\s+applied\\s+\\d{4}-`, 'm'));
    expect(applied.output).toMatch('Up to date.');

    const down = await cli(uri, 'down');
    expect(down.output).toMatch(`▼ ${ids[ids.length - 1]}`);
    expect(await cli(uri, 'status')).toMatchObject({
      output: expect.stringMatching(new RegExp(`^${ids[ids.length - 1]}\\s+pending`, 'm')),
    });
    await cli(uri, 'down', String(ids.length));
    expect(await indexNames(uri)).toEqual([]);

    expect((await cli(uri, 'up')).output).toMatch(`Applied: ${ids.length} migration(s).`);
    expect(await indexNames(uri)).toEqual(EXPECTED_INDEXES);
    expect((await cli(uri, 'up')).output).toMatch('Nothing to apply');
  });

  it('applies each migration once when two runners go up at the same time', async () => {
    const uri = freshDatabaseUri('migrations_race');
    const results = await withDatabase(uri, (a) =>
      withDatabase(uri, (b) =>
        Promise.all([new MongoMigrator(a, MIGRATIONS).up(), new MongoMigrator(b, MIGRATIONS).up()]),
      ),
    );
    expect(results.flat().sort()).toEqual(MIGRATIONS.map((m) => m.id));
    const changelog = await withDatabase(uri, (db) => db.collection('migrations').find().toArray());
    expect(changelog.map((doc) => doc._id).sort()).toEqual(MIGRATIONS.map((m) => m.id));
    expect(await indexNames(uri)).toEqual(EXPECTED_INDEXES);
  });

  it('refuses to go up when an applied migration was changed, and says which', async () => {
    const uri = freshDatabaseUri('migrations_drift');
    await cli(uri, 'up');
    const edited: Migration[] = MIGRATIONS.map((m, i) =>
      i === 0 ? { ...m, steps: m.steps.slice(1) } : m,
    );
    const lines: string[] = [];
    const code = await runMigrateCli(['up'], { MONGODB_URI: uri }, (l) => lines.push(l), edited);
    expect(code).toBe(1);
    expect(lines.join('\n')).toMatch(`${MIGRATIONS[0].id} was changed after it was applied`);
    const status = await runMigrateCli(['status'], { MONGODB_URI: uri }, () => undefined, edited);
    expect(status).toBe(1);
  });

  it('waits for a lock another runner holds, and takes over one left by a crashed runner', async () => {
    const uri = freshDatabaseUri('migrations_lock');
    await withDatabase(uri, async (db) => {
      const lock = { _id: 'migrations', owner: 'crashed', acquired_at: new Date() };
      await db
        .collection('migration_lock')
        .insertOne({ ...lock, expires_at: new Date(Date.now() + 60_000) } as never);
      const blocked = new MongoMigrator(db, MIGRATIONS, { lockWaitMs: 500 });
      await expect(blocked.up()).rejects.toThrow(/holds the lock/);

      await db
        .collection('migration_lock')
        .updateOne({ _id: 'migrations' } as never, { $set: { expires_at: new Date(0) } });
      expect(await new MongoMigrator(db, MIGRATIONS).up()).toEqual(MIGRATIONS.map((m) => m.id));
      expect(await db.collection('migration_lock').countDocuments()).toBe(0);
    });
  });

  it('tells the API which migrations are pending, for /readyz', async () => {
    const uri = freshDatabaseUri('migrations_pending');
    const t = await startTestApp('mongo', { MONGODB_URI: uri });
    try {
      const check = t.app.get(MigrationCheck, { strict: false });
      // startTestApp migrated first, so nothing is pending; undo one and it is.
      expect(await check.pending()).toEqual([]);
      await withDatabase(uri, (db) => new MongoMigrator(db, MIGRATIONS).down(1));
      expect(await check.pending()).toEqual([MIGRATIONS[MIGRATIONS.length - 1].id]);
    } finally {
      await t.close();
    }
  });

  it('creates a TTL index where the server has them, and a plain one where it does not', async () => {
    const uri = freshDatabaseUri('migrations_ttl');
    const withTtl: Migration = {
      id: '0001-expiring',
      description: 'Expiring tokens',
      steps: [
        {
          createIndex: {
            collection: 'tokens',
            name: 'expires_at_1',
            keys: { expires_at: 1 },
            expireAfterSeconds: 0,
          },
        },
      ],
    };
    const lines: string[] = [];
    await withDatabase(uri, async (db) => {
      await new MongoMigrator(db, [withTtl], { log: (l) => lines.push(l) }).up();
      const ferretDb = 'ferretdbVersion' in (await db.admin().command({ buildInfo: 1 }));
      const index = (await db.collection('tokens').listIndexes().toArray()).find(
        (i) => i.name === 'expires_at_1',
      );
      expect(index?.key).toEqual({ expires_at: 1 });
      expect(index?.expireAfterSeconds).toBe(ferretDb ? undefined : 0);
      expect(lines.some((l) => /no TTL indexes/.test(l))).toBe(ferretDb);
    });
  });

  it('fills priority_rank on tasks stored before 0007, so they sort by priority', async () => {
    const uri = freshDatabaseUri('migrations_backfill');
    const at = MIGRATIONS.findIndex((m) => m.id === '0009-priority-rank-backfill');
    const { backfill } = MIGRATIONS[at].steps[0] as BackfillStep;
    // The migration is data, so it carries its own table: the one the adapter writes.
    expect(backfill.values).toEqual(PRIORITY_RANK);
    const old = Array.from({ length: 12 }, (_, i) => storedBeforeIssue18(i));
    const lines: string[] = [];
    await withDatabase(uri, async (db) => {
      await new MongoMigrator(db, MIGRATIONS.slice(0, at)).up();
      await db.collection('tasks').insertMany(old as never[]);
      await new MongoMigrator(db, MIGRATIONS, { log: (l) => lines.push(l) }).up();
      const stored = await db
        .collection('tasks')
        .find({}, { projection: { priority: 1, priority_rank: 1 } })
        .toArray();
      expect(stored).toHaveLength(old.length);
      for (const doc of stored) {
        expect(doc.priority_rank).toBe(PRIORITY_RANK[doc.priority as keyof typeof PRIORITY_RANK]);
      }
    });
    expect(lines).toContain(`    filled ${old.length} document(s)`);

    const t = await startTestApp('mongo', { MONGODB_URI: uri });
    try {
      const created = ensureStatus(
        await t.http().post('/tasks').set(as(ALICE)).send({ title: 'New', priority: 'high' }),
        201,
      ).body as TaskBody;
      const rank = (priority: string) => PRIORITY_RANK[priority as keyof typeof PRIORITY_RANK];
      const all = [
        ...old.map((doc) => ({ id: doc._id, priority: doc.priority as string })),
        { id: created.id, priority: 'high' },
      ];
      for (const sort of ['priority', '-priority']) {
        const sign = sort === 'priority' ? 1 : -1;
        const listed: string[] = [];
        let cursor: string | null = null;
        do {
          const query: Record<string, string | number> = { sort, limit: 5 };
          if (cursor !== null) query.cursor = cursor;
          const res = await t.http().get('/tasks').query(query).set(as(ADMIN));
          const body = ensureStatus(res, 200).body as {
            items: TaskBody[];
            next_cursor: string | null;
          };
          listed.push(...body.items.map((task) => task.id));
          cursor = body.next_cursor;
        } while (cursor !== null);
        const expected = [...all]
          .sort((a, b) => sign * (rank(a.priority) - rank(b.priority) || (a.id < b.id ? -1 : 1)))
          .map((task) => task.id);
        expect({ sort, listed }).toEqual({ sort, listed: expected });
      }
    } finally {
      await t.close();
    }

    // Down (through the backfill) keeps the values; up again finds nothing left to fill.
    lines.length = 0;
    await withDatabase(uri, async (db) => {
      await new MongoMigrator(db, MIGRATIONS, { log: (l) => lines.push(l) }).down(
        MIGRATIONS.length - at,
      );
      const missing = await db
        .collection('tasks')
        .countDocuments({ priority_rank: { $exists: false } });
      expect(missing).toBe(0);
      await new MongoMigrator(db, MIGRATIONS, { log: (l) => lines.push(l) }).up();
    });
    expect(lines).toContain('    filled 0 document(s)');
  });

  it('backfills batch by batch, only where the field is missing, and leaves unknown sources', async () => {
    const uri = freshDatabaseUri('migrations_backfill_batches');
    const fill: Migration = {
      id: '0001-fill-size-rank',
      description: 'size_rank from size',
      steps: [
        {
          backfill: {
            collection: 'boxes',
            field: 'size_rank',
            from: 'size',
            values: { small: 1, large: 2 },
            batchSize: 3,
          },
        },
      ],
    };
    const boxes = [
      ...Array.from({ length: 7 }, (_, i) => ({ _id: `b${i}`, size: i % 2 ? 'small' : 'large' })),
      // Written since by code that knows the field (here with a value the table would not give).
      { _id: 'b7', size: 'small', size_rank: 9 },
      { _id: 'b8', size: 'large', size_rank: 2 },
      { _id: 'b9', size: 'huge' },
    ];
    const lines: string[] = [];
    await withDatabase(uri, async (db) => {
      await db.collection('boxes').insertMany(boxes as never[]);
      await new MongoMigrator(db, [fill], { log: (l) => lines.push(l) }).up();
      const stored = await db.collection('boxes').find({}).sort({ _id: 1 }).toArray();
      expect(stored.map((doc) => [doc._id, doc.size_rank])).toEqual([
        ...boxes.slice(0, 7).map((box) => [box._id, box.size === 'small' ? 1 : 2]),
        ['b7', 9],
        ['b8', 2],
        ['b9', undefined],
      ]);
    });
    expect(lines).toContain('  backfill boxes.size_rank from size, 3 at a time');
    expect(lines).toContain('    filled 7 document(s); 1 with an unknown size left as they are');
  });

  it('prints its usage for an unknown command', async () => {
    const result = await cli('mongodb://unused', 'sideways');
    expect(result.code).toBe(2);
    expect(result.output).toMatch(/Usage: migrate <command>/);
  });
});
