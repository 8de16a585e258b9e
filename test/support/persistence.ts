import { Test, TestingModule } from '@nestjs/testing';
import { AuditPersistenceModule } from '@taskflow/audit';
import { IdentityPersistenceModule } from '@taskflow/identity';
import { MIGRATIONS } from '@taskflow/migrations';
import { loadConfig, PlatformModule, UnitOfWork } from '@taskflow/platform';
import { TasksPersistenceModule } from '@taskflow/tasks';
import type { DriverName } from './drivers';
import { freshDatabaseUri, migrateUp } from './mongo';

/** The repositories of one driver, without HTTP: what the contract suites exercise. */
export interface Persistence {
  readonly driver: DriverName;
  readonly mongoUri: string | null;
  get<T>(token: abstract new (...args: never[]) => T): T;
  readonly unitOfWork: UnitOfWork;
  close(): Promise<void>;
}

export async function startPersistence(driver: DriverName): Promise<Persistence> {
  const mongoUri = driver === 'mongo' ? freshDatabaseUri('contract') : null;
  if (mongoUri) await migrateUp(mongoUri);
  const config = loadConfig({
    NODE_ENV: 'test',
    DEV_MODE: 'true',
    TASK_REPOSITORY_DRIVER: driver,
    ...(mongoUri ? { MONGODB_URI: mongoUri } : {}),
  });
  const moduleRef: TestingModule = await Test.createTestingModule({
    imports: [
      PlatformModule.forRoot(config, { migrations: MIGRATIONS }),
      TasksPersistenceModule.register({ driver }),
      AuditPersistenceModule.register({ driver }),
      IdentityPersistenceModule.register({ driver }),
    ],
  }).compile();
  await moduleRef.init();
  return {
    driver,
    mongoUri,
    get: (token) => moduleRef.get(token, { strict: false }),
    unitOfWork: moduleRef.get(UnitOfWork),
    close: () => moduleRef.close(),
  };
}
