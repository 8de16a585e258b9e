import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { AppConfig } from '../../config/app-config';
import { Checkpoints } from '../checkpoints';
import type { DriverAdapters } from '../driver-bindings';
import type { Migration } from '../migration';
import { MigrationCheck } from '../migration-check';
import { StorageInfo } from '../storage-info';
import { UnitOfWork } from '../unit-of-work';
import { MongoCheckpoints } from './mongo-checkpoints';
import { mongoConnection, mongoTopologyProvider } from './mongo-connection';
import { MongoMigrationCheck } from './mongo-migration-check';
import { MongoTopology } from './mongo-topology';
import { MongoUnitOfWork } from './mongo-unit-of-work';

/**
 * The kernel's Mongo driver: the connection and topology, the unit of work, checkpoints,
 * migration check and storage facts. PlatformModule requires this file only for the Mongo driver.
 */
export function mongoAdapters(config: AppConfig, migrations: readonly Migration[]): DriverAdapters {
  return {
    imports: [mongoConnection(config)],
    providers: [
      mongoTopologyProvider,
      MongoUnitOfWork,
      { provide: UnitOfWork, useExisting: MongoUnitOfWork },
      { provide: Checkpoints, useClass: MongoCheckpoints },
      {
        provide: MigrationCheck,
        inject: [getConnectionToken()],
        useFactory: (connection: Connection) => new MongoMigrationCheck(connection, migrations),
      },
      {
        provide: StorageInfo,
        inject: [MongoTopology],
        useFactory: (topology: MongoTopology): StorageInfo => ({
          driver: 'mongo',
          transactionsSupported: () => topology.transactions,
        }),
      },
    ],
    exports: [MongoTopology, MongoUnitOfWork],
  };
}
