import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@taskflow/platform';
import request from 'supertest';
import { createApp, CreateAppOptions } from '../../apps/api/src/bootstrap';

export type DriverName = 'memory' | 'mongo';

/** The drivers the e2e suites run on; TEST_DRIVERS=memory narrows a local run. */
export const TEST_DRIVERS: DriverName[] = (process.env.TEST_DRIVERS ?? 'memory')
  .split(',')
  .map((driver) => driver.trim() as DriverName);

export interface TestApp {
  readonly app: NestFastifyApplication;
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

/** Boots the real HTTP app (Fastify, every module) on the given driver, listening on loopback. */
export async function startTestApp(
  driver: DriverName,
  env: Record<string, string> = {},
  options: Pick<CreateAppOptions, 'logDestination'> = {},
): Promise<TestApp> {
  const config = loadConfig({ ...TEST_ENV, TASK_REPOSITORY_DRIVER: driver, ...env });
  const app = await createApp(config, { ...options, logger: false });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    http: () => request(app.getHttpServer()),
    close: () => app.close(),
  };
}
