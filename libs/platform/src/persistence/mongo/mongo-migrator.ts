import { mongo } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  assertMigrationList,
  checksumOf,
  isIndexStep,
  Migration,
  MigrationStep,
  StampStep,
} from '../migration';
import { isDuplicateKey } from './mongo-errors';

export const CHANGELOG_COLLECTION = 'migrations';
export const LOCK_COLLECTION = 'migration_lock';
const LOCK_ID = 'migrations';
const NOT_IMPLEMENTED = 238;
const INDEX_NOT_FOUND = 27;
const NAMESPACE_NOT_FOUND = 26;

export type MigrationState = 'applied' | 'pending' | 'changed' | 'unknown';

export interface MigrationStatus {
  readonly id: string;
  readonly description: string;
  /** `changed`: applied, but the file differs now; `unknown`: applied, but not in this build. */
  readonly state: MigrationState;
  readonly appliedAt: Date | null;
}

interface ChangelogDoc {
  _id: string;
  description: string;
  checksum: string;
  applied_at: Date;
  duration_ms: number;
}

interface LockDoc {
  _id: string;
  owner: string;
  acquired_at: Date;
  expires_at: Date;
}

export interface MigratorOptions {
  /** Progress lines (the CLI prints them). */
  readonly log?: (line: string) => void;
  /** How long `up`/`down` wait for another runner's lock before giving up. */
  readonly lockWaitMs?: number;
  /** A lock older than this is taken to be left by a crashed runner. */
  readonly lockTtlMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Applies versioned migrations: a changelog of what ran (with checksums), and a lock document
 * whose unique `_id` lets one runner at a time apply anything. migrate-mongo was not used: its lock
 * is a read-then-insert without a unique key (two runners can both take it), it needs a TTL index
 * (FerretDB has none), and it re-runs a migration whose file changed instead of refusing.
 */
export class MongoMigrator {
  private readonly log: (line: string) => void;
  private readonly lockWaitMs: number;
  private readonly lockTtlMs: number;
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID()}`;

  constructor(
    private readonly db: mongo.Db,
    private readonly migrations: readonly Migration[],
    options: MigratorOptions = {},
  ) {
    assertMigrationList(migrations);
    this.log = options.log ?? (() => undefined);
    this.lockWaitMs = options.lockWaitMs ?? 60_000;
    this.lockTtlMs = options.lockTtlMs ?? 10 * 60_000;
  }

  async status(): Promise<MigrationStatus[]> {
    const applied = await this.changelog();
    const known = new Set(this.migrations.map((m) => m.id));
    const rows: MigrationStatus[] = this.migrations.map((migration) => {
      const entry = applied.get(migration.id);
      return {
        id: migration.id,
        description: migration.description,
        state: !entry
          ? 'pending'
          : entry.checksum === checksumOf(migration)
            ? 'applied'
            : 'changed',
        appliedAt: entry?.applied_at ?? null,
      };
    });
    for (const entry of applied.values()) {
      if (!known.has(entry._id)) {
        rows.push({
          id: entry._id,
          description: entry.description,
          state: 'unknown',
          appliedAt: entry.applied_at,
        });
      }
    }
    return rows.sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /** Migrations this build expects that the database has not applied as written (one query). */
  async pending(): Promise<string[]> {
    return (await this.status()).filter((row) => row.state !== 'applied').map((row) => row.id);
  }

  /** Applies every pending migration in order; returns the ids applied. */
  async up(): Promise<string[]> {
    return this.locked(async () => {
      const rows = await this.status();
      const drift = rows.filter((row) => row.state === 'changed' || row.state === 'unknown');
      if (drift.length > 0) {
        throw new Error(
          drift
            .map((row) =>
              row.state === 'changed'
                ? `${row.id} was changed after it was applied; add a new migration instead`
                : `${row.id} is applied in the database but not known to this build`,
            )
            .join('\n'),
        );
      }
      const pending = this.migrations.filter(
        (m) => rows.find((row) => row.id === m.id)?.state === 'pending',
      );
      if (pending.length === 0) this.log('Nothing to apply: the database is up to date.');
      for (const migration of pending) {
        const started = Date.now();
        this.log(`▲ ${migration.id}: ${migration.description}`);
        for (const step of migration.steps) {
          await this.apply(step);
          await this.renewLock();
        }
        const durationMs = Date.now() - started;
        await this.db.collection<ChangelogDoc>(CHANGELOG_COLLECTION).insertOne({
          _id: migration.id,
          description: migration.description,
          checksum: checksumOf(migration),
          applied_at: new Date(),
          duration_ms: durationMs,
        });
        this.log(`  applied ${migration.id} in ${durationMs} ms`);
      }
      return pending.map((m) => m.id);
    });
  }

  /** Undoes the last `count` applied migrations, newest first; returns the ids undone. */
  async down(count = 1): Promise<string[]> {
    return this.locked(async () => {
      const applied = await this.changelog();
      const targets = this.migrations
        .filter((m) => applied.has(m.id))
        .reverse()
        .slice(0, count);
      if (targets.length === 0) this.log('Nothing to undo: no migration is applied.');
      for (const migration of targets) {
        this.log(`▼ ${migration.id}: ${migration.description}`);
        for (const step of [...migration.steps].reverse()) await this.undo(step);
        await this.db
          .collection<ChangelogDoc>(CHANGELOG_COLLECTION)
          .deleteOne({ _id: migration.id });
        this.log(`  undone ${migration.id}`);
      }
      return targets.map((m) => m.id);
    });
  }

  private async changelog(): Promise<Map<string, ChangelogDoc>> {
    const docs = await this.db.collection<ChangelogDoc>(CHANGELOG_COLLECTION).find({}).toArray();
    return new Map(docs.map((doc) => [doc._id, doc]));
  }

  private async apply(step: MigrationStep): Promise<void> {
    if (!isIndexStep(step)) return this.stamp(step);
    const { collection, name, keys, unique, expireAfterSeconds } = step.createIndex;
    const options = { name, ...(unique ? { unique: true } : {}) };
    this.log(
      `  create index ${collection}.${name} ${JSON.stringify(keys)}${unique ? ' unique' : ''}`,
    );
    if (expireAfterSeconds === undefined) {
      await this.db.collection(collection).createIndex(keys, options);
      return;
    }
    try {
      await this.db.collection(collection).createIndex(keys, { ...options, expireAfterSeconds });
    } catch (error) {
      if ((error as { code?: unknown }).code !== NOT_IMPLEMENTED) throw error;
      this.log(
        `    the server has no TTL indexes: a plain index instead; expiry is checked on read`,
      );
      await this.db.collection(collection).createIndex(keys, options);
    }
  }

  private async stamp(step: StampStep): Promise<void> {
    const { collection, field, from, group } = step.stampDocuments;
    const target = this.db.collection<{ _id: unknown } & Record<string, unknown>>(collection);
    const cursor = target
      .find(
        { [field]: { $exists: false } },
        { projection: { [from]: 1, [group.by]: 1, [group.order]: 1 } },
      )
      .sort({ [group.by]: 1, [group.order]: 1 });
    let stamped = 0;
    let previous: { group: unknown; stamp: number } | null = null;
    let batch: mongo.AnyBulkWriteOperation<{ _id: unknown } & Record<string, unknown>>[] = [];
    const flush = async () => {
      if (batch.length > 0) await target.bulkWrite(batch, { ordered: false });
      batch = [];
    };
    for await (const doc of cursor) {
      const date = doc[from] instanceof Date ? (doc[from] as Date).getTime() : 0;
      const floor = previous && previous.group === doc[group.by] ? previous.stamp + 1 : 0;
      const stamp = Math.max(date * 1000, floor);
      previous = { group: doc[group.by], stamp };
      batch.push({
        updateOne: {
          filter: { _id: doc._id, [field]: { $exists: false } },
          update: { $set: { [field]: stamp } },
        },
      });
      stamped += 1;
      if (batch.length >= 500) await flush();
    }
    await flush();
    this.log(`  stamp ${collection}.${field} from ${from} on ${stamped} document(s)`);
  }

  private async undo(step: MigrationStep): Promise<void> {
    if (!isIndexStep(step)) return;
    const { collection, name } = step.createIndex;
    this.log(`  drop index ${collection}.${name}`);
    try {
      await this.db.collection(collection).dropIndex(name);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code !== INDEX_NOT_FOUND && code !== NAMESPACE_NOT_FOUND) throw error;
    }
  }

  private async locked<T>(work: () => Promise<T>): Promise<T> {
    await this.acquireLock();
    try {
      return await work();
    } finally {
      await this.db
        .collection<LockDoc>(LOCK_COLLECTION)
        .deleteOne({ _id: LOCK_ID, owner: this.owner });
    }
  }

  /** The lock is a document with a fixed `_id`: the insert that wins holds it. */
  private async acquireLock(): Promise<void> {
    const locks = this.db.collection<LockDoc>(LOCK_COLLECTION);
    const deadline = Date.now() + this.lockWaitMs;
    let announced = false;
    for (;;) {
      const now = new Date();
      try {
        await locks.insertOne({
          _id: LOCK_ID,
          owner: this.owner,
          acquired_at: now,
          expires_at: new Date(now.getTime() + this.lockTtlMs),
        });
        return;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const held = await locks.findOne({ _id: LOCK_ID });
      if (held && held.expires_at < now) {
        this.log(
          `Taking over the lock left by ${held.owner} (expired ${held.expires_at.toISOString()})`,
        );
        await locks.deleteOne({ _id: LOCK_ID, owner: held.owner });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `Another migration runner (${held?.owner ?? 'unknown'}) holds the lock since ` +
            `${held?.acquired_at.toISOString() ?? '?'}; try again when it has finished`,
        );
      }
      if (!announced) {
        this.log(`Waiting for the migration lock held by ${held?.owner ?? 'another runner'}...`);
        announced = true;
      }
      await sleep(200);
    }
  }

  private async renewLock(): Promise<void> {
    await this.db
      .collection<LockDoc>(LOCK_COLLECTION)
      .updateOne(
        { _id: LOCK_ID, owner: this.owner },
        { $set: { expires_at: new Date(Date.now() + this.lockTtlMs) } },
      );
  }
}
