import { MONGO_URI_VARIABLE, testDrivers } from './drivers';
import { startMongoServer, type MongoServer } from '../../scripts/mongo-server';

declare global {
  var __taskflowMongoServer: MongoServer | undefined;
}

/**
 * Starts one MongoDB-compatible server for the whole run (MONGODB_URI, else mongod, else FerretDB,
 * built first when missing) and hands its URI to the workers; each test file uses its own
 * database on it. Without a server the run fails with the ways to get one; it never skips.
 */
export default async function globalSetup(): Promise<void> {
  // The runtime the suites run on (Jest's workers are started with this same binary).
  process.stdout.write(`\nTests run on node ${process.version} (${process.execPath})\n`);
  if (!testDrivers().includes('mongo') || process.env[MONGO_URI_VARIABLE]) return;
  const server = await startMongoServer({ dbName: 'taskflow_test' });
  globalThis.__taskflowMongoServer = server;
  process.env[MONGO_URI_VARIABLE] = server.uri;
  process.env.TASKFLOW_TEST_MONGODB_KIND = server.kind;
}
