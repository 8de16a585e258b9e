import type { DynamicModule } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MIGRATIONS } from '@taskflow/migrations';
import { Clock, Driver, loadConfig, ManualClock, PlatformModule } from '@taskflow/platform';
import type { DriverName } from './drivers';
import { freshDatabaseUri, migrateUp } from './mongo';

/** The platform of one driver plus the modules under test, on a clock the test moves. */
export interface Stores {
  readonly clock: ManualClock;
  get<T>(token: abstract new (...args: never[]) => T): T;
  close(): Promise<void>;
}

export async function startStores(
  driver: DriverName,
  modules: (driver: Driver) => DynamicModule[],
  start = new Date('2030-07-01T00:00:00.000Z'),
): Promise<Stores> {
  const mongoUri = driver === 'mongo' ? freshDatabaseUri('contract') : null;
  if (mongoUri) await migrateUp(mongoUri);
  const config = loadConfig({
    NODE_ENV: 'test',
    DEV_MODE: 'true',
    TASK_REPOSITORY_DRIVER: driver,
    ...(mongoUri ? { MONGODB_URI: mongoUri } : {}),
  });
  const clock = new ManualClock(start);
  const moduleRef = await Test.createTestingModule({
    imports: [PlatformModule.forRoot(config, { migrations: MIGRATIONS }), ...modules(driver)],
  })
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  await moduleRef.init();
  return {
    clock,
    get: (token) => moduleRef.get(token, { strict: false }),
    close: () => moduleRef.close(),
  };
}
