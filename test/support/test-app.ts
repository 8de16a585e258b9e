import { getConnectionToken } from '@nestjs/mongoose';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@taskflow/platform';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { createApp, CreateAppOptions } from '../../apps/api/src/bootstrap';
import { DriverName, testDrivers } from './drivers';
import { freshDatabaseUri, migrateUp } from './mongo';

export type { DriverName } from './drivers';

/** The drivers the e2e suites run on; TEST_DRIVERS=memory narrows a local run. */
export const TEST_DRIVERS: DriverName[] = testDrivers();

export interface TestApp {
  readonly app: NestFastifyApplication;
  /** The Mongo driver's database (pass it as MONGODB_URI to reopen the same data); else null. */
  readonly mongoUri: string | null;
  /** A supertest client bound to the running app. */
  http(): ReturnType<typeof request>;
  close(): Promise<void>;
}

const TEST_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  DEV_MODE: 'true',
  BCRYPT_COST: '4',
  JWT_SECRET: 'test-secret-that-is-at-least-32-bytes-long',
  RATE_LIMIT_GLOBAL: 'off',
  RATE_LIMIT_AUTH: 'off',
  // Request log lines would bury Jest's output; a test of the log line sets its own level.
  LOG_LEVEL: 'silent',
};

/**
 * Boots the real HTTP app (Fastify, every module) on the given driver, listening on loopback.
 * On Mongo it gets a fresh database on the shared test server (unless `env.MONGODB_URI` names
 * one) and applies the migrations first, as a deployment would.
 */
export async function startTestApp(
  driver: DriverName,
  env: Record<string, string> = {},
  options: Pick<CreateAppOptions, 'logDestination'> & { readonly nestLogs?: boolean } = {},
): Promise<TestApp> {
  let mongoUri: string | null = null;
  if (driver === 'mongo') {
    mongoUri = env.MONGODB_URI ?? freshDatabaseUri('app');
    await migrateUp(mongoUri);
  }
  const config = loadConfig({
    ...TEST_ENV,
    TASK_REPOSITORY_DRIVER: driver,
    ...(mongoUri ? { MONGODB_URI: mongoUri } : {}),
    ...env,
  });
  // Nest's own messages are off unless a test of the log asks for them.
  const app = await createApp(config, {
    logDestination: options.logDestination,
    ...(options.nestLogs ? {} : { logger: false as const }),
  });
  try {
    // Listening once up front lets many concurrent supertest requests share one server.
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    // A start that fails (a start-up check refusing) must not leave its connections open.
    await app.close().catch(() => undefined);
    throw error;
  }
  return {
    app,
    mongoUri,
    http: () => request(app.getHttpServer()),
    close: () => app.close(),
  };
}

/** The app's Mongo connection (Mongo driver only). */
export function mongoConnectionOf(t: TestApp): Connection {
  return t.app.get<Connection>(getConnectionToken(), { strict: false });
}
