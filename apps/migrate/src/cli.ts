import { MIGRATIONS } from '@taskflow/migrations';
import { Migration } from '@taskflow/platform';
import { MigrationStatus, MongoMigrator } from '@taskflow/platform/mongo';
import { createConnection } from 'mongoose';

export const USAGE = `Usage: migrate <command>
  up            apply every pending migration, in order
  down [count]  undo the last applied migration (or the last <count>)
  status        list migrations: applied, pending, changed since applied, or unknown
Needs MONGODB_URI. Runners take a lock in the database, so only one applies at a time.`;

function formatStatus(rows: readonly MigrationStatus[]): string {
  const width = Math.max(...rows.map((row) => row.id.length), 2);
  return rows
    .map(
      (row) =>
        `${row.id.padEnd(width)}  ${row.state.padEnd(7)}  ${row.appliedAt?.toISOString() ?? '-'.padEnd(24)}  ${row.description}`,
    )
    .join('\n');
}

/** Runs one CLI command; returns the process exit code. */
export async function runMigrateCli(
  args: readonly string[],
  env: Record<string, string | undefined>,
  print: (line: string) => void,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number> {
  const [command, count] = args;
  if (!['up', 'down', 'status'].includes(command ?? '')) {
    print(USAGE);
    return 2;
  }
  if (command === 'down' && count !== undefined && !/^[1-9]\d*$/.test(count)) {
    print(`down takes a positive count, not ${JSON.stringify(count)}`);
    return 2;
  }
  const uri = env.MONGODB_URI?.trim();
  if (!uri) {
    print('MONGODB_URI is required: the database to migrate');
    return 2;
  }
  const connection = await createConnection(uri, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  try {
    if (!connection.db) throw new Error('The MongoDB connection is not open');
    const migrator = new MongoMigrator(connection.db, migrations, { log: print });
    if (command === 'status') {
      const rows = await migrator.status();
      print(formatStatus(rows));
      const pending = rows.filter((row) => row.state !== 'applied').length;
      print(pending === 0 ? 'Up to date.' : `${pending} migration(s) not applied as written.`);
      return rows.some((row) => row.state === 'changed' || row.state === 'unknown') ? 1 : 0;
    }
    const done = command === 'up' ? await migrator.up() : await migrator.down(Number(count ?? '1'));
    print(`${command === 'up' ? 'Applied' : 'Undone'}: ${done.length} migration(s).`);
    return 0;
  } catch (error) {
    print(`migrate ${command} failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await connection.close();
  }
}
