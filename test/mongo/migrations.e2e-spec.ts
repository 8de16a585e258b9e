import { MIGRATIONS } from '@taskflow/migrations';
import { isIndexStep, MigrationCheck, MongoMigrator, type Migration } from '@taskflow/platform';
import { runMigrateCli } from '../../apps/migrate/src/cli';
import { freshDatabaseUri, withDatabase } from '../support/mongo';
import { startTestApp } from '../support/test-app';

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

  it('prints its usage for an unknown command', async () => {
    const result = await cli('mongodb://unused', 'sideways');
    expect(result.code).toBe(2);
    expect(result.output).toMatch(/Usage: migrate <command>/);
  });
});
