import { MIGRATIONS } from '@taskflow/migrations';
import { MongoMigrator } from '@taskflow/platform/mongo';
import { createConnection, mongo } from 'mongoose';
import { randomBytes } from 'node:crypto';
import { MONGO_URI_VARIABLE } from './drivers';

const URI = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/;

/** The shared test server's URI with a fresh database name, so test files never see each other. */
export function freshDatabaseUri(label: string): string {
  const base = process.env[MONGO_URI_VARIABLE];
  if (!base) {
    throw new Error(
      `${MONGO_URI_VARIABLE} is not set: the Jest global setup (test/support/global-setup.ts) ` +
        'starts the test server when TEST_DRIVERS includes mongo; run the suites through `npm test`.',
    );
  }
  const match = URI.exec(base);
  if (!match) throw new Error(`Cannot parse the test server URI ${base}`);
  const name = `${label.replace(/[^a-z0-9]/gi, '_').slice(0, 24)}_${randomBytes(4).toString('hex')}`;
  return `${match[1]}/${name}${match[2] ?? ''}`;
}

/** A plain driver connection for setting up and inspecting a test database. */
export async function withDatabase<T>(uri: string, use: (db: mongo.Db) => Promise<T>): Promise<T> {
  const connection = await createConnection(uri, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  try {
    if (!connection.db) throw new Error('not connected');
    return await use(connection.db);
  } finally {
    await connection.close();
  }
}

/** Applies every migration, as `npm run migrate -- up` does before the API starts. */
export function migrateUp(uri: string): Promise<string[]> {
  return withDatabase(uri, (db) => new MongoMigrator(db, MIGRATIONS).up());
}

export interface RecordedCommand {
  readonly name: string;
  readonly collection: string | null;
  readonly command: Record<string, unknown>;
}

/** Commands the driver sends, as command monitoring reports them (the client has it on). */
export class CommandLog {
  readonly commands: RecordedCommand[] = [];
  private readonly listener = (event: mongo.CommandStartedEvent): void => {
    const value = event.command[event.commandName];
    this.commands.push({
      name: event.commandName,
      collection: typeof value === 'string' ? value : null,
      command: event.command,
    });
  };

  constructor(private readonly client: mongo.MongoClient) {
    client.on('commandStarted', this.listener);
  }

  /** The commands `work` caused, as `name collection` strings. */
  async during(work: () => Promise<unknown>): Promise<string[]> {
    const start = this.commands.length;
    await work();
    return this.commands.slice(start).map((c) => `${c.name} ${c.collection ?? ''}`.trim());
  }

  stop(): void {
    this.client.off('commandStarted', this.listener);
  }
}

/** The lease sweeper's once-a-second query (issue 18) runs beside requests, not for them. */
const isLeaseSweep = (c: RecordedCommand): boolean =>
  c.name === 'find' &&
  c.collection === 'tasks' &&
  'lease_expires_at' in ((c.command.filter as Record<string, unknown> | undefined) ?? {});

/**
 * Neither does the event horizon's tick (issue 19): its publish and read every 150 ms, and
 * its probe for new entries while someone waits (`seq` range without a sort; the feed sorts).
 */
const isHorizonTick = (c: RecordedCommand): boolean =>
  c.collection === 'event_horizon' ||
  (c.name === 'find' &&
    c.collection === 'audit_entries' &&
    'seq' in ((c.command.filter as Record<string, unknown> | undefined) ?? {}) &&
    c.command.sort === undefined);

/** Background work beside requests: the lease sweep and the horizon's tick. */
export const isSweep = (c: RecordedCommand): boolean => isLeaseSweep(c) || isHorizonTick(c);
